//! What a log entry body must say for it to describe this bundle: the same signature, the same
//! signer (certificate or key) and the same artifact or envelope. Each check compares decoded
//! values, never text, and a body that cannot be read does not match.

use serde::Deserialize;

use crate::artifact::ArtifactDigests;
use crate::bundle::Content;
use crate::crypto::{HashAlgorithm, PublicKey};
use crate::dsse::pae;
use crate::encoding::{decode_base64, decode_hex, decode_pem};
use crate::error::{fail, ErrorCode, Result};
use crate::x509::Certificate;

/// Who signed, as the verifier established it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Signer<'a> {
    Certificate(&'a Certificate),
    Key(&'a PublicKey),
}

impl Signer<'_> {
    fn key(&self) -> &PublicKey {
        match self {
            Self::Certificate(cert) => cert.public_key(),
            Self::Key(key) => key,
        }
    }
}

/// Everything an entry body is compared with.
pub(crate) struct Expected<'a> {
    pub content: &'a Content,
    pub signer: Signer<'a>,
    pub artifact: &'a ArtifactDigests<'a>,
}

/// The entry kinds this verifier understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    HashedRekordV001,
    DsseV001,
    IntotoV002,
    RekordV001,
    HashedRekordV002,
    DsseV002,
}

impl Kind {
    pub fn from_kind_version(kind: &str, version: &str) -> Option<Self> {
        match (kind, version) {
            ("hashedrekord", "0.0.1") => Some(Self::HashedRekordV001),
            ("dsse", "0.0.1") => Some(Self::DsseV001),
            ("intoto", "0.0.2") => Some(Self::IntotoV002),
            ("rekord", "0.0.1") => Some(Self::RekordV001),
            ("hashedrekord", "0.0.2") => Some(Self::HashedRekordV002),
            ("dsse", "0.0.2") => Some(Self::DsseV002),
            _ => None,
        }
    }

    /// Rekor v2 (rekor-tiles) entries have no SET and no integrated time.
    pub fn is_rekor_v2(self) -> bool {
        matches!(self, Self::HashedRekordV002 | Self::DsseV002)
    }
}

/// Checks that `body` (the entry's canonicalized body) describes `expected`.
pub fn check_body(kind: Kind, kind_name: &str, version: &str, body: &[u8], expected: &Expected<'_>) -> Result<()> {
    check_header(kind_name, version, body)?;
    match kind {
        Kind::HashedRekordV001 => hashedrekord_v001(parse::<V1Body<HashedRekordV001>>(body)?.spec, expected),
        Kind::RekordV001 => rekord_v001(parse::<V1Body<RekordV001>>(body)?.spec, expected),
        Kind::DsseV001 => dsse_v001(parse::<V1Body<DsseV001>>(body)?.spec, expected),
        Kind::IntotoV002 => intoto_v002(parse::<V1Body<IntotoV002>>(body)?.spec, expected),
        Kind::HashedRekordV002 => {
            hashedrekord_v002(parse::<V2HashedRekordBody>(body)?.spec.hashed_rekord_v002, expected)
        }
        Kind::DsseV002 => dsse_v002(parse::<V2DsseBody>(body)?.spec.dsse_v002, expected),
    }
}

