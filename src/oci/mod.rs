//! OCI registries: image references, digests, manifests and indexes, anonymous token auth, and a
//! distribution API client written as a walk over replies (see [`crate::http`]), so that the
//! network stays with the caller.

pub mod auth;
pub mod digest;
pub mod manifest;
pub mod reference;
pub mod registry;

pub use digest::Digest;
pub use reference::Reference;
