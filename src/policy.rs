//! What the caller requires of the signer, and how many independent witnesses (logs, CT logs,
//! timestamp authorities) must vouch for the signature.

use crate::crypto::PublicKey;
use crate::error::{fail, ErrorCode, Result};
use crate::time::{TimeRange, Timestamp};
use crate::x509::fulcio::{self, Claim};
use crate::x509::San;

/// Longest regular expression accepted, in bytes.
pub const MAX_PATTERN_BYTES: usize = 4096;
/// Memory bound for a compiled regular expression, in bytes.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// How a string from the certificate is matched.
#[derive(Clone, Debug)]
pub enum StringMatcher {
    /// The whole string, byte for byte.
    Exact(String),
    /// A regular expression searched anywhere in the string, as cosign's `-regexp` flags do
    /// (anchor it with `^…$` to match the whole string). Matching runs in linear time.
    Regex(regex_lite::Regex),
}

impl StringMatcher {
    /// Matches `value` and nothing else.
    pub fn exact(value: impl Into<String>) -> Self {
        Self::Exact(value.into())
    }

    /// Compiles `pattern` (regex-lite's syntax, at most 4096 bytes); see [`StringMatcher::Regex`].
    pub fn regex(pattern: &str) -> Result<Self> {
        crate::limits::at_most(pattern.len(), MAX_PATTERN_BYTES, "bytes of regular expression")?;
        match regex_lite::RegexBuilder::new(pattern).size_limit(REGEX_SIZE_LIMIT).build() {
            Ok(re) => Ok(Self::Regex(re)),
            Err(e) => fail(ErrorCode::InvalidInput, format!("invalid regular expression {pattern:?}: {e}")),
        }
    }

    /// Whether `value` matches.
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Self::Exact(expected) => expected == value,
            Self::Regex(re) => re.is_match(value),
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Exact(v) => format!("{v:?}"),
            Self::Regex(re) => format!("a match of /{}/", re.as_str()),
        }
    }
}

/// The identity a Fulcio certificate must carry.
#[derive(Clone, Debug)]
pub struct CertificateIdentity {
    /// The subject alternative name (email, URI or username).
    pub subject_alt_name: StringMatcher,
    /// The OIDC issuer that vouched for it. `None` only for certificates that name no issuer,
    /// from GitHub's own instance (its release attestations'): any other is refused.
    pub issuer: Option<StringMatcher>,
    /// Further claims, by name (`githubWorkflowRepository`, `sourceRepositoryRef`, ...), each
    /// required to match (exactly, unless the caller asked otherwise).
    pub extensions: Vec<(String, StringMatcher)>,
}

impl CertificateIdentity {
    /// Requires this subject alternative name and OIDC issuer, and no further claims.
    pub fn new(subject_alt_name: StringMatcher, issuer: StringMatcher) -> Self {
        Self { subject_alt_name, issuer: Some(issuer), extensions: Vec::new() }
    }

    /// Requires this subject alternative name from a certificate that names no OIDC issuer,
    /// issued by GitHub's own instance, as its release attestations are (`https://dotcom.releases.github.com`).
    pub fn without_issuer(subject_alt_name: StringMatcher) -> Self {
        Self { subject_alt_name, issuer: None, extensions: Vec::new() }
    }

    /// Requires the claim `name` to equal `value`; unknown claim names are refused.
    pub fn with_extension(self, name: &str, value: impl Into<String>) -> Result<Self> {
        self.with_extension_matching(name, StringMatcher::exact(value))
    }

    /// Requires the claim `name` to match `matcher`; unknown claim names are refused.
    pub fn with_extension_matching(mut self, name: &str, matcher: StringMatcher) -> Result<Self> {
        if fulcio::claim_arc(name).is_none() {
            let known: Vec<&str> = fulcio::CLAIMS.iter().map(|(_, n)| *n).collect();
            return fail(
                ErrorCode::InvalidInput,
                format!("unknown certificate extension {name:?}; known: {}", known.join(", ")),
            );
        }
        self.extensions.push((name.to_owned(), matcher));
        Ok(self)
    }

