//! A TUF client (The Update Framework, specification 1.0), without I/O: how a trusted root is
//! refreshed from Sigstore's TUF repository. The metadata is parsed strictly ([`metadata`]),
//! signatures are over canonical JSON ([`canonical`]) and checked by thresholds of keys through
//! the crate's signature interface ([`keys`]), every check of the client workflow is in
//! [`trusted`], and [`updater`] is the workflow itself as an HTTP walk; [`refresh`] is a trusted root refreshed through
//! it, and what is used when the repository cannot be.

pub mod canonical;
pub mod keys;
pub mod metadata;
pub mod refresh;
pub mod trusted;
pub mod updater;

pub use updater::{update, Mode, Persist, Repository, Start, Target, TargetRequest, Update, Updated};
