//! Attack suite, part 3: certificates and chains, embedded SCTs, RFC 3161 timestamps and the
//! times everything is judged at. See `attacks.rs` for the overview; each test names the
//! advisory it guards against.
//!
//! Leaves the instance cannot mint directly (a CA-flagged leaf, several SCTs) are built here
//! from the instance's own CA, CT log and Rekor keys, so they are validly signed: the only thing
//! wrong with them is the property under test.

mod support;

use serde_json::{json, Value};
use sigstore_wasm::error::ErrorCode;
use sigstore_wasm::policy::Policy;
use sigstore_wasm::time::Timestamp;
use sigstore_wasm::trust::TrustedRoot;
use sigstore_wasm::verify::{VerifiedTime, Verifier};
use support::instance::ca::{
    basic_constraints_ca, ext_key_usage, fulcio_extension, fulcio_leaf_template, key_usage, sign_tbs, subject_alt_name,
    Authority, AuthoritySpec, LeafProfile, KU_DIGITAL_SIGNATURE, KU_KEY_CERT_SIGN, OID_CODE_SIGNING, OID_TIME_STAMPING,
};
use support::instance::ct::sct_list_extension;
use support::instance::encoding::{b64, pem, rfc3339, unb64};
use support::instance::keys::KeyPair;
use support::instance::*;
use support::verify::*;

// ---------------------------------------------------------------------------------------------
// Helpers

fn token_of(bundle: &Value) -> Vec<u8> {
    unb64(
        bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]["signedTimestamp"]
            .as_str()
            .unwrap(),
    )
}

/// Rekor v2 + one TSA token at `gen_time`: the TSA is the only source of time.
fn tsa_only(request: SignRequest, gen_time: i64) -> SignRequest {
    request.with_tlog(Tlog::v2(V2Kind::HashedRekord)).with_tsa(gen_time)
}

/// A v0.3 message-signature bundle for a hand-built `leaf_der` (private key `key`), logged as
/// hashedrekord 0.0.1 by the instance's Rekor v1 at the default time.
fn custom_leaf_bundle(instance: &Instance, leaf_der: &[u8], key: &KeyPair) -> Value {
    let signature = key.sign_message(ARTIFACT);
    let hash = key.message_hash();
    let body = bodies::hashedrekord_v001(hash, &hash.digest(ARTIFACT), &signature, &pem("CERTIFICATE", leaf_der));
    let entry = instance.rekor_v1.entry(&body, ("hashedrekord", "0.0.1"), TreeShape::default(), T, V1Parts::default());
    json!({
        "mediaType": MediaType::V03.as_str(),
        "verificationMaterial": { "certificate": { "rawBytes": b64(leaf_der) }, "tlogEntries": [entry] },
        "messageSignature": {
            "messageDigest": { "algorithm": hash.proto_name(), "digest": b64(&hash.digest(ARTIFACT)) },
            "signature": b64(&signature),
        },
    })
}

/// A Fulcio-profile leaf for `key` issued by `instance`'s intermediate, with the SCTs `scts`
/// returns for its precertificate TBS (none: no SCT list extension).
fn fulcio_leaf(
    instance: &Instance,
    key: &KeyPair,
    label: &str,
    scts: impl FnOnce(&[u8], &[u8]) -> Vec<Vec<u8>>,
) -> Vec<u8> {
    let profile = LeafProfile {
        san: San::Uri(DEFAULT_SAN.into()),
        issuer: DEFAULT_ISSUER.into(),
        extensions: Vec::new(),
        not_before: T - 60,
        not_after: T + 540,
    };
    let issuer = &instance.fulcio_intermediate;
    let mut template = fulcio_leaf_template(&profile, &key.spki_der(), issuer, label);
    let precert = template.tbs(&issuer.key.x509_signature_algorithm());
    let list = scts(&precert, &issuer.spki_der());
    if !list.is_empty() {
        template.extensions.push(sct_list_extension(&list));
    }
    sign_tbs(&template.tbs(&issuer.key.x509_signature_algorithm()), &issuer.key)
}

const SCT_MS: u64 = (T as u64 - 60) * 1000 + 250;

