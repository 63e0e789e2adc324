//! Every valid bundle we have, changed one byte at a time in each field the signatures cover,
//! must be refused with an error, never accepted and never a panic. Truncated bundles too.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sigstore_wasm::artifact::Artifact;
use sigstore_wasm::bundle::Bundle;
use sigstore_wasm::crypto::PublicKey;
use sigstore_wasm::encoding::{decode_base64, encode_base64};
use sigstore_wasm::policy::{CertificateIdentity, Policy, SignerPolicy, StringMatcher};
use sigstore_wasm::trust::TrustedRoot;
use sigstore_wasm::verify::Verifier;

struct Case {
    name: String,
    verifier: Verifier,
    bundle: Value,
    artifact: Artifact<'static>,
    policy: Policy,
}

fn load(dir: &Path, default_artifact: &Path) -> Case {
    let read = |f: &str| fs::read_to_string(dir.join(f)).ok().map(|s| s.trim().to_owned());
    let root = match read("trusted_root.json") {
        Some(json) => TrustedRoot::from_json(&json).unwrap(),
        None => TrustedRoot::production().unwrap(),
    };
    let policy = match read("key.pub") {
        Some(pem) => Policy::public_key(PublicKey::from_pem(&pem).unwrap()),
        None => match (read("identity"), read("issuer")) {
            (Some(id), Some(iss)) => Policy::certificate_identity(CertificateIdentity::new(
                StringMatcher::exact(id),
                StringMatcher::exact(iss),
            )),
            _ => Policy::new(SignerPolicy::UnsafeAnyCertificateIdentity),
        },
    };
    Case {
        name: dir.file_name().unwrap().to_string_lossy().into_owned(),
        verifier: Verifier::new(root).unwrap(),
        bundle: serde_json::from_str(&read("bundle.sigstore.json").unwrap()).unwrap(),
        // A case that ships only its artifact's digest is verified from that digest.
        artifact: match read("digest") {
            Some(digest) => Artifact::parse_digest(&digest).unwrap(),
            None => Artifact::Bytes(Vec::leak(
                fs::read(dir.join("artifact")).unwrap_or_else(|_| fs::read(default_artifact).unwrap()),
            )),
        },
        policy,
    }
}

fn valid_cases() -> Vec<Case> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let conformance = data.join("conformance/bundle-verify");
    let mut dirs: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (dir, default) in [(&conformance, conformance.join("a.txt")), (&data.join("realworld"), PathBuf::new())] {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.join("bundle.sigstore.json").is_file() && !name.ends_with("_fail") {
                dirs.push((path, default.clone()));
            }
        }
    }
    dirs.sort();
    dirs.iter().map(|(dir, default)| load(dir, default)).collect()
}

impl Case {
    fn verify(&self, bundle_json: &str) -> Result<(), String> {
        let bundle = Bundle::from_json(bundle_json).map_err(|e| e.to_string())?;
        self.verifier.verify(&bundle, &self.artifact, &self.policy).map(|_| ()).map_err(|e| e.to_string())
    }
}

/// JSON pointers of the base64 fields that signatures, proofs or the log cover. The trailing
/// certificates of a v0.1 chain and the RFC 3161 response (whose status and embedded
/// certificates no signature covers) are deliberately absent.
fn covered_fields(bundle: &Value) -> Vec<String> {
    let mut fields = vec![
        "/messageSignature/signature".to_owned(),
        "/dsseEnvelope/payload".to_owned(),
        "/dsseEnvelope/signatures/0/sig".to_owned(),
        "/verificationMaterial/certificate/rawBytes".to_owned(),
        "/verificationMaterial/x509CertificateChain/certificates/0/rawBytes".to_owned(),
    ];
    let entries = bundle.pointer("/verificationMaterial/tlogEntries").and_then(Value::as_array).map_or(0, Vec::len);
    for i in 0..entries {
        let entry = format!("/verificationMaterial/tlogEntries/{i}");
        fields.push(format!("{entry}/canonicalizedBody"));
        fields.push(format!("{entry}/inclusionPromise/signedEntryTimestamp"));
        fields.push(format!("{entry}/inclusionProof/rootHash"));
        let hashes =
            bundle.pointer(&format!("{entry}/inclusionProof/hashes")).and_then(Value::as_array).map_or(0, Vec::len);
        fields.extend((0..hashes).map(|h| format!("{entry}/inclusionProof/hashes/{h}")));
    }
    fields.retain(|f| bundle.pointer(f).is_some());
    fields
}

#[test]
fn every_valid_bundle_verifies_unchanged() {
    let cases = valid_cases();
    assert!(cases.len() >= 20);
    for case in &cases {
        assert_eq!(case.verify(&case.bundle.to_string()), Ok(()), "{}", case.name);
    }
}

#[test]
fn a_changed_byte_in_any_covered_field_is_refused() {
    let mut tried = 0;
    for case in valid_cases() {
        for field in covered_fields(&case.bundle) {
            let original = decode_base64(case.bundle.pointer(&field).and_then(Value::as_str).unwrap()).unwrap();
            let len = original.len();
            let mut positions = vec![0, len / 3, len / 2, len * 2 / 3, len.saturating_sub(1)];
            positions.dedup();
            for pos in positions {
                let mut changed = original.clone();
                changed[pos] ^= 0x01;
                let mut bundle = case.bundle.clone();
                *bundle.pointer_mut(&field).unwrap() = Value::String(encode_base64(&changed));
                let outcome = case.verify(&bundle.to_string());
                assert!(outcome.is_err(), "{}: byte {pos} of {field} changed, still verified", case.name);
                tried += 1;
            }
        }
    }
    assert!(tried > 500, "only {tried} mutations tried");
}

#[test]
fn a_changed_checkpoint_character_is_refused() {
    for case in valid_cases() {
        let pointer = "/verificationMaterial/tlogEntries/0/inclusionProof/checkpoint/envelope";
        let Some(envelope) = case.bundle.pointer(pointer).and_then(Value::as_str) else { continue };
        // The note text ends at the blank line; every byte of it is signed.
        let text_len = envelope.find("\n\n").unwrap();
        for pos in [0, text_len / 2, text_len - 1] {
            let mut bytes = envelope.as_bytes().to_vec();
            bytes[pos] = if bytes[pos] == b'0' { b'1' } else { b'0' };
            let mut bundle = case.bundle.clone();
            *bundle.pointer_mut(pointer).unwrap() = Value::String(String::from_utf8(bytes).unwrap());
            assert!(case.verify(&bundle.to_string()).is_err(), "{}: checkpoint byte {pos} changed", case.name);
        }
    }
}

#[test]
fn truncated_bundles_are_refused() {
    for case in valid_cases() {
        let text = case.bundle.to_string();
        for cut in (1..text.len()).step_by(text.len() / 40 + 1) {
            let err = case.verify(&text[..cut]).unwrap_err();
            assert!(err.starts_with("BUNDLE_PARSE"), "{}: cut at {cut}: {err}", case.name);
        }
    }
}
