//! Text encodings found in bundles and trust material: base64 in all the forms protobuf's JSON
//! mapping allows, lowercase hex, and PEM.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde::{Deserialize, Deserializer};

const INDIFFERENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD_ANY_PAD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, INDIFFERENT);
const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, INDIFFERENT);

/// Decodes a protobuf-JSON `bytes` value: standard or URL-safe alphabet, padded or not. Line
/// breaks are skipped, as Go's decoder (and so the reference client) skips them: real tooling
/// wraps long base64 at 76 columns. Any other character is an error.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    if text.contains(['\r', '\n']) {
        let joined: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
        return decode_base64(&joined);
    }
    if text.bytes().any(|c| c == b'-' || c == b'_') {
        URL_SAFE_ANY_PAD.decode(text).ok()
    } else {
        STANDARD_ANY_PAD.decode(text).ok()
    }
}

/// Decodes standard, padded base64 only: the form signed notes and SETs are defined over.
pub fn decode_base64_standard(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// Standard, padded base64: the form Rekor signs in a SET payload.
pub fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn encode_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Serializes bytes as lowercase hex, for JSON results.
pub(crate) fn serialize_hex<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&encode_hex(bytes))
}

/// Decodes hex in either case.
pub fn decode_hex(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if bytes.len() % 2 != 0 {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some(nibble(*hi)? << 4 | nibble(*lo)?),
            _ => None,
        })
        .collect()
}

/// Decodes the one PEM block of `text` whose label is `label` (for example `CERTIFICATE` or
/// `PUBLIC KEY`). Text around the block is ignored, as PEM allows; a second block is refused so
/// that a body can never name two keys.
pub fn decode_pem(text: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text.get(start..)?.find(&end)?;
    if text.get(stop + end.len()..)?.contains("-----BEGIN") {
        return None;
    }
    let body: String = text.get(start..stop)?.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    decode_base64_standard(&body)
}

/// Protobuf JSON treats `null` as "absent": a field's default, for serde's `deserialize_with`.
pub(crate) fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_accepts_every_protobuf_form_and_nothing_else() {
        assert_eq!(decode_base64("+/8=").unwrap(), [0xfb, 0xff]);
        assert_eq!(decode_base64("+/8").unwrap(), [0xfb, 0xff]);
        assert_eq!(decode_base64("-_8=").unwrap(), [0xfb, 0xff]);
        assert_eq!(decode_base64("-_8").unwrap(), [0xfb, 0xff]);
        assert!(decode_base64("INVALID!!!BASE64!!!ENCODING====").is_none());
        assert_eq!(decode_base64("+/\r\n8=\n").unwrap(), [0xfb, 0xff]);
        assert!(decode_base64("+/8= ").is_none() && decode_base64("+/\t8=").is_none());
        assert!(decode_base64("+_8=").is_none());
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(encode_hex(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(decode_hex("00ABff").unwrap(), [0, 0xab, 0xff]);
        assert!(decode_hex("0").is_none() && decode_hex("zz").is_none());
    }

    #[test]
    fn pem_takes_exactly_one_block() {
        let pem = "-----BEGIN PUBLIC KEY-----\nAAEC\n-----END PUBLIC KEY-----\n";
        assert_eq!(decode_pem(pem, "PUBLIC KEY").unwrap(), [0, 1, 2]);
        assert!(decode_pem(pem, "CERTIFICATE").is_none());
        assert!(decode_pem(&format!("{pem}{pem}"), "PUBLIC KEY").is_none());
    }
}
