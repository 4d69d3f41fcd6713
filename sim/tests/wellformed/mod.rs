//! Structure checks of the files the simulator serves, written from the
//! format specifications and sharing no code with the simulator's encoders
//! (no decoder crate is in the workspace): PNG chunks, CRCs and the pixel
//! data inflated; JPEG marker segments and the scan's end; WebP's RIFF
//! chunks and VP8L header; MP4's top-level boxes. Each returns the
//! dimensions it read, or panics naming what is wrong.
#![allow(dead_code)]

mod inflate;

/// PNG: signature, chunks with good CRCs (IHDR first, IEND last), the
/// pixel data inflated to exactly one filter byte and packed row per line
/// with a matching Adler-32. Returns (width, height).
pub fn png(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "signature");
    let mut at = 8;
    let mut kinds = Vec::new();
    let mut ihdr = Vec::new();
    let mut idat = Vec::new();
    while at < bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = &bytes[at + 8..at + 8 + len];
        let crc = u32::from_be_bytes(bytes[at + 8 + len..at + 12 + len].try_into().unwrap());
        assert_eq!(crc, crc32(&bytes[at + 4..at + 8 + len]), "CRC of {kind:?}");
        match kind {
            b"IHDR" => ihdr = data.to_vec(),
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        kinds.push(String::from_utf8_lossy(kind).into_owned());
        at += 12 + len;
    }
    assert_eq!(at, bytes.len(), "chunks end with the file");
    assert_eq!(kinds.first().map(String::as_str), Some("IHDR"), "{kinds:?}");
    assert_eq!(kinds.last().map(String::as_str), Some("IEND"), "{kinds:?}");
    let width = u32::from_be_bytes(ihdr[0..4].try_into().unwrap());
    let height = u32::from_be_bytes(ihdr[4..8].try_into().unwrap());
    let (depth, colour_type) = (ihdr[8], ihdr[9]);
    if colour_type == 3 {
        assert!(
            kinds.iter().any(|kind| kind == "PLTE"),
            "palette image without PLTE"
        );
    }
    let channels = match colour_type {
        0 | 3 => 1,
        2 => 3,
        4 => 2,
        6 => 4,
        other => panic!("colour type {other}"),
    };
    let row = 1 + (u64::from(width) * channels * u64::from(depth)).div_ceil(8);
    let pixels = zlib(&idat);
    assert_eq!(
        pixels.len() as u64,
        row * u64::from(height),
        "inflated size"
    );
    for line in pixels.chunks(row as usize) {
        assert!(line[0] <= 4, "filter type {}", line[0]);
    }
    (width, height)
}

/// A zlib stream's content, its header and Adler-32 checked.
fn zlib(stream: &[u8]) -> Vec<u8> {
    let (cmf, flg) = (stream[0], stream[1]);
    assert_eq!(cmf & 0x0F, 8, "deflate");
    assert_eq!((u16::from(cmf) * 256 + u16::from(flg)) % 31, 0, "FCHECK");
    assert_eq!(flg & 0x20, 0, "no preset dictionary");
    let (data, used) = inflate::inflate(&stream[2..]);
    let adler = &stream[2 + used..];
    assert_eq!(adler.len(), 4, "Adler-32 ends the stream");
    assert_eq!(
        u32::from_be_bytes(adler.try_into().unwrap()),
        adler32(&data)
    );
    data
}

/// JPEG: SOI, marker segments whose lengths chain up to SOS, entropy-coded
/// data (stuffed bytes and restart markers only) up to EOI; after EOI only
/// zero padding. Returns (width, height) from the baseline frame header.
pub fn jpeg(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "SOI");
    let mut at = 2;
    let mut size = None;
    let mut seen = Vec::new();
    loop {
        assert_eq!(bytes[at], 0xFF, "a marker at {at}");
        let marker = bytes[at + 1];
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let segment = &bytes[at + 4..at + 2 + len];
        seen.push(marker);
        if marker == 0xC0 {
            assert_eq!(segment[0], 8, "8-bit precision");
            let h = u16::from_be_bytes([segment[1], segment[2]]);
            let w = u16::from_be_bytes([segment[3], segment[4]]);
            assert_eq!(len, 8 + 3 * usize::from(segment[5]), "SOF0 length");
            size = Some((u32::from(w), u32::from(h)));
        }
        at += 2 + len;
        if marker == 0xDA {
            break;
        }
    }
    for needed in [0xC0, 0xC4, 0xDB] {
        assert!(
            seen.contains(&needed),
            "no FF{needed:02X} before the scan: {seen:02X?}"
        );
    }
    let eoi = scan_end(bytes, at);
    assert!(
        bytes[eoi + 2..].iter().all(|&b| b == 0),
        "only zeros after EOI"
    );
    size.expect("a baseline frame header")
}

