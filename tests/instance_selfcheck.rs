//! Proves that the private Sigstore instance in `tests/support/instance` mints correct data,
//! independently of the crate's verifier: every check here re-derives the expected bytes with its
//! own small implementation (Merkle proof, SET payload, precert TBS via the `x509-cert` encoder,
//! CMS parsing via the `cms`/`x509-tsp` crates) and verifies signatures with the RustCrypto
//! verifiers, using keys taken from the trusted root JSON.

mod support;

use std::collections::BTreeSet;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use der::{Decode, Encode};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::Verifier;
use support::instance::*;
use x509_cert::Certificate;

// ---------------------------------------------------------------------------------------------
// Helpers (deliberately independent of the instance's code)

fn unb64(v: &Value) -> Vec<u8> {
    STANDARD.decode(v.as_str().expect("base64 string")).expect("valid base64")
}

fn b64s(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn cert(der: &[u8]) -> Certificate {
    Certificate::from_der(der).expect("certificate parses with x509-cert")
}

fn leaf_of(bundle: &Value) -> Vec<u8> {
    let material = &bundle["verificationMaterial"];
    if material["certificate"].is_object() {
        unb64(&material["certificate"]["rawBytes"])
    } else {
        unb64(&material["x509CertificateChain"]["certificates"][0]["rawBytes"])
    }
}

fn entry(bundle: &Value) -> &Value {
    let entries = bundle["verificationMaterial"]["tlogEntries"].as_array().expect("tlogEntries");
    assert_eq!(entries.len(), 1);
    &entries[0]
}

fn log_body(bundle: &Value) -> Value {
    serde_json::from_slice(&unb64(&entry(bundle)["canonicalizedBody"])).expect("body JSON")
}

/// `tlogs[]` / `ctlogs[]` element of the trusted root whose logId equals `log_id`.
fn trusted_log<'a>(root: &'a Value, list: &str, log_id: &Value) -> &'a Value {
    root[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|log| &log["logId"]["keyId"] == log_id)
        .unwrap_or_else(|| panic!("no {list} entry with logId {log_id}"))
}

fn p256_key(spki: &[u8]) -> p256::ecdsa::VerifyingKey {
    use p256::pkcs8::DecodePublicKey;
    p256::ecdsa::VerifyingKey::from_public_key_der(spki).expect("P-256 SPKI")
}

fn p384_key_of(c: &Certificate) -> p384::ecdsa::VerifyingKey {
    let point = c.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes();
    p384::ecdsa::VerifyingKey::from_sec1_bytes(point).expect("P-384 key")
}

fn verify_p256(spki: &[u8], message: &[u8], der_sig: &[u8]) -> bool {
    let sig = p256::ecdsa::Signature::from_der(der_sig).expect("DER ECDSA signature");
    p256_key(spki).verify(message, &sig).is_ok()
}

/// X.509 signature check of `child` by `issuer` (both P-384 CA keys, ecdsa-with-SHA384).
fn issued_by(child: &Certificate, issuer: &Certificate) -> bool {
    assert_eq!(child.signature_algorithm.oid.to_string(), "1.2.840.10045.4.3.3");
    let sig = p384::ecdsa::Signature::from_der(child.signature.raw_bytes()).expect("DER sig");
    let tbs = child.tbs_certificate.to_der().unwrap();
    p384_key_of(issuer).verify(&tbs, &sig).is_ok() && child.tbs_certificate.issuer == issuer.tbs_certificate.subject
}

fn ext<'a>(c: &'a Certificate, oid: &str) -> &'a x509_cert::ext::Extension {
    c.tbs_certificate
        .extensions
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.extn_id.to_string() == oid)
        .unwrap_or_else(|| panic!("extension {oid} missing"))
}

fn unix(t: x509_cert::time::Time) -> i64 {
    t.to_unix_duration().as_secs() as i64
}

