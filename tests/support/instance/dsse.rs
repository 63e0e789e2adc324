//! DSSE envelopes (PAE) and in-toto Statements.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::encoding::{b64, hex};

pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// `PAE(type, body) = "DSSEv1" SP len(type) SP type SP len(body) SP body` (DSSE protocol.md).
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {} {} ", payload_type.len(), payload_type, payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

/// Bundle `dsseEnvelope`: one signature, no keyid (as sigstore clients emit it).
pub fn envelope_json(payload_type: &str, payload: &[u8], signature: &[u8]) -> Value {
    json!({
        "payload": b64(payload),
        "payloadType": payload_type,
        "signatures": [{ "sig": b64(signature) }],
    })
}

/// An in-toto Statement v1 with one subject per `(name, artifact bytes)` (SHA-256 digests).
pub fn in_toto_statement(subjects: &[(&str, &[u8])], predicate_type: &str) -> Vec<u8> {
    let subjects: Vec<Value> = subjects
        .iter()
        .map(|(name, artifact)| json!({ "name": name, "digest": { "sha256": hex(&Sha256::digest(artifact)) } }))
        .collect();
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": predicate_type,
        "predicate": { "buildDefinition": { "buildType": "https://test.example/build/v1" } },
    });
    serde_json::to_vec(&statement).expect("statement JSON")
}
