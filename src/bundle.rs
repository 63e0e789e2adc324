//! The Sigstore bundle (protobuf-specs `Bundle`, JSON form): parsed strictly, then checked
//! against the rules of its media type, so that the rest of the verifier works on a typed value
//! that cannot describe an invalid bundle.

use serde::{Deserialize, Deserializer};

use crate::crypto::HashAlgorithm;
use crate::encoding::decode_base64;
use crate::error::{fail, ErrorCode, Result, VerificationError};
use crate::limits;
use crate::x509::Certificate;

/// A bundle format version, told by the media type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BundleVersion {
    /// `application/vnd.dev.sigstore.bundle+json;version=0.1`: every log entry needs an inclusion
    /// promise (SET).
    V0_1,
    /// `application/vnd.dev.sigstore.bundle+json;version=0.2`: every log entry needs an inclusion
    /// proof with a checkpoint.
    V0_2,
    /// `application/vnd.dev.sigstore.bundle+json;version=0.3` or
    /// `application/vnd.dev.sigstore.bundle.v0.3+json`: as v0.2, and a single certificate instead of a chain.
    V0_3,
}

impl BundleVersion {
    fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type {
            "application/vnd.dev.sigstore.bundle+json;version=0.1" => Some(Self::V0_1),
            "application/vnd.dev.sigstore.bundle+json;version=0.2" => Some(Self::V0_2),
            "application/vnd.dev.sigstore.bundle+json;version=0.3"
            | "application/vnd.dev.sigstore.bundle.v0.3+json" => Some(Self::V0_3),
            _ => None,
        }
    }
}

/// What the signer's key is vouched by.
#[derive(Clone, Debug)]
pub enum VerificationMaterial {
    /// A Fulcio (or other CA) leaf certificate. Only the leaf is kept: certificates a bundle
    /// carries beyond it are never trusted; the path is built from the trusted root.
    Certificate(Box<Certificate>),
    /// A key the verifier must be given out of band; the hint only names it.
    PublicKey {
        /// The bundle's `publicKey.hint`: unauthenticated, for reports only.
        hint: Option<String>,
    },
}

/// A signature over the artifact itself (a "hashedrekord" signing).
#[derive(Clone, Debug)]
pub struct MessageSignature {
    /// The digest the signer claims to have signed: an unauthenticated hint that must still
    /// equal the artifact's digest.
    pub message_digest: Option<(HashAlgorithm, Vec<u8>)>,
    /// The signature over the artifact, by the signer's key.
    pub signature: Vec<u8>,
}

/// A DSSE envelope with exactly one signature.
#[derive(Clone, Debug)]
pub struct Envelope {
    /// The payload, base64-decoded.
    pub payload: Vec<u8>,
    /// The payload's media type, signed with it (`application/vnd.in-toto+json` for an in-toto
    /// statement).
    pub payload_type: String,
    /// The one signature, over the DSSE pre-authentication encoding of type and payload.
    pub signature: Vec<u8>,
}

/// What the bundle's signature is over: the artifact itself, or a DSSE envelope about it.
#[derive(Clone, Debug)]
pub enum Content {
    /// The bundle's `messageSignature`.
    MessageSignature(MessageSignature),
    /// The bundle's `dsseEnvelope`.
    Dsse(Envelope),
}

impl Content {
    /// The signature bytes, which timestamps cover.
    pub fn signature(&self) -> &[u8] {
        match self {
            Self::MessageSignature(m) => &m.signature,
            Self::Dsse(e) => &e.signature,
        }
    }
}

/// A Merkle inclusion proof of a log entry (RFC 9162 §2.1.3), with the checkpoint that signs its root.
#[derive(Clone, Debug)]
pub struct InclusionProof {
    /// The entry's leaf index in the tree the proof is for (Rekor v1: within the log shard, so it
    /// may differ from the entry's own index).
    pub log_index: u64,
    /// The SHA-256 root hash of the tree at `tree_size`.
    pub root_hash: [u8; 32],
    /// How many leaves the tree had when the proof was made.
    pub tree_size: u64,
    /// The audit path, from the leaf's sibling up to the root.
    pub hashes: Vec<[u8; 32]>,
    /// The signed checkpoint the root hash is from: required, since a root hash nobody signed
    /// proves nothing (protobuf-specs marks it REQUIRED at every bundle version).
    pub checkpoint: String,
}

