//! Verification options as JavaScript callers (and JSON configuration) write them, with the
//! names sigstore-js and cosign users know, turned into a [`Policy`]. Kept in the core so that
//! every rule about them is tested natively; the wasm boundary only deserialises.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::crypto::PublicKey;
use crate::error::{fail, ErrorCode, Result};
use crate::policy::{CertificateIdentity, Policy, SignerPolicy, StringMatcher};
use crate::time::Timestamp;

/// The policy part of `verifyBundle`'s options. Unknown names are refused: a misspelt
/// `certificateIdentiy` must not silently verify nothing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyOptions {
    pub certificate_identity: Option<String>,
    #[serde(alias = "certificateIdentityRegexp")]
    pub certificate_identity_reg_exp: Option<String>,
    pub certificate_issuer: Option<String>,
    #[serde(alias = "certificateOidcIssuer")]
    pub certificate_oidc_issuer: Option<String>,
    #[serde(alias = "certificateIssuerRegexp", alias = "certificateOidcIssuerRegExp")]
    pub certificate_issuer_reg_exp: Option<String>,
    /// Fulcio claims by name (`githubWorkflowRepository`, `sourceRepositoryRef`, ...).
    #[serde(default)]
    pub certificate_extensions: BTreeMap<String, String>,
    /// A PEM public key: verify a managed-key bundle with it.
    pub public_key: Option<String>,
    pub tlog_threshold: Option<usize>,
    #[serde(alias = "ctLogThreshold")]
    pub ctlog_threshold: Option<usize>,
    pub timestamp_threshold: Option<usize>,
    /// Require an in-toto statement of this predicate type.
    pub predicate_type: Option<String>,
    /// Milliseconds since the Unix epoch; times after it are refused.
    pub current_time: Option<f64>,
    /// Accept any certificate from a trusted CA, whoever it names. Only for inspection.
    #[serde(default)]
    pub unsafe_allow_any_identity: bool,
    /// Verify a DSSE envelope without tying it to an artifact (the artifact is then `null`).
    #[serde(default)]
    pub unsafe_skip_artifact_check: bool,
}

impl PolicyOptions {
    pub fn into_policy(self) -> Result<Policy> {
        let mut policy = Policy::new(self.signer()?);
        if let Some(n) = self.tlog_threshold {
            policy.tlog_threshold = n;
        }
        if let Some(n) = self.ctlog_threshold {
            policy.ctlog_threshold = n;
        }
        if let Some(n) = self.timestamp_threshold {
            policy.timestamp_threshold = n;
        }
        policy.predicate_type = self.predicate_type;
        if let Some(ms) = self.current_time {
            policy.current_time = Some(millis_to_timestamp(ms)?);
        }
        Ok(policy)
    }

    fn signer(&self) -> Result<SignerPolicy> {
        let identity_given = self.certificate_identity.is_some()
            || self.certificate_identity_reg_exp.is_some()
            || self.issuer_given()
            || !self.certificate_extensions.is_empty();
        match (&self.public_key, identity_given, self.unsafe_allow_any_identity) {
            (Some(pem), false, false) => Ok(SignerPolicy::PublicKey(Box::new(crate::policy::ManagedKey {
                key: PublicKey::from_pem(pem)?,
                valid_for: None,
            }))),
            (None, true, false) => Ok(SignerPolicy::Certificate(vec![self.identity()?])),
            (None, false, true) => Ok(SignerPolicy::UnsafeAnyCertificateIdentity),
            (None, false, false) => fail(
                ErrorCode::InvalidInput,
                "no signer policy: give certificateIdentity (or certificateIdentityRegExp) with certificateIssuer \
                 (or certificateIssuerRegExp), or publicKey; unsafeAllowAnyIdentity accepts anyone",
            ),
            _ => fail(
                ErrorCode::InvalidInput,
                "publicKey, a certificate identity and unsafeAllowAnyIdentity exclude each other",
            ),
        }
    }

    fn issuer_given(&self) -> bool {
        self.certificate_issuer.is_some()
            || self.certificate_oidc_issuer.is_some()
            || self.certificate_issuer_reg_exp.is_some()
    }

