//! The verifier: trust material prepared once, then any number of bundles checked against an
//! artifact and a policy.

use serde::Serialize;

use crate::artifact::{Artifact, ArtifactDigests};
use crate::budget;
use crate::bundle::{Bundle, Content, MessageSignature, VerificationMaterial};
use crate::claimed::named_message_hash;
use crate::crypto::{HashAlgorithm, Message, PublicKey, RustCrypto, SignatureBackend, SignatureCheck};
use crate::dsse::{self, Statement};
use crate::encoding::encode_hex;
use crate::error::{fail, ErrorCode, Result};
use crate::policy::{Policy, SignerPolicy};
use crate::time::{TimeRange, Timestamp};
use crate::tlog::body::{Expected, Signer};
use crate::tlog::{self, VerifiedEntry};
use crate::trust::TrustedRoot;
use crate::tsa;
use crate::x509::chain::{self, Usage};
use crate::x509::fulcio::{self, CertificateSummary, Claim};
use crate::x509::sct::{self, VerifiedSct};
use crate::x509::{Certificate, San};

/// Where a verified time came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "source")]
pub enum VerifiedTime {
    /// A transparency log's signed integration time.
    TransparencyLog {
        /// The entry's integrated time.
        time: Timestamp,
        /// The URL of the trusted log the entry verified under.
        log_url: String,
    },
    /// An RFC 3161 timestamp authority.
    TimestampAuthority {
        /// The token's `genTime`.
        time: Timestamp,
        /// The URI of the trusted authority whose signature verified.
        uri: String,
    },
}

impl VerifiedTime {
    /// The time vouched for.
    pub fn time(&self) -> Timestamp {
        match self {
            Self::TransparencyLog { time, .. } | Self::TimestampAuthority { time, .. } => *time,
        }
    }

    /// The log or authority that vouched for the time.
    pub fn source(&self) -> &str {
        match self {
            Self::TransparencyLog { log_url, .. } => log_url,
            Self::TimestampAuthority { uri, .. } => uri,
        }
    }
}

/// Who signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type")]
pub enum SignerInfo {
    /// A certificate that chains to one of the trusted root's certificate authorities.
    Certificate {
        /// What the certificate says about its subject.
        #[serde(flatten)]
        certificate: CertificateSummary,
        /// The trusted authority the certificate chains to.
        certificate_authority: String,
    },
    /// A key given to the verifier out of band, in the policy.
    PublicKey {
        /// Hex SHA-256 of the key's SubjectPublicKeyInfo.
        key_id: String,
        /// The bundle's `publicKey.hint`: unauthenticated, for reports only.
        hint: Option<String>,
    },
}

/// What a successful verification established.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationResult {
    /// The bundle's media type, which names its version.
    pub media_type: String,
    /// Who signed.
    pub signer: SignerInfo,
    /// Every time the signature provably existed at: the timestamp authorities', then the logs'.
    pub verified_times: Vec<VerifiedTime>,
    /// The bundle's transparency log entries, each verified under a trusted log.
    pub tlog_entries: Vec<VerifiedEntry>,
    /// The certificate's embedded SCTs that verified, one per trusted CT log; empty for a key, or
    /// when the policy requires none.
    pub scts: Vec<VerifiedSct>,
    /// The DSSE payload type, for envelope bundles.
    pub payload_type: Option<String>,
    /// The in-toto statement, for in-toto envelopes.
    pub statement: Option<Statement>,
}

/// Verifies bundles against one trusted root. Build it once: keys and certificates are parsed
/// and the authorities' chains checked here, not per bundle.
#[derive(Clone, Debug)]
pub struct Verifier {
    root: TrustedRoot,
}

impl Verifier {
    /// Builds the verifier, checking the authorities' chains with the pure-Rust crypto backend.
    pub fn new(root: TrustedRoot) -> Result<Self> {
        Self::new_with(root, &RustCrypto)
    }

    /// Builds the verifier, answering the checks of the authorities' chains with `backend`.
    pub fn new_with(root: TrustedRoot, backend: &dyn SignatureBackend) -> Result<Self> {
        root.check_chains(backend)?;
        Ok(Self { root })
    }

