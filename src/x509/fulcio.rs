//! The identity claims Fulcio writes into its certificates, under 1.3.6.1.4.1.57264.1.

use serde::Serialize;

use crate::asn1::{self, tag};
use crate::crypto::HashAlgorithm;
use crate::encoding::encode_hex;
use crate::error::{fail, ErrorCode, Result};
use crate::time::Timestamp;
use crate::x509::certificate::oid::FULCIO_ARC;
use crate::x509::{Certificate, San};

/// The claims, by the number of their last OID arc, with the names sigstore-go and sigstore-js
/// use in JSON and options. 1.7 (username) lives in the SAN instead.
pub const CLAIMS: [(u32, &str); 22] = [
    (1, "issuerV1"),
    (2, "githubWorkflowTrigger"),
    (3, "githubWorkflowSha"),
    (4, "githubWorkflowName"),
    (5, "githubWorkflowRepository"),
    (6, "githubWorkflowRef"),
    (8, "issuer"),
    (9, "buildSignerUri"),
    (10, "buildSignerDigest"),
    (11, "runnerEnvironment"),
    (12, "sourceRepositoryUri"),
    (13, "sourceRepositoryDigest"),
    (14, "sourceRepositoryRef"),
    (15, "sourceRepositoryIdentifier"),
    (16, "sourceRepositoryOwnerUri"),
    (17, "sourceRepositoryOwnerIdentifier"),
    (18, "buildConfigUri"),
    (19, "buildConfigDigest"),
    (20, "buildTrigger"),
    (21, "runInvocationUri"),
    (22, "sourceRepositoryVisibilityAtSigning"),
    (23, "deploymentEnvironment"),
];

/// The claim name for an OID arc, if the arc is a known claim.
pub fn claim_name(arc: u32) -> Option<&'static str> {
    CLAIMS.iter().find(|(a, _)| *a == arc).map(|(_, name)| *name)
}

/// The arc of a claim name.
pub fn claim_arc(name: &str) -> Option<u32> {
    CLAIMS.iter().find(|(_, n)| *n == name).map(|(arc, _)| *arc)
}

/// One decoded claim.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Claim {
    /// The last arc of the claim's OID, under 1.3.6.1.4.1.57264.1.
    #[serde(skip)]
    pub arc: u32,
    /// The claim's name as sigstore-go and sigstore-js write it, for example `sourceRepositoryUri`.
    pub name: &'static str,
    /// The extension's OID, in dotted text.
    pub oid: String,
    /// The claim's value, decoded to text.
    pub value: String,
}

/// Decodes every known Fulcio claim of the certificate, in OID order. Claims 1.1-1.6 hold the
/// raw string as the extension value; 1.8 onwards hold a DER UTF8String.
pub fn claims(cert: &Certificate) -> Result<Vec<Claim>> {
    let mut out = Vec::new();
    for ext in cert.extensions() {
        let Some(arc) = fulcio_arc(&ext.oid) else { continue };
        let Some(name) = claim_name(arc) else { continue };
        let value = if arc <= 6 {
            std::str::from_utf8(&ext.value).ok().map(str::to_owned)
        } else {
            asn1::parse_single(&ext.value, tag::UTF8_STRING)
                .ok()
                .and_then(|s| std::str::from_utf8(s.contents).ok().map(str::to_owned))
        };
        let Some(value) = value else {
            return fail(
                ErrorCode::CertificateProfile,
                format!("Fulcio extension {} ({name}) is not a valid string", ext.oid),
            );
        };
        out.push(Claim { arc, name, oid: ext.oid.to_string(), value });
    }
    out.sort_by_key(|c| c.arc);
    Ok(out)
}

/// The OIDC issuer: the v2 claim (1.8) when present, else the deprecated v1 claim (1.1).
pub fn issuer(claims: &[Claim]) -> Option<&str> {
    let find = |arc| claims.iter().find(|c| c.arc == arc).map(|c| c.value.as_str());
    find(8).or_else(|| find(1))
}

/// What a signing certificate says about its subject, decoded for reports. It is a description,
/// not a verdict: whether the certificate is trusted is the chain's and the policy's business.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSummary {
    /// The identity (subject alternative name).
    pub subject_alt_name: String,
    /// `email`, `uri` or `username`.
    pub subject_alt_name_type: &'static str,
    /// The OIDC issuer that vouched for the identity: claim 1.8, else 1.1; empty when neither is present.
    pub issuer: String,
    /// Every Fulcio claim of the certificate, decoded and named.
    pub extensions: Vec<Claim>,
    /// The start of the certificate's validity.
    pub not_before: Timestamp,
    /// The end of the certificate's validity (included).
    pub not_after: Timestamp,
    /// Hex SHA-256 of the certificate DER.
    pub fingerprint: String,
}

impl CertificateSummary {
    /// Summarises `cert`, whose decoded `claims` the caller has.
    pub fn new(cert: &Certificate, claims: Vec<Claim>) -> Self {
        let (san, san_type) = match cert.subject_alt_names().first() {
            Some(San::Email(v)) => (v.clone(), "email"),
            Some(San::Uri(v)) => (v.clone(), "uri"),
            Some(San::Username(v)) => (v.clone(), "username"),
            None => (String::new(), "none"),
        };
        Self {
            subject_alt_name: san,
            subject_alt_name_type: san_type,
            issuer: issuer(&claims).unwrap_or_default().to_owned(),
            extensions: claims,
            not_before: cert.not_before(),
            not_after: cert.not_after(),
            fingerprint: encode_hex(&HashAlgorithm::Sha256.digest(cert.der())),
        }
    }

    /// Summarises `cert`, decoding its claims; fails when a known claim is not a valid string.
    pub fn of(cert: &Certificate) -> Result<Self> {
        Ok(Self::new(cert, claims(cert)?))
    }
}

/// The last arc when `oid` is a direct child of the Fulcio arc.
fn fulcio_arc(oid: &const_oid::ObjectIdentifier) -> Option<u32> {
    if oid.parent()? != FULCIO_ARC {
        return None;
    }
    oid.arcs().last()
}
