//! Runs the Sigstore conformance vectors and the real-world bundles through the library, each
//! case twice: with the artifact's bytes, and with only its `sha256:<hex>` digest.
//!
//! Cases whose name ends in `_fail` must be refused; every other case must verify.

use std::fs;
use std::path::{Path, PathBuf};

use sigstore_wasm::artifact::Artifact;
use sigstore_wasm::bundle::Bundle;
use sigstore_wasm::crypto::deferred::{Answered, CheckAnswers, Gatherer};
use sigstore_wasm::crypto::{HashAlgorithm, PublicKey, RustCrypto, SignatureBackend, SignatureCheck, SignatureScheme};
use sigstore_wasm::encoding::encode_hex;
use sigstore_wasm::error::VerificationError;
use sigstore_wasm::policy::{CertificateIdentity, Policy, StringMatcher};
use sigstore_wasm::time::Timestamp;
use sigstore_wasm::trust::TrustedRoot;
use sigstore_wasm::verify::{VerificationResult, Verifier};

const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Bytes,
    Sha256Digest,
}

struct Case {
    name: String,
    dir: PathBuf,
    default_artifact: PathBuf,
}

impl Case {
    fn should_pass(&self) -> bool {
        !self.name.ends_with("_fail")
    }

    fn read(&self, file: &str) -> Option<Vec<u8>> {
        fs::read(self.dir.join(file)).ok()
    }

    fn read_text(&self, file: &str) -> Option<String> {
        self.read(file).map(|b| String::from_utf8(b).expect("utf-8 case file").trim().to_owned())
    }

    fn run(&self, mode: Mode) -> Result<VerificationResult, VerificationError> {
        self.run_with(mode, |verifier, bundle, artifact, policy| verifier.verify(bundle, artifact, policy))
    }

