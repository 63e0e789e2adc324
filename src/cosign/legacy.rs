//! Legacy cosign signatures and attestations: one layer of a `.sig` or `.att` manifest, whose
//! blob is what was signed and whose annotations carry the signature, the certificate, the
//! Rekor bundle (an entry and its SET) and an RFC 3161 timestamp. Each layer is turned into the
//! Sigstore bundle it amounts to, so that the one verifier checks both formats alike.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::bundle::{Bundle, BundleVersion, Content, Envelope, MessageSignature, TlogEntry, VerificationMaterial};
use crate::cosign::{ANNOTATION_BUNDLE, ANNOTATION_CERTIFICATE, ANNOTATION_RFC3161, ANNOTATION_SIGNATURE};
use crate::crypto::{HashAlgorithm, PublicKey};
use crate::encoding::{decode_base64, decode_hex};
use crate::error::{fail, ErrorCode, Result};
use crate::oci::digest::Digest;
use crate::rekor;
use crate::tlog::body::RecordedSigner;
use crate::x509::Certificate;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    /// A simple-signing payload, signed as a message.
    Signature,
    /// A DSSE envelope.
    Attestation,
}

/// One layer and its verified blob.
#[derive(Clone, Debug)]
pub struct Layer {
    pub kind: LayerKind,
    pub media_type: String,
    /// The blob's digest, which it was checked against (read by the tests that rebuild a layer
    /// from real cosign data, and kept as the layer's identity).
    #[cfg_attr(not(feature = "internals"), allow(dead_code))]
    pub digest: Digest,
    pub blob: Vec<u8>,
    pub annotations: BTreeMap<String, String>,
}

impl Layer {
    /// Whether the layer carries its own Rekor entry; without one, the entry must be found in
    /// the log.
    pub fn has_rekor_bundle(&self) -> bool {
        self.annotations.contains_key(ANNOTATION_BUNDLE)
    }

    fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The signature over the payload (attestations carry theirs in the envelope).
    fn signature(&self) -> Result<Vec<u8>> {
        let Some(text) = self.annotation(ANNOTATION_SIGNATURE) else {
            return fail(ErrorCode::BundleParse, format!("the layer has no {ANNOTATION_SIGNATURE} annotation"));
        };
        match decode_base64(text) {
            Some(bytes) if !bytes.is_empty() => Ok(bytes),
            _ => fail(ErrorCode::BundleParse, format!("the {ANNOTATION_SIGNATURE} annotation is not base64")),
        }
    }

    fn certificate(&self) -> Result<Option<Certificate>> {
        self.annotation(ANNOTATION_CERTIFICATE).map(Certificate::from_pem).transpose().map_err(|e| {
            crate::error::VerificationError::new(
                ErrorCode::BundleParse,
                format!("the {ANNOTATION_CERTIFICATE} annotation: {}", e.message),
            )
        })
    }

    /// The entry cosign would have made in Rekor for this signature: how a signature without a
    /// Rekor bundle is found in the log. `key` is the caller's key, for keyed signatures.
    pub fn proposed_entry(&self, key: Option<&PublicKey>) -> Result<Option<String>> {
        if self.kind != LayerKind::Signature {
            return Ok(None);
        }
        let signer = match (self.certificate()?, key) {
            (Some(cert), _) => RecordedSigner::Certificate(cert.der().to_vec()),
            (None, Some(key)) => RecordedSigner::PublicKey(key.spki_der().to_vec()),
            (None, None) => return Ok(None),
        };
        let digest = HashAlgorithm::Sha256.digest(&self.blob);
        Ok(Some(rekor::proposed_hashedrekord(&digest, &self.signature()?, &signer)))
    }

