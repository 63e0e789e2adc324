//! Distinguished names as text, for messages: RFC 4514's order and escaping, with the short names
//! of the attributes certificates carry. x509-cert's own `Display` finds those names in const-oid's
//! database of every registered OID, which alone was 22 KB of the gzipped module; any other
//! attribute is written as its OID and DER in hex, as x509-cert writes one it has no name for.

use std::fmt::Write;

use const_oid::ObjectIdentifier;
use der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
use der::{Decode, Encode, Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;

/// The attributes named in RFC 4514 section 3, and those of PKCS #9 and X.520 that certificates use.
const SHORT_NAMES: [(ObjectIdentifier, &str); 11] = [
    (ObjectIdentifier::new_unwrap("2.5.4.3"), "CN"),
    (ObjectIdentifier::new_unwrap("2.5.4.5"), "SERIALNUMBER"),
    (ObjectIdentifier::new_unwrap("2.5.4.6"), "C"),
    (ObjectIdentifier::new_unwrap("2.5.4.7"), "L"),
    (ObjectIdentifier::new_unwrap("2.5.4.8"), "ST"),
    (ObjectIdentifier::new_unwrap("2.5.4.9"), "STREET"),
    (ObjectIdentifier::new_unwrap("2.5.4.10"), "O"),
    (ObjectIdentifier::new_unwrap("2.5.4.11"), "OU"),
    (ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1"), "UID"),
    (ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.25"), "DC"),
    (ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1"), "EMAIL"),
];

/// A DER distinguished name as text, quoted, or `(empty name)`.
pub(crate) fn describe_name(der: &[u8]) -> String {
    match Name::from_der(der) {
        Ok(name) if !name.0.is_empty() => {
            let mut text = String::from("\"");
            // RFC 4514 section 2.1: the last RDN first.
            for (i, rdn) in name.0.iter().rev().enumerate() {
                for (j, attribute) in rdn.0.iter().enumerate() {
                    text.push_str(if j > 0 {
                        "+"
                    } else if i > 0 {
                        ","
                    } else {
                        ""
                    });
                    write_attribute(&mut text, attribute);
                }
            }
            text.push('"');
            text
        }
        _ => "(empty name)".to_owned(),
    }
}

fn write_attribute(out: &mut String, attribute: &AttributeTypeAndValue) {
    let value = &attribute.value;
    let text = match value.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::Utf8String => Utf8StringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::Ia5String => Ia5StringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::TeletexString => TeletexStringRef::try_from(value).ok().map(|s| s.as_str()),
        _ => None,
    };
    let short = SHORT_NAMES.iter().find(|(oid, _)| *oid == attribute.oid).map(|(_, name)| *name);
    let (Some(short), Some(text)) = (short, text) else {
        // Writing to a String cannot fail.
        let _ = write!(out, "{}=#", attribute.oid);
        for byte in value.to_der().unwrap_or_default() {
            let _ = write!(out, "{byte:02x}");
        }
        return;
    };
    out.push_str(short);
    out.push('=');
    // RFC 4514 section 2.4.
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || chars.peek().is_none() => out.push_str("\\ "),
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\x00'..='\x1f' | '\x7f' => {
                let _ = write!(out, "\\{:02x}", c as u8);
            }
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// The names as x509-cert writes them (its `Display`, with const-oid's database), quoted.
    fn as_x509_cert_writes(name: &str) -> (Vec<u8>, String) {
        let parsed = Name::from_str(name).unwrap();
        (parsed.to_der().unwrap(), format!("\"{parsed}\""))
    }

    #[test]
    fn names_read_as_x509_cert_writes_them() {
        for name in [
            "CN=sigstore-intermediate,O=sigstore.dev",
            "CN=Fulcio Root CA,OU=Fulcio,O=sigstore.dev,L=Somewhere,ST=CA,C=US",
            "CN=a\\,b+UID=x,DC=example,DC=com",
            "CN=\\#hash\\ ,SERIALNUMBER=12,STREET=Main St,EMAILADDRESS=a@example.com",
            "CN=quote\\\"<less>\\\\;",
        ] {
            let (der, expected) = as_x509_cert_writes(name);
            assert_eq!(describe_name(&der), expected, "{name}");
        }
    }

    #[test]
    fn an_attribute_without_a_short_name_is_its_oid_and_der() {
        // x509-cert would write GIVENNAME=John, from its database.
        let (der, _) = as_x509_cert_writes("GIVENNAME=John,CN=x");
        assert_eq!(describe_name(&der), "\"2.5.4.42=#0c044a6f686e,CN=x\"");
    }

    #[test]
    fn an_empty_or_malformed_name_is_said_so() {
        assert_eq!(describe_name(&[0x30, 0x00]), "(empty name)");
        assert_eq!(describe_name(b"not DER"), "(empty name)");
    }
}
