//! Text encodings shared by the instance: base64, hex, PEM, canonical JSON, RFC 3339.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

use super::der_build::civil;

/// Standard, padded base64: the only form real bundles use for proto3 `bytes` fields.
pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn unb64(text: &str) -> Vec<u8> {
    STANDARD.decode(text).unwrap_or_else(|e| panic!("bad base64 {text:?}: {e}"))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// PEM with 64-column lines and a trailing newline, as Rekor stores certificates and keys.
pub fn pem(label: &str, der: &[u8]) -> String {
    let body = b64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// RFC 8785-style canonical JSON: keys sorted, no whitespace. Sorting is done here rather than
/// relying on serde_json's map type, which becomes insertion-ordered if any crate in the build
/// enables `preserve_order`. Keys and strings in our bodies are ASCII, so byte order equals the
/// UTF-16 order RFC 8785 asks for; numbers are integers.
pub fn canonical_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let members: Vec<String> =
                keys.into_iter().map(|k| format!("{}:{}", Value::String(k.clone()), canonical_json(&map[k]))).collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", items.join(","))
        }
        scalar => scalar.to_string(),
    }
}

/// RFC 3339 UTC timestamp with whole seconds, as trusted roots write `validFor` bounds.
pub fn rfc3339(unix: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(unix);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}
