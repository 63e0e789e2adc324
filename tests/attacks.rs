//! Attack suite, part 1: positive baselines, policy and identity, bundle parsing and limits, and
//! caller input. Part 2 is `attacks_tlog.rs` (transparency log, SET, checkpoints, log
//! thresholds), part 3 `attacks_cert.rs` (certificates, SCTs, timestamps, times), part 4
//! `attacks_dsse.rs` (DSSE envelopes, in-toto statements).
//!
//! Every negative test starts from a bundle that the private test instance minted and that
//! verifies, changes one thing an attacker controls, and asserts the exact `ErrorCode`. The
//! advisory each test guards against (the other Sigstore clients' published bugs) is named in its
//! comment.
//!
//! Not applicable to an offline bundle verifier (no test here): GHSA-fcv2-xgw5-pqxf (TUF cache
//! path traversal: no TUF client, no file system), CVE-2023-47122 and CVE-2024-51746 (gitsign
//! trust root fetched from / entry looked up online: the trusted root and the entries are
//! inputs), GHSA-hm8f-75xx-w2vr and TOB-SIGSTORE-8 (signing side). OCI rows (CVE-2023-46737,
//! CVE-2024-29902, CVE-2024-29903) belong to the OCI issue.

mod support;

use serde_json::json;
use sigstore_wasm::artifact::Artifact;
use sigstore_wasm::bundle::Bundle;
use sigstore_wasm::crypto::PublicKey;
use sigstore_wasm::error::ErrorCode;
use sigstore_wasm::limits;
use sigstore_wasm::policy::{CertificateIdentity, Policy, SignerPolicy, StringMatcher};
use sigstore_wasm::verify::{SignerInfo, VerifiedTime};
use sigstore_wasm::x509::fulcio::CertificateSummary;
use support::instance::encoding::{b64, hex};
use support::instance::*;
use support::verify::*;

// ---------------------------------------------------------------------------------------------
// Positive baselines: without them a refusal proves nothing.

#[test]
fn every_leaf_key_type_verifies_a_message_signature() {
    let instance = Instance::new(101);
    for (key, digest_alg) in [
        (LeafKey::P256, HashAlg::Sha256),
        (LeafKey::P384, HashAlg::Sha384),
        (LeafKey::Ed25519, HashAlg::Sha512), // Ed25519ph
        (LeafKey::RsaPkcs1_2048, HashAlg::Sha256),
        (LeafKey::RsaPss_2048, HashAlg::Sha256),
    ] {
        let signed = instance.sign(&SignRequest::message(ARTIFACT).with_key(key));
        let result = ok(check(&instance, &signed.bundle, &identity()));
        let SignerInfo::Certificate {
            certificate: CertificateSummary { subject_alt_name, subject_alt_name_type, issuer, .. },
            ..
        } = &result.signer
        else {
            panic!("{key:?}: expected a certificate signer");
        };
        assert_eq!(
            (subject_alt_name.as_str(), *subject_alt_name_type, issuer.as_str()),
            (DEFAULT_SAN, "uri", DEFAULT_ISSUER)
        );
        assert_eq!(result.tlog_entries.len(), 1, "{key:?}");
        assert_eq!(
            (result.tlog_entries[0].kind.as_str(), result.tlog_entries[0].version.as_str()),
            ("hashedrekord", "0.0.1")
        );
        assert_eq!(result.scts.len(), 1, "{key:?}");
        // Digest-only mode with the digest the signature scheme uses (Ed25519ph: see
        // `ed25519ph_message_signature_verifies_in_digest_only_mode`).
        if key == LeafKey::Ed25519 {
            continue;
        }
        let digest = format!("{}:{}", digest_alg.rekor_name(), hex(&digest_alg.digest(ARTIFACT)));
        let artifact = Artifact::parse_digest(&digest).unwrap();
        ok(check_with(&instance.trusted_root(), &signed.bundle, &artifact, &identity()));
        // And the wrong artifact fails for every key type.
        assert!(check_artifact(&instance, &signed.bundle, b"other", &identity()).is_err(), "{key:?}");
    }
}

/// Answers every check with the pure-Rust backend and records the WebCrypto form of each.
struct Recording {
    forms: std::cell::RefCell<Vec<sigstore_wasm::crypto::deferred::WebCryptoCheck>>,
}

impl sigstore_wasm::crypto::SignatureBackend for Recording {
    fn verify(&self, check: &sigstore_wasm::crypto::SignatureCheck<'_>) -> bool {
        let owned = sigstore_wasm::crypto::deferred::OwnedCheck::from_check(check);
        self.forms.borrow_mut().extend(owned.web_crypto());
        sigstore_wasm::crypto::RustCrypto.verify(check)
    }
}

