//! CRC-32 (IEEE, as PNG chunks use it), with a shortcut for a run of zero
//! bytes: the PNG padding chunk holds up to 2 GiB of zeros, and its CRC must
//! not cost a pass over them on every request.

const POLY: u32 = 0xEDB8_8320;

/// The byte table, built at compile time.
const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// CRC-32 of `data`.
pub(super) fn crc32(data: &[u8]) -> u32 {
    !update(!0, data)
}

/// The raw register after feeding `data` (no final inversion).
fn update(mut register: u32, data: &[u8]) -> u32 {
    for &byte in data {
        register = TABLE[((register ^ u32::from(byte)) & 0xFF) as usize] ^ (register >> 8);
    }
    register
}

/// The CRC-32 of a message whose CRC is `crc`, followed by `zeros` zero
/// bytes, in O(log zeros): feeding a zero byte multiplies the register by
/// x^8 modulo the polynomial, so `zeros` of them multiply it by x^(8 zeros)
/// (the method of zlib's `crc32_combine`).
pub(super) fn crc32_then_zeros(crc: u32, zeros: u64) -> u32 {
    !multiply(x_to_8n(zeros), !crc)
}

/// `a * b` modulo the polynomial, in the reflected bit order CRC-32 uses.
fn multiply(a: u32, mut b: u32) -> u32 {
    let mut product = 0;
    let mut bit = 1u32 << 31;
    while bit != 0 {
        if a & bit != 0 {
            product ^= b;
        }
        bit >>= 1;
        b = if b & 1 != 0 { (b >> 1) ^ POLY } else { b >> 1 };
    }
    product
}

/// x^(8n) modulo the polynomial, by repeated squaring.
fn x_to_8n(mut n: u64) -> u32 {
    let mut result = 1u32 << 31; // x^0
    let mut power = 1u32 << 23; // x^8
    while n != 0 {
        if n & 1 != 0 {
            result = multiply(power, result);
        }
        power = multiply(power, power);
        n >>= 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn zero_runs_match_feeding_the_zeros() {
        for zeros in [0usize, 1, 2, 7, 8, 255, 1000, 65_537] {
            let mut data = b"spAd".to_vec();
            data.resize(4 + zeros, 0);
            assert_eq!(
                crc32_then_zeros(crc32(b"spAd"), zeros as u64),
                crc32(&data),
                "{zeros}"
            );
        }
    }
}
