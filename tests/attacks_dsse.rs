//! Attack suite, part 4: DSSE envelopes and in-toto statements (TOB-SIGSTORE-9,
//! GHSA-r2xv-vpr2-42m9, CVE-2022-35929/35930, CVE-2026-39395, CVE-2024-45395 subject limits).
//! See `attacks.rs` for the overview.

mod support;

use serde_json::{json, Value};
use sigstore_wasm::artifact::Artifact;
use sigstore_wasm::error::ErrorCode;
use sigstore_wasm::limits;
use support::instance::encoding::b64;
use support::instance::*;
use support::verify::*;

fn in_toto_payload(subjects: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {},
    }))
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// DSSE and in-toto (TOB-SIGSTORE-9; GHSA-r2xv-vpr2-42m9; CVE-2022-35929/35930; CVE-2026-39395;
// CVE-2024-45395 subject limits)

#[test]
fn multi_signature_dsse_is_refused() {
    let instance = Instance::new(160);
    let signed = instance.sign(&SignRequest::in_toto("a.txt", ARTIFACT));
    let other = instance.sign(&SignRequest::in_toto("b.txt", b"other"));
    let mut two = signed.bundle.clone();
    two["dsseEnvelope"]["signatures"]
        .as_array_mut()
        .unwrap()
        .push(other.bundle["dsseEnvelope"]["signatures"][0].clone());
    parse_refused(&two, ErrorCode::BundleParse, "exactly one signature");
    // Even the same signature twice.
    let mut same = signed.bundle.clone();
    let sig = same["dsseEnvelope"]["signatures"][0].clone();
    same["dsseEnvelope"]["signatures"].as_array_mut().unwrap().insert(0, sig);
    parse_refused(&same, ErrorCode::BundleParse, "exactly one signature");
    let mut none = signed.bundle.clone();
    none["dsseEnvelope"]["signatures"] = json!([]);
    parse_refused(&none, ErrorCode::BundleParse, "exactly one signature");
    // keyid is an unauthenticated hint: accepted and ignored.
    let mut keyid = signed.bundle.clone();
    keyid["dsseEnvelope"]["signatures"][0]["keyid"] = json!("anything");
    ok(check(&instance, &keyid, &identity()));
}

#[test]
fn tampered_dsse_payload_or_type_is_refused() {
    // GHSA-r2xv-vpr2-42m9: an unverified DSSE payload.
    let instance = Instance::new(161);
    let forged = in_toto_payload(json!([{ "name": "evil", "digest": { "sha256": sha256_hex(b"evil") } }]));
    // With a log entry: the entry's payloadHash catches it first.
    let mut logged = instance.sign(&SignRequest::in_toto("a.txt", ARTIFACT));
    logged.bundle["dsseEnvelope"]["payload"] = json!(b64(&forged));
    refused(
        check_artifact(&instance, &logged.bundle, b"evil", &identity()),
        ErrorCode::TlogBodyMismatch,
        "payloadHash",
    );
    // Without one (TSA only), the envelope signature does.
    let policy = identity_with(|p| p.tlog_threshold = 0);
    let unlogged =
        instance.sign(&SignRequest::in_toto("a.txt", ARTIFACT).with_tlog(Tlog::None).with_tsa(DEFAULT_SIGNING_TIME));
    ok(check(&instance, &unlogged.bundle, &policy));
    let mut bundle = unlogged.bundle.clone();
    bundle["dsseEnvelope"]["payload"] = json!(b64(&forged));
    refused(check_artifact(&instance, &bundle, b"evil", &policy), ErrorCode::Signature, "DSSE envelope signature");
    let mut bundle = unlogged.bundle.clone();
    bundle["dsseEnvelope"]["payloadType"] = json!("text/plain");
    refused(check(&instance, &bundle, &policy), ErrorCode::Signature, "DSSE envelope signature");
    // A message signature over PAE bytes is not a DSSE signature and vice versa.
    let mut swapped = unlogged.bundle.clone();
    swapped["dsseEnvelope"]["payloadType"] = json!("");
    parse_refused(&swapped, ErrorCode::BundleParse, "payloadType");
}

#[test]
fn in_toto_subject_must_name_the_artifact() {
    let instance = Instance::new(162);
    let signed = instance.sign(&SignRequest::in_toto("a.txt", ARTIFACT));
    refused(
        check_artifact(&instance, &signed.bundle, b"another artifact", &identity()),
        ErrorCode::ArtifactMismatch,
        "matches none",
    );
    let digest = Artifact::parse_digest(&format!("sha256:{}", sha256_hex(b"another"))).unwrap();
    refused(
        check_with(&instance.trusted_root(), &signed.bundle, &digest, &identity()),
        ErrorCode::ArtifactMismatch,
        "matches none",
    );
    // The subject's name is not what matches: a subject named after the artifact with another
    // digest does not match.
    let named = in_toto_payload(json!([{ "name": "a.txt", "digest": { "sha256": sha256_hex(b"x") } }]));
    let signed = instance.sign(&SignRequest::dsse("application/vnd.in-toto+json", &named));
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::ArtifactMismatch, "matches none");
}

