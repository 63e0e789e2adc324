//! X.509: certificates, chains to the trusted root's authorities, Fulcio identity claims and
//! embedded signed certificate timestamps.

pub mod certificate;
pub mod chain;
pub mod fulcio;
mod name;
pub mod sct;

pub use certificate::{Certificate, San};