#[test]
fn message_signatures_are_over_the_hash_the_bundle_names() {
    // Early sigstore-python signed SHA-256 digests with P-384 keys (the CPython releases of
    // 2022-2023); the hash is the one the bundle names, not the one the curve usually pairs with.
    let instance = Instance::new(108);
    for (key, hash, curve) in [
        (LeafKey::P384, HashAlg::Sha256, "P-384"),
        (LeafKey::P384, HashAlg::Sha384, "P-384"),
        (LeafKey::P256, HashAlg::Sha256, "P-256"),
        (LeafKey::P256, HashAlg::Sha384, "P-256"),
    ] {
        for tlog in [Tlog::v1(V1Kind::HashedRekord), Tlog::v2(V2Kind::HashedRekord)] {
            let request = SignRequest::message(ARTIFACT).with_key(key).with_message_hash(hash).with_tlog(tlog);
            let request = if matches!(request.tlog, Tlog::RekorV2 { .. }) {
                request.with_tsa(DEFAULT_SIGNING_TIME)
            } else {
                request
            };
            let signed = instance.sign(&request);
            let label = format!("{key:?} over {hash:?}, {:?}", request.tlog);
            ok(check(&instance, &signed.bundle, &identity()));
            // The digest mode, with the digest the bundle names.
            let digest = format!("{}:{}", hash.rekor_name(), hex(&hash.digest(ARTIFACT)));
            ok(check_with(
                &instance.trusted_root(),
                &signed.bundle,
                &Artifact::parse_digest(&digest).unwrap(),
                &identity(),
            ));
            // WebCrypto is handed the named hash as its parameter, and the check it gets verifies.
            let recording = Recording { forms: Default::default() };
            let bundle = Bundle::from_json(&signed.bundle.to_string()).unwrap();
            verifier_for(&instance.trusted_root())
                .verify_with(&bundle, &Artifact::Bytes(ARTIFACT), &identity(), &recording)
                .unwrap();
            let message_check = recording.forms.borrow().iter().find(|f| f.message == ARTIFACT).cloned();
            let form = message_check.unwrap_or_else(|| panic!("{label}: no WebCrypto form of the message check"));
            let webcrypto_hash = if hash == HashAlg::Sha256 { "SHA-256" } else { "SHA-384" };
            assert_eq!((form.named_curve, form.hash), (Some(curve), Some(webcrypto_hash)), "{label}");
            // The same signature under another named hash does not verify, and the wrong
            // artifact never does.
            let mut renamed = signed.bundle.clone();
            let other = if hash == HashAlg::Sha256 { HashAlg::Sha384 } else { HashAlg::Sha256 };
            renamed["messageSignature"]["messageDigest"] =
                json!({ "algorithm": other.proto_name(), "digest": b64(&other.digest(ARTIFACT)) });
            assert!(check(&instance, &renamed, &identity()).is_err(), "{label}: renamed hash verified");
            assert!(check_artifact(&instance, &signed.bundle, b"other", &identity()).is_err(), "{label}");
        }
    }
}

#[test]
fn message_signature_pairs_outside_the_reference_clients_are_refused() {
    let instance = Instance::new(110);
    for (key, hash, needle) in [
        (LeafKey::P256, HashAlg::Sha512, "ECDSA P-256 key over a sha512 digest"),
        (LeafKey::P384, HashAlg::Sha512, "ECDSA P-384 key over a sha512 digest"),
        (LeafKey::RsaPkcs1_2048, HashAlg::Sha384, "RSA key over a sha384 digest"),
        (LeafKey::RsaPkcs1_2048, HashAlg::Sha512, "RSA key over a sha512 digest"),
    ] {
        // Genuine signatures, logged and timestamped as such: the pair itself is refused.
        let signed = instance.sign(&SignRequest::message(ARTIFACT).with_key(key).with_message_hash(hash));
        let err = refused(check(&instance, &signed.bundle, &identity()), ErrorCode::UnsupportedAlgorithm, needle);
        assert!(err.message.contains("expected sha256"), "{err}");
        let digest = format!("{}:{}", hash.rekor_name(), hex(&hash.digest(ARTIFACT)));
        let artifact = Artifact::parse_digest(&digest).unwrap();
        refused(
            check_with(&instance.trusted_root(), &signed.bundle, &artifact, &identity()),
            ErrorCode::UnsupportedAlgorithm,
            needle,
        );
    }
}

#[test]
fn ed25519ph_message_signature_verifies_in_digest_only_mode() {
    // Ed25519ph signs PH(M) = SHA-512(M), so a sha512 digest is all that is needed. Until that
    // is supported, the refusal should at least say the digest form is unusable (ARTIFACT_MISMATCH
    // or INVALID_INPUT), not that a valid signature does not verify.
    let instance = Instance::new(109);
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_key(LeafKey::Ed25519));
    let digest = Artifact::parse_digest(&format!("sha512:{}", hex(&HashAlg::Sha512.digest(ARTIFACT)))).unwrap();
    ok(check_with(&instance.trusted_root(), &signed.bundle, &digest, &identity()));
    let wrong = Artifact::parse_digest(&format!("sha512:{}", hex(&HashAlg::Sha512.digest(b"other")))).unwrap();
    assert!(check_with(&instance.trusted_root(), &signed.bundle, &wrong, &identity()).is_err());
}

#[test]
fn ed25519_pure_signature_verifies_a_dsse_envelope() {
    let instance = Instance::new(102);
    for tlog in [Tlog::v1(V1Kind::Dsse), Tlog::v1(V1Kind::Intoto)] {
        let signed = instance.sign(&SignRequest::in_toto("a.txt", ARTIFACT).with_key(LeafKey::Ed25519).with_tlog(tlog));
        let result = ok(check(&instance, &signed.bundle, &identity()));
        assert_eq!(result.payload_type.as_deref(), Some("application/vnd.in-toto+json"));
    }
    // Rekor v2 dsse 0.0.2 with an Ed25519 leaf and a TSA.
    let signed = instance.sign(
        &SignRequest::in_toto("a.txt", ARTIFACT)
            .with_key(LeafKey::Ed25519)
            .with_tlog(Tlog::v2(V2Kind::Dsse))
            .with_tsa(DEFAULT_SIGNING_TIME),
    );
    ok(check(&instance, &signed.bundle, &identity()));
}

