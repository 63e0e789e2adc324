//! The one error type of the crate: a stable machine-readable code plus a message that says what
//! was expected and what was found.

use std::fmt;

/// Stable error codes. The string forms (`as_str`) are part of the public API: the npm package and
/// the CLI expose them, and callers match on them, so they never change meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The bundle is not valid JSON or does not follow the bundle schema.
    BundleParse,
    /// The bundle's media type is not one of the supported versions.
    UnsupportedMediaType,
    /// The trusted root is malformed or lacks what verification needs.
    TrustedRoot,
    /// A caller-supplied value (policy, artifact digest, public key) is malformed.
    InvalidInput,
    /// An explicit size or count limit was exceeded.
    LimitExceeded,
    /// A key or signature algorithm that this verifier does not support.
    UnsupportedAlgorithm,
    /// The signing certificate does not chain to a trusted certificate authority at a verified time.
    CertificateChain,
    /// The signing certificate breaks the Fulcio leaf profile (EKU, key usage, CA flag, extensions).
    CertificateProfile,
    /// Not enough valid signed certificate timestamps from trusted CT logs.
    Sct,
    /// A transparency log entry's body does not describe this bundle's signature, key or artifact.
    TlogBodyMismatch,
    /// A transparency log entry is malformed or misses what its bundle version requires.
    TlogEntry,
    /// A Merkle inclusion proof does not lead to the claimed root.
    InclusionProof,
    /// A checkpoint is malformed, unsigned by its log, or disagrees with the inclusion proof.
    Checkpoint,
    /// A signed entry timestamp (inclusion promise) does not verify.
    Set,
    /// Fewer verified transparency log entries than the policy requires.
    TlogThreshold,
    /// An RFC 3161 timestamp is malformed or does not verify against a trusted authority.
    Timestamp,
    /// Fewer verified timestamps (signed times from logs or timestamp authorities) than required.
    TimestampThreshold,
    /// The artifact or envelope signature does not verify under the signer's key.
    Signature,
    /// The certificate's subject alternative name does not satisfy the identity policy.
    IdentityMismatch,
    /// The certificate's OIDC issuer does not satisfy the issuer policy.
    IssuerMismatch,
    /// A Fulcio certificate extension does not have the value the policy requires.
    ExtensionMismatch,
    /// The bundle was signed with a key other than the one the policy names, or the wrong kind of
    /// verification material for the policy (certificate versus public key).
    KeyMismatch,
    /// The artifact does not match what was signed.
    ArtifactMismatch,
    /// The policy asks for an in-toto statement of one predicate type; the bundle holds another
    /// (or no statement at all).
    PredicateTypeMismatch,
    /// A signed annotation (cosign `-a key=value`) is missing or has another value.
    AnnotationMismatch,
    /// Content fetched by digest does not hash to that digest.
    DigestMismatch,
    /// A registry (of images, or of packages: npm, PyPI, GitHub's attestations) answered with an
    /// error, or with content that breaks its API.
    Registry,
    /// The Rekor API answered with an error, or with something that is not a log entry.
    Rekor,
    /// A request failed: no connection, a timeout, or an aborted transfer.
    Network,
    /// No signature or attestation of the kind asked for was found.
    NoSignatures,
    /// Signatures or attestations were found, but none satisfies the policy.
    NoMatchingSignatures,
    /// TUF metadata (of the repository a trusted root is refreshed from) is malformed, not signed
    /// by a threshold of its role's keys, expired, rolled back, or does not list the target.
    Tuf,
}

impl ErrorCode {
    /// The stable text form, in SCREAMING_SNAKE_CASE: `BUNDLE_PARSE`, `SIGNATURE`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BundleParse => "BUNDLE_PARSE",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::TrustedRoot => "TRUSTED_ROOT",
            Self::InvalidInput => "INVALID_INPUT",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::UnsupportedAlgorithm => "UNSUPPORTED_ALGORITHM",
            Self::CertificateChain => "CERTIFICATE_CHAIN",
            Self::CertificateProfile => "CERTIFICATE_PROFILE",
            Self::Sct => "SCT",
            Self::TlogBodyMismatch => "TLOG_BODY_MISMATCH",
            Self::TlogEntry => "TLOG_ENTRY",
            Self::InclusionProof => "INCLUSION_PROOF",
            Self::Checkpoint => "CHECKPOINT",
            Self::Set => "SET",
            Self::TlogThreshold => "TLOG_THRESHOLD",
            Self::Timestamp => "TIMESTAMP",
            Self::TimestampThreshold => "TIMESTAMP_THRESHOLD",
            Self::Signature => "SIGNATURE",
            Self::IdentityMismatch => "IDENTITY_MISMATCH",
            Self::IssuerMismatch => "ISSUER_MISMATCH",
            Self::ExtensionMismatch => "EXTENSION_MISMATCH",
            Self::KeyMismatch => "KEY_MISMATCH",
            Self::ArtifactMismatch => "ARTIFACT_MISMATCH",
            Self::PredicateTypeMismatch => "PREDICATE_TYPE_MISMATCH",
            Self::AnnotationMismatch => "ANNOTATION_MISMATCH",
            Self::DigestMismatch => "DIGEST_MISMATCH",
            Self::Registry => "REGISTRY",
            Self::Rekor => "REKOR",
            Self::Network => "NETWORK",
            Self::NoSignatures => "NO_SIGNATURES",
            Self::NoMatchingSignatures => "NO_MATCHING_SIGNATURES",
            Self::Tuf => "TUF",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why verification (or parsing of an input) failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationError {
    /// What kind of failure, for programs to match on.
    pub code: ErrorCode,
    /// What was expected and what was found, for people.
    pub message: String,
}

impl VerificationError {
    /// An error of kind `code`, explained by `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// Says which of the bundle's tlog entries (counted from 0) the error is about.
    pub(crate) fn in_entry(self, position: usize) -> Self {
        Self { message: format!("tlogEntries[{position}]: {}", self.message), ..self }
    }
}

impl fmt::Display for VerificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for VerificationError {}

/// `{ "code": "SIGNATURE", "message": "..." }`: how reports list the failures they collect.
impl serde::Serialize for VerificationError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("VerificationError", 2)?;
        out.serialize_field("code", self.code.as_str())?;
        out.serialize_field("message", &self.message)?;
        out.end()
    }
}

/// The crate's result: failures are [`VerificationError`]s.
pub type Result<T, E = VerificationError> = std::result::Result<T, E>;

/// Shorthand for building an error in `Err(..)` position: `fail(ErrorCode::Sct, "...")`.
pub fn fail<T>(code: ErrorCode, message: impl Into<String>) -> Result<T> {
    Err(VerificationError::new(code, message))
}

/// Attaches an error code and context to failures of lower-level parsers.
pub(crate) trait Context<T> {
    fn context(self, code: ErrorCode, what: &str) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, code: ErrorCode, what: &str) -> Result<T> {
        self.map_err(|e| VerificationError::new(code, format!("{what}: {e}")))
    }
}