/// A transparency log (Rekor) entry of the bundle: what the log recorded, and the log's proofs
/// that it did.
#[derive(Clone, Debug)]
pub struct TlogEntry {
    /// The entry's index in its log (Rekor v1: across all of the log's shards).
    pub log_index: u64,
    /// The ID of the log that holds the entry, matched against the trusted root's log IDs.
    pub log_id: Vec<u8>,
    /// The entry's type, as Rekor names it: `hashedrekord`, `dsse`, `intoto` or `rekord`.
    pub kind: String,
    /// The version of the kind's schema, for example `0.0.1` (Rekor v1) or `0.0.2` (Rekor v2).
    pub version: String,
    /// Absent (zero) in Rekor v2 entries.
    pub integrated_time: Option<i64>,
    /// The inclusion promise (SET): the log's signature over the body, integrated time, log ID and
    /// index. Rekor v1 only; required in v0.1 bundles.
    pub signed_entry_timestamp: Option<Vec<u8>>,
    /// Required in bundles since v0.2.
    pub inclusion_proof: Option<InclusionProof>,
    /// The entry's body exactly as logged, base64-decoded: the JSON the Merkle leaf hashes, which
    /// must describe this bundle's signature, key and artifact.
    pub canonicalized_body: Vec<u8>,
}

/// A Sigstore bundle, parsed and checked against the rules of its version.
#[derive(Clone, Debug)]
pub struct Bundle {
    /// The `mediaType`, as written.
    pub media_type: String,
    /// The version `media_type` names.
    pub version: BundleVersion,
    /// What vouches for the signer's key.
    pub material: VerificationMaterial,
    /// The log entries, in bundle order.
    pub tlog_entries: Vec<TlogEntry>,
    /// DER `TimeStampResp` values.
    pub rfc3161_timestamps: Vec<Vec<u8>>,
    /// What was signed, and the signature.
    pub content: Content,
    /// What the timestamps' imprints cover when it is not the signature: cosign stamps a legacy
    /// attestation's whole envelope. Always `None` in a Sigstore bundle.
    pub timestamped: Option<Vec<u8>>,
}

impl Bundle {
    /// Parses and validates a bundle from its JSON text.
    pub fn from_json(json: &str) -> Result<Self> {
        Self::from_slice(json.as_bytes())
    }

    /// Parses and validates a bundle from its JSON text, as bytes.
    pub fn from_slice(json: &[u8]) -> Result<Self> {
        limits::at_most(json.len(), limits::MAX_BUNDLE_BYTES, "bytes of bundle JSON")?;
        let raw: RawBundle = match serde_json::from_slice(json) {
            Ok(raw) => raw,
            Err(e) => return fail(ErrorCode::BundleParse, format!("bundle is not valid bundle JSON: {e}")),
        };
        Self::from_raw(raw)
    }

    fn from_raw(raw: RawBundle) -> Result<Self> {
        let Some(version) = BundleVersion::from_media_type(&raw.media_type) else {
            return fail(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "unsupported bundle media type {:?}: expected a Sigstore bundle v0.1, v0.2 or v0.3",
                    raw.media_type
                ),
            );
        };
        let Some(material) = raw.verification_material else {
            return fail(ErrorCode::BundleParse, "bundle has no verificationMaterial");
        };
        let content = match (raw.message_signature, raw.dsse_envelope) {
            (Some(m), None) => Content::MessageSignature(parse_message_signature(m)?),
            (None, Some(e)) => Content::Dsse(parse_envelope(e)?),
            (Some(_), Some(_)) => {
                return fail(ErrorCode::BundleParse, "bundle has both messageSignature and dsseEnvelope")
            }
            (None, None) => {
                return fail(ErrorCode::BundleParse, "bundle has neither messageSignature nor dsseEnvelope")
            }
        };
        let key_material = parse_key_material(&material, version)?;
        limits::at_most(material.tlog_entries.len(), limits::MAX_TLOG_ENTRIES, "tlog entries in the bundle")?;
        let tlog_entries = material
            .tlog_entries
            .into_iter()
            .enumerate()
            .map(|(position, e)| parse_entry(e, version).map_err(|e| e.in_entry(position)))
            .collect::<Result<Vec<_>>>()?;
        let stamps = material.timestamp_verification_data.map(|t| t.rfc3161_timestamps).unwrap_or_default();
        limits::at_most(stamps.len(), limits::MAX_TIMESTAMPS, "RFC 3161 timestamps in the bundle")?;
        let rfc3161_timestamps = stamps
            .into_iter()
            .map(|t| bytes(t.signed_timestamp.as_deref(), "rfc3161Timestamps[].signedTimestamp"))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            media_type: raw.media_type,
            version,
            material: key_material,
            tlog_entries,
            rfc3161_timestamps,
            content,
            timestamped: None,
        })
    }

    /// The bytes RFC 3161 timestamps must cover.
    pub fn timestamped_bytes(&self) -> &[u8] {
        self.timestamped.as_deref().unwrap_or_else(|| self.content.signature())
    }
}

