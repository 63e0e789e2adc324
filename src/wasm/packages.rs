//! The packages module: the attestations a package registry publishes, each verified.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::session::Session;
use super::verify::{from_value, serialized, Verifier};
use super::{to_js, to_value};
use crate::attestations::{self, AttestationsVerification};
use crate::options::{PolicyOptions, RegistryOptions};
use crate::session::AttestationsLookup;

serialized!(AttestationsVerification);

#[wasm_bindgen]
impl Verifier {
    /// Finds and verifies the attestations a package registry publishes for `subject`
    /// (`npm:name@version`, `pypi:project==version`, `github:owner/repo@sha256:<hex>`): `policy`
    /// a `PolicyOptions`, `options` a `RegistryOptions`.
    pub fn attestations(&self, subject: &str, policy: JsValue, options: JsValue) -> Result<Session, JsValue> {
        let policy: PolicyOptions = from_value(policy, "options")?;
        let options: RegistryOptions = from_value(options, "registry options")?;
        let work = AttestationsLookup::new(Rc::clone(&self.inner), subject, policy, options).map_err(to_js)?;
        Ok(Session::new(work))
    }
}

/// The attestation subject of a file downloaded from `registry` (`"npm"`, `"pypi"`) at `path`,
/// and the name its registry lists it under: `{ subject, file }` (`Subject::for_download`).
#[wasm_bindgen(js_name = downloadSubject)]
pub fn download_subject(registry: &str, path: &str) -> Result<JsValue, JsValue> {
    let (subject, file) = attestations::Subject::for_download(registry, path).map_err(to_js)?;
    to_value(&serde_json::json!({ "subject": subject.text(), "file": file }))
}