// ---------------------------------------------------------------------------------------------
// Chains and validity at the signing time (CVE-2026-24122 / GO-2026-4529)

#[test]
fn intermediate_expired_at_signing_time_is_refused() {
    for (end, expect_ok) in [(T - 1, false), (T - 3600, false), (T, true)] {
        let instance = Instance::with_options(
            301,
            InstanceOptions { intermediate_validity: (Y2020, end), ..InstanceOptions::default() },
        );
        let signed = instance.sign(&SignRequest::message(ARTIFACT));
        let tsa = instance.sign(&tsa_only(SignRequest::message(ARTIFACT), T));
        for bundle in [&signed.bundle, &tsa.bundle] {
            let outcome = check(&instance, bundle, &identity());
            if expect_ok {
                ok(outcome);
            } else {
                refused(outcome, ErrorCode::CertificateChain, "CA certificate");
            }
        }
    }
    // Not yet valid is the same.
    let instance = Instance::with_options(
        302,
        InstanceOptions { intermediate_validity: (T + 1, Y2040), ..InstanceOptions::default() },
    );
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::CertificateChain, "CA certificate");
}

#[test]
fn authority_validity_window_of_the_trusted_root_applies() {
    let instance = Instance::new(303);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let mut root = instance.trusted_root();
    root["certificateAuthorities"][0]["validFor"] = json!({ "start": rfc3339(Y2020), "end": rfc3339(T - 1) });
    refused(check_root(&root, &signed.bundle, &identity()), ErrorCode::CertificateChain, "outside the validity");
    root["certificateAuthorities"][0]["validFor"] = json!({ "start": rfc3339(Y2020), "end": rfc3339(T) });
    ok(check_root(&root, &signed.bundle, &identity()));
}

#[test]
fn bundle_chain_certificates_beyond_the_leaf_are_never_trusted() {
    // Conformance bundle-with-root-cert; TOB-style path building from the bundle.
    let a = Instance::new(304);
    let b = Instance::new(305);
    let chain = |bundle: &mut Value, extra: &[&Authority]| {
        let certs = bundle["verificationMaterial"]["x509CertificateChain"]["certificates"].as_array_mut().unwrap();
        certs.extend(extra.iter().map(|c| json!({ "rawBytes": b64(&c.cert_der) })));
    };
    // A's leaf with B's intermediate and root appended (and A's own root): verifies under A.
    let mut bundle = a.sign(&SignRequest::message(ARTIFACT).with_media_type(MediaType::V01)).bundle;
    chain(&mut bundle, &[&b.fulcio_intermediate, &b.fulcio_root, &a.fulcio_root]);
    ok(check(&a, &bundle, &identity()));

    // B's leaf with A's intermediate and root appended, under A's CA (B's logs trusted so that
    // only the certificate decides): refused, the bundle's certificates do not make a path.
    let mut root = a.trusted_root();
    let b_root = b.trusted_root();
    root["tlogs"] = b_root["tlogs"].clone();
    root["ctlogs"] = b_root["ctlogs"].clone();
    for extra in [vec![&a.fulcio_intermediate, &a.fulcio_root], vec![&b.fulcio_intermediate, &b.fulcio_root], vec![]] {
        let mut bundle = b.sign(&SignRequest::message(ARTIFACT).with_media_type(MediaType::V01)).bundle;
        chain(&mut bundle, &extra);
        refused(
            check_root(&root, &bundle, &identity()),
            ErrorCode::CertificateChain,
            "is not a trusted certificate authority",
        );
    }
    // The control: with B's CA in the root, B's bundle verifies.
    root["certificateAuthorities"] = b_root["certificateAuthorities"].clone();
    ok(check_root(&root, &b.sign(&SignRequest::message(ARTIFACT).with_media_type(MediaType::V01)).bundle, &identity()));
}