#[test]
fn every_media_type_verifies() {
    let instance = Instance::new(103);
    for media in [MediaType::V01, MediaType::V02, MediaType::V03, MediaType::V03Alt] {
        let signed = instance.sign(&SignRequest::message(ARTIFACT).with_media_type(media));
        let result = ok(check(&instance, &signed.bundle, &identity()));
        assert_eq!(result.media_type, media.as_str());
    }
}

#[test]
fn rekor_v1_kinds_verify_and_report_entry_and_time() {
    let instance = Instance::new(104);
    for (request, kind, version) in [
        (SignRequest::message(ARTIFACT), "hashedrekord", "0.0.1"),
        (SignRequest::in_toto("a.txt", ARTIFACT), "dsse", "0.0.1"),
        (SignRequest::in_toto("a.txt", ARTIFACT).with_tlog(Tlog::v1(V1Kind::Intoto)), "intoto", "0.0.2"),
    ] {
        let signed = instance.sign(&request);
        let result = ok(check(&instance, &signed.bundle, &identity()));
        let [entry] = result.tlog_entries.as_slice() else { panic!("one entry") };
        assert_eq!((entry.kind.as_str(), entry.version.as_str()), (kind, version));
        // The global index (shard-local index 9 + the instance's offset).
        assert_eq!(entry.log_index, 9 + instance.rekor_v1.global_index_offset);
        assert_eq!(entry.log_url, instance.rekor_v1.base_url());
        assert!(entry.promise);
        let inclusion = entry.inclusion_proof.as_ref().expect("inclusion proof");
        assert_eq!((inclusion.log_index, inclusion.tree_size), (9, 14));
        assert_eq!(inclusion.checkpoint_origin, instance.rekor_v1.origin());
        assert_eq!(
            result.verified_times,
            vec![VerifiedTime::TransparencyLog {
                time: sigstore_wasm::time::Timestamp::from_unix(DEFAULT_SIGNING_TIME),
                log_url: instance.rekor_v1.base_url(),
            }]
        );
        if kind != "hashedrekord" {
            let statement = result.statement.expect("in-toto statement");
            assert_eq!(statement.predicate_type, "https://slsa.dev/provenance/v1");
            assert_eq!(statement.subjects[0].name.as_deref(), Some("a.txt"));
        }
    }
}

#[test]
fn rekor_v2_bundles_verify_with_a_timestamp_authority() {
    let instance = Instance::new(105);
    for request in [
        SignRequest::message(ARTIFACT).with_tlog(Tlog::v2(V2Kind::HashedRekord)),
        SignRequest::message(ARTIFACT)
            .with_tlog(Tlog::RekorV2 { kind: V2Kind::HashedRekord, verifier: V2Verifier::PublicKey }),
        SignRequest::in_toto("a.txt", ARTIFACT).with_tlog(Tlog::v2(V2Kind::Dsse)),
        SignRequest::in_toto("a.txt", ARTIFACT)
            .with_tlog(Tlog::RekorV2 { kind: V2Kind::Dsse, verifier: V2Verifier::PublicKey }),
        // DSSE logged as hashedrekord 0.0.2 (digest of the PAE).
        SignRequest::in_toto("a.txt", ARTIFACT).with_tlog(Tlog::v2(V2Kind::HashedRekord)),
    ] {
        let signed = instance.sign(&request.with_tsa(DEFAULT_SIGNING_TIME + 5));
        let result = ok(check(&instance, &signed.bundle, &identity()));
        let [entry] = result.tlog_entries.as_slice() else { panic!("one entry") };
        assert_eq!(entry.version, "0.0.2");
        assert_eq!(entry.integrated_time, None, "Rekor v2 gives no time");
        assert_eq!(entry.log_url, instance.rekor_v2.base_url());
        assert_eq!(
            result.verified_times,
            vec![VerifiedTime::TimestampAuthority {
                time: sigstore_wasm::time::Timestamp::from_unix(DEFAULT_SIGNING_TIME + 5),
                uri: TSA_URI.into(),
            }]
        );
    }
}

#[test]
fn managed_keys_verify_with_the_callers_key() {
    let instance = Instance::new(106);
    for request in [
        SignRequest::message(ARTIFACT).with_managed_key(),
        SignRequest::message(ARTIFACT).with_managed_key().with_key(LeafKey::Ed25519),
        SignRequest::in_toto("a.txt", ARTIFACT).with_managed_key(),
        SignRequest::in_toto("a.txt", ARTIFACT).with_managed_key().with_tlog(Tlog::v1(V1Kind::Intoto)),
        SignRequest::message(ARTIFACT)
            .with_managed_key()
            .with_tlog(Tlog::v2(V2Kind::HashedRekord))
            .with_tsa(DEFAULT_SIGNING_TIME),
    ] {
        let signed = instance.sign(&request);
        let policy = Policy::public_key(PublicKey::from_pem(&signed.public_key_pem).unwrap());
        let result = ok(check(&instance, &signed.bundle, &policy));
        let SignerInfo::PublicKey { key_id, hint } = &result.signer else { panic!("key signer") };
        assert_eq!(key_id, &sha256_hex(&signed.public_key_der));
        assert_eq!(hint.as_deref(), Some(b64(&HashAlg::Sha256.digest(&signed.public_key_der)).as_str()));
        assert!(result.scts.is_empty());
    }
}