    /// Checks the certificate's SAN, issuer and claims; `githubs` says whether an authority of
    /// GitHub's own instance issued it.
    pub(crate) fn check(&self, sans: &[San], claims: &[Claim], githubs: bool) -> Result<()> {
        let [san] = sans else {
            return fail(
                ErrorCode::IdentityMismatch,
                format!(
                    "expected exactly one identity in the certificate's subject alternative names, found {}",
                    sans.len()
                ),
            );
        };
        if !self.subject_alt_name.matches(san.value()) {
            return fail(
                ErrorCode::IdentityMismatch,
                format!("expected identity {}, found {:?}", self.subject_alt_name.describe(), san.value()),
            );
        }
        match (&self.issuer, fulcio::issuer(claims)) {
            (Some(expected), Some(issuer)) if !expected.matches(issuer) => {
                return fail(
                    ErrorCode::IssuerMismatch,
                    format!("expected OIDC issuer {}, found {issuer:?}", expected.describe()),
                );
            }
            (Some(_), Some(_)) => {}
            (Some(expected), None) => {
                return fail(
                    ErrorCode::IssuerMismatch,
                    format!("expected OIDC issuer {}, found a certificate that names none", expected.describe()),
                );
            }
            (None, Some(issuer)) => {
                return fail(
                    ErrorCode::IssuerMismatch,
                    format!("the certificate names OIDC issuer {issuer:?}: the policy must name the issuer it expects"),
                );
            }
            (None, None) if !githubs => {
                return fail(
                    ErrorCode::IssuerMismatch,
                    "a policy without an OIDC issuer is accepted only for certificates of GitHub's own instance",
                );
            }
            (None, None) => {}
        }
        for (name, expected) in &self.extensions {
            let found = claims.iter().find(|c| c.name == name).map(|c| c.value.as_str());
            if !found.is_some_and(|value| expected.matches(value)) {
                return fail(
                    ErrorCode::ExtensionMismatch,
                    format!("expected {name} {}, found {found:?}", expected.describe()),
                );
            }
        }
        Ok(())
    }
}

/// A key the caller trusts, optionally only for a time window: every verified time must then
/// fall inside it (GHSA-wqqc-jjcq-vfxm).
#[derive(Clone, Debug)]
pub struct ManagedKey {
    /// The key the signature must verify under.
    pub key: PublicKey,
    /// The window every verified time must fall inside; `None` trusts the key at any time.
    pub valid_for: Option<TimeRange>,
}

/// Who must have signed.
#[derive(Clone, Debug)]
pub enum SignerPolicy {
    /// A certificate from a trusted CA whose identity matches any of these.
    Certificate(Vec<CertificateIdentity>),
    /// This key (a managed key, given out of band).
    PublicKey(Box<ManagedKey>),
    /// Any certificate from a trusted CA, whoever it was issued to. Anyone who can sign in to
    /// any OIDC provider the CA accepts satisfies this: only for inspecting bundles.
    UnsafeAnyCertificateIdentity,
}

/// The full verification policy.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Who must have signed.
    pub signer: SignerPolicy,
    /// Distinct transparency logs that must hold the signature (default 1).
    pub tlog_threshold: usize,
    /// Distinct CT logs whose SCTs must verify, for certificates (default 1).
    pub ctlog_threshold: usize,
    /// Distinct verified times (log integration times and RFC 3161 timestamps) required
    /// (default 1).
    pub timestamp_threshold: usize,
    /// The current time, if the caller wants integrated times and timestamps from the future
    /// refused. The core never reads a clock itself.
    pub current_time: Option<Timestamp>,
    /// When set, the bundle must be a DSSE envelope holding an in-toto statement of exactly
    /// this predicate type (cosign's `verify-attestation --type`). A validly signed statement of
    /// another type is a failure, never a success (CVE-2022-35929, CVE-2026-39395).
    pub predicate_type: Option<String>,
}

