//! A tiny DER writer (ITU-T X.690 §8.1, §8.3, §8.9, §10) for the two structures JWK import
//! needs: PKCS#1 `RSAPublicKey` and `RSAPrivateKey` (RFC 8017 Appendix A.1.1, A.1.2).
//!
//! Only SEQUENCE and non-negative INTEGER are written. Buffers that hold private key
//! material are [`Zeroizing`] so they are wiped when dropped.

use secrecy::zeroize::Zeroizing;

const TAG_INTEGER: u8 = 0x02;
const TAG_SEQUENCE: u8 = 0x30;

/// Strips redundant leading zero octets from an unsigned big-endian integer.
pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

/// Number of significant bits of an unsigned big-endian integer.
pub(crate) fn bit_len(bytes: &[u8]) -> usize {
    let digits = strip_leading_zeros(bytes);
    match digits.first() {
        None => 0,
        Some(&top) => (digits.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
    }
}

/// Appends a DER definite length (X.690 §8.1.3, §10.1: shortest form).
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        // Short form; `len` fits in 7 bits.
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let digits = strip_leading_zeros(&bytes);
        out.push(0x80 | digits.len() as u8);
        out.extend_from_slice(digits);
    }
}

/// Appends an INTEGER holding the unsigned big-endian value `unsigned` (X.690 §8.3): redundant
/// leading zeros are removed and one 0x00 is added when the high bit would make it negative.
fn push_uint(out: &mut Vec<u8>, unsigned: &[u8]) {
    let digits = strip_leading_zeros(unsigned);
    let pad = digits.first().is_none_or(|&b| b & 0x80 != 0);
    out.push(TAG_INTEGER);
    push_len(out, digits.len() + usize::from(pad));
    if pad {
        out.push(0);
    }
    out.extend_from_slice(digits);
}

/// A SEQUENCE of unsigned INTEGERs (X.690 §8.9), in a buffer wiped on drop.
pub(crate) fn sequence_of_uints(values: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let body_len: usize = values.iter().map(|v| v.len() + 8).sum();
    let mut body = Zeroizing::new(Vec::with_capacity(body_len));
    for value in values {
        push_uint(&mut body, value);
    }
    let mut out = Zeroizing::new(Vec::with_capacity(body.len() + 8));
    out.push(TAG_SEQUENCE);
    push_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

/// PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`
/// (RFC 8017 Appendix A.1.1).
pub(crate) fn rsa_public_key(n: &[u8], e: &[u8]) -> Vec<u8> {
    sequence_of_uints(&[n, e]).to_vec()
}

/// PKCS#1 two-prime `RSAPrivateKey` (RFC 8017 Appendix A.1.2): version 0 followed by
/// n, e, d, p, q, dP, dQ, qInv.
pub(crate) fn rsa_private_key(components: [&[u8]; 8]) -> Zeroizing<Vec<u8>> {
    let [n, e, d, p, q, dp, dq, qi] = components;
    sequence_of_uints(&[&[], n, e, d, p, q, dp, dq, qi])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        let mut out = Vec::new();
        push_uint(&mut out, &[]);
        push_uint(&mut out, &[0, 0, 0x7f]);
        push_uint(&mut out, &[0x80]);
        assert_eq!(out, [2, 1, 0, 2, 1, 0x7f, 2, 2, 0, 0x80]);
    }

    #[test]
    fn long_lengths() {
        let big = [0x11u8; 300];
        let der = rsa_public_key(&big, &[1, 0, 1]);
        assert_eq!(der.get(..4), Some(&[0x30, 0x82, 0x01, 0x35][..]));
        assert_eq!(der.get(4..8), Some(&[0x02, 0x82, 0x01, 0x2c][..]));
        assert_eq!(der.len(), 4 + 0x135);
    }

    #[test]
    fn bits() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[0, 1]), 1);
        assert_eq!(bit_len(&[0x80, 0]), 16);
    }
}
