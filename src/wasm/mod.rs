//! The JavaScript boundary, compiled only for wasm32. It converts values and nothing else: every
//! rule lives in the core and is tested natively.
//!
//! The package ships three modules built from this crate (`wasm-pack.toml`), each with its own
//! exports: the verifier (`verify`), which every page and worker loads; the TUF client (`tuf`,
//! the `tuf-module` feature), loaded by those that refresh their trusted root through TUF; and
//! the pure-Rust signature backend (`crypto`, the `crypto-module` feature), loaded only for
//! checks the platform cannot run.

#[cfg(all(feature = "tuf-module", feature = "crypto-module"))]
compile_error!("one module per build: the features tuf-module and crypto-module exclude each other");

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
#[cfg(not(any(feature = "tuf-module", feature = "crypto-module")))]
mod verify;