    fn identity(&self) -> Result<CertificateIdentity> {
        let san = matcher(&self.certificate_identity, &self.certificate_identity_reg_exp, "certificateIdentity")?;
        let exact_issuer = match (&self.certificate_issuer, &self.certificate_oidc_issuer) {
            (Some(_), Some(_)) => {
                return fail(
                    ErrorCode::InvalidInput,
                    "certificateIssuer and certificateOidcIssuer are the same option",
                );
            }
            (a, b) => a.clone().or_else(|| b.clone()),
        };
        let issuer = matcher(&exact_issuer, &self.certificate_issuer_reg_exp, "certificateIssuer")?;
        let mut identity = CertificateIdentity::new(san, issuer);
        for (name, value) in &self.certificate_extensions {
            identity = identity.with_extension(name, value.clone())?;
        }
        Ok(identity)
    }
}

fn matcher(exact: &Option<String>, regexp: &Option<String>, name: &str) -> Result<StringMatcher> {
    match (exact, regexp) {
        (Some(value), None) => Ok(StringMatcher::exact(value.clone())),
        (None, Some(pattern)) => StringMatcher::regex(pattern),
        (Some(_), Some(_)) => fail(ErrorCode::InvalidInput, format!("{name} and {name}RegExp exclude each other")),
        (None, None) => fail(ErrorCode::InvalidInput, format!("{name} (or {name}RegExp) is required")),
    }
}

fn millis_to_timestamp(ms: f64) -> Result<Timestamp> {
    // Only whole milliseconds within the range Date can represent are meaningful.
    if !ms.is_finite() || ms.fract() != 0.0 || ms.abs() > 8.64e15 {
        return fail(ErrorCode::InvalidInput, format!("currentTime {ms} is not a time in milliseconds"));
    }
    let ms = ms as i64;
    let nanos = (ms.rem_euclid(1000) * 1_000_000) as u32;
    match Timestamp::from_unix_nanos(ms.div_euclid(1000), nanos) {
        Some(t) => Ok(t),
        None => fail(ErrorCode::InvalidInput, "currentTime out of range"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(json: &str) -> Result<Policy> {
        let options: PolicyOptions = serde_json::from_str(json)
            .map_err(|e| crate::error::VerificationError::new(ErrorCode::InvalidInput, e.to_string()))?;
        options.into_policy()
    }

    #[test]
    fn identity_options_build_an_identity_policy() {
        let policy = options(
            r#"{"certificateIdentity":"a@b.c","certificateIssuer":"https://i","tlogThreshold":2,
                "certificateExtensions":{"githubWorkflowRepository":"o/r"},"currentTime":1700000000123}"#,
        )
        .unwrap();
        assert_eq!(policy.tlog_threshold, 2);
        assert_eq!(policy.current_time, Timestamp::from_unix_nanos(1_700_000_000, 123_000_000));
        let SignerPolicy::Certificate(ids) = &policy.signer else { panic!("not an identity policy") };
        assert!(ids[0].subject_alt_name.matches("a@b.c"));
        assert_eq!(ids[0].extensions, [("githubWorkflowRepository".to_owned(), "o/r".to_owned())]);
        assert!(options(r#"{"certificateIdentityRegExp":"^a@","certificateOidcIssuer":"https://i"}"#).is_ok());
    }

    #[test]
    fn no_policy_or_a_muddled_one_is_refused() {
        for bad in [
            "{}",
            r#"{"certificateIdentity":"a"}"#,
            r#"{"certificateIssuer":"i"}"#,
            r#"{"certificateIdentity":"a","certificateIdentityRegExp":"a","certificateIssuer":"i"}"#,
            r#"{"certificateIdentity":"a","certificateIssuer":"i","unsafeAllowAnyIdentity":true}"#,
            r#"{"certificateIdentity":"a","certificateIssuer":"i","certificateExtensions":{"repo":"x"}}"#,
            r#"{"certificateIdentiy":"a","certificateIssuer":"i"}"#,
            r#"{"certificateIdentity":"a","certificateIssuer":"i","currentTime":1.5}"#,
        ] {
            assert_eq!(options(bad).unwrap_err().code, ErrorCode::InvalidInput, "{bad}");
        }
        assert!(matches!(
            options(r#"{"unsafeAllowAnyIdentity":true}"#).unwrap().signer,
            SignerPolicy::UnsafeAnyCertificateIdentity
        ));
    }
}