    /// The bundle this layer amounts to, with `logged` (entries found in Rekor) added to the
    /// entry of its Rekor bundle annotation, if any.
    pub fn to_bundle(&self, logged: &[rekor::Entry]) -> Result<Bundle> {
        let (content, timestamped) = match self.kind {
            LayerKind::Signature => (
                Content::MessageSignature(MessageSignature {
                    message_digest: Some((HashAlgorithm::Sha256, HashAlgorithm::Sha256.digest(&self.blob))),
                    signature: self.signature()?,
                }),
                None,
            ),
            // cosign timestamps an attestation over the whole envelope it uploads.
            LayerKind::Attestation => (Content::Dsse(Envelope::from_json(&self.blob)?), Some(self.blob.clone())),
        };
        let material = match self.certificate()? {
            Some(cert) => VerificationMaterial::Certificate(Box::new(cert)),
            None => VerificationMaterial::PublicKey { hint: None },
        };
        let mut tlog_entries = Vec::new();
        if let Some(annotation) = self.annotation(ANNOTATION_BUNDLE) {
            tlog_entries.push(rekor_bundle(annotation)?);
        }
        tlog_entries.extend(logged.iter().map(|e| e.entry.clone()));
        let rfc3161_timestamps = match self.annotation(ANNOTATION_RFC3161) {
            Some(annotation) => vec![rfc3161(annotation)?],
            None => Vec::new(),
        };
        Ok(Bundle {
            media_type: self.media_type.clone(),
            // The rules of v0.1 bundles are the ones that fit: entries proven by their SET.
            version: BundleVersion::V0_1,
            material,
            tlog_entries,
            rfc3161_timestamps,
            content,
            timestamped,
        })
    }
}

/// `dev.sigstore.cosign/bundle`: a Rekor entry with its SET, as cosign's `RekorBundle`.
fn rekor_bundle(annotation: &str) -> Result<TlogEntry> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RekorBundle {
        #[serde(rename = "SignedEntryTimestamp")]
        signed_entry_timestamp: String,
        #[serde(rename = "Payload")]
        payload: RekorPayload,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct RekorPayload {
        body: String,
        integrated_time: i64,
        log_index: u64,
        #[serde(rename = "logID")]
        log_id: String,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Header {
        kind: String,
        api_version: String,
    }
    let bad = |why: String| fail(ErrorCode::BundleParse, format!("the {ANNOTATION_BUNDLE} annotation: {why}"));
    let raw: RekorBundle = match serde_json::from_slice(annotation.as_bytes()) {
        Ok(raw) => raw,
        Err(e) => return bad(e.to_string()),
    };
    let Some(body) = decode_base64(&raw.payload.body) else { return bad("the body is not base64".into()) };
    let header: Header = match serde_json::from_slice(&body) {
        Ok(h) => h,
        Err(e) => return bad(format!("the body is not a log entry: {e}")),
    };
    let Some(log_id) = decode_hex(&raw.payload.log_id).filter(|id| !id.is_empty()) else {
        return bad("logID is not hex".into());
    };
    let Some(set) = decode_base64(&raw.signed_entry_timestamp).filter(|s| !s.is_empty()) else {
        return bad("SignedEntryTimestamp is not base64".into());
    };
    if raw.payload.integrated_time <= 0 {
        return bad(format!("integratedTime {} is not a time", raw.payload.integrated_time));
    }
    Ok(TlogEntry {
        log_index: raw.payload.log_index,
        log_id,
        kind: header.kind,
        version: header.api_version,
        integrated_time: Some(raw.payload.integrated_time),
        signed_entry_timestamp: Some(set),
        inclusion_proof: None,
        canonicalized_body: body,
    })
}

/// `dev.sigstore.cosign/rfc3161timestamp`: `{"SignedRFC3161Timestamp": "<base64 DER>"}`.
fn rfc3161(annotation: &str) -> Result<Vec<u8>> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Timestamp {
        #[serde(rename = "SignedRFC3161Timestamp")]
        signed: String,
    }
    match serde_json::from_slice::<Timestamp>(annotation.as_bytes()).ok().and_then(|t| decode_base64(&t.signed)) {
        Some(der) if !der.is_empty() => Ok(der),
        _ => fail(ErrorCode::BundleParse, format!("the {ANNOTATION_RFC3161} annotation is not a timestamp")),
    }
}
