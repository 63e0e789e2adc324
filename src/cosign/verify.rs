//! Verifying what `discover` found for an image: each signature or attestation on its own,
//! against the image's digest and the policy, and the verdict over them all: success only when
//! at least one satisfies the policy.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::artifact::Artifact;
use crate::bundle::Bundle;
use crate::cosign::discover::{Content, Discovery, Found, Image, Problem, Source};
use crate::cosign::legacy::LayerKind;
use crate::cosign::payload::{check_annotations, Claims};
use crate::cosign::Want;
use crate::crypto::SignatureBackend;
use crate::dsse::Statement;
use crate::error::{fail, ErrorCode, Result, VerificationError};
use crate::oci::digest::Digest;
use crate::policy::Policy;
use crate::verify::{VerificationResult, Verifier};

/// The policy for an image: who must have signed (with thresholds and time), and the
/// annotations the signature must carry (`cosign verify -a key=value`).
#[derive(Clone, Debug)]
pub struct ImagePolicy {
    /// Who must have signed, with thresholds and time.
    pub policy: Policy,
    /// Each must be signed with exactly this value: in a legacy payload's `optional`, or on the
    /// subject of a v3 signature's statement that is the image.
    pub annotations: BTreeMap<String, String>,
}

/// The outcome for one signature or attestation.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureReport {
    /// Where it was found.
    #[serde(flatten)]
    pub source: Source,
    /// Whether it satisfies the policy.
    pub verified: bool,
    /// What its verification established, when it verified.
    pub result: Option<VerifiedSignature>,
    /// Why it did not verify: it could not be fetched or read, or failed verification.
    pub error: Option<VerificationError>,
}

/// What a signature or attestation that satisfies the policy established.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedSignature {
    /// The verification of its bundle (a legacy signature's, as rebuilt from its layer).
    #[serde(flatten)]
    pub verification: VerificationResult,
    /// What a legacy signature's payload claims.
    pub claims: Option<Claims>,
    /// A legacy layer's annotations as written (its Rekor bundle, timestamp, certificate), for
    /// tools that print them as cosign does; empty for a bundle.
    pub annotations: BTreeMap<String, String>,
    /// An attestation's DSSE envelope as stored, so that its payload can be read byte for byte.
    pub envelope: Option<serde_json::Value>,
}

/// Everything found for an image, and what became of each.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageVerification {
    /// The image, as resolved.
    #[serde(flatten)]
    pub image: Image,
    /// `signatures` or `attestations`.
    pub kind: &'static str,
    /// The predicate type a verified statement must have: cosign's signature type, or the
    /// attestations' asked for.
    pub predicate_type: String,
    /// Each signature or attestation found, with its outcome.
    pub signatures: Vec<SignatureReport>,
    /// Places that could not be looked in.
    pub problems: Vec<Problem>,
    /// How many satisfy the policy.
    pub verified: usize,
    /// Why the image does not verify; `None` when it does.
    pub error: Option<VerificationError>,
}

