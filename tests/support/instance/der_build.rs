//! A minimal DER writer.
//!
//! The instance builds certificates, SCT lists and RFC 3161 responses by hand so that every byte is
//! under the test's control (a targeted invalid case can change exactly one field). Every function
//! returns one complete TLV; composite values take their already-encoded children.

use const_oid::ObjectIdentifier;

/// Universal tags used by the instance.
pub const TAG_BOOLEAN: u8 = 0x01;
pub const TAG_INTEGER: u8 = 0x02;
pub const TAG_BIT_STRING: u8 = 0x03;
pub const TAG_OCTET_STRING: u8 = 0x04;
pub const TAG_NULL: u8 = 0x05;
pub const TAG_OID: u8 = 0x06;
pub const TAG_UTF8_STRING: u8 = 0x0C;
pub const TAG_PRINTABLE_STRING: u8 = 0x13;
pub const TAG_UTC_TIME: u8 = 0x17;
pub const TAG_GENERALIZED_TIME: u8 = 0x18;
pub const TAG_SEQUENCE: u8 = 0x30;
pub const TAG_SET: u8 = 0x31;

/// One TLV with a definite-length (short or long form) length.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(length(content.len()));
    out.extend_from_slice(content);
    out
}

fn length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

pub fn seq(items: &[Vec<u8>]) -> Vec<u8> {
    tlv(TAG_SEQUENCE, &items.concat())
}

/// `SET OF`: DER requires the elements sorted by their encodings (X.690 §11.6); CMS signed
/// attributes are signed in exactly this order.
pub fn set_of(items: &[Vec<u8>]) -> Vec<u8> {
    let mut sorted = items.to_vec();
    sorted.sort();
    tlv(TAG_SET, &sorted.concat())
}

pub fn oid(dotted: &str) -> Vec<u8> {
    let oid = ObjectIdentifier::new(dotted).unwrap_or_else(|e| panic!("bad OID {dotted}: {e}"));
    tlv(TAG_OID, oid.as_bytes())
}

/// INTEGER from big-endian unsigned magnitude bytes (minimal, positive).
pub fn uint(magnitude: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = magnitude.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = if trimmed.is_empty() { vec![0] } else { trimmed };
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    tlv(TAG_INTEGER, &content)
}

pub fn int(value: u64) -> Vec<u8> {
    uint(&value.to_be_bytes())
}

pub fn boolean(value: bool) -> Vec<u8> {
    tlv(TAG_BOOLEAN, &[if value { 0xFF } else { 0x00 }])
}

pub fn null() -> Vec<u8> {
    tlv(TAG_NULL, &[])
}

pub fn octets(content: &[u8]) -> Vec<u8> {
    tlv(TAG_OCTET_STRING, content)
}

/// BIT STRING with no unused bits (keys, signatures).
pub fn bits(content: &[u8]) -> Vec<u8> {
    let mut body = vec![0];
    body.extend_from_slice(content);
    tlv(TAG_BIT_STRING, &body)
}

pub fn utf8(s: &str) -> Vec<u8> {
    tlv(TAG_UTF8_STRING, s.as_bytes())
}

pub fn printable(s: &str) -> Vec<u8> {
    tlv(TAG_PRINTABLE_STRING, s.as_bytes())
}

/// `[n] EXPLICIT` (constructed context tag wrapping a complete TLV).
pub fn explicit(n: u8, inner: &[u8]) -> Vec<u8> {
    tlv(0xA0 | n, inner)
}

/// `[n] IMPLICIT` for a constructed type: the children are kept, the outer tag replaced.
pub fn implicit_constructed(n: u8, children: &[u8]) -> Vec<u8> {
    tlv(0xA0 | n, children)
}

/// `[n] IMPLICIT` for a primitive type (e.g. GeneralName choices rfc822Name, URI).
pub fn implicit_primitive(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0x80 | n, content)
}

/// X.509 Time: UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
pub fn x509_time(unix: i64) -> Vec<u8> {
    let (y, mo, d, h, mi, s) = civil(unix);
    if (1950..2050).contains(&y) {
        let text = format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100);
        tlv(TAG_UTC_TIME, text.as_bytes())
    } else {
        generalized_time(unix)
    }
}

pub fn utc_time(unix: i64) -> Vec<u8> {
    let (y, mo, d, h, mi, s) = civil(unix);
    tlv(TAG_UTC_TIME, format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100).as_bytes())
}

pub fn generalized_time(unix: i64) -> Vec<u8> {
    let (y, mo, d, h, mi, s) = civil(unix);
    tlv(TAG_GENERALIZED_TIME, format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z").as_bytes())
}

/// Unix seconds -> (year, month, day, hour, minute, second) in UTC (Howard Hinnant's
/// days-to-civil algorithm; exact for the proleptic Gregorian calendar).
pub fn civil(unix: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, (secs / 3600) as u32, (secs % 3600 / 60) as u32, (secs % 60) as u32)
}
