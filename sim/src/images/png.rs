//! A real PNG of one flat colour at any size, small enough to serve on every
//! request: 1-bit palette pixels (every index 0) compressed as one fixed-
//! Huffman deflate block of runs (a 1280x720 image is about 800 bytes).
//! Padding to a file size goes into a private ancillary chunk (`spAd`) before
//! `IEND`, which decoders skip, so a padded file stays a valid PNG.

use super::bits::LsbWriter;
use super::crc::{crc32, crc32_then_zeros};
use super::file::ImageFile;

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Ancillary (lowercase 1st letter), private (lowercase 2nd), safe to copy.
const PADDING_CHUNK: &[u8; 4] = b"spAd";

/// Bytes a padding chunk adds besides its zeros: length, type and CRC.
pub(super) const PADDING_OVERHEAD: u64 = 12;

/// The largest chunk PNG allows (2^31 - 1 bytes).
const MAX_CHUNK: u64 = (1 << 31) - 1;

/// The PNG of `width` x `height` pixels of `colour`.
pub(super) fn encode(width: u32, height: u32, colour: [u8; 3]) -> Vec<u8> {
    let mut out = SIGNATURE.to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // Bit depth 1, colour type 3 (palette), deflate, adaptive filter, no interlace.
    ihdr.extend_from_slice(&[1, 3, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"PLTE", &colour);
    // Each row: filter byte 0, then ceil(width / 8) bytes of index 0.
    let row = 1 + u64::from(width).div_ceil(8);
    chunk(&mut out, b"IDAT", &zlib_zeros(row * u64::from(height)));
    chunk(&mut out, b"IEND", &[]);
    out
}

/// `image` grown by `extra` bytes through a padding chunk before `IEND`
/// (at least [`PADDING_OVERHEAD`] bytes, at most one 2 GiB chunk).
pub(super) fn pad(mut image: Vec<u8>, extra: u64) -> ImageFile {
    let zeros = extra.saturating_sub(PADDING_OVERHEAD).min(MAX_CHUNK);
    let iend = image.split_off(image.len().saturating_sub(12));
    image.extend_from_slice(&(zeros as u32).to_be_bytes());
    image.extend_from_slice(PADDING_CHUNK);
    let mut tail = crc32_then_zeros(crc32(PADDING_CHUNK), zeros)
        .to_be_bytes()
        .to_vec();
    tail.extend_from_slice(&iend);
    ImageFile {
        head: image,
        zeros,
        tail,
    }
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let length = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&length.to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of `len` zero bytes: one fixed-Huffman block of a literal
/// 0 followed by 258-byte copies at distance 1 (13 bits each).
fn zlib_zeros(len: u64) -> Vec<u8> {
    // CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (check bits, fastest).
    let mut bits = LsbWriter::new(vec![0x78, 0x01]);
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE 01: fixed Huffman codes
    let literal_zero = |bits: &mut LsbWriter| bits.code(0x30, 8);
    let mut left = len;
    if left > 0 {
        literal_zero(&mut bits);
        left -= 1;
    }
    while left >= 258 {
        bits.code(0xC5, 8); // length symbol 285: 258 bytes
        bits.code(0, 5); // distance symbol 0: distance 1
        left -= 258;
    }
    for _ in 0..left {
        literal_zero(&mut bits);
    }
    bits.code(0, 7); // end of block (symbol 256)
    let mut out = bits.finish();
    out.extend_from_slice(&adler32_of_zeros(len).to_be_bytes());
    out
}

/// Adler-32 of `len` zero bytes: `a` stays 1 and `b` adds 1 per byte.
fn adler32_of_zeros(len: u64) -> u32 {
    (((len % 65_521) as u32) << 16) | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler_of_zeros_matches_the_definition() {
        let (mut a, mut b) = (1u32, 0u32);
        for _ in 0..70_000 {
            b = (b + a) % 65_521;
            a %= 65_521;
        }
        assert_eq!(adler32_of_zeros(70_000), (b << 16) | a);
    }

    #[test]
    fn the_zlib_header_checks() {
        let stream = zlib_zeros(10);
        assert_eq!((u16::from(stream[0]) * 256 + u16::from(stream[1])) % 31, 0);
    }
}
