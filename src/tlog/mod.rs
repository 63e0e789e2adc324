//! Transparency log entries: which log, bound to this bundle, and proven included (by a signed
//! entry timestamp, an inclusion proof against a signed checkpoint, or both).

pub(crate) mod body;
pub mod checkpoint;
pub mod merkle;
pub mod set;

use serde::Serialize;

use crate::bundle::TlogEntry;
use crate::crypto::SignatureBackend;
use crate::encoding::encode_hex;
use crate::error::{fail, ErrorCode, Result};
use crate::time::Timestamp;
use crate::trust::TransparencyLog;
use body::{Expected, Kind};

/// How inclusion in the log was shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inclusion {
    /// The index the proof is for (Rekor v1: the index within the log shard).
    pub log_index: u64,
    /// The size of the tree the proof and the checkpoint are for.
    pub tree_size: u64,
    /// The origin line of the verified checkpoint.
    pub checkpoint_origin: String,
}

/// A log entry that verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedEntry {
    /// The entry's index in the log (Rekor v1: the global index, across shards).
    pub log_index: u64,
    /// Hex of the trusted log's ID (whichever of its IDs the entry named).
    pub log_id: String,
    /// The trusted log's base URL.
    pub log_url: String,
    /// The entry's kind, such as `hashedrekord` or `dsse`.
    pub kind: String,
    /// The kind's version, such as `0.0.1`.
    pub version: String,
    /// The integrated time, present only when the log signed it (a verified SET).
    pub integrated_time: Option<Timestamp>,
    /// Whether a signed entry timestamp (inclusion promise) verified.
    pub promise: bool,
    /// The inclusion proof that verified against a signed checkpoint, if the entry carries one.
    pub inclusion_proof: Option<Inclusion>,
}

/// Verifies one entry of a bundle. Every entry must verify: one from a log the trusted root
/// does not list is refused, not skipped, as sigstore-go does (a verifier that skips what it
/// cannot check would accept a bundle whose entries nobody checked).
pub(crate) fn verify_entry(
    entry: &TlogEntry,
    tlogs: &[TransparencyLog],
    expected: &Expected<'_>,
    backend: &dyn SignatureBackend,
) -> Result<VerifiedEntry> {
    let kind = kind_of(entry)?;
    let log = trusted_log(entry, tlogs)?;
    body::check_body(kind, &entry.kind, &entry.version, &entry.canonicalized_body, expected)?;
    prove(entry, log, kind, backend)
}

/// The trusted log an entry names by its log ID.
pub(crate) fn trusted_log<'a>(entry: &TlogEntry, tlogs: &'a [TransparencyLog]) -> Result<&'a TransparencyLog> {
    match tlogs.iter().find(|log| log.has_id(&entry.log_id)) {
        Some(log) => Ok(log),
        None => fail(
            ErrorCode::TlogEntry,
            format!(
                "entry {} is from log {}, which the trusted root does not list",
                entry.log_index,
                encode_hex(&entry.log_id)
            ),
        ),
    }
}

/// Verifies an entry read from a log's API rather than from a bundle: it says nothing about any
/// signature by itself, so it must prove everything on its own: a trusted log, a verified SET
/// and an inclusion proof against a signed checkpoint.
pub fn verify_logged(
    entry: &TlogEntry,
    tlogs: &[TransparencyLog],
    backend: &dyn SignatureBackend,
) -> Result<VerifiedEntry> {
    let kind = kind_of(entry)?;
    let log = trusted_log(entry, tlogs)?;
    body::check_header(&entry.kind, &entry.version, &entry.canonicalized_body)?;
    let verified = prove(entry, log, kind, backend)?;
    if !verified.promise || verified.inclusion_proof.is_none() {
        return fail(
            ErrorCode::TlogEntry,
            format!(
                "entry {} of {} needs both a signed entry timestamp and an inclusion proof with a checkpoint",
                entry.log_index, log.base_url
            ),
        );
    }
    Ok(verified)
}

fn kind_of(entry: &TlogEntry) -> Result<Kind> {
    match Kind::from_kind_version(&entry.kind, &entry.version) {
        Some(kind) => Ok(kind),
        None => fail(ErrorCode::TlogEntry, format!("unsupported tlog entry kind {}/{}", entry.kind, entry.version)),
    }
}

/// The entry's proofs of inclusion in `log`: its SET, its inclusion proof and checkpoint.
fn prove(
    entry: &TlogEntry,
    log: &TransparencyLog,
    kind: Kind,
    backend: &dyn SignatureBackend,
) -> Result<VerifiedEntry> {
    let integrated_time = match (&entry.signed_entry_timestamp, kind.is_rekor_v2()) {
        (Some(set), false) => Some(set::verify_set(entry, set, log, backend)?),
        // Rekor v2 has no SETs; its integrated time, if any, is unsigned and ignored.
        _ => None,
    };
    let inclusion_proof = match &entry.inclusion_proof {
        Some(proof) => Some(verify_inclusion(entry, proof, log, kind, backend)?),
        None => None,
    };
    if integrated_time.is_none() && inclusion_proof.is_none() {
        let need = if kind.is_rekor_v2() {
            "an inclusion proof with a checkpoint"
        } else {
            "a signed entry timestamp or an inclusion proof with a checkpoint"
        };
        return fail(
            ErrorCode::TlogEntry,
            format!(
                "tlog entry {} of {} carries no proof of inclusion: {need} is required",
                entry.log_index, log.base_url
            ),
        );
    }
    Ok(VerifiedEntry {
        log_index: entry.log_index,
        log_id: encode_hex(&log.log_id),
        log_url: log.base_url.clone(),
        kind: entry.kind.clone(),
        version: entry.version.clone(),
        integrated_time,
        promise: integrated_time.is_some(),
        inclusion_proof,
    })
}

fn verify_inclusion(
    entry: &TlogEntry,
    proof: &crate::bundle::InclusionProof,
    log: &TransparencyLog,
    kind: Kind,
    backend: &dyn SignatureBackend,
) -> Result<Inclusion> {
    // Rekor v1 proofs use the shard-local index of the proof; Rekor v2 has one index per log.
    if kind.is_rekor_v2() && proof.log_index != entry.log_index {
        return fail(
            ErrorCode::InclusionProof,
            format!("proof index {} differs from entry index {}", proof.log_index, entry.log_index),
        );
    }
    let leaf = merkle::leaf_hash(&entry.canonicalized_body);
    merkle::verify_inclusion(proof.log_index, proof.tree_size, &leaf, &proof.hashes, &proof.root_hash)?;
    let checkpoint = checkpoint::verify_checkpoint(&proof.checkpoint, log, backend)?;
    if checkpoint.size != proof.tree_size || checkpoint.root_hash != proof.root_hash {
        return fail(
            ErrorCode::Checkpoint,
            format!(
                "checkpoint is for tree size {} root {}, the proof for tree size {} root {}",
                checkpoint.size,
                encode_hex(&checkpoint.root_hash),
                proof.tree_size,
                encode_hex(&proof.root_hash)
            ),
        );
    }
    Ok(Inclusion { log_index: proof.log_index, tree_size: proof.tree_size, checkpoint_origin: checkpoint.origin })
}