    /// The trust material the verifier checks against.
    pub fn trusted_root(&self) -> &TrustedRoot {
        &self.root
    }

    /// Verifies with the pure-Rust crypto backend.
    pub fn verify(&self, bundle: &Bundle, artifact: &Artifact<'_>, policy: &Policy) -> Result<VerificationResult> {
        self.verify_with(bundle, artifact, policy, &RustCrypto)
    }

    /// Verifies, answering every signature check with `backend`.
    pub fn verify_with(
        &self,
        bundle: &Bundle,
        artifact: &Artifact<'_>,
        policy: &Policy,
        backend: &dyn SignatureBackend,
    ) -> Result<VerificationResult> {
        let signer = select_signer(bundle, policy)?;
        budget::check(bundle, &self.root)?;
        let digests = ArtifactDigests::new(artifact);
        let content = &bundle.content;

        // Times first: everything else is judged at the times the signature provably existed.
        let mut verified_times = self.verify_timestamps(bundle, backend)?;
        let expected = Expected { content, signer: signer.as_body_signer(), artifact: &digests };
        let tlog_entries = self.verify_tlog(bundle, &expected, policy, backend)?;
        verified_times.extend(tlog_entries.iter().filter_map(|e| {
            e.integrated_time.map(|time| VerifiedTime::TransparencyLog { time, log_url: e.log_url.clone() })
        }));
        check_times(&verified_times, policy)?;
        let times: Vec<Timestamp> = verified_times.iter().map(VerifiedTime::time).collect();

        let (signer_info, scts) = match signer {
            SignerRef::Certificate { leaf, policy: identities } => {
                self.verify_certificate(leaf, identities, &times, policy, backend)?
            }
            SignerRef::Key { key, valid_for, hint } => {
                check_key_window(valid_for, &times)?;
                (SignerInfo::PublicKey { key_id: encode_hex(&key.key_id()), hint: hint.clone() }, Vec::new())
            }
        };

        let statement = match content {
            Content::MessageSignature(msg) => {
                verify_message_signature(msg, named_message_hash(msg, bundle), signer.key(), &digests, backend)?;
                None
            }
            Content::Dsse(envelope) => {
                verify_envelope_signature(envelope, signer.key(), backend)?;
                dsse::check_artifact(&envelope.payload_type, &envelope.payload, &digests)?
            }
        };
        check_predicate_type(policy, statement.as_ref())?;
        Ok(VerificationResult {
            media_type: bundle.media_type.clone(),
            signer: signer_info,
            verified_times,
            tlog_entries,
            scts,
            payload_type: match content {
                Content::Dsse(e) => Some(e.payload_type.clone()),
                Content::MessageSignature(_) => None,
            },
            statement,
        })
    }

    fn verify_timestamps(&self, bundle: &Bundle, backend: &dyn SignatureBackend) -> Result<Vec<VerifiedTime>> {
        let mut out = Vec::with_capacity(bundle.rfc3161_timestamps.len());
        for token in &bundle.rfc3161_timestamps {
            let stamp =
                tsa::verify_timestamp(token, bundle.timestamped_bytes(), &self.root.timestamp_authorities, backend)?;
            out.push(VerifiedTime::TimestampAuthority { time: stamp.time, uri: stamp.authority_uri });
        }
        Ok(out)
    }

