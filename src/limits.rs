//! Explicit bounds on everything an input can make the verifier do. Each limit is enforced where
//! the input is read, fails with `ErrorCode::LimitExceeded`, and has a test.
//!
//! The counts follow sigstore-go's limits (CVE-2024-45395); the sizes are far above anything real
//! Sigstore data holds and small enough for a browser tab or an edge worker.

use crate::error::{fail, ErrorCode, Result};

/// Fails with `LimitExceeded` when `found` exceeds `limit`; `what` names the counted thing, for
/// example "tlog entries in the bundle".
pub fn at_most(found: usize, limit: usize, what: &str) -> Result<()> {
    if found > limit {
        return fail(ErrorCode::LimitExceeded, format!("{found} {what}; the limit is {limit}"));
    }
    Ok(())
}

/// Largest bundle JSON accepted, in bytes.
pub const MAX_BUNDLE_BYTES: usize = 16 << 20;
/// Largest trusted root JSON accepted, in bytes.
pub const MAX_TRUSTED_ROOT_BYTES: usize = 1 << 20;
/// Largest decoded DSSE payload accepted, in bytes.
pub const MAX_PAYLOAD_BYTES: usize = 8 << 20;
/// Most transparency log entries in one bundle.
pub const MAX_TLOG_ENTRIES: usize = 32;
/// Most RFC 3161 timestamps in one bundle.
pub const MAX_TIMESTAMPS: usize = 32;
/// Most subjects in an in-toto statement.
pub const MAX_SUBJECTS: usize = 1024;
/// Most digests per in-toto subject.
pub const MAX_DIGESTS_PER_SUBJECT: usize = 32;
/// Largest RFC 3161 timestamp response, in bytes. Real ones take 0.5 to 6 KiB.
pub const MAX_TIMESTAMP_RESPONSE_BYTES: usize = 64 << 10;
/// Most certificates in a bundle's or an authority's chain.
pub const MAX_CHAIN_LENGTH: usize = 10;
/// Most hashes in one inclusion proof (a tree of 2^64 leaves needs at most 64).
pub const MAX_PROOF_HASHES: usize = 64;
/// Most signature lines in one checkpoint (C2SP asks verifiers to accept at least 16).
pub const MAX_CHECKPOINT_SIGNATURES: usize = 100;
/// Largest checkpoint text, in bytes.
pub const MAX_CHECKPOINT_BYTES: usize = 64 << 10;
/// Most SCTs embedded in one certificate.
pub const MAX_SCTS: usize = 32;
