//! Real bundles with one binary field (certificate, signature, log body, SET, proof hash,
//! checkpoint, RFC 3161 response, DSSE payload) replaced by arbitrary bytes: reaches the DER,
//! SCT, CMS, checkpoint and JSON-body parsers behind the bundle's own JSON layer.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sigstore_wasm::artifact::Artifact;
use sigstore_wasm::bundle::Bundle;
use sigstore_wasm::encoding::encode_base64;
use sigstore_wasm::policy::{Policy, SignerPolicy};
use sigstore_wasm::trust::TrustedRoot;
use sigstore_wasm::verify::Verifier;

macro_rules! case {
    ($name:literal) => {
        (
            include_str!(concat!("../../tests/data/conformance/bundle-verify/", $name, "/bundle.sigstore.json")),
            include_str!(concat!("../../tests/data/conformance/bundle-verify/", $name, "/trusted_root.json")),
        )
    };
}

/// Seeds covering every entry kind and timestamp form, each with the root it verifies under.
const SEEDS: [(&str, &str); 3] =
    [case!("rekor2-happy-path"), case!("rekor2-dsse-happy-path"), case!("intoto-with-custom-trust-root")];
const PRODUCTION_SEEDS: [&str; 2] = [
    include_str!("../../tests/data/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json"),
    include_str!("../../tests/data/realworld/npm-provenance-sigstore-2.0.0/bundle.sigstore.json"),
];

const FIELDS: [&str; 12] = [
    "/verificationMaterial/certificate/rawBytes",
    "/verificationMaterial/x509CertificateChain/certificates/0/rawBytes",
    "/messageSignature/signature",
    "/dsseEnvelope/payload",
    "/dsseEnvelope/signatures/0/sig",
    "/verificationMaterial/tlogEntries/0/canonicalizedBody",
    "/verificationMaterial/tlogEntries/0/inclusionPromise/signedEntryTimestamp",
    "/verificationMaterial/tlogEntries/0/inclusionProof/rootHash",
    "/verificationMaterial/tlogEntries/0/inclusionProof/hashes/0",
    "/verificationMaterial/tlogEntries/0/inclusionProof/checkpoint/envelope",
    "/verificationMaterial/timestampVerificationData/rfc3161Timestamps/0/signedTimestamp",
    "/verificationMaterial/tlogEntries/0/logIndex",
];

struct Seed {
    bundle: Value,
    verifier: Verifier,
}

fn seeds() -> &'static [Seed] {
    static SEEDS_PARSED: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS_PARSED.get_or_init(|| {
        let production = TrustedRoot::production().ok();
        let custom = SEEDS.iter().filter_map(|(bundle, root)| Some((*bundle, TrustedRoot::from_json(root).ok()?)));
        let prod = PRODUCTION_SEEDS.iter().filter_map(|bundle| Some((*bundle, production.clone()?)));
        custom
            .chain(prod)
            .filter_map(|(bundle, root)| {
                Some(Seed { bundle: serde_json::from_str(bundle).ok()?, verifier: Verifier::new(root).ok()? })
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let [seed, field, replacement @ ..] = data else { return };
    let seeds = seeds();
    let Some(seed) = seeds.get(usize::from(*seed) % seeds.len().max(1)) else { return };
    let pointer = FIELDS[usize::from(*field) % FIELDS.len()];
    let mut bundle = seed.bundle.clone();
    let Some(slot) = bundle.pointer_mut(pointer) else { return };
    *slot = match pointer {
        p if p.ends_with("envelope") || p.ends_with("logIndex") => {
            Value::String(String::from_utf8_lossy(replacement).into_owned())
        }
        _ => Value::String(encode_base64(replacement)),
    };
    let Ok(bundle) = Bundle::from_json(&bundle.to_string()) else { return };
    let policy = Policy::new(SignerPolicy::UnsafeAnyCertificateIdentity);
    let _ = seed.verifier.verify(&bundle, &Artifact::Bytes(b"hello"), &policy);
    let _ = seed.verifier.verify(&bundle, &Artifact::UnsafeUnchecked, &policy);
});