#[test]
fn regex_identity_and_extension_claims_verify_and_are_reported() {
    let instance = Instance::new(107);
    let signed = instance.sign(
        &SignRequest::message(ARTIFACT)
            .with_extension(5, "test-org/test-repo")
            .with_extension(14, "refs/heads/main")
            .with_extension(11, "github-hosted"),
    );
    let id = CertificateIdentity::new(
        StringMatcher::regex(
            r"^https://github\.com/test-org/test-repo/\.github/workflows/[a-z]+\.yml@refs/heads/main$",
        )
        .unwrap(),
        StringMatcher::regex(r"^https://token\.actions\.githubusercontent\.com$").unwrap(),
    )
    .with_extension("githubWorkflowRepository", "test-org/test-repo")
    .unwrap()
    .with_extension("sourceRepositoryRef", "refs/heads/main")
    .unwrap();
    let result = ok(check(&instance, &signed.bundle, &Policy::certificate_identity(id)));
    let SignerInfo::Certificate { certificate: CertificateSummary { extensions, .. }, certificate_authority } =
        &result.signer
    else {
        panic!("cert")
    };
    let claims: Vec<(&str, &str)> = extensions.iter().map(|c| (c.name, c.value.as_str())).collect();
    assert_eq!(
        claims,
        vec![
            ("issuerV1", DEFAULT_ISSUER),
            ("githubWorkflowRepository", "test-org/test-repo"),
            ("issuer", DEFAULT_ISSUER),
            ("runnerEnvironment", "github-hosted"),
            ("sourceRepositoryRef", "refs/heads/main"),
        ]
    );
    assert_eq!(certificate_authority, "https://fulcio.test.example");
}

#[test]
fn email_and_username_identities_are_reported_with_their_type() {
    let instance = Instance::new(108);
    for (san, kind, value) in [
        (San::Email("dev@example.com".into()), "email", "dev@example.com"),
        (San::Username("dev".into()), "username", "dev"),
    ] {
        let signed =
            instance.sign(&SignRequest::message(ARTIFACT).with_san(san).with_issuer("https://accounts.example.com"));
        let policy = Policy::certificate_identity(CertificateIdentity::new(
            StringMatcher::exact(value),
            StringMatcher::exact("https://accounts.example.com"),
        ));
        let result = ok(check(&instance, &signed.bundle, &policy));
        let SignerInfo::Certificate {
            certificate: CertificateSummary { subject_alt_name, subject_alt_name_type, .. },
            ..
        } = &result.signer
        else {
            panic!()
        };
        assert_eq!((subject_alt_name.as_str(), *subject_alt_name_type), (value, kind));
    }
}

// ---------------------------------------------------------------------------------------------
// Identity policy (CVE-2022-36056 (2): identity flags not checked; sigstore-js unanchored SAN)

#[test]
fn identity_and_issuer_mismatches_are_refused_with_their_codes() {
    let instance = Instance::new(110);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    for (san, issuer, code, fragment) in [
        (format!("{DEFAULT_SAN}x"), DEFAULT_ISSUER, ErrorCode::IdentityMismatch, "expected identity"),
        // Case matters: identities are compared byte for byte.
        (DEFAULT_SAN.to_uppercase(), DEFAULT_ISSUER, ErrorCode::IdentityMismatch, "expected identity"),
        (DEFAULT_SAN.to_owned(), "https://accounts.google.com", ErrorCode::IssuerMismatch, "expected OIDC issuer"),
    ] {
        let policy = Policy::certificate_identity(CertificateIdentity::new(
            StringMatcher::exact(san),
            StringMatcher::exact(issuer),
        ));
        refused(check(&instance, &signed.bundle, &policy), code, fragment);
    }
    // An empty identity list must not mean "anyone".
    refused(
        check(&instance, &signed.bundle, &Policy::new(SignerPolicy::Certificate(Vec::new()))),
        ErrorCode::InvalidInput,
        "no certificate identity",
    );
    // Several identities: any one suffices, none matching fails.
    let two = Policy::new(SignerPolicy::Certificate(vec![
        CertificateIdentity::new(StringMatcher::exact("someone-else"), StringMatcher::exact(DEFAULT_ISSUER)),
        CertificateIdentity::new(StringMatcher::exact(DEFAULT_SAN), StringMatcher::exact(DEFAULT_ISSUER)),
    ]));
    ok(check(&instance, &signed.bundle, &two));
}

#[test]
fn duplicate_fulcio_issuer_extension_is_refused() {
    // An attacker-influenced second 1.1 issuer claim must not let a verifier pick "the other"
    // value: a certificate with a duplicated extension is refused outright (RFC 5280 §4.2).
    let instance = Instance::new(111);
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_extension(1, "https://evil.example"));
    for policy in [identity(), Policy::new(SignerPolicy::UnsafeAnyCertificateIdentity)] {
        refused(
            check(&instance, &signed.bundle, &policy),
            ErrorCode::BundleParse,
            "duplicate extension 1.3.6.1.4.1.57264.1.1",
        );
    }
}

#[test]
fn extension_claim_mismatch_and_absence_are_refused() {
    // CVE-2022-36056 (2): GitHub claims must be checked when asked for.
    let instance = Instance::new(112);
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_extension(5, "test-org/test-repo"));
    let with = |name: &str, value: &str| {
        Policy::certificate_identity(
            CertificateIdentity::new(StringMatcher::exact(DEFAULT_SAN), StringMatcher::exact(DEFAULT_ISSUER))
                .with_extension(name, value)
                .unwrap(),
        )
    };
    ok(check(&instance, &signed.bundle, &with("githubWorkflowRepository", "test-org/test-repo")));
    for (name, value, fragment) in [
        ("githubWorkflowRepository", "evil-org/test-repo", "githubWorkflowRepository"),
        // Prefix of the real value is not a match.
        ("githubWorkflowRepository", "test-org/test", "githubWorkflowRepository"),
        ("sourceRepositoryRef", "refs/heads/main", "found None"),
    ] {
        refused(check(&instance, &signed.bundle, &with(name, value)), ErrorCode::ExtensionMismatch, fragment);
    }
    // Unknown claim names are a policy error, not silently ignored.
    let err = CertificateIdentity::new(StringMatcher::exact("a"), StringMatcher::exact("b"))
        .with_extension("repository", "x")
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
}