#[test]
fn ca_certificate_as_leaf_is_refused() {
    let instance = Instance::new(306);
    let key = KeyPair::generate(LeafKey::P256, 306, "ca-leaf");
    let spec = |label: &'static str, ca: bool| AuthoritySpec {
        label,
        organization: "test.example",
        common_name: "evil",
        validity: (T - 60, T + 540),
        extensions: {
            let mut e =
                vec![key_usage(&[KU_DIGITAL_SIGNATURE, KU_KEY_CERT_SIGN]), ext_key_usage(&[OID_CODE_SIGNING], false)];
            if ca {
                e.push(basic_constraints_ca(None));
            }
            e.extend([
                subject_alt_name(&San::Uri(DEFAULT_SAN.into())),
                fulcio_extension(1, DEFAULT_ISSUER),
                fulcio_extension(8, DEFAULT_ISSUER),
            ]);
            e
        },
    };
    let no_sct = identity_with(|p| p.ctlog_threshold = 0);
    // Control: the same certificate without the CA flag verifies.
    let plain = Authority::issue(key.clone(), spec("plain", false), Some(&instance.fulcio_intermediate));
    ok(check(&instance, &custom_leaf_bundle(&instance, &plain.cert_der, &key), &no_sct));
    let ca = Authority::issue(key.clone(), spec("ca", true), Some(&instance.fulcio_intermediate));
    refused(
        check(&instance, &custom_leaf_bundle(&instance, &ca.cert_der, &key), &no_sct),
        ErrorCode::CertificateProfile,
        "is a CA certificate",
    );
    // The trusted intermediate itself, signing as a leaf.
    let intermediate = &instance.fulcio_intermediate;
    let bundle = custom_leaf_bundle(&instance, &intermediate.cert_der, &intermediate.key);
    refused(check(&instance, &bundle, &no_sct), ErrorCode::CertificateProfile, "is a CA certificate");
    // A leaf for time stamping, not code signing.
    let mut wrong_eku = spec("eku", false);
    wrong_eku.extensions[1] = ext_key_usage(&[OID_TIME_STAMPING], false);
    let leaf = Authority::issue(key.clone(), wrong_eku, Some(&instance.fulcio_intermediate));
    refused(
        check(&instance, &custom_leaf_bundle(&instance, &leaf.cert_der, &key), &no_sct),
        ErrorCode::CertificateProfile,
        "CodeSigning",
    );
}

// ---------------------------------------------------------------------------------------------
// Embedded SCTs and the CT log threshold (GHSA-9vcr-p3rj-q5q6)

#[test]
fn two_scts_from_one_ct_log_do_not_meet_a_threshold_of_two() {
    let instance = Instance::new(310);
    let key = KeyPair::generate(LeafKey::P256, 310, "two-scts");
    let ct = &instance.ct_log;
    let leaf = fulcio_leaf(&instance, &key, "two-scts", |tbs, issuer| {
        vec![ct.sct(tbs, issuer, SCT_MS, &[]), ct.sct(tbs, issuer, SCT_MS + 1, &[])]
    });
    let bundle = custom_leaf_bundle(&instance, &leaf, &key);
    let result = ok(check(&instance, &bundle, &identity()));
    assert_eq!(result.scts.len(), 1, "one log, one SCT counted");
    refused(
        check(&instance, &bundle, &identity_with(|p| p.ctlog_threshold = 2)),
        ErrorCode::Sct,
        "1 SCT(s) from distinct trusted CT logs",
    );
    // The very same SCT twice.
    let leaf = fulcio_leaf(&instance, &key, "same-sct-twice", |tbs, issuer| {
        let sct = ct.sct(tbs, issuer, SCT_MS, &[]);
        vec![sct.clone(), sct]
    });
    let bundle = custom_leaf_bundle(&instance, &leaf, &key);
    refused(check(&instance, &bundle, &identity_with(|p| p.ctlog_threshold = 2)), ErrorCode::Sct, "1 SCT(s)");
}

