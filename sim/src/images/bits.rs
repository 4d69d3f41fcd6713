//! The least-significant-bit-first bit writer that deflate (PNG) and VP8L
//! (WebP) share.

#[derive(Debug, Default)]
pub(super) struct LsbWriter {
    out: Vec<u8>,
    acc: u64,
    used: u32,
}

impl LsbWriter {
    /// Appends to `out`.
    pub(super) fn new(out: Vec<u8>) -> Self {
        LsbWriter {
            out,
            acc: 0,
            used: 0,
        }
    }

    /// The low `count` bits of `value` (at most 32), least significant first.
    pub(super) fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.used;
        self.used += count;
        while self.used >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.used -= 8;
        }
    }

    /// A deflate Huffman code of `len` bits, most significant first.
    pub(super) fn code(&mut self, code: u32, len: u32) {
        self.put(code.reverse_bits() >> (32 - len), len);
    }

    /// The bytes, the last one completed with zero bits.
    pub(super) fn finish(mut self) -> Vec<u8> {
        if self.used > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_go_low_bit_first_and_codes_high_bit_first() {
        let mut bits = LsbWriter::default();
        bits.put(0b101, 3);
        bits.code(0b110, 3);
        assert_eq!(bits.finish(), [0b0001_1101]);
    }
}