#[test]
fn unanchored_san_regex_matches_a_superstring_anchored_does_not() {
    // sigstore-js footgun / cosign `--certificate-identity-regexp` semantics: a regex is searched
    // anywhere in the SAN. This test documents that an unanchored pattern accepts an attacker's
    // superstring identity, and that anchoring closes it.
    let instance = Instance::new(113);
    let signed = instance.sign(
        &SignRequest::message(ARTIFACT)
            .with_san(San::Email("evil-user@example.com.attacker".into()))
            .with_issuer("https://accounts.example.com"),
    );
    let policy = |pattern: &str| {
        Policy::certificate_identity(CertificateIdentity::new(
            StringMatcher::regex(pattern).unwrap(),
            StringMatcher::exact("https://accounts.example.com"),
        ))
    };
    ok(check(&instance, &signed.bundle, &policy(r"user@example\.com")));
    refused(
        check(&instance, &signed.bundle, &policy(r"^user@example\.com$")),
        ErrorCode::IdentityMismatch,
        "a match of",
    );
    // The same for issuers.
    let issuer_policy = |pattern: &str| {
        Policy::certificate_identity(CertificateIdentity::new(
            StringMatcher::exact("evil-user@example.com.attacker"),
            StringMatcher::regex(pattern).unwrap(),
        ))
    };
    ok(check(&instance, &signed.bundle, &issuer_policy(r"accounts\.example")));
    refused(
        check(&instance, &signed.bundle, &issuer_policy(r"^https://accounts\.example$")),
        ErrorCode::IssuerMismatch,
        "a match of",
    );
    // Exact matching never matches a superstring.
    let exact = Policy::certificate_identity(CertificateIdentity::new(
        StringMatcher::exact("user@example.com"),
        StringMatcher::exact("https://accounts.example.com"),
    ));
    refused(check(&instance, &signed.bundle, &exact), ErrorCode::IdentityMismatch, "expected identity");
}

// ---------------------------------------------------------------------------------------------
// Key / certificate type confusion (GHSA-fx35-mq7g-6g98; managed-key-no-key_fail; RU GH#157)

#[test]
fn identity_policy_refuses_a_managed_key_bundle() {
    let instance = Instance::new(120);
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_managed_key());
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::KeyMismatch, "managed key");
    refused(
        check(&instance, &signed.bundle, &Policy::new(SignerPolicy::UnsafeAnyCertificateIdentity)),
        ErrorCode::KeyMismatch,
        "managed key",
    );
}

#[test]
fn key_policy_refuses_a_certificate_bundle_even_for_the_leafs_own_key() {
    let instance = Instance::new(121);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    // The caller's key is exactly the leaf's key: still refused, the bundle is the wrong kind.
    let policy = Policy::public_key(PublicKey::from_spki_der(&signed.public_key_der).unwrap());
    refused(check(&instance, &signed.bundle, &policy), ErrorCode::KeyMismatch, "carries a certificate");
}

#[test]
fn a_bare_public_key_in_the_certificate_field_is_refused() {
    // GHSA-fx35-mq7g-6g98: a public key where a certificate is expected must not become the
    // verifier (skipping chain and identity checks).
    let instance = Instance::new(122);
    let mut signed = instance.sign(&SignRequest::message(ARTIFACT));
    signed.bundle["verificationMaterial"]["certificate"]["rawBytes"] = json!(b64(&signed.public_key_der));
    parse_refused(&signed.bundle, ErrorCode::BundleParse, "certificate");
    // The same in a v0.1 chain.
    let mut v01 = instance.sign(&SignRequest::message(ARTIFACT).with_media_type(MediaType::V01));
    v01.bundle["verificationMaterial"]["x509CertificateChain"]["certificates"][0]["rawBytes"] =
        json!(b64(&v01.public_key_der));
    parse_refused(&v01.bundle, ErrorCode::BundleParse, "certificate");
}

#[test]
fn wrong_managed_key_is_refused() {
    // A key bundle checked against another key must fail (the log entry names the real key).
    let instance = Instance::new(123);
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_managed_key());
    let other = instance.sign(&SignRequest { key_seed: 1, ..SignRequest::message(ARTIFACT).with_managed_key() });
    assert_ne!(signed.public_key_der, other.public_key_der);
    let policy = Policy::public_key(PublicKey::from_pem(&other.public_key_pem).unwrap());
    refused(check(&instance, &signed.bundle, &policy), ErrorCode::TlogBodyMismatch, "different signer");
    // Without a log entry (TSA only), the signature check catches it.
    let unlogged = instance
        .sign(&SignRequest::message(ARTIFACT).with_managed_key().with_tlog(Tlog::None).with_tsa(DEFAULT_SIGNING_TIME));
    let mut policy = Policy::public_key(PublicKey::from_pem(&other.public_key_pem).unwrap());
    policy.tlog_threshold = 0;
    refused(check(&instance, &unlogged.bundle, &policy), ErrorCode::Signature, "does not verify");
    let mut right = Policy::public_key(PublicKey::from_pem(&unlogged.public_key_pem).unwrap());
    right.tlog_threshold = 0;
    ok(check(&instance, &unlogged.bundle, &right));
}

