//! Attack suite, part 2: transparency log entries. Binding of the entry to the bundle per kind,
//! signed entry timestamps, integrated time, inclusion proofs, checkpoints and the log threshold.
//! See `attacks.rs` for the overview; each test names the advisory it guards against.
//!
//! Where an attack needs a *validly logged* but wrong entry (anyone can submit anything to a
//! public log), the test builds the body it wants and has the instance's log sign it
//! (`relogged`). What an attacker cannot do — re-sign a SET or checkpoint over altered data — is
//! simulated by editing fields without re-signing.

mod support;

use serde_json::{json, Value};
use sigstore_wasm::crypto::PublicKey;
use sigstore_wasm::error::ErrorCode;
use sigstore_wasm::policy::Policy;
use sigstore_wasm::time::Timestamp;
use sigstore_wasm::verify::VerifiedTime;
use support::instance::encoding::{b64, canonical_json, hex, pem, rfc3339, unb64};
use support::instance::keys::KeyPair;
use support::instance::rekor::{checkpoint_text, signed_note, NoteSignature};
use support::instance::*;
use support::verify::*;

// ---------------------------------------------------------------------------------------------
// Helpers

fn entries_mut(bundle: &mut Value) -> &mut Vec<Value> {
    bundle["verificationMaterial"]["tlogEntries"].as_array_mut().unwrap()
}

fn body_of(bundle: &Value) -> Value {
    let text = bundle["verificationMaterial"]["tlogEntries"][0]["canonicalizedBody"].as_str().unwrap();
    serde_json::from_slice(&unb64(text)).unwrap()
}

/// A log entry for `body` that the instance's log (v1, or v2 for 0.0.2 kinds other than intoto)
/// validly signed, at the default position and time.
fn log_entry(instance: &Instance, body: &Value, shape: TreeShape) -> Value {
    let bytes = canonical_json(body).into_bytes();
    let kind = body["kind"].as_str().unwrap();
    let version = body["apiVersion"].as_str().unwrap();
    if version == "0.0.2" && kind != "intoto" {
        instance.rekor_v2.entry(&bytes, kind, shape)
    } else {
        instance.rekor_v1.entry(&bytes, (kind, version), shape, T, V1Parts::default())
    }
}

/// `bundle` with its entry replaced by a validly logged entry for its body changed by `change`.
fn relogged(instance: &Instance, bundle: &Value, change: impl FnOnce(&mut Value)) -> Value {
    let mut body = body_of(bundle);
    change(&mut body);
    let mut out = bundle.clone();
    *entry_mut(&mut out) = log_entry(instance, &body, TreeShape::default());
    out
}

