//! Signed certificate timestamps embedded in the leaf (RFC 6962 §3.3): proof that the
//! certificate was logged in a CT log the verifier trusts.

use crate::asn1::{self, tag, Reader};
use crate::crypto::{HashAlgorithm, Message, SignatureBackend, SignatureCheck, SignatureScheme};
use crate::error::{fail, ErrorCode, Result};
use crate::limits;
use crate::time::Timestamp;
use crate::trust::TransparencyLog;
use crate::x509::certificate::oid;
use crate::x509::Certificate;

/// An SCT that verified under a trusted CT log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedSct {
    /// The trusted CT log's ID (its `logId` in the trusted root, whichever ID the SCT named); hex
    /// in JSON.
    #[serde(serialize_with = "crate::encoding::serialize_hex")]
    pub log_id: Vec<u8>,
    /// The CT log's base URL.
    pub log_url: String,
    /// When the log promised to include the certificate: the SCT's timestamp.
    pub time: Timestamp,
}

struct Sct<'a> {
    log_id: &'a [u8],
    timestamp_ms: u64,
    extensions: &'a [u8],
    hash_alg: u8,
    sig_alg: u8,
    signature: &'a [u8],
}

/// Verifies the leaf's embedded SCTs and requires `threshold` distinct trusted logs among them.
/// `issuer` is the certificate that issued the leaf, taken from the trusted root.
pub fn verify_scts(
    leaf: &Certificate,
    issuer: &Certificate,
    ctlogs: &[TransparencyLog],
    threshold: usize,
    backend: &dyn SignatureBackend,
) -> Result<Vec<VerifiedSct>> {
    if threshold == 0 {
        return Ok(Vec::new());
    }
    let Some(ext) = leaf.extension(&oid::SCT_LIST) else {
        return fail(ErrorCode::Sct, format!("the signing certificate has no embedded SCTs; {threshold} required"));
    };
    let list = asn1::parse_single(&ext.value, tag::OCTET_STRING).map_err(|e| sct_error(&e))?;
    let scts = parse_list(list.contents)?;
    let precert = precert_tbs(leaf.tbs_der())?;
    let issuer_key_hash = HashAlgorithm::Sha256.digest(issuer.public_key().spki_der());

    let mut verified: Vec<VerifiedSct> = Vec::new();
    let mut problems = Vec::new();
    for sct in &scts {
        match verify_one(sct, &precert, &issuer_key_hash, ctlogs, backend) {
            // Several SCTs from one log count once (GHSA-9vcr-p3rj-q5q6), compared by the trusted
            // log they resolved to: a log may be known under two IDs, and no signature covers
            // the ID an SCT names.
            Ok(v) if verified.iter().any(|seen| seen.log_id == v.log_id) => {}
            Ok(v) => verified.push(v),
            Err(problem) => problems.push(problem),
        }
    }
    if verified.len() < threshold {
        let detail = if problems.is_empty() { String::new() } else { format!(" ({})", problems.join("; ")) };
        return fail(
            ErrorCode::Sct,
            format!("{} SCT(s) from distinct trusted CT logs verified; {threshold} required{detail}", verified.len()),
        );
    }
    Ok(verified)
}

/// How many SCTs the leaf embeds, each at most one signature check; 0 when they cannot be read
/// (`verify_scts` then refuses them without checking any).
pub(crate) fn embedded_count(leaf: &Certificate) -> usize {
    leaf.extension(&oid::SCT_LIST)
        .and_then(|ext| asn1::parse_single(&ext.value, tag::OCTET_STRING).ok())
        .and_then(|list| parse_list(list.contents).ok())
        .map_or(0, |scts| scts.len())
}

fn verify_one(
    sct: &Sct<'_>,
    precert: &[u8],
    issuer_key_hash: &[u8],
    ctlogs: &[TransparencyLog],
    backend: &dyn SignatureBackend,
) -> Result<VerifiedSct, String> {
    let id = crate::encoding::encode_hex(sct.log_id);
    let log =
        ctlogs.iter().find(|log| log.has_id(sct.log_id)).ok_or_else(|| format!("SCT from unknown CT log {id}"))?;
    let time = Timestamp::from_unix_millis(sct.timestamp_ms).ok_or("SCT timestamp out of range")?;
    if !log.valid_for.contains(time) {
        return Err(format!("SCT time {time} is outside CT log {}'s key validity {}", log.base_url, log.valid_for));
    }
    let scheme = match (sct.hash_alg, sct.sig_alg) {
        (4, 3) => SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
        (4, 1) => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha256),
        (h, s) => return Err(format!("SCT uses unsupported hash {h} / signature {s}")),
    };
    let signed = signed_data(sct, precert, issuer_key_hash)?;
    let ok = backend.verify(&SignatureCheck {
        key: &log.key,
        scheme,
        message: Message::Raw(&signed),
        signature: sct.signature,
    });
    if !ok {
        return Err(format!("SCT signature of CT log {} does not verify", log.base_url));
    }
    Ok(VerifiedSct { log_id: log.log_id.clone(), log_url: log.base_url.clone(), time })
}

