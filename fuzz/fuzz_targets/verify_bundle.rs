//! Any bytes, read as a bundle, verified against the production root and a custom trusted root
//! read from the same bytes: the verifier must answer with a verdict, never a panic, a hang or
//! unbounded memory.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sigstore_wasm::artifact::Artifact;
use sigstore_wasm::bundle::Bundle;
use sigstore_wasm::policy::{Policy, SignerPolicy};
use sigstore_wasm::trust::TrustedRoot;
use sigstore_wasm::verify::Verifier;

fn production() -> Option<&'static Verifier> {
    static VERIFIER: OnceLock<Option<Verifier>> = OnceLock::new();
    VERIFIER.get_or_init(|| TrustedRoot::production().ok().and_then(|root| Verifier::new(root).ok())).as_ref()
}

fuzz_target!(|data: &[u8]| {
    // A trusted root is caller input too: it must parse or fail cleanly.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = TrustedRoot::from_json(text).and_then(Verifier::new);
    }
    let Ok(bundle) = Bundle::from_slice(data) else { return };
    let Some(verifier) = production() else { return };
    let policy = Policy::new(SignerPolicy::UnsafeAnyCertificateIdentity);
    let digest = Artifact::parse_digest("sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf");
    for artifact in [Artifact::Bytes(b"hello"), Artifact::UnsafeUnchecked].into_iter().chain(digest) {
        let _ = verifier.verify(&bundle, &artifact, &policy);
    }
});
