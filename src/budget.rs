//! How many signature checks a bundle can make one verification ask for, bounded from its
//! structure before any check runs.
//!
//! A backend that answers later (WebCrypto, through `crypto::deferred`) is first asked every
//! check a bundle could need, each answered "yes" for now; without a bound, a forged bundle of
//! fabricated entries and signature lines hands it thousands. The bound is computed the same way
//! whatever the backend, so both refuse the same bundles, and before any cryptography runs.

use crate::bundle::{Bundle, VerificationMaterial};
use crate::error::Result;
use crate::limits::{at_most, MAX_LOG_SIGNATURE_LINES, MAX_SIGNATURE_CHECKS};
use crate::tlog::{self, checkpoint};
use crate::trust::TrustedRoot;
use crate::x509::{chain, sct};

/// The most signature schemes one check may be tried under: RSA keys try PKCS#1 v1.5 and PSS.
const SCHEMES_PER_CHECK: usize = 2;

/// Refuses, with `LimitExceeded`, a bundle whose verification could ask for more than
/// `MAX_SIGNATURE_CHECKS` signature checks, and a checkpoint over its own limits.
pub(crate) fn check(bundle: &Bundle, root: &TrustedRoot) -> Result<()> {
    at_most(signature_checks(bundle, root)?, MAX_SIGNATURE_CHECKS, "signature checks asked for by the bundle")
}

/// An upper bound on the signature checks verifying `bundle` against `root` asks for; checks
/// that their limits hold for its checkpoints on the way.
pub fn signature_checks(bundle: &Bundle, root: &TrustedRoot) -> Result<usize> {
    // The artifact or envelope signature.
    let mut checks = SCHEMES_PER_CHECK;
    if let VerificationMaterial::Certificate(leaf) = &bundle.material {
        // One check per authority that could have issued the leaf, one per embedded SCT.
        checks += chain::candidate_issuers(leaf, &root.certificate_authorities).count() + sct::embedded_count(leaf);
    }
    // Each timestamp is tried against each authority.
    checks += bundle.rfc3161_timestamps.len() * root.timestamp_authorities.len();
    for entry in &bundle.tlog_entries {
        // An entry from a log the root does not list is refused before any check.
        let Ok(log) = tlog::trusted_log(entry, &root.tlogs) else { continue };
        let schemes = log.key.envelope_schemes().len();
        if entry.signed_entry_timestamp.is_some() {
            checks += schemes;
        }
        if let Some(proof) = &entry.inclusion_proof {
            checkpoint::check_limits(&proof.checkpoint, log)?;
            checks += schemes * MAX_LOG_SIGNATURE_LINES;
        }
    }
    Ok(checks)
}
