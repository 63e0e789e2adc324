//! Trust material: the `TrustedRoot` of Sigstore's protobuf specs, parsed and checked once.

use serde::Deserialize;

use crate::crypto::{HashAlgorithm, Message, PublicKey, SignatureBackend, SignatureCheck};
use crate::encoding::decode_base64;
use crate::error::{fail, ErrorCode, Result};
use crate::limits;
use crate::time::{TimeRange, Timestamp};
use crate::x509::certificate::Certificate;

const PRODUCTION_JSON: &str = include_str!("../trust/production-trusted_root.json");
const STAGING_JSON: &str = include_str!("../trust/staging-trusted_root.json");
const GITHUB_JSON: &str = include_str!("../trust/github-trusted_root.json");

/// The TUF roots of Sigstore's production and staging repositories that this crate pins (the ones
/// the npm and PyPI clients embed): where a refresh of the trusted root starts when nothing newer
/// was verified before. An expired one is fine as a start: the update moves past it.
const PRODUCTION_TUF_ROOT: &[u8] = include_bytes!("../trust/production-tuf-root.json");
const STAGING_TUF_ROOT: &[u8] = include_bytes!("../trust/staging-tuf-root.json");
/// GitHub's instance's TUF root (version 9, as sigstore-rust pins it).
const GITHUB_TUF_ROOT: &[u8] = include_bytes!("../trust/github-tuf-root.json");

/// The pinned TUF root of `"production"`, `"staging"` or `"github"`.
pub fn tuf_root(name: &str) -> Option<&'static [u8]> {
    match name {
        "production" => Some(PRODUCTION_TUF_ROOT),
        "staging" => Some(STAGING_TUF_ROOT),
        "github" => Some(GITHUB_TUF_ROOT),
        _ => None,
    }
}

const MEDIA_TYPES: [&str; 3] = [
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "application/vnd.dev.sigstore.trustedroot.v0.1+json",
    "application/vnd.dev.sigstore.trustedroot.v0.2+json",
];

/// A transparency log (Rekor) or certificate transparency log the verifier trusts.
#[derive(Clone, Debug)]
pub struct TransparencyLog {
    /// The log's URL, as the trusted root's `baseUrl`.
    pub base_url: String,
    /// The key's name in signed notes: the host (and port) of `base_url`.
    pub origin: String,
    /// The key the log signs with: checkpoints and SETs (Rekor), SCTs (CT logs).
    pub key: PublicKey,
    /// The log's ID (`logId.keyId`), by which entries and SCTs name it: usually the SHA-256 of the
    /// key's DER SubjectPublicKeyInfo.
    pub log_id: Vec<u8>,
    /// The key ID used on checkpoint signature lines, when it differs from `log_id`.
    pub checkpoint_key_id: Option<Vec<u8>>,
    /// When the key may sign: a signature is trusted only for a time inside this window.
    pub valid_for: TimeRange,
}

impl TransparencyLog {
    /// Whether `id` names this log, as an entry's or SCT's log ID.
    pub fn has_id(&self, id: &[u8]) -> bool {
        self.log_id == id || self.checkpoint_key_id.as_deref() == Some(id)
    }
}

/// A certificate authority (Fulcio) or timestamp authority: a certificate chain whose first
/// element issues leaves (or, for a TSA, signs timestamps) and whose last is the trust anchor.
#[derive(Clone, Debug)]
pub struct CertificateAuthority {
    /// The authority's URI, as the trusted root names it (empty when it names none).
    pub uri: String,
    /// The certificates, one path from the authority's first certificate to its trust anchor
    /// (last); never empty. A leaf may be issued by any of them (`x509/chain.rs`).
    pub chain: Vec<Certificate>,
    /// When the authority may issue or sign: a leaf or timestamp is trusted only for a time inside
    /// this window.
    pub valid_for: TimeRange,
}

impl CertificateAuthority {
    /// The first certificate: the one that signs timestamps (TSA).
    pub fn first(&self) -> Option<&Certificate> {
        self.chain.first()
    }

    /// Whether the authority's trust anchor is GitHub's own Sigstore instance's ("Internal
    /// Services Root", by its SHA-256): its release attestations' certificates name no OIDC
    /// issuer, and a policy of the SAN alone is accepted for them (`policy.rs`).
    pub fn is_githubs(&self) -> bool {
        self.chain.last().is_some_and(|anchor| HashAlgorithm::Sha256.digest(anchor.der()) == GITHUB_TRUST_ANCHOR_SHA256[..])
    }
}