/// The bytes a CT log signs for a precertificate entry (RFC 6962 §3.2).
fn signed_data(sct: &Sct<'_>, precert: &[u8], issuer_key_hash: &[u8]) -> Result<Vec<u8>, String> {
    let tbs_len = u32::try_from(precert.len()).ok().filter(|&l| l < 1 << 24).ok_or("precertificate too large")?;
    let ext_len = u16::try_from(sct.extensions.len()).map_err(|_| "SCT extensions too large")?;
    let mut out = Vec::with_capacity(precert.len() + 64);
    out.push(0); // version v1
    out.push(0); // signature type: certificate_timestamp
    out.extend_from_slice(&sct.timestamp_ms.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes()); // entry type: precert_entry
    out.extend_from_slice(issuer_key_hash);
    out.extend_from_slice(tbs_len.to_be_bytes().get(1..).unwrap_or_default());
    out.extend_from_slice(precert);
    out.extend_from_slice(&ext_len.to_be_bytes());
    out.extend_from_slice(sct.extensions);
    Ok(out)
}

fn parse_list(data: &[u8]) -> Result<Vec<Sct<'_>>> {
    let mut input = Tls(data);
    let mut list = Tls(input.vec16()?);
    input.finish()?;
    let mut scts = Vec::new();
    while !list.0.is_empty() {
        limits::at_most(scts.len() + 1, limits::MAX_SCTS, "embedded SCTs")?;
        let mut sct = Tls(list.vec16()?);
        let version = sct.u8()?;
        if version != 0 {
            return fail(ErrorCode::Sct, format!("unsupported SCT version {version}"));
        }
        let parsed = Sct {
            log_id: sct.take(32)?,
            timestamp_ms: u64::from_be_bytes(sct.take(8)?.try_into().map_err(|_| truncated())?),
            extensions: sct.vec16()?,
            hash_alg: sct.u8()?,
            sig_alg: sct.u8()?,
            signature: sct.vec16()?,
        };
        sct.finish()?;
        scts.push(parsed);
    }
    Ok(scts)
}

/// A reader of TLS presentation-language structures.
struct Tls<'a>(&'a [u8]);

impl<'a> Tls<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.0.len() {
            return Err(truncated());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8> {
        self.take(1)?.first().copied().ok_or_else(truncated)
    }

    fn vec16(&mut self) -> Result<&'a [u8]> {
        let len = self.take(2)?;
        let len = len.iter().fold(0usize, |acc, &b| acc << 8 | usize::from(b));
        self.take(len)
    }

    fn finish(&self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            fail(ErrorCode::Sct, "trailing bytes in the SCT list")
        }
    }
}

fn truncated() -> crate::error::VerificationError {
    crate::error::VerificationError::new(ErrorCode::Sct, "truncated SCT list")
}

fn sct_error(e: &dyn std::fmt::Display) -> crate::error::VerificationError {
    crate::error::VerificationError::new(ErrorCode::Sct, format!("SCT list extension: {e}"))
}

fn too_large() -> crate::error::VerificationError {
    sct_error(&"the precertificate is too large to re-encode")
}

/// The leaf's TBSCertificate with the SCT list extension removed, re-encoded: what the CT log
/// saw as the precertificate.
fn precert_tbs(tbs: &[u8]) -> Result<Vec<u8>> {
    let tbs = asn1::parse_single(tbs, tag::SEQUENCE).map_err(|e| sct_error(&e))?;
    let mut fields = tbs.reader();
    let mut body = Vec::with_capacity(tbs.contents.len());
    while !fields.is_empty() {
        let field = fields.read().map_err(|e| sct_error(&e))?;
        if field.tag != tag::context(3) {
            body.extend_from_slice(field.raw);
            continue;
        }
        let extensions = asn1::parse_single(field.contents, tag::SEQUENCE).map_err(|e| sct_error(&e))?;
        let mut kept = Vec::with_capacity(extensions.contents.len());
        let mut reader = Reader::new(extensions.contents);
        while !reader.is_empty() {
            let ext = reader.expect(tag::SEQUENCE).map_err(|e| sct_error(&e))?;
            let id = ext.reader().expect(tag::OID).map_err(|e| sct_error(&e))?;
            if id.contents != oid::SCT_LIST.as_bytes() {
                kept.extend_from_slice(ext.raw);
            }
        }
        if !kept.is_empty() {
            let extensions = asn1::encode_tlv(tag::SEQUENCE, &kept).ok_or_else(too_large)?;
            body.extend(asn1::encode_tlv(tag::context(3), &extensions).ok_or_else(too_large)?);
        }
    }
    asn1::encode_tlv(tag::SEQUENCE, &body).ok_or_else(too_large)
}