/// The body must be of the kind and version the entry claims.
pub fn check_header(kind_name: &str, version: &str, body: &[u8]) -> Result<()> {
    let header: Header = parse(body)?;
    if header.kind != kind_name || header.api_version != version {
        return mismatch(format!(
            "body is {}/{}, but the entry claims {kind_name}/{version}",
            header.kind, header.api_version
        ));
    }
    Ok(())
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T> {
    match serde_json::from_slice(body) {
        Ok(v) => Ok(v),
        Err(e) => mismatch(format!("entry body cannot be read: {e}")),
    }
}

fn mismatch<T>(message: String) -> Result<T> {
    fail(ErrorCode::TlogBodyMismatch, message)
}

fn hashedrekord_v001(spec: HashedRekordV001, expected: &Expected<'_>) -> Result<()> {
    let Content::MessageSignature(msg) = expected.content else {
        return mismatch("a hashedrekord entry cannot record a DSSE envelope".into());
    };
    check_artifact_digest(&spec.data.hash.algorithm, &spec.data.hash.value, expected.artifact)?;
    check_signature(&spec.signature.content, &msg.signature)?;
    check_pem_signer(&spec.signature.public_key.content, expected.signer)
}

fn rekord_v001(spec: RekordV001, expected: &Expected<'_>) -> Result<()> {
    if spec.signature.format != "x509" {
        return mismatch(format!("unsupported rekord signature format {:?}", spec.signature.format));
    }
    hashedrekord_v001(
        HashedRekordV001 {
            data: spec.data,
            signature: HashedRekordSignature { content: spec.signature.content, public_key: spec.signature.public_key },
        },
        expected,
    )
}

fn dsse_v001(spec: DsseV001, expected: &Expected<'_>) -> Result<()> {
    let envelope = dsse_content(expected)?;
    check_hex_hash(&spec.payload_hash, &envelope.payload, "payloadHash")?;
    let [signature] = spec.signatures.as_slice() else {
        return mismatch(format!("dsse entry has {} signatures; the bundle has one", spec.signatures.len()));
    };
    check_signature(&signature.signature, &envelope.signature)?;
    check_pem_signer(&signature.verifier, expected.signer)
}

fn intoto_v002(spec: IntotoV002, expected: &Expected<'_>) -> Result<()> {
    let envelope = dsse_content(expected)?;
    let recorded = &spec.content.envelope;
    if recorded.payload_type != envelope.payload_type {
        return mismatch(format!(
            "intoto entry payloadType {:?} is not the envelope's {:?}",
            recorded.payload_type, envelope.payload_type
        ));
    }
    check_hex_hash(&spec.content.payload_hash, &envelope.payload, "payloadHash")?;
    // Rekor drops the payload when canonicalising; when kept it is base64 of the base64 text.
    if let Some(payload) = &recorded.payload {
        if double_base64(payload).as_deref() != Some(envelope.payload.as_slice()) {
            return mismatch("intoto entry payload is not the envelope's payload".into());
        }
    }
    let [signature] = recorded.signatures.as_slice() else {
        return mismatch(format!("intoto entry has {} signatures; the bundle has one", recorded.signatures.len()));
    };
    if double_base64(&signature.sig).as_deref() != Some(envelope.signature.as_slice()) {
        return mismatch("intoto entry signature is not the envelope's signature".into());
    }
    check_pem_signer(&signature.public_key, expected.signer)
}

fn hashedrekord_v002(spec: HashedRekordV002, expected: &Expected<'_>) -> Result<()> {
    let Some(algorithm) = HashAlgorithm::from_proto_name(&spec.data.algorithm) else {
        return mismatch(format!("unsupported digest algorithm {:?} in the entry", spec.data.algorithm));
    };
    let digest = base64_field(&spec.data.digest, "data.digest")?;
    match expected.content {
        Content::MessageSignature(msg) => {
            let Some(actual) = expected.artifact.get(algorithm) else {
                return mismatch(format!(
                    "the entry records a {} digest, which the {} cannot be compared with",
                    algorithm.name(),
                    expected.artifact.describe()
                ));
            };
            if actual != digest.as_slice() {
                return mismatch(format!(
                    "the entry records artifact digest {}, the artifact's is {}",
                    hex(&digest),
                    hex(actual)
                ));
            }
            check_signature(&spec.signature.content, &msg.signature)?;
        }
        // A DSSE envelope logged as a hashedrekord: the digest is over the envelope's PAE.
        Content::Dsse(envelope) => {
            if algorithm.digest(&pae(&envelope.payload_type, &envelope.payload)) != digest {
                return mismatch("the entry's digest is not the digest of the envelope's PAE".into());
            }
            check_signature(&spec.signature.content, &envelope.signature)?;
        }
    }
    check_v2_verifier(&spec.signature.verifier, expected.signer)
}

fn dsse_v002(spec: DsseV002, expected: &Expected<'_>) -> Result<()> {
    let envelope = dsse_content(expected)?;
    let Some(algorithm) = HashAlgorithm::from_proto_name(&spec.payload_hash.algorithm) else {
        return mismatch(format!("unsupported payloadHash algorithm {:?}", spec.payload_hash.algorithm));
    };
    if algorithm.digest(&envelope.payload) != base64_field(&spec.payload_hash.digest, "payloadHash.digest")? {
        return mismatch("the entry's payloadHash is not the hash of the envelope's payload".into());
    }
    let [signature] = spec.signatures.as_slice() else {
        return mismatch(format!("dsse entry has {} signatures; the bundle has one", spec.signatures.len()));
    };
    check_signature(&signature.content, &envelope.signature)?;
    check_v2_verifier(&signature.verifier, expected.signer)
}

fn dsse_content<'a>(expected: &Expected<'a>) -> Result<&'a crate::bundle::Envelope> {
    match expected.content {
        Content::Dsse(envelope) => Ok(envelope),
        Content::MessageSignature(_) => mismatch("a DSSE entry cannot record a message signature".into()),
    }
}

