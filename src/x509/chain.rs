//! Path validation from a leaf certificate to one authority of the trusted root.
//!
//! Only the leaf comes from the bundle; the rest of the path is the authority's own chain, whose
//! links were checked once when the verifier was built (`TrustedRoot::check_chains`). What stays
//! per bundle is the leaf's signature, the profile of every certificate, and validity at every
//! verified time: an intermediate that expired before the signing time fails the path
//! (CVE-2026-24122).

use const_oid::ObjectIdentifier;

use super::name::describe_name;
use crate::crypto::{Message, SignatureBackend, SignatureCheck};
use crate::error::{fail, ErrorCode, Result, VerificationError};
use crate::time::Timestamp;
use crate::trust::CertificateAuthority;
use crate::x509::certificate::oid;
use crate::x509::Certificate;

/// What the leaf is for: the extended key usage it and any CA restricting usages must allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    CodeSigning,
    TimeStamping,
}

impl Usage {
    fn oid(self) -> ObjectIdentifier {
        match self {
            Self::CodeSigning => oid::KP_CODE_SIGNING,
            Self::TimeStamping => oid::KP_TIME_STAMPING,
        }
    }
}

/// Where an authority's chain could have issued a leaf: the certificates named as the leaf's
/// issuer (by name and key identifier), each with the path above the leaf that starts at it. An
/// authority's chain is one path from its first certificate to its root, and a leaf may hang from
/// any certificate on it: GitHub's authorities list an intermediate that issues nothing of theirs
/// first, above the one that issues their attestations' certificates.
pub(crate) struct Candidate<'a> {
    /// The authority's index in the trusted root.
    pub index: usize,
    pub authority: &'a CertificateAuthority,
    /// The certificate whose signature over the leaf is checked: the first of `path`.
    pub issuer: &'a Certificate,
    /// The path above the leaf, nearest first: the issuer, then the rest of the chain to its root.
    pub path: &'a [Certificate],
}

/// Every place in `authorities` that could have issued `leaf`: the only ones whose signature over
/// the leaf is checked.
pub(crate) fn candidate_issuers<'a>(
    leaf: &'a Certificate,
    authorities: &'a [CertificateAuthority],
) -> impl Iterator<Item = Candidate<'a>> {
    authorities.iter().enumerate().flat_map(move |(index, authority)| {
        let chain = authority.chain.as_slice();
        (0..chain.len()).filter_map(move |at| {
            let path = chain.get(at..)?;
            let issuer = path.first().filter(|issuer| leaf.names_issuer(issuer))?;
            Some(Candidate { index, authority, issuer, path })
        })
    })
}

/// Finds the certificate of an authority that issued `leaf` and validates the path from it at
/// every time in `times`. Returns the index of that authority and the issuing certificate.
pub fn verify_leaf<'a>(
    leaf: &'a Certificate,
    authorities: &'a [CertificateAuthority],
    times: &[Timestamp],
    usage: Usage,
    backend: &dyn SignatureBackend,
) -> Result<(usize, &'a Certificate)> {
    check_leaf_profile(leaf, usage)?;
    if times.is_empty() {
        return fail(ErrorCode::CertificateChain, "no verified time to validate the certificate chain at");
    }
    let mut last_error = None;
    for candidate in candidate_issuers(leaf, authorities) {
        let Candidate { index, authority: ca, issuer, path } = candidate;
        let signed = backend.verify(&SignatureCheck {
            key: issuer.public_key(),
            scheme: leaf.signature_scheme()?,
            message: Message::Raw(leaf.tbs_der()),
            signature: leaf.signature(),
        });
        if !signed {
            last_error = Some(VerificationError::new(
                ErrorCode::CertificateChain,
                format!("the signing certificate's signature does not verify under authority {}", ca.uri),
            ));
            continue;
        }
        match check_path(leaf, path, ca, times, usage) {
            Ok(()) => return Ok((index, issuer)),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        VerificationError::new(
            ErrorCode::CertificateChain,
            format!(
                "the signing certificate's issuer {} is not a trusted certificate authority",
                describe_name(&leaf.issuer)
            ),
        )
    }))
}

/// Checks the path from `leaf` through `issuers` (the CA certificates of authority `ca` above the
/// leaf, nearest first) at every time: each certificate valid, each issuer a CA allowed to issue
/// for `usage`, and the authority's own validity window. The signatures along `issuers` were
/// checked when the trusted root was loaded.
pub fn check_path(
    leaf: &Certificate,
    issuers: &[Certificate],
    ca: &CertificateAuthority,
    times: &[Timestamp],
    usage: Usage,
) -> Result<()> {
    for (depth, cert) in issuers.iter().enumerate() {
        check_ca_profile(cert, depth, usage, &ca.uri)?;
    }
    for &t in times {
        if !ca.valid_for.contains(t) {
            return fail(
                ErrorCode::CertificateChain,
                format!("verified time {t} is outside the validity {} of authority {}", ca.valid_for, ca.uri),
            );
        }
        for cert in std::iter::once(leaf).chain(issuers) {
            if !cert.is_valid_at(t) {
                let role = if std::ptr::eq(cert, leaf) {
                    match usage {
                        Usage::CodeSigning => "the signing certificate".to_owned(),
                        Usage::TimeStamping => "the TSA certificate".to_owned(),
                    }
                } else {
                    format!("CA certificate {} of authority {}", describe_name(&cert.subject), ca.uri)
                };
                return fail(
                    ErrorCode::CertificateChain,
                    format!(
                        "{role} is valid from {} to {}, not at verified time {t}",
                        cert.not_before(),
                        cert.not_after()
                    ),
                );
            }
        }
    }
    Ok(())
}

/// The leaf must be an end-entity certificate for `usage`, with nothing critical we do not
/// understand.
pub fn check_leaf_profile(leaf: &Certificate, usage: Usage) -> Result<()> {
    let problem = if !leaf.version3 {
        Some("is not an X.509 v3 certificate".to_owned())
    } else if leaf.is_ca {
        Some("is a CA certificate, not a leaf".to_owned())
    } else if !leaf.allows_digital_signature() {
        Some("does not allow digitalSignature key usage".to_owned())
    } else if !leaf.has_eku(&usage.oid()) {
        Some(format!("does not allow the {usage:?} extended key usage"))
    } else {
        leaf.unhandled_critical.first().map(|oid| format!("has an unsupported critical extension {oid}"))
    };
    match problem {
        Some(problem) => fail(ErrorCode::CertificateProfile, format!("the signing certificate {problem}")),
        None => Ok(()),
    }
}

/// `depth` counts the CA certificates between this one and the leaf, which its path length
/// constraint bounds.
fn check_ca_profile(cert: &Certificate, depth: usize, usage: Usage, uri: &str) -> Result<()> {
    let problem = if !cert.version3 || !cert.is_ca {
        Some("is not a CA certificate".to_owned())
    } else if !cert.allows_cert_sign() {
        Some("does not allow keyCertSign".to_owned())
    } else if cert.path_len.is_some_and(|max| usize::from(max) < depth) {
        Some("has a path length constraint the chain exceeds".to_owned())
    } else if cert.ext_key_usage.is_some() && !cert.has_eku(&usage.oid()) {
        Some(format!("restricts extended key usage and does not allow {usage:?}"))
    } else {
        cert.unhandled_critical.first().map(|oid| format!("has an unsupported critical extension {oid}"))
    };
    match problem {
        Some(problem) => fail(
            ErrorCode::CertificateChain,
            format!("CA certificate {} of authority {uri} {problem}", describe_name(&cert.subject)),
        ),
        None => Ok(()),
    }
}
