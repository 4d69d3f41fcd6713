//! A real baseline JPEG of one flat colour at any size up to 65535 px a
//! side: YCbCr 4:2:0 with one DC and one AC Huffman table of our own. Every
//! block of a flat image has only a DC coefficient, and after the first
//! macroblock every DC difference is 0, so the scan is 12 zero bits per
//! 16x16 macroblock (a 1280x720 image is about 5 KB).
//!
//! The optional APP1 (EXIF) metadata comes first and the frame header right
//! after it, as before, so probers find the size where they did. Padding to
//! a file size is zeros after the end-of-image marker, which decoders never
//! read (phones append whole videos there).

use super::file::ImageFile;

/// Quantizer of every coefficient: with 8, a block's DC coefficient is its
/// level minus 128.
const QUANT: u8 = 8;

/// DC code lengths (JPEG's BITS list): category 0 has the 1-bit code `0`,
/// categories 1 to 11 have the 5-bit codes `10000` to `11010`.
const DC_BITS: [u8; 16] = [1, 0, 0, 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// The AC table holds only end-of-block, with the 1-bit code `0`.
const AC_BITS: [u8; 16] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// The JPEG of `width` x `height` pixels of `colour` (sides past 65535 are
/// written as 65535), after `metadata` bytes of APP1.
pub(super) fn encode(width: u32, height: u32, metadata: usize, colour: [u8; 3]) -> Vec<u8> {
    let w = u16::try_from(width).unwrap_or(u16::MAX);
    let h = u16::try_from(height).unwrap_or(u16::MAX);
    let mut out = vec![0xFF, 0xD8];
    app1(&mut out, metadata);
    // SOF0: length 17, precision 8, height, width, 3 components:
    // Y sampled 2x2 with table 0, Cb and Cr 1x1 with table 1.
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    out.extend_from_slice(&h.to_be_bytes());
    out.extend_from_slice(&w.to_be_bytes());
    out.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    tables(&mut out);
    // SOS: 3 components, all on DC table 0 and AC table 0; full spectrum.
    out.extend_from_slice(&[
        0xFF, 0xDA, 0x00, 0x0C, 3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0,
    ]);
    let macroblocks = u64::from(w.max(1)).div_ceil(16) * u64::from(h.max(1)).div_ceil(16);
    scan(&mut out, macroblocks, ycbcr(colour));
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// `image` followed by `extra` zero bytes.
pub(super) fn pad(image: Vec<u8>, extra: u64) -> ImageFile {
    ImageFile {
        head: image,
        zeros: extra,
        tail: Vec::new(),
    }
}

/// APP1 segments holding `metadata` bytes in all, split where one segment
/// is full; each starts like an empty EXIF block (the `Exif\0\0` id, a
/// little-endian TIFF header and an IFD of no entries), then zeros.
fn app1(out: &mut Vec<u8>, metadata: usize) {
    const MAX_SEGMENT_PAYLOAD: usize = 65_533;
    const EMPTY_EXIF: &[u8] = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0";
    let mut left = metadata;
    while left > 0 {
        let payload = left.min(MAX_SEGMENT_PAYLOAD);
        out.extend_from_slice(&[0xFF, 0xE1]);
        let length = u16::try_from(payload + 2).unwrap_or(u16::MAX);
        out.extend_from_slice(&length.to_be_bytes());
        let id = EMPTY_EXIF.len().min(payload);
        out.extend_from_slice(&EMPTY_EXIF[..id]);
        out.resize(out.len() + payload - id, 0);
        left -= payload;
    }
}

/// DQT (tables 0 and 1, every entry [`QUANT`]) and DHT (the DC and AC
/// tables above).
fn tables(out: &mut Vec<u8>) {
    out.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x84]);
    for table in 0..2 {
        out.push(table);
        out.extend_from_slice(&[QUANT; 64]);
    }
    out.extend_from_slice(&[0xFF, 0xC4, 0x00, 0x31, 0x00]);
    out.extend_from_slice(&DC_BITS);
    out.extend(0..=11u8);
    out.push(0x10);
    out.extend_from_slice(&AC_BITS);
    out.push(0x00);
}