fn check_artifact_digest(algorithm: &str, value: &str, artifact: &ArtifactDigests<'_>) -> Result<()> {
    let Some(algorithm) = HashAlgorithm::from_name(algorithm) else {
        return mismatch(format!("unsupported digest algorithm {algorithm:?} in the entry"));
    };
    let Some(recorded) = decode_hex(value) else {
        return mismatch(format!("entry digest {value:?} is not hex"));
    };
    let Some(actual) = artifact.get(algorithm) else {
        return mismatch(format!(
            "the entry records a {} digest, which the {} cannot be compared with",
            algorithm.name(),
            artifact.describe()
        ));
    };
    if actual != recorded.as_slice() {
        return mismatch(format!("the entry records artifact digest {value}, the artifact's is {}", hex(actual)));
    }
    Ok(())
}

fn check_hex_hash(hash: &HexHash, data: &[u8], what: &str) -> Result<()> {
    let Some(algorithm) = HashAlgorithm::from_name(&hash.algorithm) else {
        return mismatch(format!("unsupported {what} algorithm {:?}", hash.algorithm));
    };
    if decode_hex(&hash.value) != Some(algorithm.digest(data)) {
        return mismatch(format!("the entry's {what} is not the hash of the envelope's payload"));
    }
    Ok(())
}

fn check_signature(recorded_b64: &str, actual: &[u8]) -> Result<()> {
    if base64_field(recorded_b64, "signature")? != actual {
        return mismatch("the entry records a different signature than the bundle's".into());
    }
    Ok(())
}

/// v1 bodies name the signer as base64 of a PEM block: a certificate for keyless signing, a
/// public key for managed keys.
fn check_pem_signer(pem_b64: &str, signer: Signer<'_>) -> Result<()> {
    let matches = match (pem_signer(pem_b64)?, signer) {
        (Some(RecordedSigner::Certificate(der)), Signer::Certificate(cert)) => der == cert.der(),
        (Some(RecordedSigner::PublicKey(der)), Signer::Key(key)) => der == key.spki_der(),
        _ => false,
    };
    if !matches {
        let what = match signer {
            Signer::Certificate(_) => "signing certificate",
            Signer::Key(_) => "public key",
        };
        return mismatch(format!("the entry names a different signer than the bundle's {what}"));
    }
    Ok(())
}

/// The certificate or key a v1 body's base64 PEM names, if it is one of those.
fn pem_signer(pem_b64: &str) -> Result<Option<RecordedSigner>> {
    let pem = base64_field(pem_b64, "public key")?;
    let pem = String::from_utf8_lossy(&pem);
    Ok(match (decode_pem(&pem, "CERTIFICATE"), decode_pem(&pem, "PUBLIC KEY")) {
        (Some(der), None) => Some(RecordedSigner::Certificate(der)),
        (None, Some(der)) => Some(RecordedSigner::PublicKey(der)),
        _ => None,
    })
}

fn v2_signer(verifier: &V2Verifier) -> Option<RecordedSigner> {
    match (&verifier.x509_certificate, &verifier.public_key) {
        (Some(cert), None) => decode_base64(&cert.raw_bytes).map(RecordedSigner::Certificate),
        (None, Some(key)) => decode_base64(&key.raw_bytes).map(RecordedSigner::PublicKey),
        _ => None,
    }
}

/// The signer a body names, as DER.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordedSigner {
    Certificate(Vec<u8>),
    PublicKey(Vec<u8>),
}

/// What a body records, for reporting an entry found in a log rather than checked against a
/// bundle: the digest it is about (the artifact's, or the DSSE payload's) and its signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub digest: Option<(HashAlgorithm, Vec<u8>)>,
    pub signer: Option<RecordedSigner>,
}

pub fn recorded(kind: Kind, body: &[u8]) -> Result<Recorded> {
    let hex_digest = |hash: &HexHash| HashAlgorithm::from_name(&hash.algorithm).zip(decode_hex(&hash.value));
    let v2_digest = |d: &V2Digest| HashAlgorithm::from_proto_name(&d.algorithm).zip(decode_base64(&d.digest));
    Ok(match kind {
        Kind::HashedRekordV001 => {
            let spec = parse::<V1Body<HashedRekordV001>>(body)?.spec;
            Recorded { digest: hex_digest(&spec.data.hash), signer: pem_signer(&spec.signature.public_key.content)? }
        }
        Kind::RekordV001 => {
            let spec = parse::<V1Body<RekordV001>>(body)?.spec;
            Recorded { digest: hex_digest(&spec.data.hash), signer: pem_signer(&spec.signature.public_key.content)? }
        }
        Kind::DsseV001 => {
            let spec = parse::<V1Body<DsseV001>>(body)?.spec;
            let signer = match spec.signatures.first() {
                Some(s) => pem_signer(&s.verifier)?,
                None => None,
            };
            Recorded { digest: hex_digest(&spec.payload_hash), signer }
        }
        Kind::IntotoV002 => {
            let spec = parse::<V1Body<IntotoV002>>(body)?.spec;
            let signer = match spec.content.envelope.signatures.first() {
                Some(s) => pem_signer(&s.public_key)?,
                None => None,
            };
            Recorded { digest: hex_digest(&spec.content.payload_hash), signer }
        }
        Kind::HashedRekordV002 => {
            let spec = parse::<V2HashedRekordBody>(body)?.spec.hashed_rekord_v002;
            Recorded { digest: v2_digest(&spec.data), signer: v2_signer(&spec.signature.verifier) }
        }
        Kind::DsseV002 => {
            let spec = parse::<V2DsseBody>(body)?.spec.dsse_v002;
            Recorded {
                digest: v2_digest(&spec.payload_hash),
                signer: spec.signatures.first().and_then(|s| v2_signer(&s.verifier)),
            }
        }
    })
}

