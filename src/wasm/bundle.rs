//! The bundle module, what a page or a worker that verifies bundles loads: a bundle against an
//! artifact or its digest, and the artifact's digest taken piece by piece.

use std::rc::Rc;

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use super::session::Session;
use super::verify::{from_value, serialized, Verifier};
use super::{invalid, to_js};
use crate::bundle::Bundle;
use crate::crypto::{HashAlgorithm, Hasher};
use crate::options::PolicyOptions;
use crate::session::{ArtifactInput, BundleVerification};
use crate::verify::VerificationResult;

serialized!(VerificationResult);

#[wasm_bindgen]
impl Verifier {
    /// Verifies `bundle` (JSON bytes) against `artifact` (a `Uint8Array`, a `"sha256:<hex>"`
    /// digest, or `null` with `unsafeSkipArtifactCheck`) under `policy` (`PolicyOptions`).
    pub fn verify(&self, bundle: &[u8], artifact: JsValue, policy: JsValue) -> Result<Session, JsValue> {
        let options: PolicyOptions = from_value(policy, "options")?;
        let artifact = if let Some(digest) = artifact.as_string() {
            ArtifactInput::Digest(digest)
        } else if artifact.is_instance_of::<Uint8Array>() {
            ArtifactInput::Bytes(Uint8Array::new(&artifact).to_vec())
        } else if artifact.is_null() || artifact.is_undefined() {
            ArtifactInput::Absent
        } else {
            return Err(invalid("the artifact must be a Uint8Array or a \"sha256:<hex>\" digest"));
        };
        let work = BundleVerification::new(Rc::clone(&self.inner), bundle, artifact, options).map_err(to_js)?;
        Ok(Session::new(work))
    }
}

/// Digests an artifact piece by piece, for one too large to hold in memory: a page hashes a
/// dropped file as it streams, then verifies against the digest.
#[wasm_bindgen]
pub struct Digester {
    hasher: Option<Hasher>,
}

#[wasm_bindgen]
impl Digester {
    /// `algorithm`: `"sha256"`, `"sha384"` or `"sha512"`.
    #[wasm_bindgen(constructor)]
    pub fn new(algorithm: &str) -> Result<Digester, JsValue> {
        Ok(Digester { hasher: Some(Hasher::new(HashAlgorithm::parse(algorithm).map_err(to_js)?)) })
    }

    pub fn update(&mut self, chunk: &[u8]) {
        if let Some(hasher) = &mut self.hasher {
            hasher.update(chunk);
        }
    }

    /// The digest as `<algorithm>:<hex>`, as `verify` takes it; once only.
    pub fn finish(&mut self) -> Result<String, JsValue> {
        self.hasher.take().map(Hasher::finish_text).ok_or_else(|| invalid("the digest was already taken"))
    }
}

/// The algorithm to digest the artifact with for `bundle` (JSON bytes), when only its digest
/// will be given (`claimed::digest_algorithm_for`).
#[wasm_bindgen(js_name = digestAlgorithmFor)]
pub fn digest_algorithm_for(bundle: &[u8]) -> Result<String, JsValue> {
    let bundle = Bundle::from_slice(bundle).map_err(to_js)?;
    Ok(crate::claimed::digest_algorithm_for(&bundle).name().to_owned())
}

/// The digest of the artifact `bundle` (JSON bytes) says it is about, `<algorithm>:<hex>`; among
/// several in-toto subjects, the one called `name` (`claimed::claimed_digest`).
#[wasm_bindgen(js_name = claimedDigest)]
pub fn claimed_digest(bundle: &[u8], name: Option<String>) -> Result<String, JsValue> {
    let bundle = Bundle::from_slice(bundle).map_err(to_js)?;
    let claimed = crate::claimed::claimed_digest(&bundle, name.as_deref()).map_err(to_js)?;
    claimed.digest_text().ok_or_else(|| JsValue::from_str("a claimed digest is a digest"))
}