#[test]
fn scts_from_two_trusted_ct_logs_meet_a_threshold_of_two() {
    // The control for the test above, and an untrusted CT log's SCT not counting.
    let instance = Instance::new(311);
    let foreign = Instance::new(312);
    let key = KeyPair::generate(LeafKey::P256, 311, "two-logs");
    let leaf = fulcio_leaf(&instance, &key, "two-logs", |tbs, issuer| {
        vec![instance.ct_log.sct(tbs, issuer, SCT_MS, &[]), foreign.ct_log.sct(tbs, issuer, SCT_MS, &[])]
    });
    let bundle = custom_leaf_bundle(&instance, &leaf, &key);
    let two = identity_with(|p| p.ctlog_threshold = 2);
    refused(check(&instance, &bundle, &two), ErrorCode::Sct, "unknown CT log");
    let mut root = instance.trusted_root();
    let foreign_log = foreign.trusted_root()["ctlogs"][0].clone();
    root["ctlogs"].as_array_mut().unwrap().push(foreign_log);
    let result = ok(check_root(&root, &bundle, &two));
    assert_eq!(result.scts.len(), 2);
    // Only the foreign log's SCT: nothing trusted.
    let leaf =
        fulcio_leaf(&instance, &key, "foreign-only", |tbs, issuer| vec![foreign.ct_log.sct(tbs, issuer, SCT_MS, &[])]);
    refused(check(&instance, &custom_leaf_bundle(&instance, &leaf, &key), &identity()), ErrorCode::Sct, "0 SCT(s)");
}

#[test]
fn one_ct_log_named_by_two_ids_counts_once() {
    // GHSA-9vcr-p3rj-q5q6. The SCT's log ID is not covered by its signature, so anyone can
    // relabel a copy; the trusted root accepts `checkpointKeyId` for CT logs too (`has_id`).
    let instance = Instance::new(314);
    let alias: Vec<u8> = instance.ct_log.log_id.iter().map(|b| b ^ 0x55).collect();
    let key = KeyPair::generate(LeafKey::P256, 314, "alias-sct");
    let leaf = fulcio_leaf(&instance, &key, "alias-sct", |tbs, issuer| {
        let sct = instance.ct_log.sct(tbs, issuer, SCT_MS, &[]);
        let mut relabelled = sct.clone();
        relabelled[1..33].copy_from_slice(&alias);
        vec![sct, relabelled]
    });
    let bundle = custom_leaf_bundle(&instance, &leaf, &key);
    let mut root = instance.trusted_root();
    root["ctlogs"][0]["checkpointKeyId"] = json!({ "keyId": b64(&alias) });
    // Control: the root is usable and the leaf verifies at threshold 1.
    ok(check_root(&root, &bundle, &identity()));
    refused(check_root(&root, &bundle, &identity_with(|p| p.ctlog_threshold = 2)), ErrorCode::Sct, "1 SCT(s)");
}

#[test]
fn missing_or_invalid_scts_are_refused() {
    let instance = Instance::new(313);
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_sct(Sct::None));
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::Sct, "no embedded SCTs");
    ok(check(&instance, &signed.bundle, &identity_with(|p| p.ctlog_threshold = 0)));
    // An SCT over another precertificate (signature does not verify).
    let key = KeyPair::generate(LeafKey::P256, 313, "bad-sct");
    let leaf = fulcio_leaf(&instance, &key, "bad-sct", |_, issuer| {
        vec![instance.ct_log.sct(b"other tbs", issuer, SCT_MS, &[])]
    });
    refused(
        check(&instance, &custom_leaf_bundle(&instance, &leaf, &key), &identity()),
        ErrorCode::Sct,
        "does not verify",
    );
    // SCT time outside the CT log key's window.
    let good = instance.sign(&SignRequest::message(ARTIFACT));
    let mut root = instance.trusted_root();
    root["ctlogs"][0]["publicKey"]["validFor"] = json!({ "start": rfc3339(T) });
    refused(check_root(&root, &good.bundle, &identity()), ErrorCode::Sct, "outside CT log");
}

// ---------------------------------------------------------------------------------------------
// RFC 3161 timestamps (CVE-2025-52556; TOB-SIGSTORE-4, -11; conformance rekor2-timestamp-*)

#[test]
fn rekor_v2_bundle_without_a_timestamp_is_refused() {
    let instance = Instance::new(320);
    let mut signed = instance.sign(&tsa_only(SignRequest::message(ARTIFACT), T));
    ok(check(&instance, &signed.bundle, &identity()));
    signed.bundle["verificationMaterial"].as_object_mut().unwrap().remove("timestampVerificationData");
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::TimestampThreshold, "0 verified time");
    let dsse = instance.sign(&SignRequest::in_toto("a.txt", ARTIFACT).with_tlog(Tlog::v2(V2Kind::Dsse)));
    refused(check(&instance, &dsse.bundle, &identity()), ErrorCode::TimestampThreshold, "0 verified time");
}