/// SHA-256 of GitHub's instance's trust anchor, in every authority of its trusted root
/// (`trust/github-trusted_root.json`).
const GITHUB_TRUST_ANCHOR_SHA256: [u8; 32] = [
    0xdc, 0x64, 0xd3, 0xaf, 0x9f, 0xd4, 0x6d, 0xd8, 0x40, 0x48, 0x69, 0x35, 0xc9, 0x03, 0x98, 0x6d, 0x06, 0xed, 0xd3,
    0x57, 0x88, 0x76, 0x96, 0x96, 0xd2, 0xf1, 0x45, 0xd3, 0x8b, 0x7f, 0x78, 0x87,
];

/// What a trusted root holds, in counts, and how recent it is: the newest start of validity of
/// anything in it (a root is only as fresh as its last added key), for people to judge its age.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RootSummary {
    /// How many Rekor logs.
    pub transparency_logs: usize,
    /// How many Fulcio certificate authorities.
    pub certificate_authorities: usize,
    /// How many certificate transparency logs.
    pub ct_logs: usize,
    /// How many RFC 3161 timestamp authorities.
    pub timestamp_authorities: usize,
    /// The latest `validFor` start of any log or authority; `None` for an empty root.
    pub newest: Option<Timestamp>,
}

/// Everything a verifier trusts.
#[derive(Clone, Debug)]
pub struct TrustedRoot {
    /// The Rekor logs, whose entries, checkpoints and SETs are trusted.
    pub tlogs: Vec<TransparencyLog>,
    /// The Fulcio certificate authorities, which issue signing certificates.
    pub certificate_authorities: Vec<CertificateAuthority>,
    /// The certificate transparency logs, whose SCTs show a signing certificate was logged.
    pub ctlogs: Vec<TransparencyLog>,
    /// The RFC 3161 timestamp authorities.
    pub timestamp_authorities: Vec<CertificateAuthority>,
}

impl TrustedRoot {
    /// The Sigstore public-good production root embedded in this crate.
    pub fn production() -> Result<Self> {
        Self::from_json(PRODUCTION_JSON)
    }

    /// The Sigstore staging root embedded in this crate.
    pub fn staging() -> Result<Self> {
        Self::from_json(STAGING_JSON)
    }

    /// The root of GitHub's own Sigstore instance embedded in this crate: certificate and
    /// timestamp authorities, no transparency log (private repositories' and releases'
    /// attestations). Not among [`from_name_or_json`](Self::from_name_or_json)'s names, so that
    /// the package's modules do not carry it: the package loads it only for a call that names it.
    pub fn github() -> Result<Self> {
        Self::from_json(GITHUB_JSON)
    }

    /// An embedded root by its name (`"production"`, `"staging"`), or the text of a trusted
    /// root JSON.
    pub fn from_name_or_json(text: &str) -> Result<Self> {
        match text {
            "production" => Self::production(),
            "staging" => Self::staging(),
            json => Self::from_json(json),
        }
    }

    /// Parses a trusted root from its JSON (protobuf-specs `TrustedRoot`, media type v0.1 or v0.2).
    /// The authorities' chains are not checked here: see [`check_chains`](Self::check_chains).
    pub fn from_json(json: &str) -> Result<Self> {
        limits::at_most(json.len(), limits::MAX_TRUSTED_ROOT_BYTES, "bytes of trusted root JSON")?;
        let raw: RawTrustedRoot = match serde_json::from_slice(json.as_bytes()) {
            Ok(raw) => raw,
            Err(e) => return fail(ErrorCode::TrustedRoot, format!("trusted root is not valid: {e}")),
        };
        if !MEDIA_TYPES.contains(&raw.media_type.as_str()) {
            return fail(ErrorCode::TrustedRoot, format!("unsupported trusted root media type {:?}", raw.media_type));
        }
        Ok(Self {
            tlogs: raw.tlogs.iter().map(parse_log).collect::<Result<_>>()?,
            certificate_authorities: raw.certificate_authorities.iter().map(parse_ca).collect::<Result<_>>()?,
            ctlogs: raw.ctlogs.iter().map(parse_log).collect::<Result<_>>()?,
            timestamp_authorities: raw.timestamp_authorities.iter().map(parse_ca).collect::<Result<_>>()?,
        })
    }

    /// What the root holds, and how recent it is.
    pub fn summary(&self) -> RootSummary {
        let starts = self.tlogs.iter().chain(&self.ctlogs).map(|log| log.valid_for.start);
        let authorities = self.certificate_authorities.iter().chain(&self.timestamp_authorities);
        RootSummary {
            transparency_logs: self.tlogs.len(),
            certificate_authorities: self.certificate_authorities.len(),
            ct_logs: self.ctlogs.len(),
            timestamp_authorities: self.timestamp_authorities.len(),
            newest: starts.chain(authorities.map(|ca| ca.valid_for.start)).max(),
        }
    }

