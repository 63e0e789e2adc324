//! Shared test support. Include from an integration test with `mod support;`.
//!
//! Each integration test binary uses a different subset of these helpers, so unused items are
//! expected and not warned about.
#![allow(dead_code, unused_imports)]

pub mod cosign;
pub mod instance;
pub mod serve;
pub mod tuf;
pub mod verify;
