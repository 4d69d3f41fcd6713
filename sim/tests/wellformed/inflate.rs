//! Inflate (RFC 1951) for stored and fixed-Huffman blocks, written from the
//! RFC for the PNG check: enough to prove the simulator's pixel data
//! decodes. A dynamic-Huffman block is reported, not decoded.

/// Length symbols 257..=285: (base length, extra bits).
const LENGTHS: [(usize, u32); 29] = [
    (3, 0),
    (4, 0),
    (5, 0),
    (6, 0),
    (7, 0),
    (8, 0),
    (9, 0),
    (10, 0),
    (11, 1),
    (13, 1),
    (15, 1),
    (17, 1),
    (19, 2),
    (23, 2),
    (27, 2),
    (31, 2),
    (35, 3),
    (43, 3),
    (51, 3),
    (59, 3),
    (67, 4),
    (83, 4),
    (99, 4),
    (115, 4),
    (131, 5),
    (163, 5),
    (195, 5),
    (227, 5),
    (258, 0),
];

struct Bits<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bits<'_> {
    fn bit(&mut self) -> u32 {
        let byte = self.data[self.at / 8];
        let bit = (byte >> (self.at % 8)) & 1;
        self.at += 1;
        u32::from(bit)
    }

    /// `count` bits, least significant first.
    fn value(&mut self, count: u32) -> u32 {
        (0..count).fold(0, |acc, i| acc | (self.bit() << i))
    }

    /// A Huffman code's next bit goes at the bottom.
    fn code_bits(&mut self, count: u32, start: u32) -> u32 {
        (0..count).fold(start, |acc, _| (acc << 1) | self.bit())
    }

    /// The fixed literal/length code (RFC 1951, 3.2.6).
    fn fixed_symbol(&mut self) -> u32 {
        let seven = self.code_bits(7, 0);
        if seven <= 0b001_0111 {
            return 256 + seven;
        }
        let eight = self.code_bits(1, seven);
        match eight {
            0b0011_0000..=0b1011_1111 => eight - 0b0011_0000,
            0b1100_0000..=0b1100_0111 => 280 + eight - 0b1100_0000,
            _ => 144 + self.code_bits(1, eight) - 0b1_1001_0000,
        }
    }
}

/// The inflated data and the bytes of `data` the stream used.
pub fn inflate(data: &[u8]) -> (Vec<u8>, usize) {
    let mut bits = Bits { data, at: 0 };
    let mut out = Vec::new();
    loop {
        let last = bits.value(1) == 1;
        match bits.value(2) {
            0 => stored(&mut bits, &mut out),
            1 => fixed(&mut bits, &mut out),
            other => panic!("block type {other} (only stored and fixed blocks are checked)"),
        }
        if last {
            return (out, bits.at.div_ceil(8));
        }
    }
}

fn stored(bits: &mut Bits<'_>, out: &mut Vec<u8>) {
    bits.at = bits.at.div_ceil(8) * 8;
    let start = bits.at / 8;
    let len = usize::from(u16::from_le_bytes([bits.data[start], bits.data[start + 1]]));
    let nlen = u16::from_le_bytes([bits.data[start + 2], bits.data[start + 3]]);
    assert_eq!(nlen, !(len as u16), "stored block NLEN");
    out.extend_from_slice(&bits.data[start + 4..start + 4 + len]);
    bits.at = (start + 4 + len) * 8;
}

fn fixed(bits: &mut Bits<'_>, out: &mut Vec<u8>) {
    loop {
        let symbol = bits.fixed_symbol();
        match symbol {
            0..=255 => out.push(symbol as u8),
            256 => return,
            257..=285 => {
                let (base, extra) = LENGTHS[(symbol - 257) as usize];
                let len = base + bits.value(extra) as usize;
                let distance = distance(bits);
                assert!(
                    distance <= out.len(),
                    "distance {distance} before the start"
                );
                for _ in 0..len {
                    out.push(out[out.len() - distance]);
                }
            }
            other => panic!("literal/length symbol {other}"),
        }
    }
}

/// A fixed 5-bit distance code and its extra bits.
fn distance(bits: &mut Bits<'_>) -> usize {
    let code = bits.code_bits(5, 0);
    assert!(code < 30, "distance code {code}");
    if code < 4 {
        return code as usize + 1;
    }
    let extra = code / 2 - 1;
    let base = ((2 + (code & 1)) << extra) + 1;
    (base + bits.value(extra)) as usize
}
