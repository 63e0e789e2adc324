//! Real cosign and Rekor data (tests/data/realworld): production Rekor bundle annotations of
//! 2021 legacy signatures, a production attestation bundle as cosign attaches it, a legacy keyed
//! `.sig` manifest made by cosign, and an entry as the staging Rekor API returns it. The minted
//! world of `tests/oci.rs` covers every format and attack; these check that the formats are the
//! ones cosign and Rekor really write.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sigstore_wasm::artifact::Artifact;
use sigstore_wasm::bundle::{Content, MessageSignature};
use sigstore_wasm::cosign::discover::{Content as Found, Discovery, Format, Image, Source};
use sigstore_wasm::cosign::legacy::{Layer, LayerKind};
use sigstore_wasm::cosign::payload::Claims;
use sigstore_wasm::cosign::verify::{verify_discovery, ImagePolicy};
use sigstore_wasm::cosign::Want;
use sigstore_wasm::crypto::{HashAlgorithm, PublicKey, RustCrypto};
use sigstore_wasm::encoding::{decode_base64, decode_hex, encode_hex};
use sigstore_wasm::error::ErrorCode;
use sigstore_wasm::http::{Exchange, Reply, Response};
use sigstore_wasm::oci::manifest::Manifest;
use sigstore_wasm::oci::Digest;
use sigstore_wasm::policy::{Policy, SignerPolicy};
use sigstore_wasm::rekor::{self, LoggedSigner, Query};
use sigstore_wasm::tlog::merkle::leaf_hash;
use sigstore_wasm::trust::TrustedRoot;
use sigstore_wasm::verify::{SignerInfo, Verifier};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/realworld");

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{path}")).unwrap()
}

fn json(path: &str) -> Value {
    serde_json::from_slice(&read(path)).unwrap()
}

fn anyone() -> Policy {
    Policy::new(SignerPolicy::UnsafeAnyCertificateIdentity)
}

/// A 2021 production signature, from its Rekor bundle annotation alone: the layer's signature
/// and certificate annotations are what cosign wrote beside it, the same as the entry records.
/// The payload itself is not public, so it is checked by the digest the entry records.
fn legacy_2021(
    file: &str,
    tweak: impl Fn(&mut Value),
) -> Result<sigstore_wasm::verify::VerificationResult, sigstore_wasm::error::VerificationError> {
    let mut rekor_bundle = json(&format!("cosign/{file}"));
    tweak(&mut rekor_bundle);
    let annotation = rekor_bundle.to_string();
    let body: Value =
        serde_json::from_slice(&decode_base64(rekor_bundle["Payload"]["body"].as_str().unwrap()).unwrap()).unwrap();
    let spec = &body["spec"];
    let pem =
        String::from_utf8(decode_base64(spec["signature"]["publicKey"]["content"].as_str().unwrap()).unwrap()).unwrap();
    let annotations = BTreeMap::from([
        ("dev.cosignproject.cosign/signature".to_owned(), spec["signature"]["content"].as_str().unwrap().to_owned()),
        ("dev.sigstore.cosign/certificate".to_owned(), pem),
        ("dev.sigstore.cosign/bundle".to_owned(), annotation),
    ]);
    let payload_digest = decode_hex(spec["data"]["hash"]["value"].as_str().unwrap()).unwrap();
    let layer = Layer {
        kind: LayerKind::Signature,
        media_type: "application/vnd.dev.cosign.simplesigning.v1+json".into(),
        digest: Digest::sha256(b""),
        blob: Vec::new(),
        annotations,
    };
    let mut bundle = layer.to_bundle(&[])?;
    let Content::MessageSignature(signature) = &bundle.content else { panic!("a signature layer") };
    bundle.content = Content::MessageSignature(MessageSignature {
        message_digest: Some((HashAlgorithm::Sha256, payload_digest.clone())),
        signature: signature.signature.clone(),
    });
    // 2021 Fulcio certificates carry no SCT: CT logs came later.
    let mut policy = anyone();
    policy.ctlog_threshold = 0;
    let artifact = Artifact::from_digest(HashAlgorithm::Sha256, payload_digest)?;
    Verifier::new(TrustedRoot::production()?)?.verify(&bundle, &artifact, &policy)
}

