//! [`Sniffer`]: fed pieces of an image file at known offsets, it says when
//! the dimensions are known, or from which offset it needs more. It keeps only
//! the bytes it still needs, so skipping a large JPEG metadata block while
//! streaming costs no memory.

use super::jpeg::{self, Scan};

/// What the bytes fed so far allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Width and height are known.
    Done(u32, u32),
    /// More bytes are needed from this absolute offset on.
    NeedFrom(u64),
    /// Unreadable: not a supported image, or corrupt.
    Fail(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unknown,
    Jpeg,
    Other,
}

/// Bytes after which an unrecognised header is final.
const SNIFF_BYTES: usize = 32;

#[derive(Debug)]
pub(crate) struct Sniffer {
    buf: Vec<u8>,
    /// Absolute offset of `buf[0]`.
    start: u64,
    /// Bytes before this offset are not needed any more.
    keep_from: u64,
    /// JPEG: offset of the next marker to read.
    next_marker: u64,
    kind: Kind,
}

impl Sniffer {
    pub(crate) fn new() -> Self {
        Sniffer {
            buf: Vec::new(),
            start: 0,
            keep_from: 0,
            next_marker: 2,
            kind: Kind::Unknown,
        }
    }

    /// Adds the file's bytes starting at absolute offset `at`.
    pub(crate) fn feed(&mut self, at: u64, chunk: &[u8]) {
        let end = at + chunk.len() as u64;
        if end <= self.keep_from {
            return;
        }
        let skip = usize::try_from(self.keep_from.saturating_sub(at)).unwrap_or(chunk.len());
        let (at, chunk) = (at + skip as u64, &chunk[skip.min(chunk.len())..]);
        if self.buf.is_empty() || at != self.start + self.buf.len() as u64 {
            self.buf.clear();
            self.start = at;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// Looks at what has been fed. `NeedFrom` means: feed bytes from that
    /// offset (a streaming caller just keeps feeding).
    pub(crate) fn step(&mut self) -> Step {
        if self.kind == Kind::Unknown {
            if self.start != 0 || self.buf.len() < 2 {
                return Step::NeedFrom(self.start + self.buf.len() as u64);
            }
            self.kind = if self.buf[..2] == [0xFF, 0xD8] {
                Kind::Jpeg
            } else {
                Kind::Other
            };
        }
        match self.kind {
            Kind::Jpeg => match jpeg::scan(&self.buf, self.start, self.next_marker) {
                Scan::Found(width, height) => Step::Done(width, height),
                Scan::Need(offset) => {
                    self.next_marker = offset;
                    self.keep_from = offset;
                    let end = self.start + self.buf.len() as u64;
                    if offset >= end {
                        self.buf.clear();
                        self.start = offset;
                    } else if offset > self.start {
                        let drop = usize::try_from(offset - self.start).unwrap_or(self.buf.len());
                        self.buf.drain(..drop.min(self.buf.len()));
                        self.start = offset;
                    }
                    Step::NeedFrom(offset)
                }
                Scan::Invalid(why) => Step::Fail(why.to_owned()),
            },
            _ => match imagesize::blob_size(&self.buf) {
                Ok(size) => match (u32::try_from(size.width), u32::try_from(size.height)) {
                    (Ok(width), Ok(height)) if width > 0 && height > 0 => Step::Done(width, height),
                    _ => Step::Fail(format!("implausible size {}x{}", size.width, size.height)),
                },
                Err(imagesize::ImageError::NotSupported) if self.buf.len() >= SNIFF_BYTES => {
                    Step::Fail("not a supported image format".to_owned())
                }
                Err(_) => Step::NeedFrom(self.start + self.buf.len() as u64),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_HEAD: [u8; 32] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x7B, 0x00, 0x00, 0x01, 0x41, 0x08, 0x06, 0x00, 0x00, 0x00, 0x9A,
        0x38, 0xC4,
    ];

    #[test]
    fn png_in_small_pieces() {
        let mut sniffer = Sniffer::new();
        for (i, piece) in PNG_HEAD.chunks(5).enumerate() {
            sniffer.feed(i as u64 * 5, piece);
            if let Step::Done(w, h) = sniffer.step() {
                assert_eq!((w, h), (123, 321));
                return;
            }
        }
        panic!("size not found");
    }

    #[test]
    fn streamed_jpeg_skips_its_metadata_without_keeping_it() {
        let mut file = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x9C, 0x42];
        file.extend(std::iter::repeat_n(7u8, 0x9C40));
        file.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20, 0x03]);
        let mut sniffer = Sniffer::new();
        let mut found = None;
        for (i, piece) in file.chunks(1000).enumerate() {
            sniffer.feed(i as u64 * 1000, piece);
            assert!(sniffer.buf.len() <= 1000);
            if let Step::Done(w, h) = sniffer.step() {
                found = Some((w, h));
                break;
            }
        }
        assert_eq!(found, Some((32, 16)));
    }

    #[test]
    fn text_is_not_an_image() {
        let mut sniffer = Sniffer::new();
        sniffer.feed(0, b"<html><body>Not found, sorry about that.</body></html>");
        assert!(matches!(sniffer.step(), Step::Fail(_)));
    }
}