    fn verify_tlog(
        &self,
        bundle: &Bundle,
        expected: &Expected<'_>,
        policy: &Policy,
        backend: &dyn SignatureBackend,
    ) -> Result<Vec<VerifiedEntry>> {
        let mut verified: Vec<VerifiedEntry> = Vec::with_capacity(bundle.tlog_entries.len());
        for (position, entry) in bundle.tlog_entries.iter().enumerate() {
            let v = tlog::verify_entry(entry, &self.root.tlogs, expected, backend).map_err(|e| e.in_entry(position))?;
            // Compared by the trusted log the entry resolved to, not by the ID it claims:
            // one log may be known under two IDs.
            if verified.iter().any(|e| e.log_id == v.log_id && e.log_index == v.log_index) {
                return fail(
                    ErrorCode::TlogEntry,
                    format!("tlog entry {} of {} appears twice", v.log_index, v.log_url),
                );
            }
            if let (Some(now), Some(t)) = (policy.current_time, v.integrated_time) {
                if t > now {
                    return fail(ErrorCode::TlogEntry, format!("integratedTime {t} is in the future (now {now})"));
                }
            }
            verified.push(v);
        }
        // Entries from one log count once (GHSA-9vcr-p3rj-q5q6).
        let logs = distinct(verified.iter().map(|e| e.log_id.as_str()));
        if logs < policy.tlog_threshold {
            return fail(
                ErrorCode::TlogThreshold,
                format!(
                    "{} tlog entries verified, from {} distinct log(s); {} required",
                    verified.len(),
                    logs,
                    policy.tlog_threshold
                ),
            );
        }
        Ok(verified)
    }

    fn verify_certificate(
        &self,
        leaf: &Certificate,
        identities: Option<&[crate::policy::CertificateIdentity]>,
        times: &[Timestamp],
        policy: &Policy,
        backend: &dyn SignatureBackend,
    ) -> Result<(SignerInfo, Vec<VerifiedSct>)> {
        let cas = &self.root.certificate_authorities;
        let (index, issuer) = chain::verify_leaf(leaf, cas, times, Usage::CodeSigning, backend)?;
        let Some(ca) = cas.get(index) else {
            return fail(ErrorCode::CertificateChain, "certificate authority index out of range");
        };
        let scts = sct::verify_scts(leaf, issuer, &self.root.ctlogs, policy.ctlog_threshold, backend)?;
        let claims = fulcio::claims(leaf)?;
        if let Some(identities) = identities {
            // Hashing the authority's anchor is needed only for a policy without an issuer.
            let githubs = identities.iter().any(|id| id.issuer.is_none()) && ca.is_githubs();
            check_identities(identities, leaf.subject_alt_names(), &claims, githubs)?;
        }
        let info = SignerInfo::Certificate {
            certificate: CertificateSummary::new(leaf, claims),
            certificate_authority: ca.uri.clone(),
        };
        Ok((info, scts))
    }
}

/// The signer as the bundle and the policy together determine it.
enum SignerRef<'a> {
    Certificate { leaf: &'a Certificate, policy: Option<&'a [crate::policy::CertificateIdentity]> },
    Key { key: &'a PublicKey, valid_for: Option<TimeRange>, hint: &'a Option<String> },
}

impl SignerRef<'_> {
    fn key(&self) -> &PublicKey {
        match self {
            Self::Certificate { leaf, .. } => leaf.public_key(),
            Self::Key { key, .. } => key,
        }
    }

    fn as_body_signer(&self) -> Signer<'_> {
        match self {
            Self::Certificate { leaf, .. } => Signer::Certificate(leaf),
            Self::Key { key, .. } => Signer::Key(key),
        }
    }
}

/// Matches the bundle's kind of verification material to the policy's: a key policy never
/// accepts a certificate bundle, nor an identity policy a key bundle (GHSA-fx35-mq7g-6g98).
fn select_signer<'a>(bundle: &'a Bundle, policy: &'a Policy) -> Result<SignerRef<'a>> {
    match (&bundle.material, &policy.signer) {
        (VerificationMaterial::Certificate(leaf), SignerPolicy::Certificate(ids)) => {
            if ids.is_empty() {
                return fail(ErrorCode::InvalidInput, "the policy lists no certificate identity");
            }
            Ok(SignerRef::Certificate { leaf, policy: Some(ids) })
        }
        (VerificationMaterial::Certificate(leaf), SignerPolicy::UnsafeAnyCertificateIdentity) => {
            Ok(SignerRef::Certificate { leaf, policy: None })
        }
        (VerificationMaterial::PublicKey { hint }, SignerPolicy::PublicKey(managed)) => {
            Ok(SignerRef::Key { key: &managed.key, valid_for: managed.valid_for, hint })
        }
        (VerificationMaterial::Certificate(_), SignerPolicy::PublicKey(_)) => fail(
            ErrorCode::KeyMismatch,
            "expected a signature by the given public key, but the bundle carries a certificate",
        ),
        (VerificationMaterial::PublicKey { .. }, _) => fail(
            ErrorCode::KeyMismatch,
            "the bundle is signed with a managed key, but no public key was given to verify it with",
        ),
    }
}

