//! Minimal, valid file headers: enough for `imagesize` (and the runtime's
//! prober) to read the dimensions; the rest of a file is zero padding.

pub(super) fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    let chunk_start = out.len();
    out.extend_from_slice(b"IHDR");
    out.extend_from_slice(&width.to_be_bytes());
    out.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 6 (RGBA), deflate, adaptive filter, no interlace.
    out.extend_from_slice(&[8, 6, 0, 0, 0]);
    let crc = crc32(&out[chunk_start..]);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

pub(super) fn jpeg_header(width: u32, height: u32, metadata: usize) -> Vec<u8> {
    const MAX_SEGMENT_PAYLOAD: usize = 65_533;
    const EXIF_ID: &[u8] = b"Exif\0\0";
    let mut out = vec![0xFF, 0xD8];
    let mut left = metadata;
    while left > 0 {
        let payload = left.min(MAX_SEGMENT_PAYLOAD);
        out.extend_from_slice(&[0xFF, 0xE1]);
        let length = u16::try_from(payload + 2).unwrap_or(u16::MAX);
        out.extend_from_slice(&length.to_be_bytes());
        let id = EXIF_ID.len().min(payload);
        out.extend_from_slice(&EXIF_ID[..id]);
        out.resize(out.len() + payload - id, 0);
        left -= payload;
    }
    let w = u16::try_from(width).unwrap_or(u16::MAX);
    let h = u16::try_from(height).unwrap_or(u16::MAX);
    // SOF0: length 17, precision 8, height, width, 3 components.
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    out.extend_from_slice(&h.to_be_bytes());
    out.extend_from_slice(&w.to_be_bytes());
    out.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    out
}

pub(super) fn webp_header(width: u32, height: u32, total: u64) -> Vec<u8> {
    let mut out = b"RIFF".to_vec();
    let riff_size = u32::try_from(total.saturating_sub(8)).unwrap_or(u32::MAX);
    out.extend_from_slice(&riff_size.to_le_bytes());
    out.extend_from_slice(b"WEBPVP8X");
    out.extend_from_slice(&10u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    let w = width.clamp(1, 1 << 24) - 1;
    let h = height.clamp(1, 1 << 24) - 1;
    out.extend_from_slice(&w.to_le_bytes()[..3]);
    out.extend_from_slice(&h.to_le_bytes()[..3]);
    out
}

/// CRC-32 (IEEE), bitwise: only ever run over 17 bytes.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}
