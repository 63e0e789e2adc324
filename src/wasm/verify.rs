//! The verifier's module: bundles, images, attestations and log lookups, each a session
//! (`session.rs`) whose signature checks the JavaScript side runs, and whose requests it makes.
//! The module verifies no signature itself: the platform does (WebCrypto, node:crypto), or the
//! crypto module (`crypto.rs`) for what the platform cannot.

use std::rc::Rc;

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use super::session::{IntoJs, Session};
use super::{invalid, to_js, to_value};
use crate::attestations::{self, AttestationsVerification};
use crate::bundle::Bundle;
use crate::cosign::verify::ImageVerification;
use crate::crypto::{HashAlgorithm, Hasher};
use crate::options::{ImageOptions, LogQueryOptions, PolicyOptions, RegistryOptions};
use crate::rekor::LoggedEntry;
use crate::session::{ArtifactInput, AttestationsLookup, BundleVerification, ImageLookup, LogLookup, Preparation};
use crate::trust::TrustedRoot;
use crate::verify::{self, VerificationResult};

/// Outcomes that are values, or errors to throw.
macro_rules! serialized {
    ($($t:ty),* $(,)?) => {$(
        impl IntoJs for crate::error::Result<$t> {
            fn into_js(self) -> Result<JsValue, JsValue> {
                to_value(&self.map_err(to_js)?)
            }
        }
    )*};
}
serialized!(VerificationResult, ImageVerification, Vec<LoggedEntry>, AttestationsVerification);

impl IntoJs for crate::error::Result<verify::Verifier> {
    fn into_js(self) -> Result<JsValue, JsValue> {
        Ok(Verifier { inner: Rc::new(self.map_err(to_js)?) }.into())
    }
}

/// Starts building a verifier for `trustedRoot` (`"production"`, `"staging"`, or the text of a
/// trusted root JSON), whose authorities' chains the caller checks: the session's value is the
/// `Verifier`.
#[wasm_bindgen]
pub fn prepare(trusted_root: &str) -> Result<Session, JsValue> {
    Ok(Session::new(Preparation::new(TrustedRoot::from_name_or_json(trusted_root).map_err(to_js)?)))
}

/// Trust material, parsed and checked once.
#[wasm_bindgen]
pub struct Verifier {
    inner: Rc<verify::Verifier>,
}

#[wasm_bindgen]
impl Verifier {
    /// What the trusted root holds and how recent it is (`RootSummary`).
    #[wasm_bindgen(js_name = rootSummary)]
    pub fn root_summary(&self) -> Result<JsValue, JsValue> {
        to_value(&self.inner.trusted_root().summary())
    }

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

    /// Verifies the signatures (or, with `attestations`, the attestations) of the image
    /// `reference`: `policy` as for `verify`, `options` an `ImageOptions`.
    pub fn image(
        &self,
        reference: &str,
        attestations: bool,
        policy: JsValue,
        options: JsValue,
    ) -> Result<Session, JsValue> {
        let policy: PolicyOptions = from_value(policy, "options")?;
        let options: ImageOptions = from_value(options, "image options")?;
        let work = ImageLookup::new(Rc::clone(&self.inner), reference, attestations, policy, options).map_err(to_js)?;
        Ok(Session::new(work))
    }

    /// Finds and verifies the attestations a package registry publishes for `subject`
    /// (`npm:name@version`, `pypi:project==version`, `github:owner/repo@sha256:<hex>`): `policy`
    /// as for `verify`, `options` a `RegistryOptions`.
    pub fn attestations(&self, subject: &str, policy: JsValue, options: JsValue) -> Result<Session, JsValue> {
        let policy: PolicyOptions = from_value(policy, "options")?;
        let options: RegistryOptions = from_value(options, "registry options")?;
        let work = AttestationsLookup::new(Rc::clone(&self.inner), subject, policy, options).map_err(to_js)?;
        Ok(Session::new(work))
    }

    /// A Rekor lookup (`LogQueryOptions`), whose entries are verified with this trust.
    pub fn log(&self, query: JsValue) -> Result<Session, JsValue> {
        let query: LogQueryOptions = from_value(query, "query")?;
        Ok(Session::new(LogLookup::new(Rc::clone(&self.inner), query).map_err(to_js)?))
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

/// The attestation subject of a file downloaded from `registry` (`"npm"`, `"pypi"`) at `path`,
/// and the name its registry lists it under: `{ subject, file }` (`Subject::for_download`).
#[wasm_bindgen(js_name = downloadSubject)]
pub fn download_subject(registry: &str, path: &str) -> Result<JsValue, JsValue> {
    let (subject, file) = attestations::Subject::for_download(registry, path).map_err(to_js)?;
    to_value(&serde_json::json!({ "subject": subject.text(), "file": file }))
}

/// The option names the JavaScript API routes by: `{ image, registry, log }`, the fields of
/// `ImageOptions`, `RegistryOptions` and `LogQueryOptions` (`options::field_names`).
#[wasm_bindgen(js_name = optionNames)]
pub fn option_names() -> Result<JsValue, JsValue> {
    use crate::options::field_names;
    to_value(&serde_json::json!({
        "image": field_names::<ImageOptions>(),
        "registry": field_names::<RegistryOptions>(),
        "log": field_names::<LogQueryOptions>(),
    }))
}

fn from_value<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| invalid(&format!("{what}: {e}")))
}
