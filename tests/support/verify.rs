//! Helpers shared by the attack suites (`attacks.rs`, `attacks_tlog.rs`, `attacks_cert.rs`,
//! `attacks_dsse.rs`): the artifact they sign, running the verifier over an instance's trusted
//! root, asserting the outcome, and reaching into bundle JSON to change one field.

use serde_json::{json, Value};
use sigstore_wasm::artifact::Artifact;
use sigstore_wasm::bundle::Bundle;
use sigstore_wasm::error::{ErrorCode, VerificationError};
use sigstore_wasm::policy::{CertificateIdentity, Policy, StringMatcher};
use sigstore_wasm::trust::TrustedRoot;
use sigstore_wasm::verify::{VerificationResult, Verifier};

use super::instance::encoding::{b64, hex};
use super::instance::{HashAlg, Instance, DEFAULT_ISSUER, DEFAULT_SAN, DEFAULT_SIGNING_TIME};

/// The artifact every attack bundle signs.
pub const ARTIFACT: &[u8] = b"attack suite artifact\n";
/// The instance's default signing time.
pub const T: i64 = DEFAULT_SIGNING_TIME;
/// The URI the instance's timestamp authority has in its trusted root.
pub const TSA_URI: &str = "https://timestamp.test.example/api/v1/timestamp";

pub type Outcome = Result<VerificationResult, VerificationError>;

/// One change to a bundle (or to a part of one), for tables of attack cases.
pub type Mutation<'a> = Box<dyn Fn(&mut Value) + 'a>;

// ---------------------------------------------------------------------------------------------
// Verifying

pub fn verifier_for(root: &Value) -> Verifier {
    Verifier::new(TrustedRoot::from_json(&root.to_string()).expect("trusted root")).expect("verifier")
}

/// The instance's default signer: `DEFAULT_SAN` from `DEFAULT_ISSUER`, matched exactly.
pub fn identity() -> Policy {
    Policy::certificate_identity(CertificateIdentity::new(
        StringMatcher::exact(DEFAULT_SAN),
        StringMatcher::exact(DEFAULT_ISSUER),
    ))
}

/// [`identity`] with one change, e.g. `identity_with(|p| p.tlog_threshold = 0)`.
pub fn identity_with(change: impl FnOnce(&mut Policy)) -> Policy {
    let mut policy = identity();
    change(&mut policy);
    policy
}

/// Parses `bundle` and verifies it against `artifact` under `root`.
pub fn check_with(root: &Value, bundle: &Value, artifact: &Artifact<'_>, policy: &Policy) -> Outcome {
    let bundle = Bundle::from_json(&bundle.to_string())?;
    verifier_for(root).verify(&bundle, artifact, policy)
}

/// [`check_with`] against the bytes `artifact` under the instance's trusted root.
pub fn check_artifact(instance: &Instance, bundle: &Value, artifact: &[u8], policy: &Policy) -> Outcome {
    check_with(&instance.trusted_root(), bundle, &Artifact::Bytes(artifact), policy)
}

/// [`check_with`] against [`ARTIFACT`] under `root`.
pub fn check_root(root: &Value, bundle: &Value, policy: &Policy) -> Outcome {
    check_with(root, bundle, &Artifact::Bytes(ARTIFACT), policy)
}

/// [`check_with`] against [`ARTIFACT`] under the instance's trusted root.
pub fn check(instance: &Instance, bundle: &Value, policy: &Policy) -> Outcome {
    check_root(&instance.trusted_root(), bundle, policy)
}

#[track_caller]
pub fn ok(outcome: Outcome) -> VerificationResult {
    outcome.unwrap_or_else(|e| panic!("expected the bundle to verify, got {e}"))
}

#[track_caller]
pub fn refused(outcome: Outcome, code: ErrorCode, fragment: &str) -> VerificationError {
    match outcome {
        Ok(_) => panic!("expected {code} ({fragment:?}), but the bundle verified"),
        Err(e) => {
            assert_eq!(e.code, code, "wrong code: {e}");
            assert!(e.message.contains(fragment), "expected {fragment:?} in {:?}", e.message);
            e
        }
    }
}

pub fn parse(bundle: &Value) -> Result<Bundle, VerificationError> {
    Bundle::from_json(&bundle.to_string())
}

#[track_caller]
pub fn parse_refused(bundle: &Value, code: ErrorCode, fragment: &str) {
    match parse(bundle) {
        Ok(_) => panic!("expected {code} ({fragment:?}), but the bundle parsed"),
        Err(e) => {
            assert_eq!(e.code, code, "wrong code: {e}");
            assert!(e.message.contains(fragment), "expected {fragment:?} in {:?}", e.message);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bundle JSON

/// The bundle's first transparency log entry.
pub fn entry_mut(bundle: &mut Value) -> &mut Value {
    &mut bundle["verificationMaterial"]["tlogEntries"][0]
}

/// The bundle's RFC 3161 timestamps.
pub fn stamps_mut(bundle: &mut Value) -> &mut Vec<Value> {
    bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"].as_array_mut().unwrap()
}

/// An `rfc3161Timestamps` element for a DER timestamp token.
pub fn stamp_json(token: &[u8]) -> Value {
    json!({ "signedTimestamp": b64(token) })
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&HashAlg::Sha256.digest(data))
}