fn check_identities(
    identities: &[crate::policy::CertificateIdentity],
    sans: &[San],
    claims: &[Claim],
    githubs: bool,
) -> Result<()> {
    let mut first_error = None;
    for identity in identities {
        match identity.check(sans, claims, githubs) {
            Ok(()) => return Ok(()),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error
        .unwrap_or_else(|| crate::error::VerificationError::new(ErrorCode::IdentityMismatch, "no identity matched")))
}

fn check_predicate_type(policy: &Policy, statement: Option<&Statement>) -> Result<()> {
    let Some(expected) = &policy.predicate_type else { return Ok(()) };
    match statement {
        Some(s) if &s.predicate_type == expected => Ok(()),
        Some(s) => fail(
            ErrorCode::PredicateTypeMismatch,
            format!("expected predicate type {expected:?}, found {:?}", s.predicate_type),
        ),
        None => fail(
            ErrorCode::PredicateTypeMismatch,
            format!("expected an in-toto statement of predicate type {expected:?}, found none"),
        ),
    }
}

fn check_key_window(valid_for: Option<TimeRange>, times: &[Timestamp]) -> Result<()> {
    let Some(window) = valid_for else { return Ok(()) };
    match times.iter().find(|t| !window.contains(**t)) {
        Some(t) => {
            fail(ErrorCode::KeyMismatch, format!("the public key is trusted for {window}, not at verified time {t}"))
        }
        None => Ok(()),
    }
}

/// How many different values: thresholds count witnesses (logs, authorities), not entries.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> usize {
    let mut values: Vec<&str> = values.collect();
    values.sort_unstable();
    values.dedup();
    values.len()
}

fn check_times(times: &[VerifiedTime], policy: &Policy) -> Result<()> {
    if let Some(now) = policy.current_time {
        if let Some(future) = times.iter().find(|t| t.time() > now) {
            return fail(
                ErrorCode::TimestampThreshold,
                format!("verified time {} is in the future (now {now})", future.time()),
            );
        }
    }
    // Every time is checked against the certificate, but a log or authority that vouches twice
    // is still one witness.
    let sources = distinct(times.iter().map(VerifiedTime::source));
    if sources < policy.timestamp_threshold {
        return fail(
            ErrorCode::TimestampThreshold,
            format!(
                "{} verified time(s) from {} distinct log(s) and timestamp authorities; {} required",
                times.len(),
                sources,
                policy.timestamp_threshold
            ),
        );
    }
    Ok(())
}

/// The artifact signature, over the artifact hashed with `named` (the hash the bundle names),
/// and that the bundle's claimed digest is the artifact's.
fn verify_message_signature(
    msg: &MessageSignature,
    named: Option<HashAlgorithm>,
    key: &PublicKey,
    digests: &ArtifactDigests<'_>,
    backend: &dyn SignatureBackend,
) -> Result<()> {
    if matches!(digests.artifact(), Artifact::UnsafeUnchecked) {
        return fail(
            ErrorCode::InvalidInput,
            "a message signature cannot be verified without the artifact or its digest",
        );
    }
    let mut unusable = None;
    let verified = key.message_schemes(named)?.iter().any(|&scheme| {
        let message = match (digests.artifact(), scheme.hash()) {
            (Artifact::Bytes(bytes), _) => Message::Raw(bytes),
            (_, Some(hash)) => match digests.get(hash) {
                Some(digest) => Message::Digest(digest),
                None => {
                    unusable = Some(hash);
                    return false;
                }
            },
            (_, None) => return false,
        };
        backend.verify(&SignatureCheck { key, scheme, message, signature: &msg.signature })
    });
    if !verified {
        if let Some(hash) = unusable {
            return fail(
                ErrorCode::ArtifactMismatch,
                format!(
                    "the signature is over a {} digest, which the {} cannot provide",
                    hash.name(),
                    digests.describe()
                ),
            );
        }
        return fail(ErrorCode::Signature, format!("the signature does not verify over the {}", digests.describe()));
    }
    if let Some((algorithm, claimed)) = &msg.message_digest {
        match digests.get(*algorithm) {
            Some(actual) if actual == claimed.as_slice() => {}
            Some(actual) => {
                return fail(
                    ErrorCode::ArtifactMismatch,
                    format!(
                        "the bundle's messageDigest is {}, the artifact's {} is {}",
                        encode_hex(claimed),
                        algorithm.name(),
                        encode_hex(actual)
                    ),
                )
            }
            None => {
                return fail(
                    ErrorCode::ArtifactMismatch,
                    format!(
                        "the bundle's messageDigest is {}, which the {} cannot be compared with",
                        algorithm.name(),
                        digests.describe()
                    ),
                )
            }
        }
    }
    Ok(())
}

