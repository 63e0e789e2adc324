//! sigstore-wasm: a complete Sigstore bundle verifier in pure Rust, for native code and
//! WebAssembly.
//!
//! The core is synchronous and does no I/O: bundles, artifacts, policies, trust material and the
//! current time all come in as values. Start with [`verify::Verifier`].

#![forbid(unsafe_code)]
// A panic inside WebAssembly kills the instance: library code reports every failure as a value.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

pub mod artifact;
pub mod asn1;
pub mod attestations;
pub mod budget;
pub mod bundle;
pub mod claimed;
pub mod cosign;
pub mod crypto;
pub mod dsse;
pub mod encoding;
pub mod error;
pub mod http;
pub mod limits;
pub mod oci;
pub mod options;
pub mod policy;
pub mod rekor;
pub mod session;
pub mod time;
pub mod tlog;
pub mod trust;
pub mod tsa;
pub mod tuf;
pub mod verify;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
pub mod x509;