    /// Checks that every authority's chain is signed link by link, so that per-bundle work only
    /// has to check the leaf's own signature. Done once per verifier.
    pub fn check_chains(&self, backend: &dyn SignatureBackend) -> Result<()> {
        for ca in self.certificate_authorities.iter().chain(&self.timestamp_authorities) {
            for pair in ca.chain.windows(2) {
                let [child, issuer] = pair else { continue };
                let signed = child.names_issuer(issuer)
                    && backend.verify(&SignatureCheck {
                        key: issuer.public_key(),
                        scheme: child.signature_scheme()?,
                        message: Message::Raw(child.tbs_der()),
                        signature: child.signature(),
                    });
                if !signed {
                    return fail(
                        ErrorCode::TrustedRoot,
                        format!("certificate chain of authority {} is not signed link by link", ca.uri),
                    );
                }
            }
        }
        Ok(())
    }
}

fn parse_log(raw: &RawLog) -> Result<TransparencyLog> {
    let what = &raw.base_url;
    let hash = raw.hash_algorithm.as_deref().unwrap_or("SHA2_256");
    if hash != "SHA2_256" {
        return fail(ErrorCode::TrustedRoot, format!("log {what}: unsupported Merkle hash {hash}"));
    }
    let Some(raw_key) = &raw.public_key else {
        return fail(ErrorCode::TrustedRoot, format!("log {what} has no public key"));
    };
    let Some(key_bytes) = raw_key.raw_bytes.as_deref().and_then(decode_base64) else {
        return fail(ErrorCode::TrustedRoot, format!("log {what}: missing or malformed publicKey.rawBytes"));
    };
    let key = match raw_key.key_details.as_deref() {
        Some(details) if details.starts_with("PKCS1_RSA") => PublicKey::from_pkcs1_rsa_der(&key_bytes),
        _ => PublicKey::from_spki_der(&key_bytes),
    };
    let key = key.map_err(|e| {
        crate::error::VerificationError::new(ErrorCode::TrustedRoot, format!("log {what}: {}", e.message))
    })?;
    let valid_for = parse_range(raw_key.valid_for.as_ref(), &format!("log {what}"))?;
    let log_id = decode_key_id(raw.log_id.as_ref(), what)?;
    let checkpoint_key_id = match &raw.checkpoint_key_id {
        Some(id) => Some(decode_key_id(Some(id), what)?),
        None => None,
    };
    Ok(TransparencyLog {
        base_url: raw.base_url.clone(),
        origin: origin_of(&raw.base_url),
        key,
        log_id,
        checkpoint_key_id,
        valid_for,
    })
}

fn decode_key_id(raw: Option<&RawKeyId>, what: &str) -> Result<Vec<u8>> {
    match raw.and_then(|id| id.key_id.as_deref()).and_then(decode_base64) {
        Some(id) if !id.is_empty() => Ok(id),
        _ => fail(ErrorCode::TrustedRoot, format!("log {what}: missing or malformed logId.keyId")),
    }
}

fn parse_ca(raw: &RawAuthority) -> Result<CertificateAuthority> {
    let what = raw.uri.clone().unwrap_or_default();
    let certs = raw.cert_chain.as_ref().map(|c| c.certificates.as_slice()).unwrap_or_default();
    if certs.is_empty() {
        return fail(ErrorCode::TrustedRoot, format!("authority {what} has an empty certificate chain"));
    }
    limits::at_most(certs.len(), limits::MAX_CHAIN_LENGTH, "certificates in an authority chain")?;
    let mut chain = Vec::with_capacity(certs.len());
    for cert in certs {
        let Some(der) = cert.raw_bytes.as_deref().and_then(decode_base64) else {
            return fail(ErrorCode::TrustedRoot, format!("authority {what}: malformed certificate rawBytes"));
        };
        let cert = Certificate::from_der(&der).map_err(|e| {
            crate::error::VerificationError::new(ErrorCode::TrustedRoot, format!("authority {what}: {}", e.message))
        })?;
        chain.push(cert);
    }
    let valid_for = parse_range(raw.valid_for.as_ref(), &format!("authority {what}"))?;
    Ok(CertificateAuthority { uri: what, chain, valid_for })
}