#[test]
fn in_toto_with_empty_subjects_or_only_unsupported_digests_is_refused() {
    let instance = Instance::new(163);
    let empty = instance.sign(&SignRequest::dsse("application/vnd.in-toto+json", &in_toto_payload(json!([]))));
    refused(check(&instance, &empty.bundle, &identity()), ErrorCode::BundleParse, "no subjects");
    refused(
        check_with(&instance.trusted_root(), &empty.bundle, &Artifact::UnsafeUnchecked, &identity()),
        ErrorCode::BundleParse,
        "no subjects",
    );
    // Digests this verifier cannot compute never match, even if their value "looks" right.
    let unsupported = in_toto_payload(json!([{ "name": "a.txt", "digest": {
        "md5": "00000000000000000000000000000000",
        "gitCommit": sha256_hex(ARTIFACT),
        "SHA256": sha256_hex(ARTIFACT),
        "sha3-256": sha256_hex(ARTIFACT),
    } }]));
    let signed = instance.sign(&SignRequest::dsse("application/vnd.in-toto+json", &unsupported));
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::ArtifactMismatch, "matches none");
    // A supported algorithm with a malformed value is a parse error, not a skipped digest.
    let malformed = in_toto_payload(json!([{ "name": "a.txt", "digest": { "sha256": "zz" } }]));
    let signed = instance.sign(&SignRequest::dsse("application/vnd.in-toto+json", &malformed));
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::BundleParse, "not valid hex");
}

#[test]
fn in_toto_subject_and_digest_counts_are_limited() {
    let instance = Instance::new(164);
    let subjects = |n: usize| {
        let mut list: Vec<Value> = (0..n - 1)
            .map(|i| json!({ "name": format!("s{i}"), "digest": { "sha256": sha256_hex(format!("{i}").as_bytes()) } }))
            .collect();
        list.push(json!({ "name": "a.txt", "digest": { "sha256": sha256_hex(ARTIFACT) } }));
        Value::Array(list)
    };
    let at_limit = instance
        .sign(&SignRequest::dsse("application/vnd.in-toto+json", &in_toto_payload(subjects(limits::MAX_SUBJECTS))));
    let result = ok(check(&instance, &at_limit.bundle, &identity()));
    assert_eq!(result.statement.unwrap().subjects.len(), limits::MAX_SUBJECTS);
    let over = instance
        .sign(&SignRequest::dsse("application/vnd.in-toto+json", &in_toto_payload(subjects(limits::MAX_SUBJECTS + 1))));
    refused(
        check(&instance, &over.bundle, &identity()),
        ErrorCode::LimitExceeded,
        &format!("the limit is {}", limits::MAX_SUBJECTS),
    );

    let mut digests = serde_json::Map::new();
    digests.insert("sha256".into(), json!(sha256_hex(ARTIFACT)));
    for i in 0..limits::MAX_DIGESTS_PER_SUBJECT {
        digests.insert(format!("alg{i}"), json!("00"));
    }
    let many = instance.sign(&SignRequest::dsse(
        "application/vnd.in-toto+json",
        &in_toto_payload(json!([{ "name": "a", "digest": digests }])),
    ));
    refused(
        check(&instance, &many.bundle, &identity()),
        ErrorCode::LimitExceeded,
        &format!("the limit is {}", limits::MAX_DIGESTS_PER_SUBJECT),
    );
}

#[test]
fn malformed_in_toto_payload_is_an_error_not_verified_ok() {
    // CVE-2026-39395: a malformed payload / statement must not report success.
    let instance = Instance::new(165);
    for payload in [
        b"not json".to_vec(),
        br#"{"_type":"https://in-toto.io/Statement/v9","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"x"}"#.to_vec(),
        br#"[]"#.to_vec(),
    ] {
        let signed = instance.sign(&SignRequest::dsse("application/vnd.in-toto+json", &payload));
        refused(check(&instance, &signed.bundle, &identity()), ErrorCode::BundleParse, "statement");
        refused(
            check_with(&instance.trusted_root(), &signed.bundle, &Artifact::UnsafeUnchecked, &identity()),
            ErrorCode::BundleParse,
            "statement",
        );
    }
}

#[test]
fn predicate_type_is_reported_for_the_caller_to_check() {
    // CVE-2022-35929 / CVE-2022-35930: the policy has no predicate-type field, so a caller that
    // needs "type X" must compare `statement.predicate_type`; this test pins that the verified
    // value is the signed one (not a default) and differs between attestations.
    let instance = Instance::new(166);
    let statement =
        support::instance::dsse::in_toto_statement(&[("a.txt", ARTIFACT)], "https://example.com/vuln-scan/v1");
    let signed = instance.sign(&SignRequest::dsse("application/vnd.in-toto+json", &statement));
    let result = ok(check(&instance, &signed.bundle, &identity()));
    assert_eq!(result.statement.unwrap().predicate_type, "https://example.com/vuln-scan/v1");
    let slsa = instance.sign(&SignRequest::in_toto("a.txt", ARTIFACT));
    let result = ok(check(&instance, &slsa.bundle, &identity()));
    assert_eq!(result.statement.unwrap().predicate_type, "https://slsa.dev/provenance/v1");
}

#[test]
fn non_in_toto_dsse_payload_is_the_artifact() {
    let instance = Instance::new(167);
    let signed = instance.sign(&SignRequest::dsse("text/plain", ARTIFACT));
    let result = ok(check(&instance, &signed.bundle, &identity()));
    assert!(result.statement.is_none());
    refused(check_artifact(&instance, &signed.bundle, b"other", &identity()), ErrorCode::ArtifactMismatch, "payload");
    // A payload of type in-toto cannot be passed off as plain: the type is signed.
    let mut bundle = signed.bundle.clone();
    bundle["dsseEnvelope"]["payloadType"] = json!("application/vnd.in-toto+json");
    assert!(check(&instance, &bundle, &identity()).is_err());
}