impl Policy {
    /// Requires `signer`, with every threshold 1, no current time and no predicate type.
    pub fn new(signer: SignerPolicy) -> Self {
        Self {
            signer,
            tlog_threshold: 1,
            ctlog_threshold: 1,
            timestamp_threshold: 1,
            current_time: None,
            predicate_type: None,
        }
    }

    /// Requires a certificate from a trusted CA that names `identity`.
    pub fn certificate_identity(identity: CertificateIdentity) -> Self {
        Self::new(SignerPolicy::Certificate(vec![identity]))
    }

    /// Requires a signature by the managed key `key`, trusted at any time.
    pub fn public_key(key: PublicKey) -> Self {
        Self::new(SignerPolicy::PublicKey(Box::new(ManagedKey { key, valid_for: None })))
    }

    /// A managed key trusted only inside `valid_for`.
    pub fn public_key_valid_for(key: PublicKey, valid_for: TimeRange) -> Self {
        Self::new(SignerPolicy::PublicKey(Box::new(ManagedKey { key, valid_for: Some(valid_for) })))
    }

    /// Refuses integrated times and timestamps later than `now`.
    pub fn with_current_time(mut self, now: Timestamp) -> Self {
        self.current_time = Some(now);
        self
    }

    /// Requires an in-toto statement of exactly this predicate type (see [`Policy::predicate_type`]).
    pub fn with_predicate_type(mut self, predicate_type: impl Into<String>) -> Self {
        self.predicate_type = Some(predicate_type.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_searches_like_cosign() {
        let re = StringMatcher::regex("user@example\\.com").unwrap();
        assert!(re.matches("evil-user@example.com.attacker"));
        let anchored = StringMatcher::regex("^user@example\\.com$").unwrap();
        assert!(!anchored.matches("evil-user@example.com.attacker"));
        assert!(anchored.matches("user@example.com"));
        assert_eq!(StringMatcher::regex("(").unwrap_err().code, ErrorCode::InvalidInput);
        assert_eq!(
            StringMatcher::regex(&"a".repeat(MAX_PATTERN_BYTES + 1)).unwrap_err().code,
            ErrorCode::LimitExceeded
        );
    }

    #[test]
    fn exact_is_exact() {
        let m = StringMatcher::exact("a@b.c");
        assert!(m.matches("a@b.c") && !m.matches("xa@b.c") && !m.matches("A@B.C"));
    }

    /// An identity without an issuer matches only an issuer-less certificate of GitHub's instance;
    /// one with an issuer never matches an issuer-less certificate.
    #[test]
    fn an_issuer_is_left_out_only_for_githubs_issuer_less_certificates() {
        let san = [San::Uri("https://dotcom.releases.github.com".to_owned())];
        let issuer = [Claim { arc: 8, name: "issuer", oid: "1.3.6.1.4.1.57264.1.8".to_owned(), value: "https://i".to_owned() }];
        let without = CertificateIdentity::without_issuer(StringMatcher::exact("https://dotcom.releases.github.com"));
        let with = CertificateIdentity::new(StringMatcher::exact("https://dotcom.releases.github.com"), StringMatcher::exact("https://i"));
        assert!(without.check(&san, &[], true).is_ok());
        let code = |r: Result<()>| r.unwrap_err().code;
        assert_eq!(code(without.check(&san, &[], false)), ErrorCode::IssuerMismatch, "not GitHub's instance");
        assert_eq!(code(without.check(&san, &issuer, true)), ErrorCode::IssuerMismatch, "the certificate names one");
        assert_eq!(code(with.check(&san, &[], true)), ErrorCode::IssuerMismatch, "the policy names one");
        assert!(with.check(&san, &issuer, false).is_ok());
    }

    #[test]
    fn unknown_claims_are_refused() {
        let id = CertificateIdentity::new(StringMatcher::exact("a"), StringMatcher::exact("b"));
        assert!(id.clone().with_extension("githubWorkflowRepository", "o/r").is_ok());
        assert_eq!(id.with_extension("repo", "o/r").unwrap_err().code, ErrorCode::InvalidInput);
    }
}
