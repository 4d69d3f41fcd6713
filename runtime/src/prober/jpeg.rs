//! Walking JPEG segments to the frame header (SOFn), on whatever part of the
//! file is at hand, so the prober can ask for exactly the next segment
//! instead of the whole file when a big EXIF or ICC block comes first.

/// What a walk over the bytes at hand found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scan {
    /// The frame header: width, height.
    Found(u32, u32),
    /// The walk needs the file from this absolute offset (a marker) on.
    Need(u64),
    /// Not a JPEG we can read.
    Invalid(&'static str),
}

/// Bytes of a frame header needed for the size: marker (2), length (2),
/// precision (1), height (2), width (2).
const SOF_BYTES: u64 = 9;

/// Walks segments starting at the marker at absolute offset `from`, over
/// `buf`, which holds the file's bytes from absolute offset `start`.
pub(crate) fn scan(buf: &[u8], start: u64, from: u64) -> Scan {
    let end = start + buf.len() as u64;
    let byte = |at: u64| -> Option<u8> {
        let index = usize::try_from(at.checked_sub(start)?).ok()?;
        buf.get(index).copied()
    };
    let be16 = |at: u64| -> Option<u16> { Some(u16::from_be_bytes([byte(at)?, byte(at + 1)?])) };
    let mut pos = from;
    loop {
        if pos < start {
            return Scan::Need(pos);
        }
        let Some(first) = byte(pos) else {
            return Scan::Need(pos);
        };
        if first != 0xFF {
            return Scan::Invalid("JPEG segment does not start with a marker");
        }
        let Some(marker) = byte(pos + 1) else {
            return Scan::Need(pos);
        };
        match marker {
            // Fill byte: the marker starts one byte later.
            0xFF => pos += 1,
            // Markers without a length.
            0xD8 | 0x01 | 0xD0..=0xD7 => pos += 2,
            0xD9 | 0xDA => return Scan::Invalid("JPEG has no frame header before its image data"),
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                if pos + SOF_BYTES > end {
                    return Scan::Need(pos);
                }
                let (Some(height), Some(width)) = (be16(pos + 5), be16(pos + 7)) else {
                    return Scan::Need(pos);
                };
                if width == 0 || height == 0 {
                    return Scan::Invalid("JPEG frame header has a zero dimension");
                }
                return Scan::Found(u32::from(width), u32::from(height));
            }
            _ => {
                let Some(length) = be16(pos + 2) else {
                    return Scan::Need(pos);
                };
                if length < 2 {
                    return Scan::Invalid("JPEG segment length below 2");
                }
                pos += 2 + u64::from(length);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SOI, an APP1 of `app_len` payload bytes, DQT, SOF0 of 640x480.
    fn jpeg(app_len: u16) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend_from_slice(&(app_len + 2).to_be_bytes());
        out.extend(std::iter::repeat_n(0u8, usize::from(app_len)));
        out.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x04, 0x00, 0x00]);
        out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03]);
        out
    }

    #[test]
    fn finds_the_frame_header_in_full_bytes() {
        assert_eq!(scan(&jpeg(100), 0, 2), Scan::Found(640, 480));
    }

    #[test]
    fn asks_for_the_segment_after_a_big_block() {
        let file = jpeg(60_000);
        let head = &file[..1000];
        let next = 2 + 2 + 60_002;
        assert_eq!(scan(head, 0, 2), Scan::Need(next));
        let tail = &file[next as usize..];
        assert_eq!(scan(tail, next, next), Scan::Found(640, 480));
        // A cut inside the frame header asks for it again.
        let sof = next + 6;
        assert_eq!(
            scan(&file[next as usize..sof as usize + 4], next, next),
            Scan::Need(sof)
        );
    }

    #[test]
    fn image_data_before_a_frame_header_is_invalid() {
        let bytes = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02];
        assert!(matches!(scan(&bytes, 0, 2), Scan::Invalid(_)));
        assert!(matches!(scan(&[0xFF, 0xD8, 0x12], 0, 2), Scan::Invalid(_)));
    }
}
