//! Runs the Sigstore conformance vectors and the real-world bundles through the library, each
//! case twice: with the artifact's bytes, and with only its `sha256:<hex>` digest.
//!
//! Cases whose name ends in `_fail` must be refused, each with the error code `FAIL_CODES` pins
//! for it; every other case must verify. A case with a `digest` file (`sha256:<hex>`) in place of
//! its artifact runs in the digest mode only.

use std::fs;
use std::path::{Path, PathBuf};

use sigstore_wasm::artifact::Artifact;
use sigstore_wasm::budget;
use sigstore_wasm::bundle::Bundle;
use sigstore_wasm::crypto::deferred::{CheckAnswers, Gatherer, WebCryptoCheck};
use sigstore_wasm::crypto::{HashAlgorithm, PublicKey, RustCrypto, SignatureBackend, SignatureCheck};
use sigstore_wasm::encoding::encode_hex;
use sigstore_wasm::error::{ErrorCode, VerificationError};
use sigstore_wasm::http::{Fetch, Poll};
use sigstore_wasm::limits;
use sigstore_wasm::policy::{CertificateIdentity, Policy, StringMatcher};
use sigstore_wasm::session::{Session, Step, Work};
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

    /// The modes the case can run in: a case that ships only its artifact's digest has no bytes.
    fn modes(&self) -> &'static [Mode] {
        if self.dir.join("digest").is_file() {
            &[Mode::Sha256Digest]
        } else {
            &[Mode::Bytes, Mode::Sha256Digest]
        }
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
        let artifact_bytes =
            self.read("artifact").unwrap_or_else(|| fs::read(&self.default_artifact).unwrap_or_default());
        let artifact = match (mode, self.read_text("digest")) {
            (Mode::Bytes, _) => Artifact::Bytes(&artifact_bytes),
            (Mode::Sha256Digest, Some(digest)) => Artifact::parse_digest(&digest)?,
            (Mode::Sha256Digest, None) => Artifact::parse_digest(&format!(
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

/// The conformance vectors, then the real-world bundles.
fn all_cases() -> Vec<Case> {
    let dir = data("conformance/bundle-verify");
    let mut all = cases(&dir, &dir.join("a.txt"));
    let real = data("realworld");
    all.extend(cases(&real, &real.join("missing")));
    all
}

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(path)
}

/// The code each `_fail` vector fails with, in both modes. A vector that starts failing with
/// another code fails for another reason than before: a regression, or a change to say so here.
/// Vectors not listed (new ones) must fail, with any code; the run names them.
const FAIL_CODES: &[(&str, ErrorCode)] = &[
    ("bundle-empty-certificate-chain_fail", ErrorCode::BundleParse),
    ("bundle-from-wrong-instance_fail", ErrorCode::TlogEntry),
    ("bundle-invalid-base64-signature_fail", ErrorCode::BundleParse),
    ("bundle-malformed-json_fail", ErrorCode::BundleParse),
    ("bundle-unknown-version_fail", ErrorCode::UnsupportedMediaType),
    // A v0.1 bundle whose inclusion proof has no checkpoint, refused as malformed before its
    // chain (which holds the root) is looked at.
    ("bundle-with-root-cert_fail", ErrorCode::TlogEntry),
    ("checkpoint-wrong-roothash_fail", ErrorCode::Checkpoint),
    // The log body records the envelope's signature, so a changed signature is found there first.
    ("dsse-invalid-sig_fail", ErrorCode::TlogBodyMismatch),
    ("dsse-mismatch-envelope_fail", ErrorCode::TlogBodyMismatch),
    ("incorrect-public-key_fail", ErrorCode::TlogBodyMismatch),
    ("intoto-expired-certificate_fail", ErrorCode::CertificateChain),
    ("intoto-log-entry-mismatch_fail", ErrorCode::TlogBodyMismatch),
    ("intoto-missing-inclusion-proof_fail", ErrorCode::TlogEntry),
    ("intoto-tsa-timestamp-outside-cert-validity_fail", ErrorCode::CertificateChain),
    ("invalid-checkpoint-signature_fail", ErrorCode::Checkpoint),
    // Its proof has no checkpoint: malformed, before the proof's hashes are looked at.
    ("invalid-inclusion-proof_fail", ErrorCode::TlogEntry),
    ("managed-key-no-key_fail", ErrorCode::KeyMismatch),
    ("message-digest-mismatch_fail", ErrorCode::ArtifactMismatch),
    ("rekor2-checkpoint-missing-log-signature_fail", ErrorCode::Checkpoint),
    ("rekor2-checkpoint-missing-origin_fail", ErrorCode::Checkpoint),
    ("rekor2-checkpoint-missing-size_fail", ErrorCode::Checkpoint),
    ("rekor2-checkpoint-no-matching-signature_fail", ErrorCode::Checkpoint),
    ("rekor2-dsse-invalid-sig_fail", ErrorCode::TlogBodyMismatch),
    ("rekor2-dsse-mismatch-sig_fail", ErrorCode::TlogBodyMismatch),
    ("rekor2-no-inclusion-proof_fail", ErrorCode::TlogEntry),
    ("rekor2-no-timestamp_fail", ErrorCode::TimestampThreshold),
    ("rekor2-timestamp-outside-trust-root-tsa-validity_fail", ErrorCode::Timestamp),
    ("rekor2-timestamp-outside-tsa-cert-validity_fail", ErrorCode::Timestamp),
    ("rekor2-timestamp-payload-mismatch_fail", ErrorCode::Timestamp),
    ("rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail", ErrorCode::Timestamp),
    ("rekor2-timestamp-with-incorrect-time_fail", ErrorCode::CertificateChain),
    ("set-invalid-signature_fail", ErrorCode::Set),
    ("signature-mismatch_fail", ErrorCode::TlogBodyMismatch),
    ("trust-root-tlog-missing-validity-start_fail", ErrorCode::TrustedRoot),
    ("wrong-hashedrekord-artifact_fail", ErrorCode::TlogBodyMismatch),
    ("wrong-hashedrekord-entry_fail", ErrorCode::TlogBodyMismatch),
    ("wrong-material_fail", ErrorCode::TlogBodyMismatch),
];

/// Runs every case in each of its modes; `digest_exempt` names cases that cannot be verified
/// from a SHA-256 digest (their signature or subjects use another hash), with the code they must
/// then fail with.
fn run_suite(label: &str, cases: &[Case], digest_exempt: &[(&str, ErrorCode)]) {
    let mut passed = 0;
    let mut failures = Vec::new();
    let mut unpinned = Vec::new();
    for case in cases {
        for &mode in case.modes() {
            let exempt = digest_exempt.iter().find(|(name, _)| mode == Mode::Sha256Digest && *name == case.name);
            let expected_code = match exempt {
                Some((_, code)) => Some(*code),
                None => FAIL_CODES.iter().find(|(name, _)| *name == case.name).map(|(_, code)| *code),
            };
            let expect_pass = case.should_pass() && exempt.is_none();
            let outcome = case.run(mode);
            match (&outcome, expect_pass, expected_code) {
                (Ok(_), true, _) => passed += 1,
                (Ok(_), false, _) => failures.push(format!("{} ({mode:?}): verified but must fail", case.name)),
                (Err(e), true, _) => failures.push(format!("{} ({mode:?}): {e}", case.name)),
                (Err(e), false, Some(code)) if e.code == code => passed += 1,
                (Err(e), false, Some(code)) => {
                    failures.push(format!("{} ({mode:?}): must fail with {code}, failed with {e}", case.name))
                }
                (Err(_), false, None) => {
                    unpinned.push(format!("{} ({mode:?})", case.name));
                    passed += 1;
                }
            }
            if let Err(e) = &outcome {
                println!("  {} ({mode:?}) -> {e}", case.name);
            }
        }
    }
    for f in &failures {
        println!("FAILED {f}");
    }
    if !unpinned.is_empty() {
        println!("{label}: refused, with no code pinned in FAIL_CODES: {}", unpinned.join(", "));
    }
    println!("{label}: {passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "{} {label} case runs failed", failures.len());
}

/// Every pinned vector is in the suite: a pin for a vector that is gone pins nothing.
#[test]
fn every_pinned_code_names_a_vector() {
    let dir = data("conformance/bundle-verify");
    for (name, _) in FAIL_CODES {
        assert!(dir.join(name).join("bundle.sigstore.json").is_file(), "{name} is pinned but not in the suite");
    }
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
    run_suite(
        "realworld",
        &cases,
        &[
            ("npm-provenance-sigstore-1.3.0", ErrorCode::ArtifactMismatch),
            ("npm-provenance-sigstore-2.0.0", ErrorCode::ArtifactMismatch),
        ],
    );
}

/// Verifying through the package's driver (`session::rounds`: gather the checks, run them
/// elsewhere, answer) gives the same verdict as verifying directly, for every case and mode, and a
/// valid bundle is verified in one pass: the gathering run is its verdict.
#[test]
fn deferred_checks_give_the_same_verdicts() {
    let all = all_cases();
    for case in &all {
        for &mode in case.modes() {
            let direct = case.run(mode);
            // The package's driver, every check answered as the crypto module answers it (from the
            // form handed to JavaScript): the same verdict, and one verification run for a valid
            // bundle.
            let runs = std::cell::Cell::new(0);
            let deferred = case.run_with(mode, |verifier, bundle, artifact, policy| {
                let run = |backend: &dyn SignatureBackend| {
                    runs.set(runs.get() + 1);
                    verifier.verify_with(bundle, artifact, policy, backend)
                };
                drive(run, in_rust).0.and_then(|outcome| outcome)
            });
            assert_eq!(direct.is_ok(), deferred.is_ok(), "{} ({mode:?})", case.name);
            if let (Err(a), Err(b)) = (&direct, &deferred) {
                assert_eq!(a, b, "{} ({mode:?})", case.name);
            }
            if direct.is_ok() {
                assert_eq!(runs.get(), 1, "{} ({mode:?}): a valid bundle is verified in one pass", case.name);
            }
            // Every check asked outside Rust answered "no": the optimistic first run is not the verdict.
            let asked = std::cell::Cell::new(false);
            let refused = case.run_with(mode, |verifier, bundle, artifact, policy| {
                let (outcome, any) = drive(|backend| verifier.verify_with(bundle, artifact, policy, backend), |_| 0);
                asked.set(any);
                outcome.and_then(|outcome| outcome)
            });
            assert!(
                !asked.get() || refused.is_err(),
                "{} ({mode:?}): verified with every signature refused",
                case.name
            );
        }
    }
}

/// A verification as a session's work: one that fetches nothing.
struct Verification<F>(F);

impl<T, F: Fn(&dyn SignatureBackend) -> T> Work for Verification<F> {
    type Outcome = T;

    fn run(&self, _: &mut Fetch<'_>, backend: &dyn SignatureBackend) -> Poll<T> {
        Poll::Ready((self.0)(backend))
    }
}

/// Drives `run` as the package drives a session (`session::Session`), answering every check
/// handed out with `answer` (1 yes, 0 no): the verdict (or the driver's refusal), and whether any
/// check was handed out.
fn drive<T>(
    run: impl Fn(&dyn SignatureBackend) -> T,
    answer: impl Fn(&WebCryptoCheck) -> u8,
) -> (Result<T, VerificationError>, bool) {
    let mut session = Session::new(Verification(run));
    let mut asked = false;
    loop {
        match session.step(&|_| {}) {
            Ok(Step::Done(outcome)) => return (Ok(outcome), asked),
            Ok(Step::Checks(forms)) => {
                asked = true;
                let answers: Vec<u8> = forms.iter().map(&answer).collect();
                session.answer(&answers).unwrap();
            }
            Ok(Step::Requests(requests)) => panic!("a verification asked for {requests:?}"),
            Err(e) => return (Err(e), asked),
        }
    }
}

/// A check answered as the package's crypto module answers it: by its parts, on the pure-Rust
/// backend.
fn in_rust(form: &WebCryptoCheck) -> u8 {
    let (message, signature) = (&form.message, &form.signature);
    u8::from(RustCrypto.verify_web_crypto(form.name, form.hash, form.prehashed, &form.spki, message, signature))
}

/// Every check a conformance or real-world case asks, in either mode, in the form the JavaScript
/// package hands out, gives the pure-Rust verdict: run from its parts as the crypto module runs it
/// (prehashed digests and Ed25519ph included), and for ECDSA on WebCrypto's `r || s` directly:
/// the DER to `r || s` conversion loses and adds nothing. A check without a form is one the
/// pure-Rust backend refuses too.
#[test]
fn webcrypto_forms_agree_with_the_rust_backend() {
    use signature::hazmat::PrehashVerifier;

    let all = all_cases();
    let mut compared = 0;
    let mut prehashed = 0;
    for case in &all {
        for &mode in case.modes() {
            let _ = case.run_with(mode, |verifier, bundle, artifact, policy| {
                let answers = CheckAnswers::default();
                let gatherer = Gatherer::new(&answers);
                let outcome = verifier.verify_with(bundle, artifact, policy, &gatherer);
                for check in gatherer.into_unanswered() {
                    let expected = RustCrypto.verify(&check.as_check());
                    let Some(form) = check.web_crypto() else {
                        assert!(!expected, "{}: a check without a form verifies in Rust", case.name);
                        continue;
                    };
                    assert_eq!(
                        in_rust(&form) == 1,
                        expected,
                        "{}: {:?} from its parts",
                        case.name,
                        check.as_check().scheme
                    );
                    if form.prehashed {
                        prehashed += 1;
                    }
                    let Some(hash) = form.hash.and_then(HashAlgorithm::from_web_crypto_name) else {
                        continue;
                    };
                    let prehash = if form.prehashed { form.message.clone() } else { hash.digest(&form.message) };
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
                    assert_eq!(p1363, expected, "{}: {:?}", case.name, check.as_check().scheme);
                    compared += 1;
                }
                outcome
            });
        }
    }
    assert!(prehashed > 10, "only {prehashed} prehashed checks compared");
    assert!(compared > 100, "only {compared} ECDSA checks compared");
}

/// Counts the checks it is asked, answering each with `inner`.
struct Counting<B> {
    inner: B,
    asked: std::cell::Cell<usize>,
}

impl<B: SignatureBackend> SignatureBackend for Counting<B> {
    fn verify(&self, check: &SignatureCheck<'_>) -> bool {
        self.asked.set(self.asked.get() + 1);
        self.inner.verify(check)
    }
}

fn counting<B>(inner: B) -> Counting<B> {
    Counting { inner, asked: std::cell::Cell::new(0) }
}

/// The bound on signature checks computed before any runs holds for every case: neither the
/// pure-Rust backend nor a gathering run (which answers every check "yes") asks for more.
#[test]
fn the_signature_check_bound_holds_for_every_case() {
    let all = all_cases();
    let mut bounded = 0;
    for case in &all {
        for &mode in case.modes() {
            let _ = case.run_with(mode, |verifier, bundle, artifact, policy| {
                let Ok(bound) = budget::signature_checks(bundle, verifier.trusted_root()) else {
                    return verifier.verify(bundle, artifact, policy);
                };
                assert!(bound <= limits::MAX_SIGNATURE_CHECKS, "{}: bound {bound}", case.name);
                let rust = counting(RustCrypto);
                let outcome = verifier.verify_with(bundle, artifact, policy, &rust);
                let answers = CheckAnswers::default();
                let gatherer = counting(Gatherer::new(&answers));
                let _ = verifier.verify_with(bundle, artifact, policy, &gatherer);
                let asked = rust.asked.get().max(gatherer.asked.get());
                assert!(asked <= bound, "{} ({mode:?}): {asked} checks asked, bound {bound}", case.name);
                bounded += 1;
                outcome
            });
        }
    }
    assert!(bounded > 90, "only {bounded} runs bounded");
}

/// W1 of the benchmarks (happy-path-v0.3) made to ask for many checks: it is refused with
/// LIMIT_EXCEEDED before a single signature check runs, on either backend.
#[test]
fn bundles_forged_to_ask_for_many_checks_are_refused_before_any_runs() {
    let dir = data("conformance/bundle-verify/happy-path-v0.3");
    let w1: serde_json::Value = serde_json::from_slice(&fs::read(dir.join("bundle.sigstore.json")).unwrap()).unwrap();
    let entry = &w1["verificationMaterial"]["tlogEntries"][0];
    let envelope = entry["inclusionProof"]["checkpoint"]["envelope"].as_str().unwrap();
    let (_, line) = envelope.trim_end().rsplit_once('\n').unwrap();
    let (name_part, signature) = line.rsplit_once(' ').unwrap();
    let mut signature = sigstore_wasm::encoding::decode_base64(signature).unwrap();

    // 99 more well-formed, false signature lines under the log's name and key hint.
    let mut lines = String::new();
    for i in 0..99u8 {
        if let Some(last) = signature.last_mut() {
            *last = i;
        }
        lines.push_str(&format!("{name_part} {}\n", sigstore_wasm::encoding::encode_base64(&signature)));
    }
    let mut many_lines = w1.clone();
    many_lines["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]["envelope"] =
        format!("{envelope}{lines}").into();

    // 32 entries (the most a bundle may hold), copies of the real one under other indices.
    let mut many_entries = w1.clone();
    let copies: Vec<serde_json::Value> = (0..limits::MAX_TLOG_ENTRIES)
        .map(|i| {
            let mut copy = entry.clone();
            copy["logIndex"] = format!("{}", 1000 + i).into();
            copy
        })
        .collect();
    many_entries["verificationMaterial"]["tlogEntries"] = copies.into();

    let verifier = Verifier::new(TrustedRoot::production().unwrap()).unwrap();
    let artifact_bytes = fs::read(data("conformance/bundle-verify/a.txt")).unwrap();
    let artifact = Artifact::Bytes(&artifact_bytes);
    let policy = Policy::certificate_identity(CertificateIdentity::new(
        StringMatcher::exact(DEFAULT_IDENTITY),
        StringMatcher::exact(DEFAULT_ISSUER),
    ));
    for (label, forged, needle) in [
        ("99 extra checkpoint lines", &many_lines, "100 checkpoint signature lines by the log's key; the limit is 1"),
        ("32 entries", &many_entries, "signature checks asked for by the bundle; the limit is 64"),
    ] {
        let bundle = Bundle::from_json(&forged.to_string()).unwrap();
        let rust = counting(RustCrypto);
        let started = std::time::Instant::now();
        let err = verifier.verify_with(&bundle, &artifact, &policy, &rust).unwrap_err();
        assert_eq!(err.code, ErrorCode::LimitExceeded, "{label}: {err}");
        assert!(err.message.contains(needle), "{label}: {err}");
        assert_eq!(rust.asked.get(), 0, "{label}: the Rust backend ran checks");
        let answers = CheckAnswers::default();
        let gatherer = Gatherer::new(&answers);
        let gathered = verifier.verify_with(&bundle, &artifact, &policy, &gatherer).unwrap_err();
        assert_eq!(gathered, err, "{label}: the backends disagree");
        assert!(gatherer.into_unanswered().is_empty(), "{label}: checks were gathered for WebCrypto");
        // Refused in parsing time, not in signature time: generously bounded for a debug build.
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{label}: {:?}", started.elapsed());
    }
    // Control: W1 itself is within the bound and verifies.
    let bundle = Bundle::from_json(&w1.to_string()).unwrap();
    verifier.verify(&bundle, &artifact, &policy).unwrap();
}