#[test]
fn duplicate_timestamps_from_one_authority_do_not_meet_a_threshold_of_two() {
    let instance = Instance::new(321);
    let signed = instance.sign(&tsa_only(SignRequest::message(ARTIFACT), T));
    let two = identity_with(|p| p.timestamp_threshold = 2);
    // The same token twice.
    let mut bundle = signed.bundle.clone();
    let token = stamps_mut(&mut bundle)[0].clone();
    stamps_mut(&mut bundle).push(token);
    // Both times are checked against the certificate, but they are one witness.
    let result = ok(check(&instance, &bundle, &identity()));
    assert_eq!(result.verified_times.len(), 2);
    refused(check(&instance, &bundle, &two), ErrorCode::TimestampThreshold, "from 1 distinct");
    // Two different tokens from the same authority.
    let mut bundle = signed.bundle.clone();
    let second = instance.tsa.timestamp(&signed.signature, TimestampRequest { gen_time: T + 1, embed_cert: true });
    stamps_mut(&mut bundle).push(stamp_json(&second));
    refused(check(&instance, &bundle, &two), ErrorCode::TimestampThreshold, "from 1 distinct");
    // Control: a log time plus a TSA time are two independent witnesses.
    let both = instance.sign(&SignRequest::message(ARTIFACT).with_tsa(T + 1));
    let result = ok(check(&instance, &both.bundle, &two));
    assert_eq!(result.verified_times.len(), 2);
    assert!(result
        .verified_times
        .contains(&VerifiedTime::TimestampAuthority { time: Timestamp::from_unix(T + 1), uri: TSA_URI.into() }));
}

#[test]
fn timestamp_over_another_signature_is_refused() {
    let instance = Instance::new(322);
    let signed = instance.sign(&tsa_only(SignRequest::message(ARTIFACT), T));
    let other = instance.sign(&tsa_only(SignRequest::message(b"other"), T));
    let mut bundle = signed.bundle.clone();
    stamps_mut(&mut bundle)[0] = stamp_json(&token_of(&other.bundle));
    refused(check(&instance, &bundle, &identity()), ErrorCode::Timestamp, "");
    // A token over the artifact digest instead of the signature.
    let mut bundle = signed.bundle.clone();
    let token = instance.tsa.timestamp(ARTIFACT, TimestampRequest { gen_time: T, embed_cert: false });
    stamps_mut(&mut bundle)[0] = stamp_json(&token);
    refused(check(&instance, &bundle, &identity()), ErrorCode::Timestamp, "");
}

#[test]
fn timestamp_from_an_untrusted_authority_is_refused() {
    let instance = Instance::new(323);
    let foreign = Instance::new(324);
    let signed = instance.sign(&tsa_only(SignRequest::message(ARTIFACT), T));
    for embed_cert in [false, true] {
        let mut bundle = signed.bundle.clone();
        let token = foreign.tsa.timestamp(&signed.signature, TimestampRequest { gen_time: T, embed_cert });
        stamps_mut(&mut bundle)[0] = stamp_json(&token);
        refused(check(&instance, &bundle, &identity()), ErrorCode::Timestamp, "no trusted timestamp authority");
    }
    // A trusted root without TSAs trusts no token.
    let mut root = instance.trusted_root();
    root["timestampAuthorities"] = json!([]);
    refused(check_root(&root, &signed.bundle, &identity()), ErrorCode::Timestamp, "no trusted timestamp authority");
}