/// A `validFor` window. Its start is required: a key or authority with no start would be trusted
/// from the beginning of time, which no shipped root intends.
fn parse_range(raw: Option<&RawRange>, what: &str) -> Result<TimeRange> {
    let Some(start) = raw.and_then(|r| r.start.as_deref()) else {
        return fail(ErrorCode::TrustedRoot, format!("{what}: validFor.start is missing"));
    };
    let parse = |text: &str| match Timestamp::parse_rfc3339(text) {
        Some(t) => Ok(t),
        None => fail(ErrorCode::TrustedRoot, format!("{what}: {text:?} is not an RFC 3339 time")),
    };
    let start = parse(start)?;
    let end = match raw.and_then(|r| r.end.as_deref()) {
        Some(end) => Some(parse(end)?),
        None => None,
    };
    if end.is_some_and(|end| end < start) {
        return fail(ErrorCode::TrustedRoot, format!("{what}: validFor ends before it starts"));
    }
    Ok(TimeRange { start, end })
}

/// The host (and port, if any) of a URL: the name a log signs its checkpoints under.
fn origin_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest).to_owned()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTrustedRoot {
    media_type: String,
    #[serde(default, deserialize_with = "crate::encoding::null_as_default")]
    tlogs: Vec<RawLog>,
    #[serde(default, deserialize_with = "crate::encoding::null_as_default")]
    certificate_authorities: Vec<RawAuthority>,
    #[serde(default, deserialize_with = "crate::encoding::null_as_default")]
    ctlogs: Vec<RawLog>,
    #[serde(default, deserialize_with = "crate::encoding::null_as_default")]
    timestamp_authorities: Vec<RawAuthority>,
}

// Optional fields of the trust root are not all needed for verification (operator, subject,
// signing configuration); they are accepted and ignored, since a trust root comes from the
// caller, not from an attacker-controlled bundle.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLog {
    #[serde(default)]
    base_url: String,
    hash_algorithm: Option<String>,
    public_key: Option<RawPublicKey>,
    log_id: Option<RawKeyId>,
    checkpoint_key_id: Option<RawKeyId>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPublicKey {
    raw_bytes: Option<String>,
    key_details: Option<String>,
    valid_for: Option<RawRange>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawKeyId {
    key_id: Option<String>,
}

#[derive(Deserialize)]
struct RawRange {
    start: Option<String>,
    end: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAuthority {
    uri: Option<String>,
    cert_chain: Option<RawChain>,
    valid_for: Option<RawRange>,
}

#[derive(Deserialize)]
struct RawChain {
    #[serde(default)]
    certificates: Vec<RawCert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCert {
    raw_bytes: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_counts_what_the_root_holds_and_dates_its_newest_key() {
        let summary = TrustedRoot::production().unwrap().summary();
        assert!(summary.transparency_logs >= 2 && summary.certificate_authorities >= 2, "{summary:?}");
        // The production Rekor v2 log (log2025-1) is valid from 2025-09-23.
        assert!(summary.newest.unwrap() >= Timestamp::from_unix(1_758_585_600), "{summary:?}");
    }

    #[test]
    fn embedded_roots_parse() {
        let prod = TrustedRoot::production().unwrap();
        assert_eq!(prod.tlogs.len(), 2);
        assert_eq!(prod.tlogs[0].origin, "rekor.sigstore.dev");
        assert_eq!(prod.tlogs[0].key.key_id().as_slice(), prod.tlogs[0].log_id.as_slice());
        prod.check_chains(&crate::crypto::RustCrypto).unwrap();
        let staging = TrustedRoot::staging().unwrap();
        staging.check_chains(&crate::crypto::RustCrypto).unwrap();
        // The retired staging CT log ships a bare PKCS#1 RSA key; its log ID is the hash of the
        // key re-encoded as a SubjectPublicKeyInfo.
        assert!(staging.ctlogs.iter().any(|log| log.key.key_id().as_slice() == log.log_id.as_slice()
            && log.key.algorithm() == crate::crypto::KeyAlgorithm::Rsa));
    }

    #[test]
    fn refuses_a_log_key_without_validity_start() {
        let json = PRODUCTION_JSON.replacen("\"start\": \"2021-01-12T11:53:27Z\"", "\"unused\": 1", 1);
        assert_ne!(json, PRODUCTION_JSON);
        let err = TrustedRoot::from_json(&json).unwrap_err();
        assert_eq!(err.code, ErrorCode::TrustedRoot);
        assert!(err.message.contains("validFor.start"), "{}", err.message);
    }

    #[test]
    fn origin_is_the_url_authority() {
        assert_eq!(origin_of("https://log2025-1.rekor.sigstore.dev"), "log2025-1.rekor.sigstore.dev");
        assert_eq!(origin_of("http://localhost:8000/api"), "localhost:8000");
    }
}