impl ImageVerification {
    /// Success when at least one signature satisfies the policy. Otherwise the error says
    /// whether nothing was found or nothing held, and why.
    pub fn verdict(&self) -> Result<()> {
        match &self.error {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    fn judge(&self) -> Result<()> {
        if self.verified > 0 {
            return Ok(());
        }
        let image = format!("{}@{}", self.image.name, self.image.digest);
        let problems: Vec<String> = self.problems.iter().map(|p| format!("{}: {}", p.source, p.error)).collect();
        if self.signatures.is_empty() {
            return match self.problems.first() {
                // Not being able to look is not the same as finding nothing.
                Some(first) => fail(
                    first.error.code,
                    format!("no {} could be found for {image}: {}", self.kind, problems.join("; ")),
                ),
                None => fail(ErrorCode::NoSignatures, format!("no {} found for {image}", self.described())),
            };
        }
        let reasons: Vec<String> = self
            .signatures
            .iter()
            .filter_map(|s| s.error.as_ref().map(|e| format!("{}: {e}", s.layer_or_manifest())))
            .chain(problems)
            .collect();
        fail(
            ErrorCode::NoMatchingSignatures,
            format!(
                "none of the {} {} found for {image} satisfies the policy: {}",
                self.signatures.len(),
                self.kind,
                reasons.join("; ")
            ),
        )
    }

    fn described(&self) -> String {
        match self.kind {
            "attestations" => format!("attestations of type {}", self.predicate_type),
            kind => kind.to_owned(),
        }
    }
}

impl SignatureReport {
    fn layer_or_manifest(&self) -> &Digest {
        self.source.layer.as_ref().unwrap_or(&self.source.manifest)
    }
}

/// Verifies everything `discovery` found.
pub fn verify_discovery(
    discovery: &Discovery,
    want: &Want,
    verifier: &Verifier,
    policy: &ImagePolicy,
    backend: &dyn SignatureBackend,
) -> ImageVerification {
    let signatures: Vec<SignatureReport> = discovery
        .found
        .iter()
        .map(|found| match verify_found(found, &discovery.image.digest, want, verifier, policy, backend) {
            Ok(result) => {
                SignatureReport { source: found.source.clone(), verified: true, result: Some(result), error: None }
            }
            Err(error) => {
                SignatureReport { source: found.source.clone(), verified: false, result: None, error: Some(error) }
            }
        })
        .collect();
    let mut report = ImageVerification {
        image: discovery.image.clone(),
        kind: match want {
            Want::Signatures => "signatures",
            Want::Attestations(_) => "attestations",
        },
        predicate_type: want.predicate_type().to_owned(),
        verified: signatures.iter().filter(|s| s.verified).count(),
        signatures,
        problems: discovery.problems.clone(),
        error: None,
    };
    report.error = report.judge().err();
    report
}

fn verify_found(
    found: &Found,
    image: &Digest,
    want: &Want,
    verifier: &Verifier,
    policy: &ImagePolicy,
    backend: &dyn SignatureBackend,
) -> Result<VerifiedSignature> {
    let content = found.content.as_ref().map_err(Clone::clone)?;
    let image_artifact = Artifact::from_digest(image.algorithm(), image.bytes().to_vec())?;
    // A statement of the wanted type about this image: in-toto subjects name it by digest.
    let statement_policy = policy.policy.clone().with_predicate_type(want.predicate_type());
    match content {
        Content::Bundle(json) => {
            let bundle = Bundle::from_slice(json)?;
            let verification = verifier.verify_with(&bundle, &image_artifact, &statement_policy, backend)?;
            let envelope = match (want, &verification.statement) {
                (Want::Signatures, Some(statement)) => {
                    check_subject_annotations(statement, image, &policy.annotations)?;
                    None
                }
                _ => {
                    serde_json::from_slice::<serde_json::Value>(json).ok().and_then(|b| b.get("dsseEnvelope").cloned())
                }
            };
            Ok(VerifiedSignature { verification, claims: None, annotations: BTreeMap::new(), envelope })
        }
        Content::Legacy { layer, logged } => {
            let entries = logged.as_ref().map(|(_, entries)| entries.as_slice()).unwrap_or_default();
            if let Some((rekor_url, entries)) = logged {
                if entries.is_empty() && policy.policy.tlog_threshold > 0 {
                    return fail(
                        ErrorCode::TlogThreshold,
                        format!("the signature carries no Rekor bundle, and {rekor_url} has no entry for it"),
                    );
                }
            }
            let bundle = layer.to_bundle(entries)?;
            match layer.kind {
                LayerKind::Signature => {
                    let verification =
                        verifier.verify_with(&bundle, &Artifact::Bytes(&layer.blob), &policy.policy, backend)?;
                    let claims = Claims::parse(&layer.blob)?;
                    claims.check(image, &policy.annotations)?;
                    Ok(VerifiedSignature {
                        verification,
                        claims: Some(claims),
                        annotations: layer.annotations.clone(),
                        envelope: None,
                    })
                }
                LayerKind::Attestation => {
                    let verification = verifier.verify_with(&bundle, &image_artifact, &statement_policy, backend)?;
                    Ok(VerifiedSignature {
                        verification,
                        claims: None,
                        annotations: layer.annotations.clone(),
                        envelope: serde_json::from_slice(&layer.blob).ok(),
                    })
                }
            }
        }
    }
}

/// A v3 signature's annotations are on the statement's subject that is the image.
fn check_subject_annotations(statement: &Statement, image: &Digest, wanted: &BTreeMap<String, String>) -> Result<()> {
    let subject = statement.subjects.iter().find(|s| {
        s.digests.iter().any(|(alg, bytes)| alg == image.algorithm().name() && bytes.as_slice() == image.bytes())
    });
    match subject {
        Some(subject) => check_annotations(wanted, &subject.annotations, "the statement's subject"),
        None => fail(ErrorCode::ArtifactMismatch, format!("no subject of the statement is {image}")),
    }
}