/// RFC 9162 §2.1.3.2 inclusion verification, written from the RFC.
fn merkle_root_from_proof(index: u64, size: u64, leaf: [u8; 32], proof: &[[u8; 32]]) -> Option<[u8; 32]> {
    let node = |l: &[u8; 32], r: &[u8; 32]| -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([1u8]);
        h.update(l);
        h.update(r);
        h.finalize().into()
    };
    if index >= size {
        return None;
    }
    let (mut fn_, mut sn, mut r) = (index, size - 1, leaf);
    for p in proof {
        if sn == 0 {
            return None;
        }
        if fn_ % 2 == 1 || fn_ == sn {
            r = node(p, &r);
            if fn_ % 2 == 0 {
                while fn_ % 2 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    (sn == 0).then_some(r)
}

fn rfc6962_leaf(data: &[u8]) -> [u8; 32] {
    Sha256::new_with_prefix([0u8]).chain_update(data).finalize().into()
}

/// Verifies the entry's inclusion proof against its rootHash; returns (index, size, root).
fn check_inclusion(entry: &Value) -> (u64, u64, Vec<u8>) {
    let proof = &entry["inclusionProof"];
    let index: u64 = proof["logIndex"].as_str().unwrap().parse().unwrap();
    let size: u64 = proof["treeSize"].as_str().unwrap().parse().unwrap();
    let hashes: Vec<[u8; 32]> =
        proof["hashes"].as_array().unwrap().iter().map(|h| unb64(h).try_into().unwrap()).collect();
    let leaf = rfc6962_leaf(&unb64(&entry["canonicalizedBody"]));
    let root = merkle_root_from_proof(index, size, leaf, &hashes).expect("well-formed proof");
    assert_eq!(root.to_vec(), unb64(&proof["rootHash"]), "proof recomputes rootHash");
    assert!(!hashes.is_empty(), "non-trivial proof");
    // A proof for a neighbouring index must not verify (the checker is not vacuous).
    assert_ne!(merkle_root_from_proof(index ^ 1, size, leaf, &hashes), Some(root));
    (index, size, root.to_vec())
}

/// Splits a signed note into (text, [(name, key bytes)]).
fn parse_note(note: &str) -> (String, Vec<(String, Vec<u8>)>) {
    let split = note.rfind("\n\n").expect("blank line");
    let text = note[..=split].to_string();
    let lines = note[split + 2..]
        .lines()
        .map(|line| {
            let rest = line.strip_prefix("\u{2014} ").expect("em dash signature line");
            let (name, sig) = rest.split_once(' ').unwrap();
            (name.to_string(), STANDARD.decode(sig).unwrap())
        })
        .collect();
    (text, lines)
}

/// Every key path of a JSON value, arrays as `[]`.
fn shape(v: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let path = format!("{prefix}.{k}");
                    out.insert(path.clone());
                    walk(child, &path, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, &format!("{prefix}[]"), out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(v, "", &mut out);
    out
}

fn conformance(case: &str, file: &str) -> Value {
    let path = format!("{}/tests/data/conformance/bundle-verify/{case}/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).unwrap()
}

fn pem_der(pem_text: &str) -> Vec<u8> {
    let b64: String = pem_text.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64).unwrap()
}

const ARTIFACT: &[u8] = b"artifact for the self-check\n";

// ---------------------------------------------------------------------------------------------
// Instance and trusted root

#[test]
fn same_seed_same_material_other_seed_other_keys() {
    let req = SignRequest::message(ARTIFACT).with_tsa(DEFAULT_SIGNING_TIME);
    let (a, b, c) = (Instance::new(7), Instance::new(7), Instance::new(8));
    assert_eq!(a.trusted_root(), b.trusted_root());
    assert_eq!(a.sign(&req).bundle, b.sign(&req).bundle);
    let (ra, rc) = (a.trusted_root(), c.trusted_root());
    for path in ["tlogs", "ctlogs"] {
        assert_ne!(ra[path][0]["publicKey"]["rawBytes"], rc[path][0]["publicKey"]["rawBytes"]);
    }
    assert_ne!(a.sign(&req).leaf_der, c.sign(&req).leaf_der);
}

#[test]
fn trusted_root_has_the_shape_of_a_real_one_and_consistent_log_ids() {
    let root = Instance::new(1).trusted_root();
    let real = conformance("rekor2-happy-path", "trusted_root.json");
    let without_end =
        |s: BTreeSet<String>| -> BTreeSet<String> { s.into_iter().filter(|p| !p.ends_with(".end")).collect() };
    assert_eq!(without_end(shape(&root)), without_end(shape(&real)));
    assert_eq!(root["mediaType"], "application/vnd.dev.sigstore.trustedroot+json;version=0.1");

    // Rekor v1 and CT: logId = SHA-256(SPKI).
    for log in [&root["tlogs"][0], &root["ctlogs"][0]] {
        let spki = unb64(&log["publicKey"]["rawBytes"]);
        assert_eq!(b64s(&Sha256::digest(&spki)), log["logId"]["keyId"].as_str().unwrap());
        p256_key(&spki);
    }
    // Rekor v2: C2SP Ed25519 key ID over the base URL's host.
    let v2 = &root["tlogs"][1];
    assert_eq!(v2["publicKey"]["keyDetails"], "PKIX_ED25519");
    let spki = unb64(&v2["publicKey"]["rawBytes"]);
    assert_eq!(&spki[..12], &[0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
    let host = v2["baseUrl"].as_str().unwrap().strip_prefix("https://").unwrap();
    let key_id = Sha256::new().chain_update(host).chain_update([b'\n', 1]).chain_update(&spki[12..]).finalize();
    assert_eq!(b64s(&key_id), v2["logId"]["keyId"].as_str().unwrap());

    for section in ["tlogs", "ctlogs", "certificateAuthorities", "timestampAuthorities"] {
        for item in root[section].as_array().unwrap() {
            let start = item.get("validFor").or(item["publicKey"].get("validFor")).unwrap()["start"].as_str().unwrap();
            assert!(start.ends_with('Z') && start.len() == 20, "RFC 3339 start {start}");
        }
    }
}

#[test]
fn fulcio_chain_verifies_and_has_the_expected_constraints() {
    let instance = Instance::new(2);
    let root = instance.trusted_root();
    let chain: Vec<Certificate> = root["certificateAuthorities"][0]["certChain"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| cert(&unb64(&c["rawBytes"])))
        .collect();
    let (intermediate, ca_root) = (&chain[0], &chain[1]);
    assert!(issued_by(ca_root, ca_root), "root is self-signed");
    assert!(issued_by(intermediate, ca_root));
    assert!(!issued_by(ca_root, intermediate));

    let bc = |c: &Certificate| {
        let e = ext(c, "2.5.29.19");
        assert!(e.critical);
        x509_cert::ext::pkix::BasicConstraints::from_der(e.extn_value.as_bytes()).unwrap()
    };
    assert_eq!((bc(ca_root).ca, bc(ca_root).path_len_constraint), (true, Some(1)));
    assert_eq!((bc(intermediate).ca, bc(intermediate).path_len_constraint), (true, Some(0)));
    let eku =
        x509_cert::ext::pkix::ExtendedKeyUsage::from_der(ext(intermediate, "2.5.29.37").extn_value.as_bytes()).unwrap();
    assert_eq!(eku.0.iter().map(|o| o.to_string()).collect::<Vec<_>>(), ["1.3.6.1.5.5.7.3.3"]);
    assert_eq!(unix(intermediate.tbs_certificate.validity.not_before), Y2020);
    assert_eq!(unix(intermediate.tbs_certificate.validity.not_after), Y2040);
}

#[test]
fn intermediate_validity_override_is_in_the_trusted_root() {
    let expired = (Y2020, DEFAULT_SIGNING_TIME - 86_400);
    let instance = Instance::with_options(3, InstanceOptions { intermediate_validity: expired, ..Default::default() });
    let root = instance.trusted_root();
    let intermediate = cert(&unb64(&root["certificateAuthorities"][0]["certChain"]["certificates"][0]["rawBytes"]));
    assert_eq!(unix(intermediate.tbs_certificate.validity.not_after), expired.1);
    let leaf = cert(&instance.sign(&SignRequest::message(ARTIFACT)).leaf_der.unwrap());
    assert!(issued_by(&leaf, &intermediate));
}

// ---------------------------------------------------------------------------------------------
// Leaf certificate and SCT

#[test]
fn leaf_has_the_fulcio_profile() {
    let instance = Instance::new(4);
    let req = SignRequest::message(ARTIFACT)
        .with_san(San::Email("signer@test.example".into()))
        .with_issuer("https://issuer.test.example")
        .with_extension(2, "push")
        .with_extension(9, "https://builder.test.example");
    let signed = instance.sign(&req);
    let leaf = cert(signed.leaf_der.as_ref().unwrap());
    let intermediate = cert(&instance.fulcio_intermediate.cert_der);
    assert!(issued_by(&leaf, &intermediate), "leaf signature verifies under the intermediate key");

    let tbs = &leaf.tbs_certificate;
    assert_eq!(tbs.version, x509_cert::Version::V3);
    assert_eq!(tbs.serial_number.as_bytes().len(), 20);
    assert!(tbs.subject.0.is_empty(), "empty subject");
    assert_eq!(unix(tbs.validity.not_before), DEFAULT_SIGNING_TIME - 60);
    assert_eq!(unix(tbs.validity.not_after) - unix(tbs.validity.not_before), 600);

    let exts: Vec<(String, bool)> =
        tbs.extensions.as_ref().unwrap().iter().map(|e| (e.extn_id.to_string(), e.critical)).collect();
    let f = |n: u32| (format!("1.3.6.1.4.1.57264.1.{n}"), false);
    let expected = vec![
        ("2.5.29.15".to_string(), true),
        ("2.5.29.37".to_string(), false),
        ("2.5.29.14".to_string(), false),
        ("2.5.29.35".to_string(), false),
        ("2.5.29.17".to_string(), true),
        f(1),
        f(2),
        f(8),
        f(9),
        ("1.3.6.1.4.1.11129.2.4.2".to_string(), false),
    ];
    assert_eq!(exts, expected);
    assert_eq!(ext(&leaf, "2.5.29.15").extn_value.as_bytes(), [0x03, 0x02, 0x07, 0x80]);
    assert_eq!(ext(&leaf, "1.3.6.1.4.1.57264.1.1").extn_value.as_bytes(), b"https://issuer.test.example");
    assert_eq!(ext(&leaf, "1.3.6.1.4.1.57264.1.2").extn_value.as_bytes(), b"push");
    let utf8 = |oid: &str| {
        der::asn1::Utf8StringRef::from_der(ext(&leaf, oid).extn_value.as_bytes()).unwrap().as_str().to_string()
    };
    assert_eq!(utf8("1.3.6.1.4.1.57264.1.8"), "https://issuer.test.example");
    assert_eq!(utf8("1.3.6.1.4.1.57264.1.9"), "https://builder.test.example");

    let san = x509_cert::ext::pkix::SubjectAltName::from_der(ext(&leaf, "2.5.29.17").extn_value.as_bytes()).unwrap();
    match &san.0[..] {
        [x509_cert::ext::pkix::name::GeneralName::Rfc822Name(email)] => {
            assert_eq!(email.as_str(), "signer@test.example")
        }
        other => panic!("unexpected SAN {other:?}"),
    }
    // AKI of the leaf = SKI of the intermediate.
    let aki =
        x509_cert::ext::pkix::AuthorityKeyIdentifier::from_der(ext(&leaf, "2.5.29.35").extn_value.as_bytes()).unwrap();
    let ski =
        x509_cert::ext::pkix::SubjectKeyIdentifier::from_der(ext(&intermediate, "2.5.29.14").extn_value.as_bytes())
            .unwrap();
    assert_eq!(aki.key_identifier.unwrap(), ski.0);
}

/// Parses the SCT list extension, rebuilds the precert TBS by removing it and re-encoding with
/// `x509-cert`, and verifies each SCT with the trusted CT key.
fn verify_embedded_scts(leaf_der: &[u8], issuer_spki: &[u8], root: &Value) -> Vec<Vec<u8>> {
    let leaf = cert(leaf_der);
    let outer = der::asn1::OctetString::from_der(ext(&leaf, "1.3.6.1.4.1.11129.2.4.2").extn_value.as_bytes()).unwrap();
    let list = outer.as_bytes();
    let total = u16::from_be_bytes([list[0], list[1]]) as usize;
    assert_eq!(total + 2, list.len());

    let mut precert = leaf.tbs_certificate.clone();
    precert.extensions.as_mut().unwrap().retain(|e| e.extn_id.to_string() != "1.3.6.1.4.1.11129.2.4.2");
    let precert_tbs = precert.to_der().unwrap();

    let mut rest = &list[2..];
    let mut extensions_seen = Vec::new();
    while !rest.is_empty() {
        let len = u16::from_be_bytes([rest[0], rest[1]]) as usize;
        let sct = &rest[2..2 + len];
        rest = &rest[2 + len..];
        assert_eq!(sct[0], 0, "SCT v1");
        let log_id = &sct[1..33];
        let timestamp = &sct[33..41];
        let ext_len = u16::from_be_bytes([sct[41], sct[42]]) as usize;
        let extensions = &sct[43..43 + ext_len];
        let tail = &sct[43 + ext_len..];
        assert_eq!(&tail[..2], &[4, 3], "sha256 + ecdsa");
        let sig_len = u16::from_be_bytes([tail[2], tail[3]]) as usize;
        let sig = &tail[4..4 + sig_len];
        assert_eq!(4 + sig_len, tail.len());

        let ctlog = trusted_log(root, "ctlogs", &Value::String(b64s(log_id)));
        let mut signed = vec![0u8, 0];
        signed.extend_from_slice(timestamp);
        signed.extend_from_slice(&[0, 1]);
        signed.extend_from_slice(&Sha256::digest(issuer_spki));
        signed.extend_from_slice(&(precert_tbs.len() as u32).to_be_bytes()[1..]);
        signed.extend_from_slice(&precert_tbs);
        signed.extend_from_slice(&(ext_len as u16).to_be_bytes());
        signed.extend_from_slice(extensions);
        let ct_spki = unb64(&ctlog["publicKey"]["rawBytes"]);
        assert!(verify_p256(&ct_spki, &signed, sig), "SCT verifies over the reconstructed precert");
        // Over the final TBS (SCT included) it must not verify.
        let mut wrong = signed.clone();
        let last = wrong.len() - 1 - ext_len;
        wrong[last] ^= 1;
        assert!(!verify_p256(&ct_spki, &wrong, sig));
        let ts_ms = u64::from_be_bytes(timestamp.try_into().unwrap());
        assert_eq!(ts_ms / 1000, unix(leaf.tbs_certificate.validity.not_before) as u64);
        extensions_seen.push(extensions.to_vec());
    }
    extensions_seen
}

#[test]
fn embedded_sct_verifies_over_the_reconstructed_precertificate() {
    let instance = Instance::new(5);
    let root = instance.trusted_root();
    let issuer_spki =
        cert(&instance.fulcio_intermediate.cert_der).tbs_certificate.subject_public_key_info.to_der().unwrap();

    let plain = instance.sign(&SignRequest::message(ARTIFACT));
    assert_eq!(verify_embedded_scts(plain.leaf_der.as_ref().unwrap(), &issuer_spki, &root), vec![Vec::<u8>::new()]);

    let with_index = instance.sign(&SignRequest::message(ARTIFACT).with_sct(Sct::EmbeddedWithLeafIndex(0x0dde14)));
    let exts = verify_embedded_scts(with_index.leaf_der.as_ref().unwrap(), &issuer_spki, &root);
    assert_eq!(exts, vec![vec![0x00, 0x00, 0x05, 0x00, 0x00, 0x0d, 0xde, 0x14]]);

    let none = cert(&instance.sign(&SignRequest::message(ARTIFACT).with_sct(Sct::None)).leaf_der.unwrap());
    assert!(none
        .tbs_certificate
        .extensions
        .unwrap()
        .iter()
        .all(|e| e.extn_id.to_string() != "1.3.6.1.4.1.11129.2.4.2"));
}

// ---------------------------------------------------------------------------------------------
// Message signatures, key types

#[test]
fn message_signature_bundle_v03_matches_the_real_shape_and_verifies() {
    let instance = Instance::new(6);
    let signed = instance.sign(&SignRequest::message(ARTIFACT));
    let bundle = &signed.bundle;
    assert_eq!(shape(bundle), shape(&conformance("happy-path-v0.3", "bundle.sigstore.json")));
    assert_eq!(bundle["mediaType"], "application/vnd.dev.sigstore.bundle+json;version=0.3");

    let digest = Sha256::digest(ARTIFACT);
    assert_eq!(bundle["messageSignature"]["messageDigest"]["algorithm"], "SHA2_256");
    assert_eq!(unb64(&bundle["messageSignature"]["messageDigest"]["digest"]), digest.to_vec());
    let sig = unb64(&bundle["messageSignature"]["signature"]);
    let leaf = cert(&leaf_of(bundle));
    let leaf_spki = leaf.tbs_certificate.subject_public_key_info.to_der().unwrap();
    assert!(verify_p256(&leaf_spki, ARTIFACT, &sig), "ECDSA-SHA256 over the artifact");
    assert!(!verify_p256(&leaf_spki, b"other artifact", &sig));
    assert_eq!(signed.public_key_der, leaf_spki);
}

#[test]
fn media_types_place_the_leaf_where_each_version_expects_it() {
    let instance = Instance::new(6);
    for (media, real_case) in
        [(MediaType::V01, Some("happy-path-v0.1")), (MediaType::V02, None), (MediaType::V03Alt, None)]
    {
        let bundle = instance.sign(&SignRequest::message(ARTIFACT).with_media_type(media)).bundle;
        assert_eq!(bundle["mediaType"], media.as_str());
        let material = &bundle["verificationMaterial"];
        let chain = matches!(media, MediaType::V01 | MediaType::V02);
        assert_eq!(material["x509CertificateChain"].is_object(), chain);
        assert_eq!(material["certificate"].is_object(), !chain);
        if let Some(case) = real_case {
            assert_eq!(shape(&bundle), shape(&conformance(case, "bundle.sigstore.json")));
        }
    }
    assert_eq!(MediaType::V03Alt.as_str(), "application/vnd.dev.sigstore.bundle.v0.3+json");
}

#[test]
fn every_leaf_key_type_signs_with_the_sigstore_convention() {
    use rsa::pkcs8::DecodePublicKey;
    let instance = Instance::new(9);
    for key in [LeafKey::P256, LeafKey::P384, LeafKey::Ed25519, LeafKey::RsaPkcs1_2048, LeafKey::RsaPss_2048] {
        let signed = instance.sign(&SignRequest::message(ARTIFACT).with_key(key));
        let bundle = &signed.bundle;
        let sig = unb64(&bundle["messageSignature"]["signature"]);
        let spki_der = cert(&leaf_of(bundle)).tbs_certificate.subject_public_key_info.to_der().unwrap();
        let point =
            || cert(&leaf_of(bundle)).tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes().to_vec();
        let (algorithm, digest) = match key {
            LeafKey::P256 => {
                assert!(verify_p256(&spki_der, ARTIFACT, &sig));
                ("SHA2_256", Sha256::digest(ARTIFACT).to_vec())
            }
            LeafKey::P384 => {
                let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(&point()).unwrap();
                assert!(vk.verify(ARTIFACT, &p384::ecdsa::Signature::from_der(&sig).unwrap()).is_ok());
                ("SHA2_384", Sha384::digest(ARTIFACT).to_vec())
            }
            LeafKey::Ed25519 => {
                let vk = ed25519_dalek::VerifyingKey::from_bytes(&point().try_into().unwrap()).unwrap();
                let s = ed25519_dalek::Signature::from_slice(&sig).unwrap();
                assert!(vk.verify_prehashed(Sha512::new_with_prefix(ARTIFACT), None, &s).is_ok(), "Ed25519ph");
                assert!(vk.verify(ARTIFACT, &s).is_err(), "not pure Ed25519");
                ("SHA2_512", Sha512::digest(ARTIFACT).to_vec())
            }
            LeafKey::RsaPkcs1_2048 => {
                let pk = rsa::RsaPublicKey::from_public_key_der(&spki_der).unwrap();
                let s = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).unwrap();
                assert!(rsa::pkcs1v15::VerifyingKey::<Sha256>::new(pk).verify(ARTIFACT, &s).is_ok());
                ("SHA2_256", Sha256::digest(ARTIFACT).to_vec())
            }
            LeafKey::RsaPss_2048 => {
                let pk = rsa::RsaPublicKey::from_public_key_der(&spki_der).unwrap();
                let s = rsa::pss::Signature::try_from(sig.as_slice()).unwrap();
                assert!(rsa::pss::VerifyingKey::<Sha256>::new(pk).verify(ARTIFACT, &s).is_ok());
                ("SHA2_256", Sha256::digest(ARTIFACT).to_vec())
            }
        };
        assert_eq!(bundle["messageSignature"]["messageDigest"]["algorithm"], algorithm, "{key:?}");
        assert_eq!(unb64(&bundle["messageSignature"]["messageDigest"]["digest"]), digest);
        let body = log_body(bundle);
        assert_eq!(body["spec"]["data"]["hash"]["value"], hex(&digest), "{key:?}");
    }
}

#[test]
fn managed_key_bundle_has_a_hint_and_no_certificate() {
    let instance = Instance::new(10);
    let signed = instance.sign(
        &SignRequest::message(ARTIFACT)
            .with_managed_key()
            .with_media_type(MediaType::V03Alt)
            .with_tsa(DEFAULT_SIGNING_TIME),
    );
    let bundle = &signed.bundle;
    assert_eq!(shape(bundle), shape(&conformance("managed-key-happy-path", "bundle.sigstore.json")));
    assert!(signed.leaf_der.is_none());
    let spki = pem_der(&signed.public_key_pem);
    assert_eq!(bundle["verificationMaterial"]["publicKey"]["hint"], b64s(&Sha256::digest(&spki)));
    let body_pem = String::from_utf8(unb64(&log_body(bundle)["spec"]["signature"]["publicKey"]["content"])).unwrap();
    assert!(body_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert_eq!(pem_der(&body_pem), spki);
    assert!(verify_p256(&spki, ARTIFACT, &unb64(&bundle["messageSignature"]["signature"])));
}

// ---------------------------------------------------------------------------------------------
// Rekor v1

#[test]
fn rekor_v1_hashedrekord_body_is_canonical_and_bound_to_the_bundle() {
    let signed = Instance::new(11).sign(&SignRequest::message(ARTIFACT));
    let bundle = &signed.bundle;
    let body_bytes = unb64(&entry(bundle)["canonicalizedBody"]);
    let leaf_pem_b64 = b64s(pem_for_test("CERTIFICATE", &leaf_of(bundle)).as_bytes());
    let expected = format!(
        r#"{{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{{"data":{{"hash":{{"algorithm":"sha256","value":"{}"}}}},"signature":{{"content":"{}","publicKey":{{"content":"{}"}}}}}}}}"#,
        hex(&Sha256::digest(ARTIFACT)),
        bundle["messageSignature"]["signature"].as_str().unwrap(),
        leaf_pem_b64,
    );
    assert_eq!(String::from_utf8(body_bytes).unwrap(), expected);
    assert_eq!(entry(bundle)["kindVersion"], serde_json::json!({"kind": "hashedrekord", "version": "0.0.1"}));
}

/// PEM as Rekor writes it (64 columns, trailing newline), written independently.
fn pem_for_test(label: &str, der: &[u8]) -> String {
    let b = b64s(der);
    let lines: Vec<&str> = b.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

#[test]
fn rekor_v1_set_verifies_with_the_global_log_index() {
    let instance = Instance::new(12);
    let root = instance.trusted_root();
    let signed = instance.sign(&SignRequest::message(ARTIFACT).with_signing_time(1_689_177_396));
    let entry = entry(&signed.bundle);
    let tlog = trusted_log(&root, "tlogs", &entry["logId"]["keyId"]);
    let spki = unb64(&tlog["publicKey"]["rawBytes"]);
    let set = unb64(&entry["inclusionPromise"]["signedEntryTimestamp"]);
    let payload = |index: &str| {
        format!(
            r#"{{"body":"{}","integratedTime":{},"logID":"{}","logIndex":{}}}"#,
            entry["canonicalizedBody"].as_str().unwrap(),
            entry["integratedTime"].as_str().unwrap(),
            hex(&unb64(&entry["logId"]["keyId"])),
            index
        )
    };
    let global = entry["logIndex"].as_str().unwrap();
    let local = entry["inclusionProof"]["logIndex"].as_str().unwrap();
    assert_ne!(global, local, "global and shard-local indices differ");
    assert!(verify_p256(&spki, payload(global).as_bytes(), &set), "SET over the global index");
    assert!(!verify_p256(&spki, payload(local).as_bytes(), &set));
    assert_eq!(entry["integratedTime"], "1689177396");
}

#[test]
fn rekor_v1_inclusion_proof_and_checkpoint_verify() {
    let instance = Instance::new(13);
    let root = instance.trusted_root();
    for tree in [TreeShape { index: 9, size: 14 }, TreeShape { index: 1, size: 5 }, TreeShape { index: 15, size: 16 }] {
        let req = SignRequest { tree, ..SignRequest::message(ARTIFACT) };
        let signed = instance.sign(&req);
        let entry = entry(&signed.bundle);
        let (index, size, root_hash) = check_inclusion(entry);
        assert_eq!((index, size), (tree.index, tree.size));

        let tlog = trusted_log(&root, "tlogs", &entry["logId"]["keyId"]);
        let host = tlog["baseUrl"].as_str().unwrap().strip_prefix("https://").unwrap();
        let (text, sigs) = parse_note(entry["inclusionProof"]["checkpoint"]["envelope"].as_str().unwrap());
        let lines: Vec<&str> = text.lines().collect();
        let (name, tree_id) = lines[0].split_once(" - ").expect("v1 origin");
        assert_eq!(name, host);
        assert!(tree_id.parse::<u64>().is_ok());
        assert_eq!(lines[1], size.to_string());
        assert_eq!(STANDARD.decode(lines[2]).unwrap(), root_hash);
        assert_eq!(lines[3], format!("Timestamp: {}", DEFAULT_SIGNING_TIME as u128 * 1_000_000_000));
        assert_eq!(sigs.len(), 1);
        let (sig_name, blob) = &sigs[0];
        assert_eq!(sig_name, host);
        assert_eq!(&blob[..4], &unb64(&tlog["logId"]["keyId"])[..4], "key hint = logId[:4]");
        let spki = unb64(&tlog["publicKey"]["rawBytes"]);
        assert!(verify_p256(&spki, text.as_bytes(), &blob[4..]), "checkpoint signature over the note text");
    }
}

#[test]
fn rekor_v1_optional_parts_can_be_left_out() {
    let instance = Instance::new(14);
    let tlog = Tlog::RekorV1 { kind: V1Kind::HashedRekord, set: true, proof: true, checkpoint: false };
    let e = instance.sign(&SignRequest::message(ARTIFACT).with_tlog(tlog)).bundle;
    assert!(entry(&e)["inclusionProof"].is_object() && entry(&e)["inclusionProof"].get("checkpoint").is_none());
    let tlog = Tlog::RekorV1 { kind: V1Kind::HashedRekord, set: false, proof: true, checkpoint: true };
    assert!(entry(&instance.sign(&SignRequest::message(ARTIFACT).with_tlog(tlog)).bundle)
        .get("inclusionPromise")
        .is_none());
    let tlog = Tlog::RekorV1 { kind: V1Kind::HashedRekord, set: true, proof: false, checkpoint: false };
    assert!(entry(&instance.sign(&SignRequest::message(ARTIFACT).with_tlog(tlog)).bundle)
        .get("inclusionProof")
        .is_none());
    let none = instance.sign(&SignRequest::message(ARTIFACT).with_tlog(Tlog::None)).bundle;
    assert_eq!(none["verificationMaterial"]["tlogEntries"], serde_json::json!([]));
}

// ---------------------------------------------------------------------------------------------
// DSSE and in-toto

fn pae_for_test(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {payload_type} {} ", payload_type.len(), payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

#[test]
fn dsse_bundle_with_rekor_v1_dsse_entry() {
    let instance = Instance::new(15);
    let signed = instance.sign(&SignRequest::in_toto("a.txt", ARTIFACT));
    let bundle = &signed.bundle;
    assert_eq!(shape(bundle), shape(&conformance("happy-path-intoto-in-dsse-v3", "bundle.sigstore.json")));

    let env = &bundle["dsseEnvelope"];
    assert_eq!(env["payloadType"], "application/vnd.in-toto+json");
    let payload = unb64(&env["payload"]);
    let statement: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["subject"][0]["name"], "a.txt");
    assert_eq!(statement["subject"][0]["digest"]["sha256"], hex(&Sha256::digest(ARTIFACT)));

    let sig = unb64(&env["signatures"][0]["sig"]);
    let spki = cert(&leaf_of(bundle)).tbs_certificate.subject_public_key_info.to_der().unwrap();
    let pae = pae_for_test("application/vnd.in-toto+json", &payload);
    assert!(pae.starts_with(b"DSSEv1 28 application/vnd.in-toto+json "));
    assert!(verify_p256(&spki, &pae, &sig), "DSSE signature over PAE");
    assert!(!verify_p256(&spki, &payload, &sig));

    let body = log_body(bundle);
    assert_eq!(body["kind"], "dsse");
    assert_eq!(body["spec"]["payloadHash"]["value"], hex(&Sha256::digest(&payload)));
    assert_eq!(body["spec"]["signatures"][0]["signature"], env["signatures"][0]["sig"]);
    let verifier = String::from_utf8(unb64(&body["spec"]["signatures"][0]["verifier"])).unwrap();
    assert_eq!(pem_der(&verifier), leaf_of(bundle));
    check_inclusion(entry(bundle));
}

#[test]
fn intoto_entry_uses_double_base64() {
    let instance = Instance::new(16);
    let req = SignRequest::in_toto("a.txt", ARTIFACT)
        .with_tlog(Tlog::v1(V1Kind::Intoto))
        .with_media_type(MediaType::V02)
        .with_tsa(DEFAULT_SIGNING_TIME + 5);
    let bundle = instance.sign(&req).bundle;
    // The conformance bundle also carries the optional, unauthenticated DSSE `keyid` hint.
    let mut real = shape(&conformance("intoto-with-custom-trust-root", "bundle.sigstore.json"));
    assert!(real.remove(".dsseEnvelope.signatures[].keyid"));
    assert_eq!(shape(&bundle), real);
    let body = log_body(&bundle);
    assert_eq!((body["kind"].as_str(), body["apiVersion"].as_str()), (Some("intoto"), Some("0.0.2")));
    let env = &body["spec"]["content"]["envelope"];
    let sig_text = String::from_utf8(unb64(&env["signatures"][0]["sig"])).unwrap();
    assert_eq!(sig_text, bundle["dsseEnvelope"]["signatures"][0]["sig"].as_str().unwrap());
    let payload_text = String::from_utf8(unb64(&env["payload"])).unwrap();
    assert_eq!(payload_text, bundle["dsseEnvelope"]["payload"].as_str().unwrap());
    let payload = unb64(&bundle["dsseEnvelope"]["payload"]);
    assert_eq!(body["spec"]["content"]["payloadHash"]["value"], hex(&Sha256::digest(&payload)));
    assert_eq!(entry(&bundle)["kindVersion"]["kind"], "intoto");
}

// ---------------------------------------------------------------------------------------------
// Rekor v2

fn check_v2_checkpoint(root: &Value, entry: &Value) {
    let tlog = trusted_log(root, "tlogs", &entry["logId"]["keyId"]);
    let origin = tlog["baseUrl"].as_str().unwrap().strip_prefix("https://").unwrap();
    let (text, sigs) = parse_note(entry["inclusionProof"]["checkpoint"]["envelope"].as_str().unwrap());
    let (_, size, root_hash) = check_inclusion(entry);
    assert_eq!(text, format!("{origin}\n{size}\n{}\n", b64s(&root_hash)));
    let spki = unb64(&tlog["publicKey"]["rawBytes"]);
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&spki[12..].try_into().unwrap()).unwrap();
    let (name, blob) = &sigs[0];
    assert_eq!(name, origin);
    assert_eq!(&blob[..4], &unb64(&tlog["logId"]["keyId"])[..4]);
    let sig = ed25519_dalek::Signature::from_slice(&blob[4..]).unwrap();
    assert!(vk.verify_strict(text.as_bytes(), &sig).is_ok(), "Ed25519 checkpoint signature");
}

#[test]
fn rekor_v2_hashedrekord_with_timestamp() {
    let instance = Instance::new(17);
    let root = instance.trusted_root();
    let req = SignRequest::message(ARTIFACT)
        .with_tlog(Tlog::v2(V2Kind::HashedRekord))
        .with_media_type(MediaType::V03Alt)
        .with_tsa(DEFAULT_SIGNING_TIME);
    let bundle = instance.sign(&req).bundle;
    assert_eq!(shape(&bundle), shape(&conformance("rekor2-happy-path", "bundle.sigstore.json")));
    let entry = entry(&bundle);
    assert!(entry.get("integratedTime").is_none() && entry.get("inclusionPromise").is_none());
    assert_eq!(entry["logIndex"], entry["inclusionProof"]["logIndex"]);
    check_v2_checkpoint(&root, entry);

    let expected = format!(
        r#"{{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{{"hashedRekordV002":{{"data":{{"algorithm":"SHA2_256","digest":"{}"}},"signature":{{"content":"{}","verifier":{{"keyDetails":"PKIX_ECDSA_P256_SHA_256","x509Certificate":{{"rawBytes":"{}"}}}}}}}}}}}}"#,
        b64s(&Sha256::digest(ARTIFACT)),
        bundle["messageSignature"]["signature"].as_str().unwrap(),
        b64s(&leaf_of(&bundle)),
    );
    assert_eq!(String::from_utf8(unb64(&entry["canonicalizedBody"])).unwrap(), expected);
}

#[test]
fn rekor_v2_dsse_and_public_key_verifier() {
    let instance = Instance::new(18);
    let root = instance.trusted_root();
    let req = SignRequest::in_toto("a.txt", ARTIFACT)
        .with_tlog(Tlog::RekorV2 { kind: V2Kind::Dsse, verifier: V2Verifier::PublicKey })
        .with_tsa(DEFAULT_SIGNING_TIME);
    let signed = instance.sign(&req);
    let body = log_body(&signed.bundle);
    let spec = &body["spec"]["dsseV002"];
    let payload = unb64(&signed.bundle["dsseEnvelope"]["payload"]);
    assert_eq!(unb64(&spec["payloadHash"]["digest"]), Sha256::digest(&payload).to_vec());
    assert_eq!(spec["signatures"][0]["content"], signed.bundle["dsseEnvelope"]["signatures"][0]["sig"]);
    assert_eq!(unb64(&spec["signatures"][0]["verifier"]["publicKey"]["rawBytes"]), signed.public_key_der);
    check_v2_checkpoint(&root, entry(&signed.bundle));

    // DSSE-as-hashedrekord: digest = SHA-256(PAE).
    let req = SignRequest::in_toto("a.txt", ARTIFACT)
        .with_tlog(Tlog::v2(V2Kind::HashedRekord))
        .with_tsa(DEFAULT_SIGNING_TIME);
    let signed = instance.sign(&req);
    let body = log_body(&signed.bundle);
    let pae = pae_for_test("application/vnd.in-toto+json", &unb64(&signed.bundle["dsseEnvelope"]["payload"]));
    assert_eq!(unb64(&body["spec"]["hashedRekordV002"]["data"]["digest"]), Sha256::digest(&pae).to_vec());
}

// ---------------------------------------------------------------------------------------------
// RFC 3161

#[test]
fn rfc3161_timestamp_verifies_under_the_trusted_tsa() {
    use x509_tsp::{TimeStampResp, TstInfo};
    let instance = Instance::new(19);
    let root = instance.trusted_root();
    let gen_time = DEFAULT_SIGNING_TIME + 30;
    for embed_cert in [false, true] {
        let req =
            SignRequest { tsa: Some(TimestampRequest { gen_time, embed_cert }), ..SignRequest::message(ARTIFACT) };
        let signed = instance.sign(&req);
        let token_der = unb64(
            &signed.bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
                ["signedTimestamp"],
        );
        assert_eq!(&token_der[4..9], &[0x30, 0x03, 0x02, 0x01, 0x00], "status granted");

        let resp = TimeStampResp::from_der(&token_der).expect("TimeStampResp parses");
        let content_info = resp.time_stamp_token.expect("token");
        assert_eq!(content_info.content_type.to_string(), "1.2.840.113549.1.7.2");
        let signed_data = content_info.content.decode_as::<cms::signed_data::SignedData>().unwrap();
        let econtent = signed_data.encap_content_info.econtent.as_ref().unwrap();
        let tst_der = der::asn1::OctetString::from_der(&econtent.to_der().unwrap()).unwrap().as_bytes().to_vec();
        let tst = TstInfo::from_der(&tst_der).unwrap();
        assert_eq!(tst.policy.to_string(), "1.3.6.1.4.1.57264.2");
        assert_eq!(tst.message_imprint.hashed_message.as_bytes(), &Sha256::digest(&signed.signature)[..]);
        assert_eq!(tst.gen_time.to_unix_duration().as_secs() as i64, gen_time);
        assert_eq!(signed_data.certificates.is_some(), embed_cert);

        let tsa_chain = &root["timestampAuthorities"][0]["certChain"]["certificates"];
        let tsa_leaf = cert(&unb64(&tsa_chain[0]["rawBytes"]));
        let tsa_root = cert(&unb64(&tsa_chain[1]["rawBytes"]));
        assert!(issued_by(&tsa_leaf, &tsa_root));
        let eku = ext(&tsa_leaf, "2.5.29.37");
        assert!(eku.critical);
        assert_eq!(eku.extn_value.as_bytes(), [0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08]);

        let signer = signed_data.signer_infos.0.iter().next().unwrap();
        match &signer.sid {
            cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(ias) => {
                assert_eq!(ias.issuer, tsa_leaf.tbs_certificate.issuer);
                assert_eq!(ias.serial_number, tsa_leaf.tbs_certificate.serial_number);
            }
            other => panic!("unexpected sid {other:?}"),
        }
        assert_eq!(signer.signature_algorithm.oid.to_string(), "1.2.840.10045.4.3.2");
        let attrs = signer.signed_attrs.as_ref().unwrap();
        let md = attrs.iter().find(|a| a.oid.to_string() == "1.2.840.113549.1.9.4").unwrap();
        let md_value = der::asn1::OctetString::from_der(&md.values.iter().next().unwrap().to_der().unwrap()).unwrap();
        assert_eq!(md_value.as_bytes(), &Sha256::digest(&tst_der)[..]);

        // The signed bytes are the DER SET OF attributes (re-encoded here by the `der` crate).
        let signed_attrs = attrs.to_der().unwrap();
        assert_eq!(signed_attrs[0], 0x31);
        let sig = p384::ecdsa::Signature::from_der(signer.signature.as_bytes()).unwrap();
        let vk = p384_key_of(&tsa_leaf);
        use signature::hazmat::PrehashVerifier;
        assert!(
            vk.verify_prehash(&Sha256::digest(&signed_attrs), &sig).is_ok(),
            "P-384 with SHA-256 over signed attrs"
        );
        assert!(vk.verify(&signed_attrs, &sig).is_err(), "not SHA-384");
    }
}
