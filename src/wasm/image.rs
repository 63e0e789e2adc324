//! The image module: an image's signatures or attestations, found in its registry.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::session::Session;
use super::to_js;
use super::verify::{from_value, serialized, Verifier};
use crate::cosign::verify::ImageVerification;
use crate::options::{ImageOptions, PolicyOptions};
use crate::session::ImageLookup;

serialized!(ImageVerification);

#[wasm_bindgen]
impl Verifier {
    /// Verifies the signatures (or, with `attestations`, the attestations) of the image
    /// `reference`: `policy` a `PolicyOptions`, `options` an `ImageOptions`.
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
}