#[test]
fn timestamp_signature_and_content_are_verified() {
    // CVE-2025-52556: the token's own signature must be checked, not only its chain.
    let instance = Instance::new(325);
    let signed = instance.sign(&tsa_only(SignRequest::message(ARTIFACT), T));
    let token = token_of(&signed.bundle);
    // The signature value is the DER's final OCTET STRING: flip its last byte.
    let mut bad_sig = token.clone();
    *bad_sig.last_mut().unwrap() ^= 1;
    // genTime inside TSTInfo, changed by one second (covered by the messageDigest attribute).
    let gen_time = support::instance::der_build::generalized_time(T);
    let at = token.windows(gen_time.len()).position(|w| w == gen_time.as_slice()).expect("genTime in token");
    let later = support::instance::der_build::generalized_time(T + 1);
    let mut bad_time = token.clone();
    bad_time[at..at + later.len()].copy_from_slice(&later);
    for bad in [bad_sig, bad_time, token[..token.len() - 10].to_vec(), Vec::new()] {
        let mut bundle = signed.bundle.clone();
        stamps_mut(&mut bundle)[0] = stamp_json(&bad);
        let outcome = check(&instance, &bundle, &identity());
        let err = outcome.expect_err("tampered token verified");
        assert!(matches!(err.code, ErrorCode::Timestamp | ErrorCode::BundleParse), "{err}");
    }
}

#[test]
fn timestamp_authorities_are_not_conflated() {
    // TOB-SIGSTORE-11: a token from authority B must be judged by B's window, not A's.
    let instance = Instance::new(326);
    let other = Instance::new(327);
    let signed = instance.sign(&tsa_only(SignRequest::message(ARTIFACT), T));
    let mut bundle = signed.bundle.clone();
    stamps_mut(&mut bundle)[0] =
        stamp_json(&other.tsa.timestamp(&signed.signature, TimestampRequest { gen_time: T, embed_cert: false }));
    let mut root = instance.trusted_root();
    let mut b_tsa = other.trusted_root()["timestampAuthorities"][0].clone();
    b_tsa["uri"] = json!("https://tsa-b.test.example");
    b_tsa["validFor"] = json!({ "start": rfc3339(Y2020), "end": rfc3339(T - 1) });
    root["timestampAuthorities"].as_array_mut().unwrap().push(b_tsa.clone());
    refused(check_root(&root, &bundle, &identity()), ErrorCode::Timestamp, "no trusted timestamp authority");
    // Control: B open-ended accepts it, and the result names B.
    root["timestampAuthorities"][1]["validFor"] = json!({ "start": rfc3339(Y2020) });
    let result = ok(check_root(&root, &bundle, &identity()));
    assert_eq!(
        result.verified_times,
        vec![VerifiedTime::TimestampAuthority {
            time: Timestamp::from_unix(T),
            uri: "https://tsa-b.test.example".into()
        }]
    );
    // A chain borrowed across authorities (B's leaf under A's root) is refused up front.
    let mut root = instance.trusted_root();
    root["timestampAuthorities"][0]["certChain"]["certificates"][0] =
        json!({ "rawBytes": b64(&other.tsa.leaf.cert_der) });
    let err = Verifier::new(TrustedRoot::from_json(&root.to_string()).unwrap()).unwrap_err();
    assert_eq!(err.code, ErrorCode::TrustedRoot, "{err}");
}

#[test]
fn timestamp_at_exactly_the_end_of_the_authority_window_verifies() {
    let instance = Instance::new(328);
    let signed = instance.sign(&tsa_only(SignRequest::message(ARTIFACT), T));
    let mut root = instance.trusted_root();
    root["timestampAuthorities"][0]["validFor"] = json!({ "start": rfc3339(Y2020), "end": rfc3339(T) });
    ok(check_root(&root, &signed.bundle, &identity()));
    root["timestampAuthorities"][0]["validFor"] = json!({ "start": rfc3339(Y2020), "end": rfc3339(T - 1) });
    refused(check_root(&root, &signed.bundle, &identity()), ErrorCode::Timestamp, "");
    root["timestampAuthorities"][0]["validFor"] = json!({ "start": rfc3339(T + 1) });
    refused(check_root(&root, &signed.bundle, &identity()), ErrorCode::Timestamp, "");
}

