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
/// Most signature lines by the log's own key (its name and key hint) in one checkpoint: a log
/// signs a checkpoint once, and each such line costs a signature check.
pub const MAX_LOG_SIGNATURE_LINES: usize = 1;
/// Most signature checks one bundle verification may ask for, bounded from the bundle's
/// structure before any runs (`budget`). A real bundle asks for 3 to 8; the bound keeps a
/// backend that answers later (WebCrypto) from being handed thousands of forged checks.
pub const MAX_SIGNATURE_CHECKS: usize = 64;
/// Largest checkpoint text, in bytes.
pub const MAX_CHECKPOINT_BYTES: usize = 64 << 10;
/// Most SCTs embedded in one certificate.
pub const MAX_SCTS: usize = 32;

// What a registry or a Rekor server may make a client fetch. The counts follow cosign's fixes for
// CVE-2023-46737 (100 signatures or attestations) and CVE-2024-29903 (1000 layers); the sizes
// bound CVE-2024-29902 (an attachment read whole into memory).

/// Largest manifest or index accepted, in bytes (distribution's own limit).
pub const MAX_MANIFEST_BYTES: usize = 4 << 20;
/// Most layers in one signature manifest.
pub const MAX_LAYERS: usize = 1000;
/// Most descriptors in one image index or referrers list.
pub const MAX_INDEX_MANIFESTS: usize = 1000;
/// Most pages of one referrers list.
pub const MAX_REFERRER_PAGES: usize = 16;
/// Most signatures and attestations examined for one image.
pub const MAX_SIGNATURES: usize = 100;
/// Largest simple-signing payload, in bytes. Real ones are a few hundred bytes.
pub const MAX_SIMPLE_SIGNING_BYTES: usize = 1 << 20;
/// Largest DSSE envelope blob (a legacy attestation), in bytes: room for a payload at its limit.
pub const MAX_ENVELOPE_BYTES: usize = 12 << 20;
/// Largest registry token response, in bytes.
pub const MAX_TOKEN_RESPONSE_BYTES: usize = 64 << 10;
/// Largest Rekor API response, in bytes.
pub const MAX_REKOR_RESPONSE_BYTES: usize = 8 << 20;
/// Largest answer of a package registry's metadata or attestations API (npm, PyPI, GitHub), in bytes.
pub const MAX_ATTESTATION_RESPONSE_BYTES: usize = 8 << 20;
/// Most log entries one Rekor search may report.
pub const MAX_REKOR_RESULTS: usize = 100;
/// Most HTTP requests one image verification or log lookup may make.
pub const MAX_REQUESTS: usize = 512;
/// Most response bytes one image verification or log lookup may read, in all.
pub const MAX_FETCHED_BYTES: usize = 64 << 20;

// What a TUF repository may make a client fetch and walk (src/tuf): python-tuf's and go-tuf's
// bounds.

/// Most root versions loaded in one update.
pub const MAX_ROOT_ROTATIONS: u64 = 32;
/// Most delegated roles visited in one target search.
pub const MAX_DELEGATIONS: usize = 32;
/// Largest root metadata, in bytes (roots list no length for themselves).
pub const MAX_ROOT_BYTES: usize = 512 << 10;
/// Largest timestamp metadata, in bytes (nothing lists its length).
pub const MAX_TIMESTAMP_BYTES: usize = 16 << 10;
/// Largest snapshot metadata when the timestamp lists no length, in bytes.
pub const MAX_SNAPSHOT_BYTES: usize = 2 << 20;
/// Largest targets metadata when the snapshot lists no length, in bytes.
pub const MAX_TARGETS_BYTES: usize = 5 << 20;
/// Largest target file, in bytes: a trusted root is a few tens of kilobytes.
pub const MAX_TARGET_BYTES: usize = 16 << 20;
