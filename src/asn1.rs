//! A minimal, strict DER reader for the structures the `x509-cert` crate does not cover or whose
//! exact bytes matter: CMS SignedData in RFC 3161 timestamps, raw `TBSCertificate` bytes, and
//! precertificate reconstruction for SCTs. Only definite, minimal lengths are accepted.

use std::fmt;

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
        let (&tag, rest) = self.data.split_first().ok_or(DerError("unexpected end of data"))?;
        if tag & 0x1f == 0x1f {
            return Err(DerError("multi-byte tags are not supported"));
        }
        let (&first, rest) = rest.split_first().ok_or(DerError("missing length"))?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 {
                return Err(DerError("indefinite or oversized length"));
            }
            let (len_bytes, rest) = split(rest, count)?;
            let len = len_bytes.iter().fold(0usize, |acc, &b| acc << 8 | usize::from(b));
            let minimal = len >= 0x80 && len_bytes.first().is_some_and(|&b| b != 0);
            if !minimal {
                return Err(DerError("non-minimal length"));
            }
            (len, rest)
        };
        let (contents, rest) = split(rest, len)?;
        let consumed = self.data.len() - rest.len();
        let raw = self.data.get(..consumed).ok_or(DerError("length overflow"))?;
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

fn split(data: &[u8], at: usize) -> Result<(&[u8], &[u8]), DerError> {
    if at <= data.len() {
        Ok(data.split_at(at))
    } else {
        Err(DerError("length exceeds the data"))
    }
}

/// Parses `bytes` as exactly one element with the given tag.
pub fn parse_single(bytes: &[u8], tag: u8) -> Result<Tlv<'_>, DerError> {
    let mut reader = Reader::new(bytes);
    let tlv = reader.expect(tag)?;
    reader.finish()?;
    Ok(tlv)
}

/// Encodes a DER length.
pub fn encode_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
}

/// Encodes one element from its tag and contents.
pub fn encode_tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(contents.len() + 6);
    out.push(tag);
    encode_length(contents.len(), &mut out);
    out.extend_from_slice(contents);
    out
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
        let mut out = Vec::new();
        encode_length(0x1234, &mut out);
        assert_eq!(out, [0x82, 0x12, 0x34]);
        let big = encode_tlv(tag::OCTET_STRING, &[0u8; 200]);
        assert_eq!(parse_single(&big, tag::OCTET_STRING).unwrap().contents.len(), 200);
    }
}
