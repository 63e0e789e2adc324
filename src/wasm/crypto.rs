//! The crypto module: the pure-Rust signature backend, and nothing else. The verifier's and the
//! TUF client's modules verify no signature themselves; the JavaScript side runs their checks on
//! the platform (WebCrypto, node:crypto) and loads this module only for a check the platform
//! cannot run (a prehashed message, Ed25519ph, an algorithm it lacks) or, where the platform has
//! no synchronous verification (browsers, workers), for the synchronous `verify()`.

use wasm_bindgen::prelude::*;

use crate::crypto::RustCrypto;

/// Whether a check as the verifier's module hands it out (`name`, `hash`, `prehashed`, `spki`,
/// `message`, `signature`; ECDSA signatures as `r || s`) verifies. Anything malformed is `false`.
#[wasm_bindgen(js_name = verifySignature)]
pub fn verify_signature(
    name: &str,
    hash: Option<String>,
    prehashed: bool,
    spki: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    RustCrypto.verify_web_crypto(name, hash.as_deref(), prehashed, spki, message, signature)
}