impl Envelope {
    /// A DSSE envelope on its own, in the JSON a bundle's `dsseEnvelope` holds (cosign stores
    /// legacy attestations so).
    pub fn from_json(json: &[u8]) -> Result<Self> {
        limits::at_most(json.len(), limits::MAX_BUNDLE_BYTES, "bytes of DSSE envelope JSON")?;
        match serde_json::from_slice(json) {
            Ok(raw) => parse_envelope(raw),
            Err(e) => fail(ErrorCode::BundleParse, format!("not a valid DSSE envelope: {e}")),
        }
    }
}

fn parse_key_material(material: &RawMaterial, version: BundleVersion) -> Result<VerificationMaterial> {
    let leaf_der = match (&material.public_key, &material.x509_certificate_chain, &material.certificate) {
        (Some(key), None, None) => return Ok(VerificationMaterial::PublicKey { hint: key.hint.clone() }),
        (None, Some(chain), None) => {
            if version == BundleVersion::V0_3 {
                return fail(
                    ErrorCode::BundleParse,
                    "a v0.3 bundle must carry a single certificate, not x509CertificateChain",
                );
            }
            limits::at_most(chain.certificates.len(), limits::MAX_CHAIN_LENGTH, "certificates in the chain")?;
            let Some(leaf) = chain.certificates.first() else {
                return fail(ErrorCode::BundleParse, "x509CertificateChain has no certificates");
            };
            bytes(leaf.raw_bytes.as_deref(), "certificate rawBytes")?
        }
        (None, None, Some(cert)) => bytes(cert.raw_bytes.as_deref(), "certificate rawBytes")?,
        (None, None, None) => {
            return fail(ErrorCode::BundleParse, "verificationMaterial has no certificate, chain or public key")
        }
        _ => {
            return fail(
                ErrorCode::BundleParse,
                "verificationMaterial has more than one of certificate, chain and public key",
            )
        }
    };
    let leaf = Certificate::from_der(&leaf_der)
        .map_err(|e| VerificationError::new(ErrorCode::BundleParse, format!("signing {}", e.message)))?;
    Ok(VerificationMaterial::Certificate(Box::new(leaf)))
}

fn parse_message_signature(raw: RawMessageSignature) -> Result<MessageSignature> {
    let message_digest = match raw.message_digest {
        Some(d) => {
            let Some(alg) = d.algorithm.as_deref().and_then(HashAlgorithm::from_proto_name) else {
                return fail(ErrorCode::BundleParse, format!("unsupported messageDigest algorithm {:?}", d.algorithm));
            };
            let digest = bytes(d.digest.as_deref(), "messageDigest.digest")?;
            if digest.len() != alg.output_len() {
                return fail(
                    ErrorCode::BundleParse,
                    format!("messageDigest is {} bytes; {} needs {}", digest.len(), alg.name(), alg.output_len()),
                );
            }
            Some((alg, digest))
        }
        None => None,
    };
    Ok(MessageSignature {
        message_digest,
        signature: non_empty(raw.signature.as_deref(), "messageSignature.signature")?,
    })
}