    fn run_with(
        &self,
        mode: Mode,
        mut verify: impl FnMut(&Verifier, &Bundle, &Artifact<'_>, &Policy) -> Result<VerificationResult, VerificationError>,
    ) -> Result<VerificationResult, VerificationError> {
        let root = match self.read_text("trusted_root.json") {
            Some(json) => TrustedRoot::from_json(&json)?,
            None => TrustedRoot::production()?,
        };
        let verifier = Verifier::new(root)?;
        let bundle = Bundle::from_slice(&self.read("bundle.sigstore.json").expect("bundle file"))?;
        let policy = match self.read_text("key.pub") {
            Some(pem) => Policy::public_key(PublicKey::from_pem(&pem)?),
            None => Policy::certificate_identity(CertificateIdentity::new(
                StringMatcher::exact(self.read_text("identity").unwrap_or_else(|| DEFAULT_IDENTITY.into())),
                StringMatcher::exact(self.read_text("issuer").unwrap_or_else(|| DEFAULT_ISSUER.into())),
            )),
        }
        .with_current_time(now());
        let artifact_bytes = self.read("artifact").unwrap_or_else(|| fs::read(&self.default_artifact).expect("a.txt"));
        let artifact = match mode {
            Mode::Bytes => Artifact::Bytes(&artifact_bytes),
            Mode::Sha256Digest => Artifact::parse_digest(&format!(
                "sha256:{}",
                encode_hex(&HashAlgorithm::Sha256.digest(&artifact_bytes))
            ))?,
        };
        verify(&verifier, &bundle, &artifact, &policy)
    }
}

fn now() -> Timestamp {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    Timestamp::from_unix(i64::try_from(secs).expect("time"))
}

fn cases(dir: &Path, default_artifact: &Path) -> Vec<Case> {
    let mut cases: Vec<Case> = fs::read_dir(dir)
        .expect("case directory")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("bundle.sigstore.json").is_file())
        .map(|e| Case {
            name: e.file_name().to_string_lossy().into_owned(),
            dir: e.path(),
            default_artifact: default_artifact.to_owned(),
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(path)
}

/// Runs every case in both modes; `digest_exempt` names cases that cannot be verified from a
/// SHA-256 digest (their signature or subjects use another hash) and must then fail cleanly.
fn run_suite(label: &str, cases: &[Case], digest_exempt: &[&str]) {
    let mut passed = 0;
    let mut failures = Vec::new();
    for case in cases {
        for mode in [Mode::Bytes, Mode::Sha256Digest] {
            let expect_pass =
                case.should_pass() && !(mode == Mode::Sha256Digest && digest_exempt.contains(&case.name.as_str()));
            let outcome = case.run(mode);
            match (&outcome, expect_pass) {
                (Ok(_), true) | (Err(_), false) => passed += 1,
                (Ok(_), false) => failures.push(format!("{} ({mode:?}): verified but must fail", case.name)),
                (Err(e), true) => failures.push(format!("{} ({mode:?}): {e}", case.name)),
            }
            if let Err(e) = &outcome {
                println!("  {} ({mode:?}) -> {e}", case.name);
            }
        }
    }
    for f in &failures {
        println!("FAILED {f}");
    }
    println!("{label}: {passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "{} {label} case runs failed", failures.len());
}

#[test]
fn conformance_vectors() {
    let dir = data("conformance/bundle-verify");
    let cases = cases(&dir, &dir.join("a.txt"));
    assert!(cases.len() >= 50, "expected the conformance vectors, found {}", cases.len());
    run_suite("conformance", &cases, &[]);
}

#[test]
fn realworld_bundles() {
    let dir = data("realworld");
    let cases = cases(&dir, &dir.join("missing"));
    assert!(cases.len() >= 5);
    // npm provenance names its tarball by SHA-512 only: a SHA-256 digest cannot match it.
    run_suite("realworld", &cases, &["npm-provenance-sigstore-1.3.0", "npm-provenance-sigstore-2.0.0"]);
}

/// A backend that must never be asked: proves the gathered checks covered the final run.
struct Unreachable;

impl SignatureBackend for Unreachable {
    fn verify(&self, _: &SignatureCheck<'_>) -> bool {
        panic!("a signature check was not gathered beforehand")
    }
}

/// Gathering the checks first, running them separately and then verifying with the answers
/// gives the same verdict as verifying directly, for every case and mode. Valid bundles need a
/// single round of checks.
#[test]
fn deferred_checks_give_the_same_verdicts() {
    let dir = data("conformance/bundle-verify");
    let mut all = cases(&dir, &dir.join("a.txt"));
    let real = data("realworld");
    all.extend(cases(&real, &real.join("missing")));
    for case in &all {
        for mode in [Mode::Bytes, Mode::Sha256Digest] {
            let direct = case.run(mode);
            let mut rounds = 0;
            let deferred = case.run_with(mode, |verifier, bundle, artifact, policy| {
                let mut answers = CheckAnswers::default();
                loop {
                    let gatherer = Gatherer::new(&answers);
                    // The verdict of a gathering run means nothing; its questions do.
                    let _ = verifier.verify_with(bundle, artifact, policy, &gatherer);
                    let unanswered = gatherer.into_unanswered();
                    if unanswered.is_empty() {
                        break;
                    }
                    rounds += 1;
                    assert!(rounds <= 8, "{}: gathering does not converge", case.name);
                    for check in &unanswered {
                        answers.insert(check, RustCrypto.verify(&check.as_check()));
                    }
                }
                verifier.verify_with(bundle, artifact, policy, &Answered { answers: &answers, fallback: Unreachable })
            });
            assert_eq!(direct.is_ok(), deferred.is_ok(), "{} ({mode:?})", case.name);
            if let (Err(a), Err(b)) = (&direct, &deferred) {
                assert_eq!(a, b, "{} ({mode:?})", case.name);
            }
            if direct.is_ok() {
                assert_eq!(rounds, 1, "{} ({mode:?}): a valid bundle needs one round", case.name);
            }
        }
    }
}

/// Every check a conformance or real-world case asks, in the WebCrypto form the JavaScript
/// package hands to `crypto.subtle`, gives the pure-Rust verdict: the DER to `r || s` conversion
/// loses and adds nothing.
#[test]
fn webcrypto_forms_agree_with_the_rust_backend() {
    use signature::hazmat::PrehashVerifier;
    use sigstore_wasm::crypto::deferred::OwnedMessage;

    let dir = data("conformance/bundle-verify");
    let mut all = cases(&dir, &dir.join("a.txt"));
    let real = data("realworld");
    all.extend(cases(&real, &real.join("missing")));
    let mut compared = 0;
    for case in &all {
        let _ = case.run_with(Mode::Bytes, |verifier, bundle, artifact, policy| {
            let answers = CheckAnswers::default();
            let gatherer = Gatherer::new(&answers);
            let outcome = verifier.verify_with(bundle, artifact, policy, &gatherer);
            for check in gatherer.into_unanswered() {
                let Some(form) = check.web_crypto() else {
                    assert!(
                        matches!(check.message, OwnedMessage::Digest(_)) || check.scheme == SignatureScheme::Ed25519ph
                    );
                    continue;
                };
                let expected = RustCrypto.verify(&check.as_check());
                let hash = match form.hash {
                    Some("SHA-256") => HashAlgorithm::Sha256,
                    Some("SHA-384") => HashAlgorithm::Sha384,
                    Some("SHA-512") => HashAlgorithm::Sha512,
                    _ => continue,
                };
                let prehash = hash.digest(&form.message);
                let p1363 = match form.named_curve {
                    Some("P-256") => p256::ecdsa::VerifyingKey::from_sec1_bytes(&form.spki[form.spki.len() - 65..])
                        .ok()
                        .zip(p256::ecdsa::Signature::from_slice(&form.signature).ok())
                        .is_some_and(|(k, s)| k.verify_prehash(&prehash, &s).is_ok()),
                    Some("P-384") => p384::ecdsa::VerifyingKey::from_sec1_bytes(&form.spki[form.spki.len() - 97..])
                        .ok()
                        .zip(p384::ecdsa::Signature::from_slice(&form.signature).ok())
                        .is_some_and(|(k, s)| k.verify_prehash(&prehash, &s).is_ok()),
                    _ => continue,
                };
                assert_eq!(p1363, expected, "{}: {:?}", case.name, check.scheme);
                compared += 1;
            }
            outcome
        });
    }
    assert!(compared > 100, "only {compared} ECDSA checks compared");
}