fn verify_envelope_signature(
    envelope: &crate::bundle::Envelope,
    key: &PublicKey,
    backend: &dyn SignatureBackend,
) -> Result<()> {
    let pae = dsse::pae(&envelope.payload_type, &envelope.payload);
    let verified = key.envelope_schemes().iter().any(|&scheme| {
        backend.verify(&SignatureCheck { key, scheme, message: Message::Raw(&pae), signature: &envelope.signature })
    });
    if !verified {
        return fail(ErrorCode::Signature, "the DSSE envelope signature does not verify over its payload");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::TimeRange;

    fn verify_managed(policy: Policy) -> Result<VerificationResult> {
        let bundle = Bundle::from_json(include_str!(
            "../tests/data/conformance/bundle-verify/managed-key-happy-path/bundle.sigstore.json"
        ))?;
        let verifier = Verifier::new(TrustedRoot::production()?)?;
        verifier.verify(
            &bundle,
            &Artifact::Bytes(include_bytes!("../tests/data/conformance/bundle-verify/a.txt")),
            &policy,
        )
    }

    fn key() -> PublicKey {
        PublicKey::from_pem(include_str!("../tests/data/conformance/bundle-verify/managed-key-happy-path/key.pub"))
            .unwrap()
    }

    #[test]
    fn a_managed_key_is_trusted_only_inside_its_window() {
        let result = verify_managed(Policy::public_key(key())).unwrap();
        let signed_at = result.verified_times[0].time();
        let around = TimeRange { start: signed_at, end: Some(signed_at) };
        assert!(verify_managed(Policy::public_key_valid_for(key(), around)).is_ok());
        let before =
            TimeRange { start: Timestamp::from_unix(0), end: Some(Timestamp::from_unix(signed_at.unix_seconds() - 1)) };
        let err = verify_managed(Policy::public_key_valid_for(key(), before)).unwrap_err();
        assert_eq!(err.code, ErrorCode::KeyMismatch, "{err}");
    }

    #[test]
    fn a_predicate_type_policy_needs_that_exact_type() {
        let envelope = Bundle::from_json(include_str!(
            "../tests/data/conformance/bundle-verify/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"
        ))
        .unwrap();
        let message = Bundle::from_json(include_str!(
            "../tests/data/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json"
        ))
        .unwrap();
        let artifact = Artifact::Bytes(include_bytes!("../tests/data/conformance/bundle-verify/a.txt"));
        let verifier = Verifier::new(TrustedRoot::production().unwrap()).unwrap();
        let policy =
            |predicate: &str| Policy::new(SignerPolicy::UnsafeAnyCertificateIdentity).with_predicate_type(predicate);
        assert!(verifier.verify(&envelope, &artifact, &policy("https://slsa.dev/provenance/v1")).is_ok());
        for (bundle, predicate) in
            [(&envelope, "https://slsa.dev/provenance/v0.2"), (&message, "https://slsa.dev/provenance/v1")]
        {
            let err = verifier.verify(bundle, &artifact, &policy(predicate)).unwrap_err();
            assert_eq!(err.code, ErrorCode::PredicateTypeMismatch, "{err}");
        }
    }
}