fn parse_envelope(raw: RawEnvelope) -> Result<Envelope> {
    let payload = match raw.payload.as_deref() {
        Some(text) => {
            // Checked before decoding, from the encoded length, so no oversized buffer is made.
            limits::at_most(text.len() / 4 * 3, limits::MAX_PAYLOAD_BYTES, "bytes of DSSE payload")?;
            bytes(Some(text), "dsseEnvelope.payload")?
        }
        None => bytes(None, "dsseEnvelope.payload")?,
    };
    let [signature] = raw.signatures.as_slice() else {
        return fail(
            ErrorCode::BundleParse,
            format!("dsseEnvelope must have exactly one signature; found {}", raw.signatures.len()),
        );
    };
    let Some(payload_type) = raw.payload_type.filter(|t| !t.is_empty()) else {
        return fail(ErrorCode::BundleParse, "dsseEnvelope has no payloadType");
    };
    Ok(Envelope {
        payload,
        payload_type,
        signature: non_empty(signature.sig.as_deref(), "dsseEnvelope.signatures[0].sig")?,
    })
}

fn parse_entry(raw: RawTlogEntry, version: BundleVersion) -> Result<TlogEntry> {
    let Some(kind_version) = raw.kind_version else {
        return fail(ErrorCode::BundleParse, "tlog entry has no kindVersion");
    };
    let log_id = non_empty(raw.log_id.as_ref().and_then(|l| l.key_id.as_deref()), "tlog entry logId.keyId")?;
    let inclusion_proof = raw.inclusion_proof.map(parse_proof).transpose()?;
    if version >= BundleVersion::V0_2 && inclusion_proof.is_none() {
        return fail(
            ErrorCode::TlogEntry,
            "bundles since v0.2 require an inclusion proof with a checkpoint in every tlog entry",
        );
    }
    let signed_entry_timestamp = match raw.inclusion_promise {
        Some(p) => Some(non_empty(p.signed_entry_timestamp.as_deref(), "inclusionPromise.signedEntryTimestamp")?),
        None => None,
    };
    if version == BundleVersion::V0_1 && signed_entry_timestamp.is_none() {
        return fail(ErrorCode::TlogEntry, "v0.1 bundles require an inclusion promise (SET) in every tlog entry");
    }
    let integrated_time = match raw.integrated_time.0 {
        0 => None,
        t if t < 0 => return fail(ErrorCode::BundleParse, format!("negative integratedTime {t}")),
        t => Some(t),
    };
    Ok(TlogEntry {
        log_index: non_negative(raw.log_index.0, "logIndex")?,
        log_id,
        kind: kind_version.kind,
        version: kind_version.version,
        integrated_time,
        signed_entry_timestamp,
        inclusion_proof,
        canonicalized_body: non_empty(raw.canonicalized_body.as_deref(), "canonicalizedBody")?,
    })
}

fn parse_proof(raw: RawInclusionProof) -> Result<InclusionProof> {
    limits::at_most(raw.hashes.len(), limits::MAX_PROOF_HASHES, "hashes in the inclusion proof")?;
    let hashes = raw.hashes.iter().map(|h| hash32(Some(h), "inclusionProof.hashes[]")).collect::<Result<_>>()?;
    Ok(InclusionProof {
        log_index: non_negative(raw.log_index.0, "inclusionProof.logIndex")?,
        root_hash: hash32(raw.root_hash.as_deref(), "inclusionProof.rootHash")?,
        tree_size: non_negative(raw.tree_size.0, "inclusionProof.treeSize")?,
        hashes,
        checkpoint: match raw.checkpoint.and_then(|c| c.envelope).filter(|e| !e.is_empty()) {
            Some(envelope) => envelope,
            None => return fail(
                ErrorCode::TlogEntry,
                "the inclusion proof has no checkpoint: without one signed by the log, its root hash proves nothing",
            ),
        },
    })
}

fn bytes(text: Option<&str>, what: &str) -> Result<Vec<u8>> {
    match decode_base64(text.unwrap_or_default()) {
        Some(bytes) => Ok(bytes),
        None => fail(ErrorCode::BundleParse, format!("{what} is not valid base64")),
    }
}

