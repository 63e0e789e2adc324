//! Canonical JSON as TUF signs it: the OLPC form that securesystemslib writes (keys sorted by code
//! point, no whitespace, only `"` and `\` escaped, integers only, strings as they are).
//!
//! The `olpc-cjson` crate normalises strings to NFC first, which securesystemslib (the signer of
//! Sigstore's and the conformance suite's metadata) does not: a role or target name that is not
//! in NFC would then fail its signature. The input is parsed by serde_json; this only writes it.

use serde_json::Value;

use crate::error::{fail, ErrorCode, Result};

/// The canonical bytes of `value`; floating-point numbers have no canonical form and fail.
pub fn encode(value: &Value) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write(value, &mut out)?;
    Ok(out)
}

fn write(value: &Value, out: &mut Vec<u8>) -> Result<()> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if !(n.is_i64() || n.is_u64()) {
                return fail(ErrorCode::Tuf, format!("{n} is not an integer: canonical JSON has no other numbers"));
            }
            out.extend_from_slice(n.to_string().as_bytes());
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out)?;
            }
            out.push(b']');
        }
        // serde_json's map (without `preserve_order`) is a BTreeMap<String, _>: iterated in byte
        // order of the UTF-8 keys, which is code point order, as canonical JSON sorts.
        Value::Object(map) => {
            out.push(b'{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write(item, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for byte in s.bytes() {
        if byte == b'"' || byte == b'\\' {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_keys_escapes_only_quote_and_backslash_and_keeps_strings_as_they_are() {
        let value: Value = serde_json::from_str(
            r#"{ "b": [1, -2, true, null], "a": "q\"\\\n\u00e9e\u0301", "A": {"z": {}, "y": []}, "é": 0 }"#,
        )
        .unwrap();
        let expected = "{\"A\":{\"y\":[],\"z\":{}},\"a\":\"q\\\"\\\\\n\u{e9}e\u{301}\",\"b\":[1,-2,true,null],\"é\":0}";
        assert_eq!(String::from_utf8(encode(&value).unwrap()).unwrap(), expected);
    }

    #[test]
    fn refuses_floats() {
        let value: Value = serde_json::from_str(r#"{"version": 1.5}"#).unwrap();
        assert_eq!(encode(&value).unwrap_err().code, ErrorCode::Tuf);
    }
}