/// The entropy-coded data: the first macroblock sets each component's DC
/// level, every later one repeats it (12 zero bits).
fn scan(out: &mut Vec<u8>, macroblocks: u64, levels: [u8; 3]) {
    let mut bits = MsbWriter {
        out,
        acc: 0,
        used: 0,
    };
    let [y, cb, cr] = levels.map(|level| i32::from(level) - 128);
    block(&mut bits, y);
    for _ in 0..3 {
        block(&mut bits, 0);
    }
    block(&mut bits, cb);
    block(&mut bits, cr);
    bits.zeros(macroblocks.saturating_sub(1) * 12);
    bits.finish();
}

/// One block: its DC difference, then end-of-block.
fn block(bits: &mut MsbWriter<'_>, difference: i32) {
    let category = 32 - difference.unsigned_abs().leading_zeros();
    if category == 0 {
        bits.put(0, 1);
    } else {
        bits.put(0b10000 + category - 1, 5);
        // Negative values are sent as value - 1 in `category` bits.
        let value = if difference < 0 {
            difference - 1
        } else {
            difference
        };
        bits.put((value as u32) & ((1 << category) - 1), category);
    }
    bits.put(0, 1); // end of block
}

/// JFIF's RGB to YCbCr, rounded.
fn ycbcr([r, g, b]: [u8; 3]) -> [u8; 3] {
    let (r, g, b) = (f64::from(r), f64::from(g), f64::from(b));
    let y = 0.299 * r + 0.587 * g + 0.114 * b;
    let cb = 128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b;
    let cr = 128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b;
    [y, cb, cr].map(|v| v.round().clamp(0.0, 255.0) as u8)
}

/// JPEG's bit order (most significant first), with a 0x00 stuffed after
/// every 0xFF byte of entropy-coded data.
struct MsbWriter<'a> {
    out: &'a mut Vec<u8>,
    acc: u32,
    used: u32,
}

impl MsbWriter<'_> {
    fn put(&mut self, value: u32, count: u32) {
        for shift in (0..count).rev() {
            self.acc = (self.acc << 1) | ((value >> shift) & 1);
            self.used += 1;
            if self.used == 8 {
                self.byte();
            }
        }
    }

    /// `count` zero bits, whole bytes at once.
    fn zeros(&mut self, count: u64) {
        let mut left = count;
        while left > 0 && self.used != 0 {
            self.put(0, 1);
            left -= 1;
        }
        let bytes = usize::try_from(left / 8).unwrap_or(usize::MAX);
        self.out.resize(self.out.len() + bytes, 0);
        self.put(0, (left % 8) as u32);
    }

    fn byte(&mut self) {
        let byte = self.acc as u8;
        self.out.push(byte);
        if byte == 0xFF {
            self.out.push(0x00);
        }
        self.acc = 0;
        self.used = 0;
    }

    /// Fills the last byte with 1 bits, as the standard asks.
    fn finish(mut self) {
        if self.used > 0 {
            let fill = 8 - self.used;
            self.put((1 << fill) - 1, fill);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_convert_like_jfif() {
        assert_eq!(ycbcr([0, 0, 0]), [0, 128, 128]);
        assert_eq!(ycbcr([255, 255, 255]), [255, 128, 128]);
        assert_eq!(ycbcr([255, 0, 0]), [76, 85, 255]);
    }

    #[test]
    fn negative_differences_use_ones_complement() {
        let mut out = Vec::new();
        let mut bits = MsbWriter {
            out: &mut out,
            acc: 0,
            used: 0,
        };
        // -5: category 3 (code 10010), bits 010 (!5), end-of-block 0,
        // then 1 bits to the byte's end.
        block(&mut bits, -5);
        bits.finish();
        assert_eq!(out, [0b1001_0010, 0b0111_1111]);
    }
}