fn non_empty(text: Option<&str>, what: &str) -> Result<Vec<u8>> {
    let decoded = bytes(text, what)?;
    if decoded.is_empty() {
        return fail(ErrorCode::BundleParse, format!("{what} is missing or empty"));
    }
    Ok(decoded)
}

fn hash32(text: Option<&str>, what: &str) -> Result<[u8; 32]> {
    let decoded = bytes(text, what)?;
    match <[u8; 32]>::try_from(decoded.as_slice()) {
        Ok(hash) => Ok(hash),
        Err(_) => {
            fail(ErrorCode::BundleParse, format!("{what} is {} bytes; expected a 32-byte SHA-256 hash", decoded.len()))
        }
    }
}

fn non_negative(value: i64, what: &str) -> Result<u64> {
    match u64::try_from(value) {
        Ok(v) => Ok(v),
        Err(_) => fail(ErrorCode::BundleParse, format!("{what} is negative ({value})")),
    }
}

/// A protobuf `int64`: a decimal string in canonical JSON, a number in lenient JSON.
#[derive(Default, Clone, Copy)]
struct Int64(i64);

impl<'de> Deserialize<'de> for Int64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Number(i64),
            Text(String),
        }
        match Option::<Repr>::deserialize(d)? {
            None => Ok(Self(0)),
            Some(Repr::Number(n)) => Ok(Self(n)),
            Some(Repr::Text(s)) => {
                let valid = !s.is_empty() && s.trim_start_matches('-').bytes().all(|c| c.is_ascii_digit());
                match s.parse() {
                    Ok(n) if valid => Ok(Self(n)),
                    _ => Err(serde::de::Error::custom(format!("{s:?} is not an int64"))),
                }
            }
        }
    }
}

// The raw JSON shape. Unknown fields are refused, as protobuf's JSON mapping asks by default and
// as the reference client does: a bundle is attacker-controlled input.

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawBundle {
    media_type: String,
    verification_material: Option<RawMaterial>,
    message_signature: Option<RawMessageSignature>,
    dsse_envelope: Option<RawEnvelope>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawMaterial {
    public_key: Option<RawPublicKeyIdentifier>,
    x509_certificate_chain: Option<RawChain>,
    certificate: Option<RawCert>,
    #[serde(default, deserialize_with = "crate::encoding::null_as_default")]
    tlog_entries: Vec<RawTlogEntry>,
    timestamp_verification_data: Option<RawTimestampData>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublicKeyIdentifier {
    hint: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChain {
    #[serde(default, deserialize_with = "crate::encoding::null_as_default")]
    certificates: Vec<RawCert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawCert {
    raw_bytes: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawTimestampData {
    #[serde(default, deserialize_with = "crate::encoding::null_as_default")]
    rfc3161_timestamps: Vec<RawRfc3161>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawRfc3161 {
    signed_timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawTlogEntry {
    #[serde(default)]
    log_index: Int64,
    log_id: Option<RawLogId>,
    kind_version: Option<RawKindVersion>,
    #[serde(default)]
    integrated_time: Int64,
    inclusion_promise: Option<RawPromise>,
    inclusion_proof: Option<RawInclusionProof>,
    canonicalized_body: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawLogId {
    key_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKindVersion {
    kind: String,
    version: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawPromise {
    signed_entry_timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawInclusionProof {
    #[serde(default)]
    log_index: Int64,
    root_hash: Option<String>,
    #[serde(default)]
    tree_size: Int64,
    #[serde(default, deserialize_with = "crate::encoding::null_as_default")]
    hashes: Vec<String>,
    checkpoint: Option<RawCheckpoint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheckpoint {
    envelope: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawMessageSignature {
    message_digest: Option<RawDigest>,
    signature: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDigest {
    algorithm: Option<String>,
    digest: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawEnvelope {
    payload: Option<String>,
    payload_type: Option<String>,
    #[serde(default, deserialize_with = "crate::encoding::null_as_default")]
    signatures: Vec<RawDsseSignature>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDsseSignature {
    sig: Option<String>,
    // An unauthenticated hint: accepted, never used.
    #[serde(rename = "keyid")]
    _keyid: Option<serde::de::IgnoredAny>,
}