#[test]
fn production_rekor_bundle_annotations_of_2021_verify() {
    for (file, index, time) in [
        ("cosign-spec-example-bundle-5179.json", 5179, 1_624_396_085),
        ("sigstore-rs-legacy-rekor-bundle-783607.json", 783_607, 1_634_714_717),
    ] {
        let result = legacy_2021(file, |_| {}).unwrap_or_else(|e| panic!("{file}: {e}"));
        let entry = &result.tlog_entries[0];
        assert_eq!((entry.log_index, entry.kind.as_str(), entry.promise), (index, "rekord", true), "{file}");
        assert_eq!(result.verified_times[0].time().unix_seconds(), time, "{file}");
        let SignerInfo::Certificate { certificate_authority, .. } = &result.signer else {
            panic!("{file}: a certificate")
        };
        assert_eq!(certificate_authority, "https://fulcio.sigstore.dev");
    }
}

#[test]
fn a_production_rekor_bundle_with_a_changed_time_or_another_signatures_set_is_refused() {
    let tweaks: [fn(&mut Value); 3] = [
        |b| b["Payload"]["integratedTime"] = json!(1_624_396_086),
        |b| {
            b["SignedEntryTimestamp"] =
                json("cosign/sigstore-rs-legacy-rekor-bundle-783607.json")["SignedEntryTimestamp"].clone()
        },
        |b| b["Payload"]["logIndex"] = json!(5180),
    ];
    for (i, tweak) in tweaks.iter().enumerate() {
        assert_eq!(
            legacy_2021("cosign-spec-example-bundle-5179.json", tweak).unwrap_err().code,
            ErrorCode::Set,
            "case {i}"
        );
    }
}

#[test]
fn a_legacy_keyed_signature_made_by_cosign_verifies_and_its_claims_name_the_image() {
    let sample = json("cosign/local-synthetic-legacy-sig-example.json");
    let manifest = serde_json::to_vec(&sample["manifest"]).unwrap();
    let Manifest::Image(manifest) = Manifest::parse(&manifest, None).unwrap() else { panic!("an image manifest") };
    let [layer] = manifest.layers.as_slice() else { panic!("one layer") };
    let payload = sample["payload"].as_str().unwrap().as_bytes();
    layer.digest.check(payload, "the payload").unwrap();
    let image = Digest::parse(&sample["tag"].as_str().unwrap().trim_end_matches(".sig").replacen('-', ":", 1)).unwrap();
    let key = PublicKey::from_pem(sample["pubkey"].as_str().unwrap()).unwrap();
    let legacy = Layer {
        kind: LayerKind::Signature,
        media_type: layer.media_type.clone(),
        digest: layer.digest.clone(),
        blob: payload.to_vec(),
        annotations: layer.annotations.clone(),
    };
    let verifier = Verifier::new(TrustedRoot::production().unwrap()).unwrap();
    // Signed with `--tlog-upload=false`: no log, no time; a key needs neither.
    let mut policy = Policy::public_key(key);
    policy.tlog_threshold = 0;
    policy.timestamp_threshold = 0;
    verifier.verify(&legacy.to_bundle(&[]).unwrap(), &Artifact::Bytes(payload), &policy).unwrap();
    let claims = Claims::parse(payload).unwrap();
    claims.check(&image, &BTreeMap::new()).unwrap();
    assert_eq!(claims.docker_reference, "127.0.0.1:5000/demo/hello");
    assert_eq!(
        claims.check(&Digest::sha256(b"another image"), &BTreeMap::new()).unwrap_err().code,
        ErrorCode::ArtifactMismatch
    );
    let tampered = Layer { blob: payload.iter().map(|&b| if b == b'5' { b'6' } else { b }).collect(), ..legacy };
    let err =
        verifier.verify(&tampered.to_bundle(&[]).unwrap(), &Artifact::Bytes(&tampered.blob), &policy).unwrap_err();
    assert_eq!(err.code, ErrorCode::Signature);
}

