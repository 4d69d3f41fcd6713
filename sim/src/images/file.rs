//! [`ImageFile`]: a served image as a small head, a run of zeros and a small
//! tail, so a 40 MB test file costs a few hundred bytes to describe and its
//! zeros are streamed, never allocated.

/// A file made of `head`, then `zeros` zero bytes, then `tail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImageFile {
    pub head: Vec<u8>,
    pub zeros: u64,
    pub tail: Vec<u8>,
}

impl ImageFile {
    /// A file with no padding.
    pub(crate) fn whole(bytes: Vec<u8>) -> Self {
        ImageFile {
            head: bytes,
            zeros: 0,
            tail: Vec::new(),
        }
    }

    /// Length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.head.len() as u64 + self.zeros + self.tail.len() as u64
    }

    /// Every byte (allocates [`len`](Self::len) bytes).
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        let zeros = usize::try_from(self.zeros).unwrap_or(usize::MAX);
        let mut out = Vec::with_capacity(self.head.len() + zeros + self.tail.len());
        out.extend_from_slice(&self.head);
        out.resize(self.head.len() + zeros, 0);
        out.extend_from_slice(&self.tail);
        out
    }
}
