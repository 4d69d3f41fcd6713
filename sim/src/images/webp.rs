//! A real lossless WebP of one flat colour: a `VP8X` chunk first (where
//! probers read the canvas size, as before), then a `VP8L` bitstream whose
//! five prefix codes each hold a single symbol, so every pixel takes zero
//! bits and any size is about 60 bytes. VP8L sides stop at 16384 px: larger
//! canvases keep their `VP8X` size but are not decodable (WebP has no
//! larger images). Padding to a file size is a `JUNK` chunk at the end,
//! RIFF's own filler, which decoders skip.

use super::bits::LsbWriter;
use super::file::ImageFile;

/// Largest side a VP8L bitstream can carry (14 bits of side - 1).
const VP8L_MAX: u32 = 1 << 14;

/// Bytes a padding chunk adds besides its zeros: fourcc and size.
pub(super) const PADDING_OVERHEAD: u64 = 8;

/// The WebP of `width` x `height` pixels of `colour`.
pub(super) fn encode(width: u32, height: u32, colour: [u8; 3]) -> Vec<u8> {
    let mut out = b"RIFF\0\0\0\0WEBP".to_vec();
    let mut vp8x = vec![0u8; 4]; // no ICC, alpha, EXIF, XMP or animation
    vp8x.extend_from_slice(&side(width).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&side(height).to_le_bytes()[..3]);
    chunk(&mut out, b"VP8X", &vp8x);
    chunk(&mut out, b"VP8L", &vp8l(width, height, colour));
    set_riff_size(&mut out, 0);
    out
}

/// `image` grown by `extra` bytes (at least [`PADDING_OVERHEAD`]; an odd
/// total is made even, as RIFF chunks are) through a trailing `JUNK` chunk.
pub(super) fn pad(mut image: Vec<u8>, extra: u64) -> ImageFile {
    let payload = extra.saturating_sub(PADDING_OVERHEAD);
    let payload = payload.min(u64::from(u32::MAX) - image.len() as u64 - PADDING_OVERHEAD - 1);
    let stored = payload + (payload & 1);
    image.extend_from_slice(b"JUNK");
    image.extend_from_slice(&(payload as u32).to_le_bytes());
    set_riff_size(&mut image, stored);
    ImageFile {
        head: image,
        zeros: stored,
        tail: Vec::new(),
    }
}

/// A side as VP8X stores it: minus one, in 24 bits.
fn side(pixels: u32) -> u32 {
    pixels.clamp(1, 1 << 24) - 1
}

/// The RIFF size: everything after its first 8 bytes, `zeros` included.
fn set_riff_size(out: &mut [u8], zeros: u64) {
    let size = u32::try_from(out.len() as u64 - 8 + zeros).unwrap_or(u32::MAX);
    out[4..8].copy_from_slice(&size.to_le_bytes());
}

fn chunk(out: &mut Vec<u8>, fourcc: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(fourcc);
    let size = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
}

/// The VP8L bitstream: header, no transform, no colour cache, no meta
/// prefix codes, then the green, red, blue, alpha and distance codes, each
/// a "simple" code of one symbol; the pixels then take no bits at all.
fn vp8l(width: u32, height: u32, [red, green, blue]: [u8; 3]) -> Vec<u8> {
    let mut bits = LsbWriter::new(vec![0x2F]); // signature
    bits.put(width.clamp(1, VP8L_MAX) - 1, 14);
    bits.put(height.clamp(1, VP8L_MAX) - 1, 14);
    bits.put(0, 1); // alpha_is_used: a hint only
    bits.put(0, 3); // version 0
    bits.put(0, 1); // no transform
    bits.put(0, 1); // no colour cache
    bits.put(0, 1); // no meta prefix codes
    for symbol in [green, red, blue, 255, 0] {
        bits.put(1, 1); // a simple code ...
        bits.put(0, 1); // ... of one symbol ...
        bits.put(1, 1); // ... written in 8 bits
        bits.put(u32::from(symbol), 8);
    }
    bits.finish()
}
