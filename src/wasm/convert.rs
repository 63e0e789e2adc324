//! Conversions shared by the verifier's and the TUF client's modules.

use js_sys::Reflect;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::{ErrorCode, VerificationError};

/// Headers given as a flat list of names and values.
pub(super) fn header_pairs(headers: &[String]) -> Vec<(String, String)> {
    headers
        .chunks_exact(2)
        .filter_map(|pair| match pair {
            [name, value] => Some((name.clone(), value.clone())),
            _ => None,
        })
        .collect()
}

pub(super) fn invalid(message: &str) -> JsValue {
    to_js(VerificationError::new(ErrorCode::InvalidInput, message))
}

/// Plain JavaScript objects (not Maps), `null` for absent values, bytes as `Uint8Array`.
pub(super) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let serializer =
        serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true).serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .map_err(|e| to_js(VerificationError::new(ErrorCode::InvalidInput, format!("result conversion: {e}"))))
}

/// An `Error` named `VerificationError` with the stable `code`; the JavaScript API rethrows it
/// as its `VerificationError` class.
pub(super) fn to_js(error: VerificationError) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name("VerificationError");
    // Setting a property on a fresh Error cannot fail.
    let _ = Reflect::set(&js, &JsValue::from_str("code"), &JsValue::from_str(error.code.as_str()));
    js.into()
}
