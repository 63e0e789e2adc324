//! Walks DER element by element, keeping each element's exact bytes, for the structures the
//! `x509-cert` crate does not cover or whose exact bytes matter: CMS SignedData in RFC 3161
//! timestamps, raw `TBSCertificate` bytes, and precertificate reconstruction for SCTs. The
//! encoding itself is the `der` crate's: its length decoder (definite, minimal, at most four
//! bytes) and encoder; this module only steps through elements and names their tags.

use std::fmt;

use der::{Decode, Encode, Reader as _};

/// Tags as they appear on the wire (class, constructed bit and number in one byte).
pub mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const UTF8_STRING: u8 = 0x0c;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    /// `[n]` context-specific, constructed.
    pub const fn context(n: u8) -> u8 {
        0xa0 | n
    }
    /// `[n]` context-specific, primitive.
    pub const fn context_primitive(n: u8) -> u8 {
        0x80 | n
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DerError(&'static str);

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed DER: {}", self.0)
    }
}

/// One tag-length-value element.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    pub tag: u8,
    /// The value bytes.
    pub contents: &'a [u8],
    /// The whole element: tag, length and value.
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    pub fn reader(&self) -> Reader<'a> {
        Reader::new(self.contents)
    }
}

/// Reads consecutive elements from a byte slice.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    pub fn read(&mut self) -> Result<Tlv<'a>, DerError> {
        let mut reader = der::SliceReader::new(self.data).map_err(|_| DerError("element too large"))?;
        // Single-byte tags only: every structure walked here uses them.
        let tag = reader.read_byte().map_err(|_| DerError("unexpected end of data"))?;
        if tag & 0x1f == 0x1f {
            return Err(DerError("multi-byte tags are not supported"));
        }
        let length = der::Length::decode(&mut reader).map_err(|e| DerError(length_error(&e)))?;
        let contents = reader.read_slice(length).map_err(|_| DerError("length exceeds the data"))?;
        let consumed = usize::try_from(reader.position()).map_err(|_| DerError("length overflow"))?;
        let (raw, rest) = self.data.split_at_checked(consumed).ok_or(DerError("length overflow"))?;
        self.data = rest;
        Ok(Tlv { tag, contents, raw })
    }

    /// Reads the next element and requires its tag.
    pub fn expect(&mut self, tag: u8) -> Result<Tlv<'a>, DerError> {
        let tlv = self.read()?;
        if tlv.tag == tag {
            Ok(tlv)
        } else {
            Err(DerError("unexpected tag"))
        }
    }

    /// Reads the next element only if it has this tag.
    pub fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, DerError> {
        if self.peek_tag() == Some(tag) {
            self.read().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Requires that nothing is left.
    pub fn finish(&self) -> Result<(), DerError> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(DerError("trailing data"))
        }
    }
}

/// What is wrong with a length `der` refused, in this module's words.
fn length_error(error: &der::Error) -> &'static str {
    match error.kind() {
        der::ErrorKind::IndefiniteLength => "indefinite length",
        der::ErrorKind::Overlength => "non-minimal or oversized length",
        der::ErrorKind::Incomplete { .. } => "missing length",
        _ => "malformed length",
    }
}

/// Parses `bytes` as exactly one element with the given tag.
pub fn parse_single(bytes: &[u8], tag: u8) -> Result<Tlv<'_>, DerError> {
    let mut reader = Reader::new(bytes);
    let tlv = reader.expect(tag)?;
    reader.finish()?;
    Ok(tlv)
}

/// Encodes one element from its tag and contents. `None` for contents of 256 MiB or more, which
/// DER as the `der` crate writes it cannot hold.
pub fn encode_tlv(tag: u8, contents: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(contents.len() + 6);
    out.push(tag);
    der::Length::try_from(contents.len()).ok()?.encode_to_vec(&mut out).ok()?;
    out.extend_from_slice(contents);
    Some(out)
}

/// The value of a non-negative INTEGER with its leading sign byte removed, for comparing serial
/// numbers.
pub fn unsigned_integer(contents: &[u8]) -> &[u8] {
    match contents {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => contents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_elements_and_keeps_raw_bytes() {
        let data = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xff];
        let seq = parse_single(&data, tag::SEQUENCE).unwrap();
        assert_eq!(seq.raw, &data);
        let mut inner = seq.reader();
        assert_eq!(inner.expect(tag::INTEGER).unwrap().contents, [5]);
        assert!(inner.optional(0x01).unwrap().is_none());
        assert_eq!(inner.expect(tag::OCTET_STRING).unwrap().raw, [0x04, 0x01, 0xff]);
        inner.finish().unwrap();
    }

    #[test]
    fn rejects_non_der_lengths_and_truncation() {
        assert!(parse_single(&[0x04, 0x81, 0x01, 0x00], tag::OCTET_STRING).is_err());
        assert!(parse_single(&[0x04, 0x80], tag::OCTET_STRING).is_err());
        assert!(parse_single(&[0x04, 0x05, 0x00], tag::OCTET_STRING).is_err());
        assert!(parse_single(&[0x04, 0x00, 0x00], tag::OCTET_STRING).is_err());
        assert!(parse_single(&[0x04, 0x85, 1, 1, 1, 1, 1], tag::OCTET_STRING).is_err());
    }

    #[test]
    fn encodes_long_lengths() {
        let big = encode_tlv(tag::OCTET_STRING, &[0u8; 0x1234]).unwrap();
        assert_eq!(big[..4], [0x04, 0x82, 0x12, 0x34]);
        assert_eq!(parse_single(&big, tag::OCTET_STRING).unwrap().contents.len(), 0x1234);
        let small = encode_tlv(tag::OCTET_STRING, &[0u8; 200]).unwrap();
        assert_eq!(parse_single(&small, tag::OCTET_STRING).unwrap().contents.len(), 200);
    }

    #[test]
    fn rejects_multi_byte_tags_and_names_the_length_fault() {
        assert_eq!(parse_single(&[0x1f, 0x01, 0x00], 0x1f).unwrap_err(), DerError("multi-byte tags are not supported"));
        assert_eq!(parse_single(&[0x04, 0x80], tag::OCTET_STRING).unwrap_err(), DerError("indefinite length"));
        assert_eq!(parse_single(&[0x04, 0x81, 0x01, 0x00], tag::OCTET_STRING).unwrap_err(), DerError("non-minimal or oversized length"));
        assert_eq!(parse_single(&[0x04], tag::OCTET_STRING).unwrap_err(), DerError("missing length"));
    }
}