/// Each change to `bundle`'s entry body, validly re-logged, is refused as a body mismatch whose
/// message names its fragment.
#[track_caller]
fn relogged_refused(instance: &Instance, bundle: &Value, cases: Vec<(Mutation<'_>, &str)>) {
    for (change, fragment) in cases {
        let bundle = relogged(instance, bundle, change);
        refused(check(instance, &bundle, &identity()), ErrorCode::TlogBodyMismatch, fragment);
    }
}

/// Each change to `bundle`'s first entry (unsigned: the log did not re-sign it) is refused with
/// its code.
#[track_caller]
fn entry_changes_refused(instance: &Instance, bundle: &Value, cases: Vec<(Mutation<'_>, ErrorCode)>) {
    for (i, (change, code)) in cases.into_iter().enumerate() {
        let mut bundle = bundle.clone();
        change(entry_mut(&mut bundle));
        let err = check(instance, &bundle, &identity()).err().unwrap_or_else(|| panic!("case {i} verified"));
        assert_eq!(err.code, code, "case {i}: {err}");
    }
}

fn pem_b64(label: &str, der: &[u8]) -> Value {
    json!(b64(pem(label, der).as_bytes()))
}

/// A checkpoint over `text` with one signature line: `name`, the hint from `key_id`, and
/// `key`'s signature.
fn note_signed_by(name: &str, key_id: &[u8], key: &KeyPair, text: &str) -> String {
    signed_note(
        text,
        &[NoteSignature {
            name: name.to_owned(),
            hint: key_id[..4].try_into().unwrap(),
            signature: key.sign(text.as_bytes()),
        }],
    )
}

/// A Rekor v1 checkpoint over `text`, validly signed by the instance's v1 log.
fn v1_note(instance: &Instance, text: &str) -> String {
    let log = &instance.rekor_v1;
    note_signed_by(&log.host, &log.log_id, &log.key, text)
}

/// A Rekor v2 checkpoint over `text`, validly signed by the instance's v2 log.
fn v2_note(instance: &Instance, text: &str) -> String {
    let log = &instance.rekor_v2;
    note_signed_by(&log.origin, &log.key_id, &log.key, text)
}

fn proof_root(bundle: &Value) -> [u8; 32] {
    unb64(bundle["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["rootHash"].as_str().unwrap())
        .try_into()
        .unwrap()
}

/// A copy of `bundle` whose first entry carries the checkpoint `note`.
fn with_checkpoint(bundle: &Value, note: &str) -> Value {
    let mut bundle = bundle.clone();
    entry_mut(&mut bundle)["inclusionProof"]["checkpoint"]["envelope"] = json!(note);
    bundle
}

fn checkpoint_of(bundle: &Value) -> String {
    bundle["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]["envelope"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn v2_request(request: SignRequest, kind: V2Kind) -> SignRequest {
    request.with_tlog(Tlog::v2(kind)).with_tsa(T)
}

// ---------------------------------------------------------------------------------------------
// Entry ↔ bundle binding (CVE-2022-36056 (1), CVE-2026-22703, CVE-2022-23649; conformance
// wrong-hashedrekord-*, incorrect-public-key, dsse-mismatch-envelope, intoto-log-entry-mismatch,
// rekor2-dsse-mismatch-sig)

#[test]
fn hashedrekord_v001_entry_must_name_this_digest_signature_and_certificate() {
    let instance = Instance::new(201);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let other = instance.sign(&SignRequest { key_seed: 7, ..SignRequest::message(b"other artifact") });
    // The helper's re-logged copy of the unchanged body verifies.
    ok(check(&instance, &relogged(&instance, &signed.bundle, |_| {}), &identity()));

    let digest = relogged(&instance, &signed.bundle, |b| {
        b["spec"]["data"]["hash"]["value"] = json!(hex(&HashAlg::Sha256.digest(b"other")))
    });
    refused(check(&instance, &digest, &identity()), ErrorCode::TlogBodyMismatch, "artifact digest");
    let signature =
        relogged(&instance, &signed.bundle, |b| b["spec"]["signature"]["content"] = json!(b64(&other.signature)));
    refused(check(&instance, &signature, &identity()), ErrorCode::TlogBodyMismatch, "different signature");
    let certificate = relogged(&instance, &signed.bundle, |b| {
        b["spec"]["signature"]["publicKey"]["content"] = pem_b64("CERTIFICATE", other.leaf_der.as_ref().unwrap())
    });
    refused(check(&instance, &certificate, &identity()), ErrorCode::TlogBodyMismatch, "different signer");
    // The leaf's own key as a bare PUBLIC KEY is not the certificate (key/cert confusion).
    let key = relogged(&instance, &signed.bundle, |b| {
        b["spec"]["signature"]["publicKey"]["content"] = pem_b64("PUBLIC KEY", &signed.public_key_der)
    });
    refused(check(&instance, &key, &identity()), ErrorCode::TlogBodyMismatch, "different signer");
    // A digest algorithm the entry cannot be compared under.
    let md5 = relogged(&instance, &signed.bundle, |b| {
        b["spec"]["data"]["hash"] = json!({ "algorithm": "md5", "value": "00" })
    });
    refused(check(&instance, &md5, &identity()), ErrorCode::TlogBodyMismatch, "unsupported digest algorithm");

    // The realistic swap: another bundle's complete, valid entry.
    let mut swapped = signed.bundle.clone();
    *entry_mut(&mut swapped) = other.bundle["verificationMaterial"]["tlogEntries"][0].clone();
    refused(check(&instance, &swapped, &identity()), ErrorCode::TlogBodyMismatch, "");
}

#[test]
fn hashedrekord_v001_entry_must_name_the_managed_key() {
    let instance = Instance::new(202);
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_managed_key());
    let other = instance.sign(&SignRequest { key_seed: 3, ..SignRequest::message(ARTIFACT).with_managed_key() });
    let policy = Policy::public_key(PublicKey::from_pem(&signed.public_key_pem).unwrap());
    ok(check(&instance, &signed.bundle, &policy));
    let bundle = relogged(&instance, &signed.bundle, |b| {
        b["spec"]["signature"]["publicKey"]["content"] = pem_b64("PUBLIC KEY", &other.public_key_der)
    });
    refused(check(&instance, &bundle, &policy), ErrorCode::TlogBodyMismatch, "different signer");
}

#[test]
fn entry_kind_must_agree_with_its_body_and_content() {
    let instance = Instance::new(203);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    for (kind, version) in [("dsse", "0.0.1"), ("hashedrekord", "0.0.2"), ("intoto", "0.0.2")] {
        let mut bundle = signed.bundle.clone();
        entry_mut(&mut bundle)["kindVersion"] = json!({ "kind": kind, "version": version });
        refused(check(&instance, &bundle, &identity()), ErrorCode::TlogBodyMismatch, "entry claims");
    }
    for (kind, version) in [("rekord", "0.0.2"), ("helm", "0.0.1"), ("hashedrekord", "0.0.3"), ("", "")] {
        let mut bundle = signed.bundle.clone();
        entry_mut(&mut bundle)["kindVersion"] = json!({ "kind": kind, "version": version });
        refused(check(&instance, &bundle, &identity()), ErrorCode::TlogEntry, "unsupported tlog entry kind");
    }
    // A hashedrekord entry cannot stand for a DSSE envelope, nor a dsse entry for a message.
    let dsse = instance.sign(&SignRequest::in_toto("a.txt", ARTIFACT));
    let mut bundle = dsse.bundle.clone();
    *entry_mut(&mut bundle) = signed.bundle["verificationMaterial"]["tlogEntries"][0].clone();
    refused(check(&instance, &bundle, &identity()), ErrorCode::TlogBodyMismatch, "cannot record a DSSE envelope");
    let mut bundle = signed.bundle.clone();
    *entry_mut(&mut bundle) = dsse.bundle["verificationMaterial"]["tlogEntries"][0].clone();
    refused(check(&instance, &bundle, &identity()), ErrorCode::TlogBodyMismatch, "cannot record a message signature");
    // An unreadable body.
    let mut bundle = signed.bundle.clone();
    entry_mut(&mut bundle)["canonicalizedBody"] = json!(b64(b"{\"kind\":\"hashedrekord\""));
    refused(check(&instance, &bundle, &identity()), ErrorCode::TlogBodyMismatch, "cannot be read");
}

#[test]
fn dsse_v001_entry_must_name_this_payload_signature_and_verifier() {
    let instance = Instance::new(204);
    let signed = instance.sign(&SignRequest::in_toto("a.txt", ARTIFACT));
    let other = instance.sign(&SignRequest { key_seed: 2, ..SignRequest::in_toto("b.txt", b"other") });
    ok(check(&instance, &relogged(&instance, &signed.bundle, |_| {}), &identity()));
    let cases: Vec<(Mutation<'_>, &str)> = vec![
        (Box::new(|b| b["spec"]["payloadHash"]["value"] = json!(hex(&HashAlg::Sha256.digest(b"x")))), "payloadHash"),
        (Box::new(|b| b["spec"]["payloadHash"]["algorithm"] = json!("md5")), "payloadHash"),
        (Box::new(|b| b["spec"]["signatures"][0]["signature"] = json!(b64(&other.signature))), "different signature"),
        (
            Box::new(|b| {
                b["spec"]["signatures"][0]["verifier"] = pem_b64("CERTIFICATE", other.leaf_der.as_ref().unwrap())
            }),
            "different signer",
        ),
        (
            Box::new(|b| {
                let sig = b["spec"]["signatures"][0].clone();
                b["spec"]["signatures"].as_array_mut().unwrap().push(sig);
            }),
            "2 signatures",
        ),
    ];
    relogged_refused(&instance, &signed.bundle, cases);
}

#[test]
fn intoto_v002_entry_must_name_this_envelope() {
    let instance = Instance::new(205);
    let signed = instance.sign(&SignRequest::in_toto("a.txt", ARTIFACT).with_tlog(Tlog::v1(V1Kind::Intoto)));
    let other = instance.sign(&SignRequest {
        key_seed: 2,
        ..SignRequest::in_toto("b.txt", b"other").with_tlog(Tlog::v1(V1Kind::Intoto))
    });
    ok(check(&instance, &relogged(&instance, &signed.bundle, |_| {}), &identity()));
    // Canonicalized bodies usually drop the payload, keeping only payloadHash: still bound.
    let hash_only = relogged(&instance, &signed.bundle, |b| {
        b["spec"]["content"]["envelope"].as_object_mut().unwrap().remove("payload");
    });
    ok(check(&instance, &hash_only, &identity()));
    let double = |bytes: &[u8]| json!(b64(b64(bytes).as_bytes()));
    let other_payload = unb64(other.bundle["dsseEnvelope"]["payload"].as_str().unwrap());
    let cases: Vec<(Mutation<'_>, &str)> = vec![
        (
            Box::new(|b| b["spec"]["content"]["payloadHash"]["value"] = json!(hex(&HashAlg::Sha256.digest(b"x")))),
            "payloadHash",
        ),
        (Box::new(|b| b["spec"]["content"]["envelope"]["payload"] = double(&other_payload)), "payload"),
        (Box::new(|b| b["spec"]["content"]["envelope"]["payloadType"] = json!("text/plain")), "payloadType"),
        (
            Box::new(|b| b["spec"]["content"]["envelope"]["signatures"][0]["sig"] = double(&other.signature)),
            "signature",
        ),
        // Single base64 of the right signature is not the double-base64 Rekor stores.
        (
            Box::new(|b| b["spec"]["content"]["envelope"]["signatures"][0]["sig"] = json!(b64(&signed.signature))),
            "signature",
        ),
        (
            Box::new(|b| {
                b["spec"]["content"]["envelope"]["signatures"][0]["publicKey"] =
                    pem_b64("CERTIFICATE", other.leaf_der.as_ref().unwrap())
            }),
            "different signer",
        ),
        (
            Box::new(|b| {
                let sig = b["spec"]["content"]["envelope"]["signatures"][0].clone();
                b["spec"]["content"]["envelope"]["signatures"].as_array_mut().unwrap().push(sig);
            }),
            "2 signatures",
        ),
    ];
    relogged_refused(&instance, &signed.bundle, cases);
}

#[test]
fn hashedrekord_v002_entry_must_name_this_digest_signature_and_verifier() {
    let instance = Instance::new(206);
    let signed = instance.sign(&v2_request(SignRequest::message(ARTIFACT), V2Kind::HashedRekord));
    let other =
        instance.sign(&SignRequest { key_seed: 4, ..v2_request(SignRequest::message(b"other"), V2Kind::HashedRekord) });
    ok(check(&instance, &relogged(&instance, &signed.bundle, |_| {}), &identity()));
    let cases: Vec<(Mutation<'_>, &str)> = vec![
        (
            Box::new(|b| {
                b["spec"]["hashedRekordV002"]["data"]["digest"] = json!(b64(&HashAlg::Sha256.digest(b"other")))
            }),
            "artifact digest",
        ),
        (
            Box::new(|b| b["spec"]["hashedRekordV002"]["data"]["algorithm"] = json!("MD5")),
            "unsupported digest algorithm",
        ),
        (
            Box::new(|b| b["spec"]["hashedRekordV002"]["signature"]["content"] = json!(b64(&other.signature))),
            "different signature",
        ),
        (
            Box::new(|b| {
                b["spec"]["hashedRekordV002"]["signature"]["verifier"]["x509Certificate"]["rawBytes"] =
                    json!(b64(other.leaf_der.as_ref().unwrap()))
            }),
            "verifier",
        ),
        (
            Box::new(|b| {
                let v = &mut b["spec"]["hashedRekordV002"]["signature"]["verifier"];
                v.as_object_mut().unwrap().remove("x509Certificate");
                v["publicKey"] = json!({ "rawBytes": b64(&other.public_key_der) });
            }),
            "verifier",
        ),
        // Both a certificate and a key: ambiguous, refused.
        (
            Box::new(|b| {
                b["spec"]["hashedRekordV002"]["signature"]["verifier"]["publicKey"] =
                    json!({ "rawBytes": b64(&signed.public_key_der) })
            }),
            "verifier",
        ),
    ];
    relogged_refused(&instance, &signed.bundle, cases);
    // The leaf's own key as the verifier is accepted (prod rekor2-prod-hashedrekord shape).
    let key = relogged(&instance, &signed.bundle, |b| {
        let v = &mut b["spec"]["hashedRekordV002"]["signature"]["verifier"];
        v.as_object_mut().unwrap().remove("x509Certificate");
        v["publicKey"] = json!({ "rawBytes": b64(&signed.public_key_der) });
    });
    ok(check(&instance, &key, &identity()));
}

#[test]
fn dsse_v002_entry_must_name_this_payload_signature_and_verifier() {
    let instance = Instance::new(207);
    let signed = instance.sign(&v2_request(SignRequest::in_toto("a.txt", ARTIFACT), V2Kind::Dsse));
    let other = instance
        .sign(&SignRequest { key_seed: 4, ..v2_request(SignRequest::in_toto("b.txt", b"other"), V2Kind::Dsse) });
    ok(check(&instance, &relogged(&instance, &signed.bundle, |_| {}), &identity()));
    let cases: Vec<(Mutation<'_>, &str)> = vec![
        (
            Box::new(|b| b["spec"]["dsseV002"]["payloadHash"]["digest"] = json!(b64(&HashAlg::Sha256.digest(b"x")))),
            "payloadHash",
        ),
        (
            Box::new(|b| b["spec"]["dsseV002"]["signatures"][0]["content"] = json!(b64(&other.signature))),
            "different signature",
        ),
        (
            Box::new(|b| {
                b["spec"]["dsseV002"]["signatures"][0]["verifier"]["x509Certificate"]["rawBytes"] =
                    json!(b64(other.leaf_der.as_ref().unwrap()))
            }),
            "verifier",
        ),
        (
            Box::new(|b| {
                let sig = b["spec"]["dsseV002"]["signatures"][0].clone();
                b["spec"]["dsseV002"]["signatures"].as_array_mut().unwrap().push(sig);
            }),
            "2 signatures",
        ),
    ];
    relogged_refused(&instance, &signed.bundle, cases);
    // The DSSE-as-hashedrekord form must hash this envelope's PAE.
    let as_hr = instance.sign(&v2_request(SignRequest::in_toto("a.txt", ARTIFACT), V2Kind::HashedRekord));
    ok(check(&instance, &as_hr.bundle, &identity()));
    let bundle = relogged(&instance, &as_hr.bundle, |b| {
        b["spec"]["hashedRekordV002"]["data"]["digest"] = json!(b64(&HashAlg::Sha256.digest(ARTIFACT)))
    });
    refused(check(&instance, &bundle, &identity()), ErrorCode::TlogBodyMismatch, "PAE");
}

// ---------------------------------------------------------------------------------------------
// Signed entry timestamps and integrated time (CVE-2022-23649; TOB-SIGSTORE-2/3/7;
// conformance set-invalid-signature_fail)

#[test]
fn set_moved_from_another_bundle_is_refused() {
    let instance = Instance::new(210);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let other = instance.sign(&SignRequest::message(b"other artifact"));
    let other_entry = &other.bundle["verificationMaterial"]["tlogEntries"][0];
    let mut bundle = signed.bundle.clone();
    entry_mut(&mut bundle)["inclusionPromise"] = other_entry["inclusionPromise"].clone();
    refused(check(&instance, &bundle, &identity()), ErrorCode::Set, "does not verify");
    // The SET plus its integrated time and index.
    for field in ["integratedTime", "logIndex"] {
        entry_mut(&mut bundle)[field] = other_entry[field].clone();
    }
    refused(check(&instance, &bundle, &identity()), ErrorCode::Set, "does not verify");
    // A SET from the same log but another instance's key (log ID kept).
    let foreign = Instance::new(211).sign(&SignRequest::message(ARTIFACT));
    let mut bundle = signed.bundle.clone();
    entry_mut(&mut bundle)["inclusionPromise"] =
        foreign.bundle["verificationMaterial"]["tlogEntries"][0]["inclusionPromise"].clone();
    refused(check(&instance, &bundle, &identity()), ErrorCode::Set, "does not verify");
}

#[test]
fn altered_integrated_time_breaks_the_set() {
    let instance = Instance::new(212);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    for time in [T + 1, T - 1, T + 30] {
        let mut bundle = signed.bundle.clone();
        entry_mut(&mut bundle)["integratedTime"] = json!(time.to_string());
        refused(check(&instance, &bundle, &identity()), ErrorCode::Set, "does not verify");
    }
    // Removing the time while keeping the SET is no way around it.
    let mut bundle = signed.bundle.clone();
    entry_mut(&mut bundle).as_object_mut().unwrap().remove("integratedTime");
    refused(check(&instance, &bundle, &identity()), ErrorCode::Set, "no integratedTime");
}

#[test]
fn integrated_time_without_a_set_is_not_a_verified_time() {
    // TOB-SIGSTORE-2/3, sigstore-js GH#1659: an unsigned integratedTime must not count.
    let instance = Instance::new(213);
    let mut request = SignRequest::message(ARTIFACT);
    request.tlog = Tlog::RekorV1 { kind: V1Kind::HashedRekord, set: false, proof: true, checkpoint: true };
    let signed = instance.sign(&request);
    assert!(signed.bundle["verificationMaterial"]["tlogEntries"][0]["integratedTime"].is_string());
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::TimestampThreshold, "0 verified time");
    // With a TSA, the TSA time is the only verified time and the entry reports no time.
    let mut with_tsa = request.clone().with_tsa(T + 10);
    with_tsa.tlog = request.tlog;
    let signed = instance.sign(&with_tsa);
    let result = ok(check(&instance, &signed.bundle, &identity()));
    assert_eq!(result.tlog_entries[0].integrated_time, None);
    assert!(!result.tlog_entries[0].promise);
    assert_eq!(result.verified_times.len(), 1);
    assert!(matches!(result.verified_times[0], VerifiedTime::TimestampAuthority { .. }));
    // Rekor v2 entries never give a time, even with an integratedTime field added.
    let mut v2 = instance.sign(&v2_request(SignRequest::message(ARTIFACT), V2Kind::HashedRekord));
    v2.bundle["verificationMaterial"].as_object_mut().unwrap().remove("timestampVerificationData");
    entry_mut(&mut v2.bundle)["integratedTime"] = json!(T.to_string());
    refused(check(&instance, &v2.bundle, &identity()), ErrorCode::TimestampThreshold, "0 verified time");
}

#[test]
fn v01_requires_a_set_and_v02_requires_a_checkpointed_proof() {
    let instance = Instance::new(214);
    let v01 = instance.sign(&SignRequest::message(ARTIFACT).with_media_type(MediaType::V01));
    let mut bundle = v01.bundle.clone();
    entry_mut(&mut bundle).as_object_mut().unwrap().remove("inclusionPromise");
    refused(check(&instance, &bundle, &identity()), ErrorCode::TlogEntry, "inclusion promise");
    // v0.1 may omit the proof: the SET is the proof. A proof without its checkpoint is
    // malformed at every version (protobuf-specs: REQUIRED; sigstore-python refuses it).
    let mut no_proof = v01.bundle.clone();
    entry_mut(&mut no_proof).as_object_mut().unwrap().remove("inclusionProof");
    ok(check(&instance, &no_proof, &identity()));
    let mut no_checkpoint = v01.bundle.clone();
    entry_mut(&mut no_checkpoint)["inclusionProof"].as_object_mut().unwrap().remove("checkpoint");
    refused(check(&instance, &no_checkpoint, &identity()), ErrorCode::TlogEntry, "has no checkpoint");
    entry_mut(&mut no_checkpoint)["inclusionProof"]["checkpoint"] = json!({ "envelope": "" });
    refused(check(&instance, &no_checkpoint, &identity()), ErrorCode::TlogEntry, "has no checkpoint");

    for media in [MediaType::V02, MediaType::V03] {
        let signed = instance.sign(&SignRequest::message(ARTIFACT).with_media_type(media));
        let mut bundle = signed.bundle.clone();
        entry_mut(&mut bundle).as_object_mut().unwrap().remove("inclusionProof");
        refused(check(&instance, &bundle, &identity()), ErrorCode::TlogEntry, "inclusion proof with a checkpoint");
        let mut bundle = signed.bundle.clone();
        entry_mut(&mut bundle)["inclusionProof"].as_object_mut().unwrap().remove("checkpoint");
        refused(
            check(&instance, &bundle, &identity()),
            ErrorCode::TlogEntry,
            "tlogEntries[0]: the inclusion proof has no checkpoint",
        );
    }
    // Rekor v2: the proof is everything.
    let v2 = instance.sign(&v2_request(SignRequest::message(ARTIFACT), V2Kind::HashedRekord));
    let mut bundle = v2.bundle.clone();
    entry_mut(&mut bundle).as_object_mut().unwrap().remove("inclusionProof");
    refused(check(&instance, &bundle, &identity()), ErrorCode::TlogEntry, "inclusion proof");
}

#[test]
fn integrated_time_outside_the_leaf_validity_is_refused() {
    // Conformance intoto-expired-certificate_fail; GO checks any integratedTime against the leaf.
    let instance = Instance::new(215);
    for integrated in [T + LEAF_LIFETIME, T + 3600, T - 61] {
        let request = SignRequest { integrated_time: Some(integrated), ..SignRequest::message(ARTIFACT) };
        let signed = instance.sign(&request);
        refused(
            check(&instance, &signed.bundle, &identity()),
            ErrorCode::CertificateChain,
            "the signing certificate is valid from",
        );
    }
    // Both ends of the leaf's window are inside.
    for integrated in [T - 60, T + 540] {
        let signed =
            instance.sign(&SignRequest { integrated_time: Some(integrated), ..SignRequest::message(ARTIFACT) });
        ok(check(&instance, &signed.bundle, &identity()));
    }
}

#[test]
fn integrated_time_outside_the_log_key_window_is_refused() {
    let instance = Instance::new(216);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    for window in [json!({ "start": rfc3339(Y2020), "end": rfc3339(T - 1) }), json!({ "start": rfc3339(T + 1) })] {
        let mut root = instance.trusted_root();
        root["tlogs"][0]["publicKey"]["validFor"] = window;
        refused(check_root(&root, &signed.bundle, &identity()), ErrorCode::Set, "outside the validity");
    }
    // The window is inclusive at its end.
    let mut root = instance.trusted_root();
    root["tlogs"][0]["publicKey"]["validFor"] = json!({ "start": rfc3339(T), "end": rfc3339(T) });
    ok(check_root(&root, &signed.bundle, &identity()));
}

#[test]
fn integrated_time_in_the_future_is_refused_without_clock_skew() {
    // TOB-SIGSTORE-7: no 60 s grace.
    let instance = Instance::new(217);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    for now in [T - 1, T - 60, T - 86_400] {
        let policy = identity().with_current_time(Timestamp::from_unix(now));
        refused(check(&instance, &signed.bundle, &policy), ErrorCode::TlogEntry, "in the future");
    }
    ok(check(&instance, &signed.bundle, &identity().with_current_time(Timestamp::from_unix(T))));
}

// ---------------------------------------------------------------------------------------------
// Thresholds and duplicates (GHSA-9vcr-p3rj-q5q6; sigstore-js GH#1702)

#[test]
fn duplicate_tlog_entries_are_refused() {
    let instance = Instance::new(220);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let mut bundle = signed.bundle.clone();
    let entry = bundle["verificationMaterial"]["tlogEntries"][0].clone();
    entries_mut(&mut bundle).push(entry);
    for threshold in [1, 2] {
        let policy = identity_with(|p| p.tlog_threshold = threshold);
        refused(check(&instance, &bundle, &policy), ErrorCode::TlogEntry, "appears twice");
    }
}

#[test]
fn two_entries_from_one_log_do_not_meet_a_threshold_of_two() {
    let instance = Instance::new(221);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let body = body_of(&signed.bundle);
    let mut bundle = signed.bundle.clone();
    // The same body, validly logged a second time at another index of the same log.
    entries_mut(&mut bundle).push(log_entry(&instance, &body, TreeShape { index: 3, size: 14 }));
    let result = ok(check(&instance, &bundle, &identity()));
    assert_eq!(result.tlog_entries.len(), 2);
    assert_ne!(result.tlog_entries[0].log_index, result.tlog_entries[1].log_index);
    let policy = identity_with(|p| p.tlog_threshold = 2);
    refused(check(&instance, &bundle, &policy), ErrorCode::TlogThreshold, "1 distinct log");
}

#[test]
fn entries_from_two_distinct_logs_do_meet_a_threshold_of_two() {
    // The control for the test above: the threshold counts logs, and two logs suffice.
    let instance = Instance::new(222);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let leaf = signed.leaf_der.as_ref().unwrap();
    let v2_body = bodies::hashedrekord_v002(
        HashAlg::Sha256,
        &HashAlg::Sha256.digest(ARTIFACT),
        &signed.signature,
        bodies::v2_verifier("PKIX_ECDSA_P256_SHA_256", Some(leaf), &signed.public_key_der),
    );
    let mut bundle = signed.bundle.clone();
    entries_mut(&mut bundle).push(instance.rekor_v2.entry(&v2_body, "hashedrekord", TreeShape::default()));
    let mut policy = identity_with(|p| p.tlog_threshold = 2);
    let result = ok(check(&instance, &bundle, &policy));
    assert_eq!(result.tlog_entries.len(), 2);
    policy.tlog_threshold = 3;
    refused(check(&instance, &bundle, &policy), ErrorCode::TlogThreshold, "2 distinct log");
}

#[test]
fn entries_from_untrusted_logs_are_refused() {
    // Conformance bundle-from-wrong-instance_fail.
    let instance = Instance::new(223);
    let foreign = Instance::new(224);
    let signed = foreign.sign(&SignRequest::message(ARTIFACT));
    let index = signed.bundle["verificationMaterial"]["tlogEntries"][0]["logIndex"].as_str().unwrap().to_owned();
    let unknown =
        format!("entry {index} is from log {}, which the trusted root does not list", hex(&foreign.rekor_v1.log_id));
    refused(check(&instance, &signed.bundle, &identity()), ErrorCode::TlogEntry, &unknown);
    // Our own entry relabelled with another log's ID is an unknown log's entry.
    let ours = instance.sign(&SignRequest::message(ARTIFACT));
    let mut bundle = ours.bundle.clone();
    entry_mut(&mut bundle)["logId"] = json!({ "keyId": b64(&foreign.rekor_v1.log_id) });
    refused(check(&instance, &bundle, &identity()), ErrorCode::TlogEntry, &format!("tlogEntries[0]: {unknown}"));
    // A trusted root without logs trusts no entry.
    let mut root = instance.trusted_root();
    root["tlogs"] = json!([]);
    refused(check_root(&root, &ours.bundle, &identity()), ErrorCode::TlogEntry, "which the trusted root does not list");
    // An untrusted extra entry beside a good one fails the bundle, wherever it stands (as in
    // sigstore-go): an entry that cannot be verified is never skipped.
    let foreign_entry = signed.bundle["verificationMaterial"]["tlogEntries"][0].clone();
    let mut after = ours.bundle.clone();
    entries_mut(&mut after).push(foreign_entry.clone());
    refused(check(&instance, &after, &identity()), ErrorCode::TlogEntry, &format!("tlogEntries[1]: {unknown}"));
    let mut before = ours.bundle.clone();
    entries_mut(&mut before).insert(0, foreign_entry);
    refused(check(&instance, &before, &identity()), ErrorCode::TlogEntry, &format!("tlogEntries[0]: {unknown}"));
}

#[test]
fn an_entry_that_fails_beside_a_good_one_fails_the_bundle() {
    // Every entry is verified: a second entry from the same trusted log with a broken SET, a
    // broken proof or a key not valid at its time fails the bundle and names that entry.
    let instance = Instance::new(225);
    let ours = instance.sign(&SignRequest::message(ARTIFACT));
    let good = ours.bundle["verificationMaterial"]["tlogEntries"][0].clone();
    let cases: Vec<(Mutation<'_>, ErrorCode, &str)> = vec![
        (
            Box::new(|e| e["inclusionPromise"]["signedEntryTimestamp"] = json!(b64(&[0x30, 0x00]))),
            ErrorCode::Set,
            "does not verify",
        ),
        (Box::new(|e| e["inclusionProof"]["hashes"][0] = json!(b64(&[0u8; 32]))), ErrorCode::InclusionProof, ""),
        (Box::new(|e| e["integratedTime"] = json!("1000")), ErrorCode::Set, "outside the validity"),
    ];
    for (mutate, code, needle) in cases {
        let mut second = good.clone();
        mutate(&mut second);
        let mut bundle = ours.bundle.clone();
        entries_mut(&mut bundle).push(second);
        let err = check(&instance, &bundle, &identity()).unwrap_err();
        assert_eq!(err.code, code, "{err}");
        assert!(err.message.starts_with("tlogEntries[1]: ") && err.message.contains(needle), "{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Inclusion proofs (conformance invalid-inclusion-proof_fail, checkpoint-wrong-roothash_fail)

#[test]
fn tampered_inclusion_proofs_are_refused() {
    let instance = Instance::new(230);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let cases: Vec<(Mutation<'_>, ErrorCode)> = vec![
        (Box::new(|e| e["inclusionProof"]["hashes"][0] = json!(b64(&[0u8; 32]))), ErrorCode::InclusionProof),
        (Box::new(|e| e["inclusionProof"]["hashes"].as_array_mut().unwrap().truncate(1)), ErrorCode::InclusionProof),
        (Box::new(|e| e["inclusionProof"]["hashes"].as_array_mut().unwrap().reverse()), ErrorCode::InclusionProof),
        (Box::new(|e| e["inclusionProof"]["logIndex"] = json!("8")), ErrorCode::InclusionProof),
        // For index 9 the audit paths of trees of 14 and 15 leaves have the same shape, so the
        // proof still "verifies" for 15: only the checkpoint pins the size.
        (Box::new(|e| e["inclusionProof"]["treeSize"] = json!("15")), ErrorCode::Checkpoint),
        (Box::new(|e| e["inclusionProof"]["treeSize"] = json!("17")), ErrorCode::InclusionProof),
        (Box::new(|e| e["inclusionProof"]["rootHash"] = json!(b64(&[1u8; 32]))), ErrorCode::InclusionProof),
        (Box::new(|e| e["inclusionProof"]["rootHash"] = json!(b64(&[1u8; 31]))), ErrorCode::BundleParse),
    ];
    entry_changes_refused(&instance, &signed.bundle, cases);
}

#[test]
fn huge_indices_and_sizes_fail_cleanly() {
    // sigstore-js BigInt hardening: no panic, no overflow, a clean error.
    let instance = Instance::new(231);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let max = i64::MAX.to_string();
    let cases: Vec<(Mutation<'_>, ErrorCode)> = vec![
        (Box::new(|e| e["logIndex"] = json!(max)), ErrorCode::Set),
        (Box::new(|e| e["integratedTime"] = json!(max)), ErrorCode::Set),
        (Box::new(|e| e["inclusionProof"]["logIndex"] = json!(max)), ErrorCode::InclusionProof),
        (Box::new(|e| e["inclusionProof"]["treeSize"] = json!(max)), ErrorCode::InclusionProof),
        (
            Box::new(|e| {
                e["inclusionProof"]["logIndex"] = json!(max);
                e["inclusionProof"]["treeSize"] = json!(max);
            }),
            ErrorCode::InclusionProof,
        ),
        (Box::new(|e| e["inclusionProof"]["treeSize"] = json!("0")), ErrorCode::InclusionProof),
    ];
    entry_changes_refused(&instance, &signed.bundle, cases);
    // A checkpoint the log really signed for a huge tree: disagrees with the proof.
    let root = proof_root(&signed.bundle);
    let bundle = with_checkpoint(
        &signed.bundle,
        &v1_note(&instance, &checkpoint_text(&instance.rekor_v1.origin(), u64::MAX, &root, &[])),
    );
    refused(check(&instance, &bundle, &identity()), ErrorCode::Checkpoint, "tree size 18446744073709551615");
    // Rekor v2 with an index beyond every tree.
    let v2 = instance.sign(&v2_request(SignRequest::message(ARTIFACT), V2Kind::HashedRekord));
    let mut bundle = v2.bundle.clone();
    entry_mut(&mut bundle)["logIndex"] = json!(max);
    entry_mut(&mut bundle)["inclusionProof"]["logIndex"] = json!(max);
    refused(check(&instance, &bundle, &identity()), ErrorCode::InclusionProof, "");
    // v2 entry index must equal the proof's.
    let mut bundle = v2.bundle.clone();
    entry_mut(&mut bundle)["logIndex"] = json!("8");
    refused(check(&instance, &bundle, &identity()), ErrorCode::InclusionProof, "differs from entry index");
}

// ---------------------------------------------------------------------------------------------
// Checkpoints (sigstore-js checkpoint-name RegExp hardening; conformance rekor2-checkpoint-*,
// invalid-checkpoint-signature_fail)

#[test]
fn checkpoint_with_a_wrong_origin_is_refused_even_when_signed() {
    let instance = Instance::new(240);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let root = proof_root(&signed.bundle);
    // Control: our own re-signed checkpoint verifies.
    let bundle = with_checkpoint(
        &signed.bundle,
        &v1_note(&instance, &checkpoint_text(&instance.rekor_v1.origin(), 14, &root, &[])),
    );
    ok(check(&instance, &bundle, &identity()));
    for origin in ["evil.example - 1", "rekor.test.example.evil - 1", "rekor.test.example -", "", "rekor.test.exampl"] {
        let bundle = with_checkpoint(&signed.bundle, &v1_note(&instance, &checkpoint_text(origin, 14, &root, &[])));
        refused(check(&instance, &bundle, &identity()), ErrorCode::Checkpoint, "origin");
    }
    // Rekor v2 origins must match exactly (no "<host> - <tree>" form).
    let v2 = instance.sign(&v2_request(SignRequest::message(ARTIFACT), V2Kind::HashedRekord));
    let root = proof_root(&v2.bundle);
    let bundle =
        with_checkpoint(&v2.bundle, &v2_note(&instance, &checkpoint_text(&instance.rekor_v2.origin, 14, &root, &[])));
    ok(check(&instance, &bundle, &identity()));
    let bundle = with_checkpoint(
        &v2.bundle,
        &v2_note(&instance, &checkpoint_text(&format!("{} - 1", instance.rekor_v2.origin), 14, &root, &[])),
    );
    refused(check(&instance, &bundle, &identity()), ErrorCode::Checkpoint, "origin");
}

#[test]
fn checkpoint_with_missing_lines_is_refused() {
    let instance = Instance::new(241);
    for signed in [
        instance.sign(&SignRequest::message(ARTIFACT)),
        instance.sign(&v2_request(SignRequest::message(ARTIFACT), V2Kind::HashedRekord)),
    ] {
        let note = checkpoint_of(&signed.bundle);
        let (text, sigs) = note.split_once("\n\n").unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        // Each of origin, size and root removed (signature then no longer verifies).
        for skip in 0..3 {
            let kept: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, l)| *l).collect();
            let bundle = with_checkpoint(&signed.bundle, &format!("{}\n\n{sigs}", kept.join("\n")));
            refused(check(&instance, &bundle, &identity()), ErrorCode::Checkpoint, "");
        }
        // Signature lines removed.
        let bundle = with_checkpoint(&signed.bundle, &format!("{text}\n\n"));
        refused(check(&instance, &bundle, &identity()), ErrorCode::Checkpoint, "no signature lines");
        // Signature corrupted.
        let bundle = with_checkpoint(&signed.bundle, &note.replacen(&lines[1].to_string(), "15", 1));
        refused(check(&instance, &bundle, &identity()), ErrorCode::Checkpoint, "does not verify");
    }
    // A text the log did sign but that lacks the root line: refused when parsed.
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let bundle = with_checkpoint(&signed.bundle, &v1_note(&instance, &format!("{}\n14\n", instance.rekor_v1.origin())));
    refused(check(&instance, &bundle, &identity()), ErrorCode::Checkpoint, "expected origin, tree size and root hash");
}

#[test]
fn checkpoint_witness_lines_and_order_are_tolerated() {
    let instance = Instance::new(242);
    let witness = Instance::new(243);
    for signed in [
        instance.sign(&SignRequest::message(ARTIFACT)),
        instance.sign(&v2_request(SignRequest::message(ARTIFACT), V2Kind::HashedRekord)),
    ] {
        let note = checkpoint_of(&signed.bundle);
        let (text, log_line) = note.split_once("\n\n").unwrap();
        let cosig = |name: &str| {
            let mut blob = vec![1, 2, 3, 4];
            blob.extend(witness.rekor_v2.key.sign(format!("{text}\n").as_bytes()));
            format!("\u{2014} {name} {}\n", b64(&blob))
        };
        let witnesses = format!("{}{}", cosig("witness.example/w1"), cosig("other-witness.example"));
        // Witness cosignatures after the log's line.
        let bundle = with_checkpoint(&signed.bundle, &format!("{note}{witnesses}"));
        ok(check(&instance, &bundle, &identity()));
        // The log's line not first.
        let bundle = with_checkpoint(&signed.bundle, &format!("{text}\n\n{witnesses}{log_line}"));
        ok(check(&instance, &bundle, &identity()));
        // Witness lines alone are not the log's signature.
        let bundle = with_checkpoint(&signed.bundle, &format!("{text}\n\n{witnesses}"));
        refused(check(&instance, &bundle, &identity()), ErrorCode::Checkpoint, "no signature by");
    }
}

#[test]
fn checkpoint_signer_names_are_not_patterns() {
    let instance = Instance::new(244);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let note = checkpoint_of(&signed.bundle);
    let host = &instance.rekor_v1.host;
    for name in [
        ".*",
        "rekor.test.example|.*",
        "rekor[.]test[.]example",
        "^rekor.test.example$",
        "rekorXtestXexample",
        "rekor\\.test\\.example",
        "(a|b)[\\",
    ] {
        let renamed = note.replace(&format!("\u{2014} {host} "), &format!("\u{2014} {name} "));
        assert_ne!(renamed, note);
        let bundle = with_checkpoint(&signed.bundle, &renamed);
        refused(check(&instance, &bundle, &identity()), ErrorCode::Checkpoint, "no signature by rekor.test.example");
    }
    // A log whose trusted name is itself metacharacter-laden only matches literally.
    let mut root = instance.trusted_root();
    root["tlogs"][0]["baseUrl"] = json!("https://rekor.test.exampl.");
    refused(
        check_root(&root, &signed.bundle, &identity()),
        ErrorCode::Checkpoint,
        "no signature by rekor.test.exampl.",
    );
}

#[test]
fn checkpoint_for_another_tree_is_refused_even_when_signed() {
    let instance = Instance::new(245);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let root = proof_root(&signed.bundle);
    for (size, hash) in [(14u64, [9u8; 32]), (15, root), (13, root)] {
        let bundle = with_checkpoint(
            &signed.bundle,
            &v1_note(&instance, &checkpoint_text(&instance.rekor_v1.origin(), size, &hash, &[])),
        );
        refused(check(&instance, &bundle, &identity()), ErrorCode::Checkpoint, "checkpoint is for tree size");
    }
    // Another instance's log signing our tree: not our log's signature.
    let foreign = Instance::new(246);
    let bundle = with_checkpoint(
        &signed.bundle,
        &v1_note(&foreign, &checkpoint_text(&instance.rekor_v1.origin(), 14, &root, &[])),
    );
    refused(check(&instance, &bundle, &identity()), ErrorCode::Checkpoint, "");
}

/// An alias key ID for a log: same first four bytes (the checkpoint key hint), different rest.
fn alias_of(id: &[u8]) -> Vec<u8> {
    let mut alias = id.to_vec();
    for byte in &mut alias[4..] {
        *byte ^= 0xff;
    }
    alias
}

#[test]
fn an_alias_log_id_still_names_the_log() {
    // Control for the next test: an entry naming its log by `checkpointKeyId` is accepted.
    let instance = Instance::new(250);
    let signed = instance.sign(&v2_request(SignRequest::message(ARTIFACT), V2Kind::HashedRekord));
    let alias = alias_of(&instance.rekor_v2.key_id);
    let mut root = instance.trusted_root();
    root["tlogs"][1]["checkpointKeyId"] = json!({ "keyId": b64(&alias) });
    ok(check_root(&root, &signed.bundle, &identity()));
    let mut bundle = signed.bundle.clone();
    entry_mut(&mut bundle)["logId"] = json!({ "keyId": b64(&alias) });
    ok(check_root(&root, &bundle, &identity()));
}

#[test]
fn one_log_named_by_two_ids_counts_once() {
    // GHSA-9vcr-p3rj-q5q6: the same entry (or two entries of one log) presented once under the
    // log's `logId` and once under its `checkpointKeyId` must not satisfy tlog_threshold = 2.
    let instance = Instance::new(251);
    let two = identity_with(|p| p.tlog_threshold = 2);
    // `bundle` with its entry twice, the copy naming the log `tlogs[log]` of the root by `alias`,
    // which the root lists as that log's `checkpointKeyId`.
    let twice = |bundle: &Value, log: usize, alias: &[u8]| {
        let mut root = instance.trusted_root();
        root["tlogs"][log]["checkpointKeyId"] = json!({ "keyId": b64(alias) });
        let mut bundle = bundle.clone();
        let mut copy = bundle["verificationMaterial"]["tlogEntries"][0].clone();
        copy["logId"] = json!({ "keyId": b64(alias) });
        entries_mut(&mut bundle).push(copy);
        check_root(&root, &bundle, &two)
    };
    // Rekor v2 (no SET binds the log ID): the very same entry twice.
    let signed = instance.sign(&v2_request(SignRequest::message(ARTIFACT), V2Kind::HashedRekord));
    let outcome = twice(&signed.bundle, 1, &alias_of(&instance.rekor_v2.key_id));
    assert!(
        matches!(&outcome, Err(e) if e.code == ErrorCode::TlogThreshold || e.code == ErrorCode::TlogEntry),
        "one log satisfied a threshold of two: {:?}",
        outcome.as_ref().map(|r| r.tlog_entries.iter().map(|e| e.log_id.clone()).collect::<Vec<_>>())
    );
    // Rekor v1 entries without a SET (v0.2+): the same.
    let mut request = SignRequest::message(ARTIFACT);
    request.tlog = Tlog::RekorV1 { kind: V1Kind::HashedRekord, set: false, proof: true, checkpoint: true };
    let signed = instance.sign(&request.with_tsa(T));
    let outcome = twice(&signed.bundle, 0, &alias_of(&instance.rekor_v1.log_id));
    assert!(
        matches!(&outcome, Err(e) if e.code == ErrorCode::TlogThreshold || e.code == ErrorCode::TlogEntry),
        "v1: {:?}",
        outcome.err()
    );
}

#[test]
fn two_entries_from_one_log_give_one_verified_time() {
    // verification-algorithm.md §10.1 step 2: "Count at most one time per log" (GO
    // hasTimestampMap[keyID]); the verifier already does this per TSA authority.
    let instance = Instance::new(252);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let body = body_of(&signed.bundle);
    let mut bundle = signed.bundle.clone();
    entries_mut(&mut bundle).push(log_entry(&instance, &body, TreeShape { index: 3, size: 14 }));
    let policy = identity_with(|p| p.timestamp_threshold = 2);
    let outcome = check(&instance, &bundle, &policy);
    refused(outcome, ErrorCode::TimestampThreshold, "");
}
