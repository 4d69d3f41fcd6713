//! The fingerprint of a request body: SHA-256 of the exact bytes sent, in
//! lower-case hex. One home: a submit error carries it
//! ([`SubmitAttempt::body_hash`](crate::SubmitAttempt)) and the journal
//! records it for every entry, so an uncertain submit is matched to its
//! journal row, and both can be compared with what a vendor's dashboard
//! shows of the request.

use sha2::{Digest, Sha256};

/// SHA-256 of `body` as sent, in lower-case hex.
pub fn body_hash(body: &[u8]) -> String {
    sha256_hex(body)
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_sha256_of_the_exact_bytes() {
        assert_eq!(
            body_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(body_hash(br#"{"a":1}"#), body_hash(br#"{ "a": 1 }"#));
    }
}