#[test]
fn malformed_and_unsupported_caller_keys_are_refused_eagerly() {
    // TOB-SIGSTORE-6: malformed / unsupported SPKI rejected when the key is read.
    assert_eq!(PublicKey::from_spki_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).unwrap_err().code, ErrorCode::InvalidInput);
    assert_eq!(
        PublicKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap_err().code,
        ErrorCode::InvalidInput
    );
    // secp256k1 SPKI (id-ecPublicKey with curve 1.3.132.0.10).
    let k1 = support::instance::der_build::seq(&[
        support::instance::der_build::seq(&[
            support::instance::der_build::oid("1.2.840.10045.2.1"),
            support::instance::der_build::oid("1.3.132.0.10"),
        ]),
        support::instance::der_build::bits(&[4u8; 65]),
    ]);
    assert_eq!(PublicKey::from_spki_der(&k1).unwrap_err().code, ErrorCode::UnsupportedAlgorithm);
}

// ---------------------------------------------------------------------------------------------
// Media types (conformance bundle-unknown-version_fail)

#[test]
fn odd_media_types_are_unsupported() {
    let instance = Instance::new(130);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    for media in [
        "application/vnd.dev.sigstore.bundle+json;version=0.9",
        "application/vnd.dev.sigstore.bundle+json;version=99.9",
        "application/vnd.dev.sigstore.bundle.v0.4+json",
        "application/vnd.dev.sigstore.bundle+json;version=0.4",
        "application/vnd.dev.sigstore.bundle+json;version=0.3 ",
        "application/vnd.dev.sigstore.bundle+json; version=0.3",
        "APPLICATION/VND.DEV.SIGSTORE.BUNDLE+JSON;VERSION=0.3",
        "application/vnd.dev.sigstore.bundle+json",
        "application/json",
        "",
    ] {
        let mut bundle = signed.bundle.clone();
        bundle["mediaType"] = json!(media);
        parse_refused(&bundle, ErrorCode::UnsupportedMediaType, "media type");
    }
    let mut missing = signed.bundle.clone();
    missing.as_object_mut().unwrap().remove("mediaType");
    parse_refused(&missing, ErrorCode::BundleParse, "mediaType");
}

#[test]
fn v03_bundle_with_a_certificate_chain_is_refused() {
    // Per-version rules: a v0.3 bundle carries one certificate, not a chain.
    let instance = Instance::new(131);
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_media_type(MediaType::V01));
    let mut bundle = signed.bundle.clone();
    bundle["mediaType"] = json!(MediaType::V03.as_str());
    parse_refused(&bundle, ErrorCode::BundleParse, "x509CertificateChain");
}

// ---------------------------------------------------------------------------------------------
// Bundle parsing and size limits (CVE-2024-45395; sigstore-js BigInt / ASN.1 hardening)

#[test]
fn unknown_fields_are_refused_everywhere() {
    let instance = Instance::new(140);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let cases: Vec<Mutation<'_>> = vec![
        Box::new(|b| b["extra"] = json!(1)),
        Box::new(|b| b["verificationMaterial"]["extra"] = json!(1)),
        Box::new(|b| b["messageSignature"]["extra"] = json!(1)),
        Box::new(|b| b["verificationMaterial"]["tlogEntries"][0]["extra"] = json!(1)),
        Box::new(|b| b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["extra"] = json!(1)),
        Box::new(|b| b["verificationMaterial"]["certificate"]["extra"] = json!(1)),
        // A look-alike of a real field (case) is unknown too.
        Box::new(|b| b["verificationMaterial"]["tlogEntries"][0]["IntegratedTime"] = json!("1")),
    ];
    for (i, mutate) in cases.iter().enumerate() {
        let mut bundle = signed.bundle.clone();
        mutate(&mut bundle);
        let err = parse(&bundle).err().unwrap_or_else(|| panic!("case {i} parsed"));
        assert_eq!(err.code, ErrorCode::BundleParse, "case {i}: {err}");
        assert!(err.message.contains("unknown field"), "case {i}: {err}");
    }
}

#[test]
fn oversized_bundle_json_is_refused_before_parsing() {
    let instance = Instance::new(141);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let text = signed.bundle_json();
    // Pad with whitespace: still the same valid JSON, only bigger than the limit.
    let padded = format!("{text}{}", " ".repeat(limits::MAX_BUNDLE_BYTES + 1 - text.len()));
    assert_eq!(padded.len(), limits::MAX_BUNDLE_BYTES + 1);
    let err = Bundle::from_json(&padded).unwrap_err();
    assert_eq!(err.code, ErrorCode::LimitExceeded, "{err}");
    // At exactly the limit it parses.
    Bundle::from_json(&padded[..limits::MAX_BUNDLE_BYTES]).unwrap();
}

#[test]
fn deeply_nested_json_is_a_parse_error_not_a_stack_overflow() {
    for depth in [200, 10_000, 1_000_000] {
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let err = Bundle::from_json(&nested).unwrap_err();
        assert_eq!(err.code, ErrorCode::BundleParse, "{err}");
        let inside = format!(
            r#"{{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{}}}"#,
            nested
        );
        assert_eq!(Bundle::from_json(&inside).unwrap_err().code, ErrorCode::BundleParse);
        let unclosed = "{\"a\":".repeat(depth);
        assert_eq!(Bundle::from_json(&unclosed).unwrap_err().code, ErrorCode::BundleParse);
    }
    // Also through a tlog body, which is JSON inside base64 inside JSON.
    let instance = Instance::new(142);
    let mut signed = instance.sign(&SignRequest::message(ARTIFACT));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    entry_mut(&mut signed.bundle)["canonicalizedBody"] = json!(b64(deep.as_bytes()));
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::TlogBodyMismatch, "cannot be read");
}

