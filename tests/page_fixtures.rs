//! Bundles for the verification page's tests (tests/js/www), minted by the private instance and
//! written to `target/tmp/page-fixtures/`: signers and statements whose every string an attacker
//! chose (markup and script in the SAN, the issuer, Fulcio claims, the predicate), which must
//! verify here and then show on the page as text. Each case directory has the layout of the
//! conformance vectors (bundle, artifact, identity, issuer); `trusted_root.json` is the instance's.

mod support;

use serde_json::json;
use sigstore_wasm::artifact::Artifact;
use support::instance::*;
use support::verify::*;

const HOSTILE_SAN: &str = "https://evil.example/\"><img src=x onerror=\"window.__xss='san'\">";
const HOSTILE_ISSUER: &str = "https://issuer.example/<script>window.__xss='issuer'</script>";
const HOSTILE_CLAIM: &str = "<b onmouseover=\"window.__xss='claim'\">acme/app</b>";
const HOSTILE_PREDICATE: &str = "https://evil.example/<svg onload=\"window.__xss='predicate'\">";

#[test]
#[ignore = "writes fixtures for the package's tests: scripts/fixtures.sh runs it"]
fn hostile_bundles_are_written_for_the_page_tests() {
    let instance = Instance::new(900);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("page-fixtures");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("trusted_root.json"), instance.trusted_root().to_string()).unwrap();

    let artifact = b"<script>window.__xss='artifact'</script>\n";
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{ "name": "<img src=x onerror=\"window.__xss='subject'\">", "digest": { "sha256": sha256_hex(artifact) } }],
        "predicateType": HOSTILE_PREDICATE,
        "predicate": { "buildDefinition": { "buildType": HOSTILE_PREDICATE }, "runDetails": { "builder": { "id": HOSTILE_CLAIM } } },
    });
    let cases = [
        ("hostile-signer", SignRequest::message(artifact)),
        (
            "hostile-statement",
            SignRequest::dsse("application/vnd.in-toto+json", &serde_json::to_vec(&statement).unwrap()),
        ),
    ];
    for (name, request) in cases {
        let request = request
            .with_san(San::Uri(HOSTILE_SAN.to_owned()))
            .with_issuer(HOSTILE_ISSUER)
            .with_extension(5, HOSTILE_CLAIM);
        let signed = instance.sign(&request);
        // They verify: the page must show them, safely.
        ok(check_artifact(&instance, &signed.bundle, artifact, &policy_for(HOSTILE_SAN, HOSTILE_ISSUER)));
        let case = dir.join(name);
        std::fs::create_dir_all(&case).unwrap();
        std::fs::write(case.join("bundle.sigstore.json"), signed.bundle_json()).unwrap();
        std::fs::write(case.join("artifact"), artifact).unwrap();
        std::fs::write(case.join("identity"), HOSTILE_SAN).unwrap();
        std::fs::write(case.join("issuer"), HOSTILE_ISSUER).unwrap();
    }
}

/// An artifact larger than the page hands over whole (32 MiB): the page hashes it as it streams.
#[test]
#[ignore = "writes fixtures for the package's tests: scripts/fixtures.sh runs it"]
fn a_large_artifact_is_written_for_the_page_tests() {
    let instance = Instance::new(901);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("page-fixtures-large");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let artifact: Vec<u8> = (0..40u32 << 20).map(|i| (i % 251) as u8).collect();
    let signed = instance.sign(&SignRequest::message(&artifact));
    ok(check_artifact(&instance, &signed.bundle, &artifact, &identity()));
    std::fs::write(dir.join("trusted_root.json"), instance.trusted_root().to_string()).unwrap();
    std::fs::write(dir.join("bundle.sigstore.json"), signed.bundle_json()).unwrap();
    std::fs::write(dir.join("artifact"), &artifact).unwrap();
    std::fs::write(dir.join("identity"), DEFAULT_SAN).unwrap();
    std::fs::write(dir.join("issuer"), DEFAULT_ISSUER).unwrap();
}

/// An attestation of a gigabyte of zeros (`large.bin`), for the page's test of hashing a file of that
/// size in its worker: the test writes the file itself, sparse, so that no gigabyte is kept on disk.
#[test]
#[ignore = "writes fixtures for the package's tests: scripts/fixtures.sh runs it"]
fn an_attestation_of_a_gigabyte_is_written_for_the_page_tests() {
    use sha2::Digest;
    const BYTES: usize = 1 << 30;
    let instance = Instance::new(902);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("page-fixtures-gigabyte");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut hasher = sha2::Sha256::new();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..BYTES / zeros.len() {
        hasher.update(&zeros);
    }
    let digest = encoding::hex(&hasher.finalize());
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{ "name": "large.bin", "digest": { "sha256": digest } }],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": { "buildDefinition": { "buildType": "https://test.example/build/v1" } },
    });
    let signed =
        instance.sign(&SignRequest::dsse(dsse::IN_TOTO_PAYLOAD_TYPE, &serde_json::to_vec(&statement).unwrap()));
    let artifact = Artifact::parse_digest(&format!("sha256:{digest}")).unwrap();
    ok(check_with(&instance.trusted_root(), &signed.bundle, &artifact, &identity()));
    std::fs::write(dir.join("trusted_root.json"), instance.trusted_root().to_string()).unwrap();
    std::fs::write(dir.join("bundle.sigstore.json"), signed.bundle_json()).unwrap();
    std::fs::write(dir.join("bytes"), BYTES.to_string()).unwrap();
    std::fs::write(dir.join("identity"), DEFAULT_SAN).unwrap();
    std::fs::write(dir.join("issuer"), DEFAULT_ISSUER).unwrap();
}

fn policy_for(san: &str, issuer: &str) -> sigstore_wasm::policy::Policy {
    use sigstore_wasm::policy::{CertificateIdentity, Policy, StringMatcher};
    Policy::certificate_identity(CertificateIdentity::new(StringMatcher::exact(san), StringMatcher::exact(issuer)))
}