/// The offset of the EOI that ends the entropy-coded data starting at `at`.
fn scan_end(bytes: &[u8], mut at: usize) -> usize {
    loop {
        if bytes[at] == 0xFF {
            match bytes[at + 1] {
                0x00 | 0xD0..=0xD7 => at += 2,
                0xD9 => return at,
                other => panic!("marker FF{other:02X} inside the scan at {at}"),
            }
        } else {
            at += 1;
        }
    }
}

/// WebP: the RIFF size counts the rest of the file, chunks (even-padded)
/// fill it exactly, VP8X comes first and agrees with the VP8L bitstream's
/// own size. Returns (width, height).
pub fn webp(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WEBP");
    let riff = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    assert_eq!(riff, bytes.len() - 8, "RIFF size");
    let mut at = 12;
    let mut chunks = Vec::new();
    let mut canvas = None;
    let mut lossless = None;
    while at < bytes.len() {
        let fourcc = &bytes[at..at + 4];
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        let data = &bytes[at + 8..at + 8 + len];
        match fourcc {
            b"VP8X" => {
                assert_eq!(len, 10, "VP8X size");
                canvas = Some((le24(&data[4..7]) + 1, le24(&data[7..10]) + 1));
            }
            b"VP8L" => {
                assert_eq!(data[0], 0x2F, "VP8L signature");
                let bits = u32::from_le_bytes(data[1..5].try_into().unwrap());
                assert_eq!(bits >> 29, 0, "VP8L version");
                lossless = Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1));
            }
            _ => {}
        }
        chunks.push(String::from_utf8_lossy(fourcc).into_owned());
        at += 8 + len + (len & 1);
    }
    assert_eq!(at, bytes.len(), "chunks fill the RIFF");
    assert_eq!(
        chunks.first().map(String::as_str),
        Some("VP8X"),
        "{chunks:?}"
    );
    let canvas = canvas.expect("a VP8X chunk");
    assert_eq!(lossless, Some(canvas), "VP8L and VP8X sizes agree");
    canvas
}

fn le24(bytes: &[u8]) -> u32 {
    u32::from(bytes[0]) | u32::from(bytes[1]) << 8 | u32::from(bytes[2]) << 16
}

/// MP4: top-level boxes whose sizes fill the file, `ftyp` first, one `moov`
/// (holding `mvhd` and a `trak`) and an `mdat`. Returns the box names.
pub fn mp4(bytes: &[u8]) -> Vec<String> {
    let top = boxes(bytes);
    let names: Vec<String> = top.iter().map(|(name, _)| name.clone()).collect();
    assert_eq!(names.first().map(String::as_str), Some("ftyp"), "{names:?}");
    assert!(names.iter().any(|name| name == "mdat"), "{names:?}");
    let moov = top
        .iter()
        .find(|(name, _)| name == "moov")
        .map(|(_, body)| *body)
        .expect("a moov box");
    let inner: Vec<String> = boxes(moov).into_iter().map(|(name, _)| name).collect();
    assert!(inner.iter().any(|name| name == "mvhd"), "{inner:?}");
    assert!(inner.iter().any(|name| name == "trak"), "{inner:?}");
    names
}

/// (name, body) of each box in `bytes`, which they must fill exactly.
fn boxes(bytes: &[u8]) -> Vec<(String, &[u8])> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        assert!(size >= 8, "box size {size} at {at}");
        let name = String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned();
        out.push((name, &bytes[at + 8..at + size]));
        at += size;
    }
    assert_eq!(at, bytes.len(), "boxes fill their parent");
    out
}

/// CRC-32 (IEEE), bitwise.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}