#[test]
fn too_many_tlog_entries_timestamps_and_chain_certificates() {
    let instance = Instance::new(143);
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_tsa(DEFAULT_SIGNING_TIME));
    let v01 = instance.sign(&SignRequest::message(ARTIFACT).with_media_type(MediaType::V01));
    for (bundle, list, limit) in [
        (&signed.bundle, "/verificationMaterial/tlogEntries", limits::MAX_TLOG_ENTRIES),
        (&signed.bundle, "/verificationMaterial/timestampVerificationData/rfc3161Timestamps", limits::MAX_TIMESTAMPS),
        (&v01.bundle, "/verificationMaterial/x509CertificateChain/certificates", limits::MAX_CHAIN_LENGTH),
    ] {
        let item = bundle.pointer(list).unwrap()[0].clone();
        let mut bundle = bundle.clone();
        *bundle.pointer_mut(list).unwrap() = json!(vec![item.clone(); limit + 1]);
        parse_refused(&bundle, ErrorCode::LimitExceeded, &format!("the limit is {limit}"));
        // At the limit, parsing is fine (verification then refuses the duplicates).
        *bundle.pointer_mut(list).unwrap() = json!(vec![item; limit]);
        parse(&bundle).unwrap();
    }
}

#[test]
fn inclusion_proof_with_too_many_hashes_is_refused() {
    let instance = Instance::new(144);
    let mut signed = instance.sign(&SignRequest::message(ARTIFACT));
    let hash = json!(b64(&[7u8; 32]));
    entry_mut(&mut signed.bundle)["inclusionProof"]["hashes"] = json!(vec![hash.clone(); limits::MAX_PROOF_HASHES + 1]);
    parse_refused(&signed.bundle, ErrorCode::LimitExceeded, &format!("the limit is {}", limits::MAX_PROOF_HASHES));
    // 64 hashes parse, and then fail the proof cleanly.
    entry_mut(&mut signed.bundle)["inclusionProof"]["hashes"] = json!(vec![hash; limits::MAX_PROOF_HASHES]);
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::InclusionProof, "");
}

#[test]
fn oversized_dsse_payload_is_refused() {
    let instance = Instance::new(145);
    let mut signed = instance.sign(&SignRequest::in_toto("a.txt", ARTIFACT));
    signed.bundle["dsseEnvelope"]["payload"] = json!(b64(&vec![b'a'; limits::MAX_PAYLOAD_BYTES + 3]));
    parse_refused(&signed.bundle, ErrorCode::LimitExceeded, &format!("the limit is {}", limits::MAX_PAYLOAD_BYTES));
}

#[test]
fn negative_and_out_of_range_integers_are_parse_errors() {
    let instance = Instance::new(146);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    for (field, value) in [
        ("logIndex", json!("-1")),
        ("logIndex", json!(-1)),
        ("logIndex", json!("-9223372036854775808")),
        ("integratedTime", json!("-1")),
        ("logIndex", json!("18446744073709551615")), // > int64
        ("logIndex", json!("1e3")),
        ("logIndex", json!("0x10")),
        ("logIndex", json!(" 1")),
        ("logIndex", json!(1.5)),
    ] {
        let mut bundle = signed.bundle.clone();
        entry_mut(&mut bundle)[field] = value.clone();
        parse_refused(&bundle, ErrorCode::BundleParse, "");
    }
    for field in ["logIndex", "treeSize"] {
        let mut bundle = signed.bundle.clone();
        entry_mut(&mut bundle)["inclusionProof"][field] = json!("-5");
        parse_refused(&bundle, ErrorCode::BundleParse, "negative");
    }
}

#[test]
fn malformed_base64_and_der_are_parse_errors() {
    // conformance bundle-invalid-base64-signature_fail; ASN.1 parser hardening (sigstore-js).
    let instance = Instance::new(147);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let mut bundle = signed.bundle.clone();
    bundle["messageSignature"]["signature"] = json!("INVALID!!!BASE64!!!ENCODING====");
    parse_refused(&bundle, ErrorCode::BundleParse, "base64");
    let leaf = signed.leaf_der.clone().unwrap();
    for bad in [
        leaf[..leaf.len() / 2].to_vec(),
        [leaf.clone(), vec![0]].concat(),
        vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
        Vec::new(),
    ] {
        let mut bundle = signed.bundle.clone();
        bundle["verificationMaterial"]["certificate"]["rawBytes"] = json!(b64(&bad));
        parse_refused(&bundle, ErrorCode::BundleParse, "");
    }
    let mut bundle = signed.bundle.clone();
    bundle["verificationMaterial"]["x509CertificateChain"] = json!({ "certificates": [] });
    bundle["verificationMaterial"].as_object_mut().unwrap().remove("certificate");
    bundle["mediaType"] = json!(MediaType::V02.as_str());
    parse_refused(&bundle, ErrorCode::BundleParse, "no certificates");
}