#[test]
fn a_production_attestation_bundle_verifies_as_cosign_attaches_it() {
    let bundle = read("cosign/oci-attestation.sigstore.json");
    let statement: Value = serde_json::from_slice(
        &decode_base64(serde_json::from_slice::<Value>(&bundle).unwrap()["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let subject =
        Digest::parse(&format!("sha256:{}", statement["subject"][0]["digest"]["sha256"].as_str().unwrap())).unwrap();
    let discovery = |digest: Digest| Discovery {
        image: Image {
            reference: "127.0.0.1:60943/repo".into(),
            name: "127.0.0.1:60943/repo".into(),
            digest,
            media_type: String::new(),
        },
        found: vec![sigstore_wasm::cosign::discover::Found {
            source: Source {
                format: Format::SigstoreBundle,
                manifest: Digest::sha256(b"referrer"),
                layer: None,
                tag: None,
                via: None,
            },
            content: Ok(Found::Bundle(bundle.clone())),
        }],
        problems: Vec::new(),
    };
    let verifier = Verifier::new(TrustedRoot::production().unwrap()).unwrap();
    let policy = ImagePolicy { policy: anyone(), annotations: BTreeMap::new() };
    let custom = Want::Attestations("https://cosign.sigstore.dev/attestation/v1".into());
    let report = verify_discovery(&discovery(subject.clone()), &custom, &verifier, &policy, &RustCrypto);
    assert_eq!(report.verified, 1, "{:?}", report.signatures[0].error);
    let slsa = Want::Attestations("https://slsa.dev/provenance/v1".into());
    let report = verify_discovery(&discovery(subject), &slsa, &verifier, &policy, &RustCrypto);
    assert_eq!(report.signatures[0].error.as_ref().unwrap().code, ErrorCode::PredicateTypeMismatch);
    let report =
        verify_discovery(&discovery(Digest::sha256(b"another image")), &custom, &verifier, &policy, &RustCrypto);
    assert_eq!(report.signatures[0].error.as_ref().unwrap().code, ErrorCode::ArtifactMismatch);
}

/// The staging entry, served as the Rekor API serves it (keyed by its UUID), and looked up.
fn staging_lookup(entry: Value) -> Result<Vec<rekor::LoggedEntry>, sigstore_wasm::error::VerificationError> {
    let body = decode_base64(entry["body"].as_str().unwrap()).unwrap();
    let uuid = format!("{:016x}{}", 108_574_341_321_668_964_u64, encode_hex(&leaf_hash(&body)));
    let answer = serde_json::to_vec(&json!({ uuid: entry })).unwrap();
    let query = Query::LogIndex(1688);
    let entries = Exchange::default().complete_walk(
        |fetch| rekor::lookup(fetch, "https://rekor.sigstage.dev", &query),
        |_| Reply::Response(Response::new(200, vec![], answer.clone())),
    )?;
    rekor::verify_lookup(&query, &entries, &TrustedRoot::staging()?.tlogs, &RustCrypto)
}

#[test]
fn an_entry_from_the_staging_rekor_api_verifies() {
    let [entry] = staging_lookup(json("rekor-v1-logentry-sample-staging.json")).unwrap().try_into().unwrap();
    assert_eq!(entry.entry.log_index, 1688);
    let proof = entry.entry.inclusion_proof.as_ref().unwrap();
    assert_eq!((proof.log_index, proof.tree_size), (1227, 14358));
    assert_eq!(proof.checkpoint_origin, "rekor.sigstage.dev - 108574341321668964");
    assert_eq!(
        entry.digest.as_deref(),
        Some("sha256:47c1db9fb5fe7ff66e3d7c15b2ca5d3a046ee8f4aa043dedd317e46b321c4390")
    );
    assert!(matches!(entry.signer, Some(LoggedSigner::Certificate { .. })));

    let mut wrong_time = json("rekor-v1-logentry-sample-staging.json");
    wrong_time["integratedTime"] = json!(1_656_448_132);
    assert_eq!(staging_lookup(wrong_time).unwrap_err().code, ErrorCode::Set);
    let mut wrong_root = json("rekor-v1-logentry-sample-staging.json");
    wrong_root["verification"]["inclusionProof"]["hashes"][0] = json!("00".repeat(32));
    assert_eq!(staging_lookup(wrong_root).unwrap_err().code, ErrorCode::InclusionProof);
}
