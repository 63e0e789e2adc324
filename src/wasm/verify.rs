//! What the verifier's modules share: a verifier prepared from a trusted root, whose authorities'
//! chains the JavaScript side checks, and the option names it routes by. Each module adds the
//! calls of its use (`bundle.rs`, `image.rs`, `log.rs`, `packages.rs`), each a session
//! (`session.rs`) whose signature checks the JavaScript side runs and whose requests it makes. No
//! module verifies a signature itself: the platform does (WebCrypto, node:crypto), or the crypto
//! module (`crypto.rs`) for what the platform cannot.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::session::{IntoJs, Session};
use super::{invalid, to_js, to_value};
use crate::options::{ImageOptions, LogQueryOptions, RegistryOptions};
use crate::session::Preparation;
use crate::trust::TrustedRoot;

/// Outcomes that are values, or errors to throw.
macro_rules! serialized {
    ($($t:ty),* $(,)?) => {$(
        impl super::session::IntoJs for crate::error::Result<$t> {
            fn into_js(self) -> Result<JsValue, JsValue> {
                super::to_value(&self.map_err(super::to_js)?)
            }
        }
    )*};
}
pub(super) use serialized;

impl IntoJs for crate::error::Result<crate::verify::Verifier> {
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
    pub(super) inner: Rc<crate::verify::Verifier>,
}

#[wasm_bindgen]
impl Verifier {
    /// What the trusted root holds and how recent it is (`RootSummary`).
    #[wasm_bindgen(js_name = rootSummary)]
    pub fn root_summary(&self) -> Result<JsValue, JsValue> {
        to_value(&self.inner.trusted_root().summary())
    }
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

/// Options from JavaScript, as the core's type: `what` names them in the error.
pub(super) fn from_value<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| invalid(&format!("{what}: {e}")))
}