/// The artifact digest a hashedrekord entry records, `None` for other kinds or an unreadable
/// body (whose own check then refuses it).
pub fn hashedrekord_digest(entry: &crate::bundle::TlogEntry) -> Option<(HashAlgorithm, Vec<u8>)> {
    match Kind::from_kind_version(&entry.kind, &entry.version)? {
        kind @ (Kind::HashedRekordV001 | Kind::HashedRekordV002) => {
            recorded(kind, &entry.canonicalized_body).ok()?.digest
        }
        _ => None,
    }
}

/// v2 bodies name the signer by certificate or by public key, whichever the signer submitted;
/// both occur for certificate bundles in production.
fn check_v2_verifier(verifier: &V2Verifier, signer: Signer<'_>) -> Result<()> {
    let matches = match (v2_signer(verifier), signer) {
        (Some(RecordedSigner::Certificate(der)), Signer::Certificate(leaf)) => der == leaf.der(),
        (Some(RecordedSigner::PublicKey(der)), signer) => der == signer.key().spki_der(),
        _ => false,
    };
    if !matches {
        return mismatch("the entry's verifier is not the bundle's signer".into());
    }
    Ok(())
}

fn base64_field(text: &str, what: &str) -> Result<Vec<u8>> {
    match decode_base64(text) {
        Some(bytes) => Ok(bytes),
        None => mismatch(format!("entry field {what} is not base64")),
    }
}

fn double_base64(text: &str) -> Option<Vec<u8>> {
    let inner = decode_base64(text)?;
    decode_base64(std::str::from_utf8(&inner).ok()?)
}

fn hex(bytes: &[u8]) -> String {
    crate::encoding::encode_hex(bytes)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    kind: String,
    api_version: String,
}

#[derive(Deserialize)]
struct V1Body<S> {
    spec: S,
}

#[derive(Deserialize)]
struct HexHash {
    algorithm: String,
    value: String,
}

#[derive(Deserialize)]
struct HashedRekordV001 {
    data: HashedRekordData,
    signature: HashedRekordSignature,
}

#[derive(Deserialize)]
struct HashedRekordData {
    hash: HexHash,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HashedRekordSignature {
    content: String,
    public_key: PemContent,
}

#[derive(Deserialize)]
struct PemContent {
    content: String,
}

#[derive(Deserialize)]
struct RekordV001 {
    data: HashedRekordData,
    signature: RekordSignature,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RekordSignature {
    format: String,
    content: String,
    public_key: PemContent,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DsseV001 {
    payload_hash: HexHash,
    signatures: Vec<DsseV001Signature>,
}

#[derive(Deserialize)]
struct DsseV001Signature {
    signature: String,
    verifier: String,
}

#[derive(Deserialize)]
struct IntotoV002 {
    content: IntotoContent,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntotoContent {
    envelope: IntotoEnvelope,
    payload_hash: HexHash,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntotoEnvelope {
    payload_type: String,
    payload: Option<String>,
    signatures: Vec<IntotoSignature>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntotoSignature {
    sig: String,
    public_key: String,
}

#[derive(Deserialize)]
struct V2HashedRekordBody {
    spec: V2HashedRekordSpec,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V2HashedRekordSpec {
    hashed_rekord_v002: HashedRekordV002,
}

#[derive(Deserialize)]
struct HashedRekordV002 {
    data: V2Digest,
    signature: V2Signature,
}

#[derive(Deserialize)]
struct V2Digest {
    algorithm: String,
    digest: String,
}

#[derive(Deserialize)]
struct V2Signature {
    content: String,
    verifier: V2Verifier,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V2Verifier {
    x509_certificate: Option<V2RawBytes>,
    public_key: Option<V2RawBytes>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V2RawBytes {
    raw_bytes: String,
}

#[derive(Deserialize)]
struct V2DsseBody {
    spec: V2DsseSpec,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V2DsseSpec {
    dsse_v002: DsseV002,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DsseV002 {
    payload_hash: V2Digest,
    signatures: Vec<V2Signature>,
}
