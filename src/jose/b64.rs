//! Strict base64url without padding (RFC 7515 §2, RFC 4648 §5).
//!
//! JWS compact serialization and JWK members use the URL-safe alphabet with all trailing `=`
//! omitted. Decoding here accepts exactly that and nothing else: padding, `+`, `/`,
//! whitespace, line breaks and non-canonical trailing bits are all refused, so every value has
//! exactly one accepted encoding.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::JoseError;

/// URL-safe alphabet, no padding on output, padding refused on input, trailing bits must be 0.
const STRICT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Decodes strict unpadded base64url (RFC 7515 §2).
///
/// # Errors
///
/// [`JoseError::Base64`] when `s` contains `=`, `+`, `/`, whitespace or any other character
/// outside the URL-safe alphabet, has an impossible length, or has non-zero trailing bits
/// (a non-canonical encoding).
pub fn decode(s: &str) -> Result<Vec<u8>, JoseError> {
    STRICT.decode(s).map_err(|_| JoseError::Base64)
}

/// Encodes `bytes` as unpadded base64url (RFC 7515 §2).
pub fn encode(bytes: &[u8]) -> String {
    STRICT.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_all_lengths() {
        let data: Vec<u8> = (0u8..=255).collect();
        for n in 0..data.len() {
            let slice = data.get(..n).unwrap_or_default();
            let enc = encode(slice);
            assert!(!enc.contains('='));
            assert_eq!(decode(&enc).as_deref(), Ok(slice));
        }
    }

    #[test]
    fn rejects_non_canonical() {
        // "QQ" is 'A'; "QR" has non-zero trailing bits.
        assert_eq!(decode("QQ"), Ok(b"A".to_vec()));
        assert_eq!(decode("QR"), Err(JoseError::Base64));
        assert_eq!(decode("QQ=="), Err(JoseError::Base64));
        assert_eq!(decode("Q"), Err(JoseError::Base64));
        assert_eq!(decode("-_8"), Ok(vec![0xfb, 0xff]));
        assert_eq!(decode("+/8"), Err(JoseError::Base64));
        assert_eq!(decode("QQ\n"), Err(JoseError::Base64));
    }
}