#[test]
fn timestamp_signed_by_an_expired_tsa_certificate_is_refused() {
    // Conformance rekor2-timestamp-outside-tsa-cert-validity_fail.
    let instance = Instance::with_options(
        329,
        InstanceOptions { tsa_leaf_validity: (Y2020, T - 1), ..InstanceOptions::default() },
    );
    let signed = instance.sign(&tsa_only(SignRequest::message(ARTIFACT), T));
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::Timestamp, "");
    // The TSA leaf need only be valid at genTime, not now.
    let instance =
        Instance::with_options(330, InstanceOptions { tsa_leaf_validity: (Y2020, T), ..InstanceOptions::default() });
    ok(check(&instance, &instance.sign(&tsa_only(SignRequest::message(ARTIFACT), T)).bundle, &identity()));
}

#[test]
fn timestamp_outside_the_leaf_validity_is_refused() {
    // Conformance rekor2-timestamp-with-incorrect-time_fail, intoto-tsa-timestamp-outside-cert-validity_fail.
    let instance = Instance::new(331);
    for gen_time in [T + 541, T + 3600, T - 61] {
        let signed = instance.sign(&tsa_only(SignRequest::message(ARTIFACT), gen_time));
        refused(
            check(&instance, &signed.bundle, &identity()),
            ErrorCode::CertificateChain,
            "the signing certificate is valid from",
        );
    }
    for gen_time in [T - 60, T + 540] {
        ok(check(&instance, &instance.sign(&tsa_only(SignRequest::message(ARTIFACT), gen_time)).bundle, &identity()));
    }
}

#[test]
fn one_backdated_timestamp_does_not_become_the_validation_time() {
    // TOB-SIGSTORE-4 (earliest timestamp wins): every verified time must be inside the leaf's
    // validity, so a backdated token beside a good log time fails rather than wins.
    let instance = Instance::new(332);
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_tsa(T - 3600));
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::CertificateChain, "not at verified time");
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_tsa(T + 30));
    assert_eq!(ok(check(&instance, &signed.bundle, &identity())).verified_times.len(), 2);
}

#[test]
fn timestamp_in_the_future_is_refused() {
    let instance = Instance::new(333);
    let signed = instance.sign(&tsa_only(SignRequest::message(ARTIFACT), T + 100));
    refused(
        check(&instance, &signed.bundle, &identity().with_current_time(Timestamp::from_unix(T + 99))),
        ErrorCode::TimestampThreshold,
        "in the future",
    );
    ok(check(&instance, &signed.bundle, &identity().with_current_time(Timestamp::from_unix(T + 100))));
}

#[test]
fn managed_key_bundles_take_times_from_the_same_sources() {
    // GHSA-wqqc-jjcq-vfxm is about a key validity window; the policy API has no such window, so
    // this only pins that key bundles still need a verified time (no clock fallback).
    let instance = Instance::new(334);
    let mut signed = instance
        .sign(&SignRequest::message(ARTIFACT).with_managed_key().with_tlog(Tlog::v2(V2Kind::HashedRekord)).with_tsa(T));
    let policy = Policy::public_key(sigstore_wasm::crypto::PublicKey::from_pem(&signed.public_key_pem).unwrap());
    ok(check(&instance, &signed.bundle, &policy));
    signed.bundle["verificationMaterial"].as_object_mut().unwrap().remove("timestampVerificationData");
    refused(check(&instance, &signed.bundle, &policy), ErrorCode::TimestampThreshold, "0 verified time");
}

#[test]
fn trusted_root_windows_without_a_start_are_refused() {
    // Conformance trust-root-tlog-missing-validity-start_fail: "no start" must not mean "always".
    let instance = Instance::new(335);
    for (list, index, path) in [("tlogs", 1, "publicKey"), ("tlogs", 0, "publicKey"), ("ctlogs", 0, "publicKey")] {
        let mut root = instance.trusted_root();
        root[list][index][path]["validFor"] = json!({});
        let err = TrustedRoot::from_json(&root.to_string()).unwrap_err();
        assert_eq!(err.code, ErrorCode::TrustedRoot, "{err}");
    }
    let mut root = instance.trusted_root();
    root["timestampAuthorities"][0]["validFor"] = json!({ "end": rfc3339(Y2040) });
    assert_eq!(TrustedRoot::from_json(&root.to_string()).unwrap_err().code, ErrorCode::TrustedRoot);
}
