//! GitHub's own Sigstore instance: certificate and timestamp authorities, no transparency log.
//! Its real release attestations (tests/data/realworld/github) verify under its embedded root
//! with the release policy (the SAN alone: their certificates name no OIDC issuer), and nowhere
//! else: not under the public-good root, not for another digest, not for another SAN.

use sigstore_wasm::artifact::Artifact;
use sigstore_wasm::bundle::Bundle;
use sigstore_wasm::error::{ErrorCode, VerificationError};
use sigstore_wasm::options::PolicyOptions;
use sigstore_wasm::trust::TrustedRoot;
use sigstore_wasm::verify::{VerificationResult, Verifier};

const RELEASES: &str = "https://dotcom.releases.github.com";

/// The two real bundles and the sha256 of an asset each attests.
const BUNDLES: [(&str, &str); 2] = [
    ("private-repo-attestation", "76f1fe8593bf227cca2c089e3c16dc95014a8d3e89c5dd220530469ca043c428"),
    ("release-attestation-v0.1", "e15b593c6ab8d7725a3cc82226ef816cac6bf9c70eed383bd459295cc65f5ec3"),
];

fn bundle(name: &str) -> Bundle {
    let path = format!("{}/tests/data/realworld/github/{name}.sigstore.json", env!("CARGO_MANIFEST_DIR"));
    Bundle::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn verify(
    root: TrustedRoot,
    name: &str,
    digest: &str,
    options: serde_json::Value,
) -> Result<VerificationResult, VerificationError> {
    let options: PolicyOptions = serde_json::from_value(options).unwrap();
    let policy = options.into_policy(&root)?;
    let verifier = Verifier::new(root)?;
    verifier.verify(&bundle(name), &Artifact::parse_digest(&format!("sha256:{digest}"))?, &policy)
}

fn code(result: Result<VerificationResult, VerificationError>) -> ErrorCode {
    match result {
        Ok(_) => panic!("verified"),
        Err(e) => e.code,
    }
}

#[test]
fn release_attestations_verify_under_githubs_root_by_their_san_alone() {
    for (name, digest) in BUNDLES {
        let result = verify(
            TrustedRoot::github().unwrap(),
            name,
            digest,
            serde_json::json!({ "certificateIdentity": RELEASES }),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = serde_json::to_string(&result).unwrap();
        assert!(text.contains(RELEASES), "{name}: {text}");
        assert!(text.contains("https://in-toto.io/attestation/release/v0."), "{name}: {text}");
    }
}

#[test]
fn release_attestations_fail_for_another_digest_another_san_or_an_issuer() {
    let (name, digest) = BUNDLES[1];
    let github = || TrustedRoot::github().unwrap();
    let other = "0".repeat(64);
    assert_eq!(
        code(verify(github(), name, &other, serde_json::json!({ "certificateIdentity": RELEASES }))),
        ErrorCode::ArtifactMismatch
    );
    let another_san = serde_json::json!({ "certificateIdentity": "https://github.com/bdehamer/delme/.github/workflows/release.yml@refs/tags/v6" });
    assert_eq!(code(verify(github(), name, digest, another_san)), ErrorCode::IdentityMismatch);
    let an_issuer = serde_json::json!({ "certificateIdentity": RELEASES, "certificateIssuer": "https://token.actions.githubusercontent.com" });
    assert_eq!(code(verify(github(), name, digest, an_issuer)), ErrorCode::IssuerMismatch);
    // Asking for a log entry that GitHub's instance never writes is the caller's to ask, and fails.
    let a_log = serde_json::json!({ "certificateIdentity": RELEASES, "tlogThreshold": 1 });
    assert_eq!(code(verify(github(), name, digest, a_log)), ErrorCode::TlogThreshold);
}

#[test]
fn release_attestations_fail_under_the_public_good_root() {
    for (name, digest) in BUNDLES {
        let production = || TrustedRoot::production().unwrap();
        // Without GitHub's authorities in the root, a policy must name an issuer.
        let san_alone = serde_json::json!({ "certificateIdentity": RELEASES });
        assert_eq!(code(verify(production(), name, digest, san_alone)), ErrorCode::InvalidInput, "{name}");
        let full = serde_json::json!({
            "certificateIdentity": RELEASES,
            "certificateIssuer": "https://token.actions.githubusercontent.com",
            "tlogThreshold": 0,
            "ctlogThreshold": 0,
        });
        // The timestamp is checked first, and none of GitHub's authorities is in this root.
        assert_eq!(code(verify(production(), name, digest, full)), ErrorCode::Timestamp, "{name}");
    }
}

#[test]
fn githubs_root_has_no_logs_so_the_defaults_ask_for_a_timestamp() {
    let root = TrustedRoot::github().unwrap();
    assert!(root.tlogs.is_empty() && root.ctlogs.is_empty());
    let options: PolicyOptions =
        serde_json::from_value(serde_json::json!({ "certificateIdentity": RELEASES })).unwrap();
    let policy = options.into_policy(&root).unwrap();
    assert_eq!((policy.tlog_threshold, policy.ctlog_threshold, policy.timestamp_threshold), (0, 0, 1));
    // Under a root with logs, nothing changes.
    let options: PolicyOptions = serde_json::from_value(
        serde_json::json!({ "certificateIdentity": RELEASES, "certificateIssuer": "https://i" }),
    )
    .unwrap();
    let policy = options.into_policy(&TrustedRoot::production().unwrap()).unwrap();
    assert_eq!((policy.tlog_threshold, policy.ctlog_threshold, policy.timestamp_threshold), (1, 1, 1));
}
