//! The JavaScript boundary, compiled only for wasm32. It converts values and nothing else: every
//! rule lives in the core and is tested natively.
//!
//! The package ships six modules built from this crate (`wasm-pack.toml`), each with its own
//! exports, so that each call downloads only what it uses. Four verify with a trusted root
//! (`verify.rs`, what they share): bundles (`bundle.rs`, no feature), images (`image.rs`, the
//! `image-module` feature), Rekor lookups (`log.rs`, `log-module`) and package attestations
//! (`packages.rs`, `packages-module`). The TUF client (`tuf.rs`, `tuf-module`) is loaded by those
//! that refresh their trusted root through TUF, and the pure-Rust signature backend (`crypto.rs`,
//! `crypto-module`) only for checks the platform cannot run.

// One module per build: at most one of the module features.
const _: () = assert!(
    cfg!(feature = "tuf-module") as u8
        + cfg!(feature = "crypto-module") as u8
        + cfg!(feature = "image-module") as u8
        + cfg!(feature = "log-module") as u8
        + cfg!(feature = "packages-module") as u8
        <= 1,
    "one module per build: the module features exclude each other"
);

#[cfg(feature = "crypto-module")]
mod crypto;

#[cfg(not(feature = "crypto-module"))]
mod convert;
#[cfg(not(feature = "crypto-module"))]
use convert::{header_pairs, invalid, to_js, to_value};
#[cfg(not(feature = "crypto-module"))]
mod session;

#[cfg(all(feature = "tuf-module", not(feature = "crypto-module")))]
mod tuf;

// The verifier's modules: each prepares a verifier of its own and adds the calls of its use.
#[cfg(not(any(
    feature = "tuf-module",
    feature = "crypto-module",
    feature = "image-module",
    feature = "log-module",
    feature = "packages-module"
)))]
mod bundle;
#[cfg(feature = "image-module")]
mod image;
#[cfg(feature = "log-module")]
mod log;
#[cfg(feature = "packages-module")]
mod packages;
#[cfg(not(any(feature = "tuf-module", feature = "crypto-module")))]
mod verify;