#[test]
fn messagedigest_that_is_not_the_artifacts_is_refused() {
    // conformance message-digest-mismatch_fail: the bundle's unauthenticated digest must agree.
    let instance = Instance::new(148);
    let mut signed =
        instance.sign(&SignRequest::message(ARTIFACT).with_tlog(Tlog::None).with_tsa(DEFAULT_SIGNING_TIME));
    signed.bundle["messageSignature"]["messageDigest"]["digest"] = json!(b64(&[0u8; 32]));
    let policy = identity_with(|p| p.tlog_threshold = 0);
    refused(check(&instance, &signed.bundle, &policy), ErrorCode::ArtifactMismatch, "messageDigest");
}

// ---------------------------------------------------------------------------------------------
// Artifact input ("Harden verification": empty artifact/digest; digest-only mode)

#[test]
fn empty_and_wrong_length_digests_are_invalid_input() {
    for text in [
        "sha256:",
        "sha256",
        "",
        "sha256:00",
        &format!("sha256:{}", "ab".repeat(31)),
        &format!("sha256:{}", "ab".repeat(33)),
        &format!("sha384:{}", "ab".repeat(32)),
        "sha256:zz",
    ] {
        assert_eq!(Artifact::parse_digest(text).unwrap_err().code, ErrorCode::InvalidInput, "{text:?}");
    }
    use sigstore_wasm::crypto::HashAlgorithm;
    assert_eq!(Artifact::from_digest(HashAlgorithm::Sha256, Vec::new()).unwrap_err().code, ErrorCode::InvalidInput);
}

#[test]
fn empty_artifact_does_not_match_a_signed_artifact() {
    let instance = Instance::new(150);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    assert!(check_artifact(&instance, &signed.bundle, b"", &identity()).is_err());
    let dsse = instance.sign(&SignRequest::dsse("text/plain", ARTIFACT));
    refused(check_artifact(&instance, &dsse.bundle, b"", &identity()), ErrorCode::ArtifactMismatch, "payload");
    // A bundle over the empty artifact does verify against it (no special-casing of "empty").
    let empty = instance.sign(&SignRequest::message(b""));
    ok(check_artifact(&instance, &empty.bundle, b"", &identity()));
    assert!(check_artifact(&instance, &empty.bundle, b"x", &identity()).is_err());
}

#[test]
fn p384_message_signature_cannot_be_checked_against_a_sha256_digest() {
    // The signature is over SHA-384(artifact): a SHA-256 digest cannot vouch for it.
    let instance = Instance::new(151);
    let artifact = Artifact::parse_digest(&format!("sha256:{}", sha256_hex(ARTIFACT))).unwrap();
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_key(LeafKey::P384));
    refused(
        check_with(&instance.trusted_root(), &signed.bundle, &artifact, &identity()),
        ErrorCode::TlogBodyMismatch,
        "sha384",
    );
    // Without a log entry the signature check itself says why.
    let unlogged = instance.sign(
        &SignRequest::message(ARTIFACT).with_key(LeafKey::P384).with_tlog(Tlog::None).with_tsa(DEFAULT_SIGNING_TIME),
    );
    let policy = identity_with(|p| p.tlog_threshold = 0);
    refused(
        check_with(&instance.trusted_root(), &unlogged.bundle, &artifact, &policy),
        ErrorCode::ArtifactMismatch,
        "sha384",
    );
    let right = Artifact::parse_digest(&format!("sha384:{}", hex(&HashAlg::Sha384.digest(ARTIFACT)))).unwrap();
    ok(check_with(&instance.trusted_root(), &unlogged.bundle, &right, &policy));
}

#[test]
fn message_signature_cannot_skip_the_artifact_check() {
    let instance = Instance::new(152);
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_tlog(Tlog::None).with_tsa(DEFAULT_SIGNING_TIME));
    let policy = identity_with(|p| p.tlog_threshold = 0);
    refused(
        check_with(&instance.trusted_root(), &signed.bundle, &Artifact::UnsafeUnchecked, &policy),
        ErrorCode::InvalidInput,
        "cannot be verified without",
    );
    let logged = instance.sign(&SignRequest::message(ARTIFACT));
    assert!(check_with(&instance.trusted_root(), &logged.bundle, &Artifact::UnsafeUnchecked, &identity()).is_err());
}

#[test]
fn the_largest_values_of_counted_fields_are_refused_cleanly() {
    // Each counted field at the largest value its type carries (int64 in the bundle, as the
    // protobuf says), alone and together: every one is refused with an error, none overflows.
    // Test builds check arithmetic for overflow, as the release and wasm profiles do.
    let instance = Instance::new(147);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let max = i64::MAX.to_string();
    let below = (i64::MAX - 1).to_string();
    let fields: [(&str, &str); 5] = [
        ("/logIndex", &max),
        ("/integratedTime", &max),
        ("/inclusionProof/logIndex", &below),
        ("/inclusionProof/treeSize", &max),
        ("/inclusionProof/logIndex", &max),
    ];
    let mut all = signed.bundle.clone();
    for (field, value) in fields {
        let mut bundle = signed.bundle.clone();
        *entry_mut(&mut bundle).pointer_mut(field).unwrap() = json!(value);
        *entry_mut(&mut all).pointer_mut(field).unwrap() = json!(value);
        let err = check(&instance, &bundle, &identity()).unwrap_err();
        assert_ne!(err.code, ErrorCode::BundleParse, "{field} = {value} is within int64: {err}");
    }
    *entry_mut(&mut all).pointer_mut("/inclusionProof/logIndex").unwrap() = json!(below);
    check(&instance, &all, &identity()).unwrap_err();
    // A checkpoint may carry a tree of 2^64 - 1 leaves: see tlog::checkpoint's tests; the
    // Merkle arithmetic at the top of the range: see tlog::merkle's.
}
