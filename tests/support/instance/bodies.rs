//! Canonicalized transparency-log bodies for every kind the instance logs.
//!
//! Each function returns the exact bytes that go into `canonicalizedBody` (RFC 8785 JSON, as
//! Rekor and rekor-tiles write them).

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::encoding::{b64, canonical_json, hex};
use super::keys::HashAlg;

fn to_bytes(value: &Value) -> Vec<u8> {
    canonical_json(value).into_bytes()
}

/// hashedrekord 0.0.1: hex digest of the artifact, the signature, base64 of the signer's PEM
/// (`CERTIFICATE` for keyless, `PUBLIC KEY` for managed keys).
pub fn hashedrekord_v001(hash: HashAlg, digest: &[u8], signature: &[u8], verifier_pem: &str) -> Vec<u8> {
    to_bytes(&json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": { "hash": { "algorithm": hash.rekor_name(), "value": hex(digest) } },
            "signature": {
                "content": b64(signature),
                "publicKey": { "content": b64(verifier_pem.as_bytes()) },
            },
        },
    }))
}

/// dsse 0.0.1. `envelope_hash` covers the envelope JSON as submitted; the instance submits its
/// canonical form.
pub fn dsse_v001(envelope: &Value, payload: &[u8], signature: &[u8], verifier_pem: &str) -> Vec<u8> {
    to_bytes(&json!({
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": sha256_hex_of(canonical_json(envelope).as_bytes()),
            "payloadHash": sha256_hex_of(payload),
            "signatures": [{ "signature": b64(signature), "verifier": b64(verifier_pem.as_bytes()) }],
        },
    }))
}

/// intoto 0.0.2: payload and signature are *double* base64 in the body (Rekor stores the
/// base64 text of the envelope fields as bytes); the payload is kept, as in CONF mock bodies.
pub fn intoto_v002(
    envelope: &Value,
    payload_type: &str,
    payload: &[u8],
    signature: &[u8],
    verifier_pem: &str,
) -> Vec<u8> {
    to_bytes(&json!({
        "apiVersion": "0.0.2",
        "kind": "intoto",
        "spec": {
            "content": {
                "envelope": {
                    "payload": b64(b64(payload).as_bytes()),
                    "payloadType": payload_type,
                    "signatures": [{
                        "publicKey": b64(verifier_pem.as_bytes()),
                        "sig": b64(b64(signature).as_bytes()),
                    }],
                },
                "hash": sha256_hex_of(canonical_json(envelope).as_bytes()),
                "payloadHash": sha256_hex_of(payload),
            },
        },
    }))
}

fn sha256_hex_of(data: &[u8]) -> Value {
    json!({ "algorithm": "sha256", "value": hex(&Sha256::digest(data)) })
}

/// Rekor v2 `Verifier`: either the leaf certificate or a bare SPKI.
pub fn v2_verifier(key_details: &str, certificate: Option<&[u8]>, spki: &[u8]) -> Value {
    match certificate {
        Some(der) => {
            json!({ "keyDetails": key_details, "x509Certificate": { "rawBytes": b64(der) } })
        }
        None => json!({ "keyDetails": key_details, "publicKey": { "rawBytes": b64(spki) } }),
    }
}

/// hashedrekord 0.0.2: base64 digest with the proto enum name of its hash.
pub fn hashedrekord_v002(hash: HashAlg, digest: &[u8], signature: &[u8], verifier: Value) -> Vec<u8> {
    to_bytes(&json!({
        "apiVersion": "0.0.2",
        "kind": "hashedrekord",
        "spec": { "hashedRekordV002": {
            "data": { "algorithm": hash.proto_name(), "digest": b64(digest) },
            "signature": { "content": b64(signature), "verifier": verifier },
        }},
    }))
}

/// dsse 0.0.2: SHA-256 of the payload and the envelope signature with its verifier.
pub fn dsse_v002(payload: &[u8], signature: &[u8], verifier: Value) -> Vec<u8> {
    to_bytes(&json!({
        "apiVersion": "0.0.2",
        "kind": "dsse",
        "spec": { "dsseV002": {
            "payloadHash": { "algorithm": "SHA2_256", "digest": b64(&Sha256::digest(payload)) },
            "signatures": [{ "content": b64(signature), "verifier": verifier }],
        }},
    }))
}
