//! Any bytes, as what registries and Rekor answer: the first byte of each chunk picks a status
//! and a media type, the rest is the body. An image verification, Rekor lookups and the package
//! registries' attestation lookups (npm, PyPI, GitHub) walk over those replies, and the second half of the input is read as a legacy cosign layer (its
//! annotations as JSON, then its blob). Whatever comes back, the answer is a report or an error,
//! never a panic, a hang or unbounded memory.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sigstore_wasm::attestations::{self, Registries, Subject};
use sigstore_wasm::cosign::discover::{discover, RekorSearch, Request};
use sigstore_wasm::cosign::legacy::{Layer, LayerKind};
use sigstore_wasm::cosign::verify::{verify_discovery, ImagePolicy};
use sigstore_wasm::cosign::Want;
use sigstore_wasm::crypto::RustCrypto;
use sigstore_wasm::http::{Exchange, Reply, Response};
use sigstore_wasm::oci::{Digest, Reference};
use sigstore_wasm::policy::{Policy, SignerPolicy};
use sigstore_wasm::rekor::{self, Query};
use sigstore_wasm::trust::TrustedRoot;
use sigstore_wasm::verify::Verifier;

const STATUSES: [u16; 6] = [200, 200, 401, 404, 500, 400];
const MEDIA_TYPES: [&str; 5] = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/json",
    "text/plain",
];

fn production() -> Option<&'static Verifier> {
    static VERIFIER: OnceLock<Option<Verifier>> = OnceLock::new();
    VERIFIER.get_or_init(|| TrustedRoot::production().ok().and_then(|root| Verifier::new(root).ok())).as_ref()
}

/// Replies cut from `data` at 0xff bytes, one per request, then failures.
fn replies(data: &[u8]) -> impl FnMut(&sigstore_wasm::http::Request) -> Reply + '_ {
    let mut chunks = data.split(|&b| b == 0xff);
    move |request| match chunks.next() {
        Some([pick, body @ ..]) => {
            let status = STATUSES[usize::from(pick % 6)];
            let mut headers = vec![("content-type".to_owned(), MEDIA_TYPES[usize::from(pick / 6 % 5)].to_owned())];
            if status == 401 {
                headers.push(("www-authenticate".to_owned(), String::from_utf8_lossy(body).into_owned()));
            }
            match body.len() > request.max_bytes {
                true => Reply::TooLarge,
                false => Reply::Response(Response::new(status, headers, body.to_vec())),
            }
        }
        _ => Reply::Failed("no more replies".to_owned()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(verifier) = production() else { return };
    let policy =
        ImagePolicy { policy: Policy::new(SignerPolicy::UnsafeAnyCertificateIdentity), annotations: BTreeMap::new() };
    let (half, rest) = data.split_at(data.len() / 2);
    for want in [Want::Signatures, Want::Attestations("https://slsa.dev/provenance/v1".to_owned())] {
        let Ok(reference) = Reference::parse("127.0.0.1:5000/app:v1") else { return };
        let rekor = Some(RekorSearch { base_url: "http://127.0.0.1:3000".to_owned(), key: None });
        let request = Request { reference, signature_repository: None, want: want.clone(), allow_http: false, rekor };
        if let Ok(found) = Exchange::default().complete_walk(|f| discover(f, &request), replies(data)) {
            let _ = verify_discovery(&found, &want, verifier, &policy, &RustCrypto);
        }
    }
    for query in [Query::LogIndex(7), Query::Digest(Digest::sha256(b"artifact"))] {
        if let Ok(entries) = Exchange::default().complete_walk(|f| rekor::lookup(f, "http://r", &query), replies(data))
        {
            let _ = rekor::verify_lookup(&query, &entries, &verifier.trusted_root().tlogs, &RustCrypto);
        }
    }
    for text in [
        "npm:@scope/app@1.0.0",
        "pypi:app==1.0",
        "github:org/app@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        let Ok(subject) = Subject::parse(text) else { return };
        if let Ok(found) = Exchange::default()
            .complete_walk(|f| attestations::discover(f, &subject, &Registries::default()), replies(data))
        {
            let _ = attestations::verify_found(text, &subject, &found, verifier, &policy.policy, &RustCrypto);
        }
    }
    let Ok(annotations) = serde_json::from_slice::<BTreeMap<String, String>>(half) else { return };
    for kind in [LayerKind::Signature, LayerKind::Attestation] {
        let layer = Layer {
            kind,
            media_type: String::new(),
            digest: Digest::sha256(rest),
            blob: rest.to_vec(),
            annotations: annotations.clone(),
        };
        if let Ok(bundle) = layer.to_bundle(&[]) {
            let _ = verifier.verify(&bundle, &sigstore_wasm::artifact::Artifact::Bytes(rest), &policy.policy);
        }
    }
});
