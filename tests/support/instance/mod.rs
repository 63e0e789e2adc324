//! A private, deterministic Sigstore instance for tests.
//!
//! It holds real keys for a Fulcio-like CA (P-384 root + intermediate), a CT log (P-256), a
//! Rekor v1 log (P-256), a Rekor v2 log (Ed25519) and an RFC 3161 TSA (P-384 root + leaf), and
//! mints bundles that are cryptographically valid under [`Instance::trusted_root`]. Nothing is
//! mocked: tests corrupt one field of a valid bundle to build a targeted invalid case.
//!
//! ```ignore
//! let instance = Instance::new(1);
//! let signed = instance.sign(&SignRequest::message(b"hello").with_tsa(DEFAULT_SIGNING_TIME));
//! let root = instance.trusted_root();
//! ```

pub mod bodies;
pub mod ca;
pub mod ct;
pub mod der_build;
pub mod dsse;
pub mod encoding;
pub mod keys;
pub mod rekor;
pub mod tsa;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use ca::{
    basic_constraints_ca, ext_key_usage, fulcio_leaf_template, key_usage, sign_tbs, Authority, AuthoritySpec,
    LeafProfile, KU_CRL_SIGN, KU_KEY_CERT_SIGN, OID_CODE_SIGNING,
};
use ct::{leaf_index_extension, sct_list_extension, CtLog};
use encoding::{b64, pem, rfc3339};
use keys::KeyPair;
use rekor::{RekorV1, RekorV2};
use tsa::Tsa;

pub use ca::San;
pub use keys::{HashAlg, LeafKey};
pub use rekor::{TreeShape, V1Parts};
pub use tsa::TimestampRequest;

/// 2023-11-14T22:13:20Z: default signing time, inside every default validity window.
pub const DEFAULT_SIGNING_TIME: i64 = 1_700_000_000;
/// 2020-01-01T00:00:00Z.
pub const Y2020: i64 = 1_577_836_800;
/// 2040-01-01T00:00:00Z.
pub const Y2040: i64 = 2_208_988_800;
/// Fulcio leaves live ten minutes.
pub const LEAF_LIFETIME: i64 = 600;

pub const DEFAULT_SAN: &str = "https://github.com/test-org/test-repo/.github/workflows/release.yml@refs/heads/main";
pub const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Knobs that change the instance's long-lived material (and so its trusted root).
#[derive(Clone, Debug)]
pub struct InstanceOptions {
    /// Validity of the Fulcio intermediate; e.g. make it expire before a signing time. The
    /// trusted root always lists this intermediate.
    pub intermediate_validity: (i64, i64),
    /// Validity of the TSA signing leaf.
    pub tsa_leaf_validity: (i64, i64),
}

impl Default for InstanceOptions {
    fn default() -> Self {
        InstanceOptions { intermediate_validity: (Y2020, Y2040), tsa_leaf_validity: (Y2020, Y2040) }
    }
}

/// The private Sigstore instance. Same seed (and options) -> same keys, certificates, bundles.
pub struct Instance {
    pub seed: u64,
    pub fulcio_root: Authority,
    pub fulcio_intermediate: Authority,
    pub ct_log: CtLog,
    pub rekor_v1: RekorV1,
    pub rekor_v2: RekorV2,
    pub tsa: Tsa,
}

/// What is signed.
#[derive(Clone, Debug)]
pub enum Content {
    /// `messageSignature` over the artifact bytes.
    MessageSignature { artifact: Vec<u8> },
    /// `dsseEnvelope` over `payload`.
    Dsse { payload_type: String, payload: Vec<u8> },
}

/// Bundle media type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaType {
    /// `…+json;version=0.1`, leaf in `x509CertificateChain`.
    V01,
    /// `…+json;version=0.2`, leaf in `x509CertificateChain`.
    V02,
    /// `…+json;version=0.3`, leaf in `certificate`.
    V03,
    /// `application/vnd.dev.sigstore.bundle.v0.3+json`, leaf in `certificate`.
    V03Alt,
}

impl MediaType {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::V01 => "application/vnd.dev.sigstore.bundle+json;version=0.1",
            MediaType::V02 => "application/vnd.dev.sigstore.bundle+json;version=0.2",
            MediaType::V03 => "application/vnd.dev.sigstore.bundle+json;version=0.3",
            MediaType::V03Alt => "application/vnd.dev.sigstore.bundle.v0.3+json",
        }
    }

    fn uses_certificate_chain(self) -> bool {
        matches!(self, MediaType::V01 | MediaType::V02)
    }
}

/// Rekor v1 entry kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum V1Kind {
    /// hashedrekord 0.0.1 (message signatures).
    HashedRekord,
    /// dsse 0.0.1 (DSSE envelopes).
    Dsse,
    /// intoto 0.0.2 (DSSE envelopes).
    Intoto,
}

/// Rekor v2 entry kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum V2Kind {
    /// hashedrekord 0.0.2; for DSSE content the digest is Hash(PAE) ("DSSE-as-hashedrekord").
    HashedRekord,
    /// dsse 0.0.2.
    Dsse,
}

/// How a Rekor v2 body names the signer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum V2Verifier {
    /// `x509Certificate` with the leaf (falls back to `publicKey` for managed keys).
    Certificate,
    /// `publicKey` with the leaf's SPKI (as the real prod `rekor2-prod-hashedrekord` bundle).
    PublicKey,
}

/// Which transparency log records the signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tlog {
    None,
    RekorV1 { kind: V1Kind, set: bool, proof: bool, checkpoint: bool },
    RekorV2 { kind: V2Kind, verifier: V2Verifier },
}

impl Tlog {
    /// Rekor v1 with SET, inclusion proof and checkpoint.
    pub fn v1(kind: V1Kind) -> Tlog {
        Tlog::RekorV1 { kind, set: true, proof: true, checkpoint: true }
    }

    /// Rekor v2 with the certificate as verifier.
    pub fn v2(kind: V2Kind) -> Tlog {
        Tlog::RekorV2 { kind, verifier: V2Verifier::Certificate }
    }
}

/// Embedded SCT in the leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sct {
    None,
    /// One SCT with empty CtExtensions (classic CT log).
    Embedded,
    /// One SCT carrying a Static CT `leaf_index` extension.
    EmbeddedWithLeafIndex(u64),
}

/// Everything about one signing. Build with [`SignRequest::message`], [`SignRequest::dsse`] or
/// [`SignRequest::in_toto`], then adjust with the `with_*` methods or struct fields.
#[derive(Clone, Debug)]
pub struct SignRequest {
    pub content: Content,
    pub key: LeafKey,
    /// Selects a different leaf key of the same type (keys derive from instance seed + this).
    pub key_seed: u64,
    /// The hash a message signature is over, named by `messageDigest` and the log entry;
    /// `None`: the key's usual hash.
    pub message_hash: Option<HashAlg>,
    /// Keyed signing with no certificate: `verificationMaterial.publicKey.hint`.
    pub managed_key: bool,
    pub san: San,
    /// OIDC issuer, written to Fulcio extensions 1.1 (raw) and 1.8 (UTF8String).
    pub issuer: String,
    /// Extra Fulcio extensions `(n, value)` for `1.3.6.1.4.1.57264.1.n`.
    pub extensions: Vec<(u32, String)>,
    /// Unix seconds. Leaf valid `[t - 60, t + 540]`, SET `integratedTime` = t.
    pub signing_time: i64,
    /// Overrides the leaf's `(notBefore, notAfter)`.
    pub leaf_validity: Option<(i64, i64)>,
    /// Overrides the Rekor v1 `integratedTime` (signed by the SET and checkpoint).
    pub integrated_time: Option<i64>,
    pub media_type: MediaType,
    pub tlog: Tlog,
    /// Position of the entry in the log and the checkpoint's tree size.
    pub tree: TreeShape,
    /// RFC 3161 timestamp over the signature bytes.
    pub tsa: Option<TimestampRequest>,
    pub sct: Sct,
}

impl Default for SignRequest {
    fn default() -> Self {
        SignRequest::message(b"hello, sigstore test instance\n")
    }
}

impl SignRequest {
    /// Message signature over `artifact`, P-256 leaf, Rekor v1 hashedrekord, v0.3, SCT.
    pub fn message(artifact: &[u8]) -> SignRequest {
        SignRequest {
            content: Content::MessageSignature { artifact: artifact.to_vec() },
            key: LeafKey::P256,
            key_seed: 0,
            message_hash: None,
            managed_key: false,
            san: San::Uri(DEFAULT_SAN.to_string()),
            issuer: DEFAULT_ISSUER.to_string(),
            extensions: Vec::new(),
            signing_time: DEFAULT_SIGNING_TIME,
            leaf_validity: None,
            integrated_time: None,
            media_type: MediaType::V03,
            tlog: Tlog::v1(V1Kind::HashedRekord),
            tree: TreeShape::default(),
            tsa: None,
            sct: Sct::Embedded,
        }
    }

    /// DSSE envelope over `payload`, logged as Rekor v1 dsse 0.0.1.
    pub fn dsse(payload_type: &str, payload: &[u8]) -> SignRequest {
        SignRequest {
            content: Content::Dsse { payload_type: payload_type.to_string(), payload: payload.to_vec() },
            tlog: Tlog::v1(V1Kind::Dsse),
            ..SignRequest::message(b"")
        }
    }

    /// DSSE envelope holding an in-toto Statement v1 whose one subject is `artifact` (SHA-256).
    pub fn in_toto(subject_name: &str, artifact: &[u8]) -> SignRequest {
        let statement = dsse::in_toto_statement(&[(subject_name, artifact)], "https://slsa.dev/provenance/v1");
        SignRequest::dsse(dsse::IN_TOTO_PAYLOAD_TYPE, &statement)
    }

    pub fn with_key(mut self, key: LeafKey) -> Self {
        self.key = key;
        self
    }

    /// A message signature over the artifact hashed with `hash`, whatever the key.
    pub fn with_message_hash(mut self, hash: HashAlg) -> Self {
        self.message_hash = Some(hash);
        self
    }

    /// The hash the message signature is over.
    fn message_hash_for(&self, key: &KeyPair) -> HashAlg {
        self.message_hash.unwrap_or_else(|| key.message_hash())
    }

    /// Keyed signing: no certificate, no SCT, `publicKey.hint` in the bundle.
    pub fn with_managed_key(mut self) -> Self {
        self.managed_key = true;
        self.sct = Sct::None;
        self
    }

    pub fn with_san(mut self, san: San) -> Self {
        self.san = san;
        self
    }

    pub fn with_issuer(mut self, issuer: &str) -> Self {
        self.issuer = issuer.to_string();
        self
    }

    pub fn with_extension(mut self, n: u32, value: &str) -> Self {
        self.extensions.push((n, value.to_string()));
        self
    }

    pub fn with_signing_time(mut self, unix: i64) -> Self {
        self.signing_time = unix;
        self
    }

    pub fn with_media_type(mut self, media_type: MediaType) -> Self {
        self.media_type = media_type;
        self
    }

    pub fn with_tlog(mut self, tlog: Tlog) -> Self {
        self.tlog = tlog;
        self
    }

    /// RFC 3161 timestamp at `gen_time` without embedded certificates.
    pub fn with_tsa(mut self, gen_time: i64) -> Self {
        self.tsa = Some(TimestampRequest { gen_time, embed_cert: false });
        self
    }

    pub fn with_sct(mut self, sct: Sct) -> Self {
        self.sct = sct;
        self
    }

    fn leaf_validity(&self) -> (i64, i64) {
        let not_before = self.signing_time - 60;
        self.leaf_validity.unwrap_or((not_before, not_before + LEAF_LIFETIME))
    }
}

/// A minted bundle plus the material a test needs to verify or tamper with it.
#[derive(Clone, Debug)]
pub struct Signed {
    pub bundle: Value,
    /// The bytes the signature covers: the artifact, or PAE(payloadType, payload) for DSSE.
    pub signed_bytes: Vec<u8>,
    pub signature: Vec<u8>,
    /// Leaf certificate DER (None for managed keys).
    pub leaf_der: Option<Vec<u8>>,
    /// The signer's DER SubjectPublicKeyInfo.
    pub public_key_der: Vec<u8>,
    /// The signer's key as PEM `PUBLIC KEY` (what a caller passes for managed-key verification).
    pub public_key_pem: String,
    /// `canonicalizedBody` of the tlog entry, if any.
    pub tlog_body: Option<Vec<u8>>,
    /// DER TimeStampResp, if any.
    pub timestamp: Option<Vec<u8>>,
}

impl Signed {
    pub fn bundle_json(&self) -> String {
        serde_json::to_string_pretty(&self.bundle).expect("bundle JSON")
    }
}

impl Instance {
    pub fn new(seed: u64) -> Instance {
        Instance::with_options(seed, InstanceOptions::default())
    }

    pub fn with_options(seed: u64, options: InstanceOptions) -> Instance {
        let fulcio_root = Authority::self_signed(
            KeyPair::generate(LeafKey::P384, seed, "fulcio-root"),
            AuthoritySpec {
                label: &format!("fulcio-root-{seed}"),
                organization: "test.example",
                common_name: "sigstore-test-root",
                validity: (Y2020, Y2040),
                extensions: vec![key_usage(&[KU_KEY_CERT_SIGN, KU_CRL_SIGN]), basic_constraints_ca(Some(1))],
            },
        );
        let fulcio_intermediate = Authority::issue(
            KeyPair::generate(LeafKey::P384, seed, "fulcio-intermediate"),
            AuthoritySpec {
                label: &format!("fulcio-intermediate-{seed}-{:?}", options.intermediate_validity),
                organization: "test.example",
                common_name: "sigstore-test-intermediate",
                validity: options.intermediate_validity,
                extensions: vec![
                    key_usage(&[KU_KEY_CERT_SIGN, KU_CRL_SIGN]),
                    ext_key_usage(&[OID_CODE_SIGNING], false),
                    basic_constraints_ca(Some(0)),
                ],
            },
            Some(&fulcio_root),
        );
        Instance {
            seed,
            fulcio_root,
            fulcio_intermediate,
            ct_log: CtLog::new(seed),
            rekor_v1: RekorV1::new(seed),
            rekor_v2: RekorV2::new(seed),
            tsa: Tsa::new(seed, (Y2020, Y2040), options.tsa_leaf_validity),
        }
    }

    /// TrustedRoot JSON (`…trustedroot+json;version=0.1`) for everything this instance signs.
    pub fn trusted_root(&self) -> Value {
        let key = |raw: Vec<u8>, details: &str| json!({ "rawBytes": b64(&raw), "keyDetails": details, "validFor": { "start": rfc3339(Y2020) } });
        let chain = |certs: &[&Authority]| json!({ "certificates": certs.iter().map(|a| json!({ "rawBytes": b64(&a.cert_der) })).collect::<Vec<_>>() });
        json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [
                {
                    "baseUrl": self.rekor_v1.base_url(),
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": key(self.rekor_v1.key.spki_der(), "PKIX_ECDSA_P256_SHA_256"),
                    "logId": { "keyId": b64(&self.rekor_v1.log_id) },
                },
                {
                    "baseUrl": self.rekor_v2.base_url(),
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": key(self.rekor_v2.key.spki_der(), "PKIX_ED25519"),
                    "logId": { "keyId": b64(&self.rekor_v2.key_id) },
                },
            ],
            "certificateAuthorities": [{
                "subject": { "organization": "test.example", "commonName": "sigstore-test-root" },
                "uri": "https://fulcio.test.example",
                "certChain": chain(&[&self.fulcio_intermediate, &self.fulcio_root]),
                "validFor": { "start": rfc3339(self.fulcio_intermediate.not_before.min(Y2020)) },
            }],
            "ctlogs": [{
                "baseUrl": "https://ctfe.test.example/test",
                "hashAlgorithm": "SHA2_256",
                "publicKey": key(self.ct_log.key.spki_der(), "PKIX_ECDSA_P256_SHA_256"),
                "logId": { "keyId": b64(&self.ct_log.log_id) },
            }],
            "timestampAuthorities": [{
                "subject": { "organization": "test.example", "commonName": "test-tsa-root" },
                "uri": "https://timestamp.test.example/api/v1/timestamp",
                "certChain": chain(&[&self.tsa.leaf, &self.tsa.root]),
                "validFor": { "start": rfc3339(Y2020) },
            }],
        })
    }

    /// The leaf (or managed) key a request signs with.
    pub fn signing_key(&self, req: &SignRequest) -> KeyPair {
        let purpose = if req.managed_key { "managed" } else { "leaf" };
        KeyPair::generate(req.key, self.seed, &format!("{purpose}-{:?}-{}", req.key, req.key_seed))
    }

    /// Mints one bundle.
    pub fn sign(&self, req: &SignRequest) -> Signed {
        let key = self.signing_key(req);
        let (signed_bytes, signature) = match &req.content {
            Content::MessageSignature { artifact } => {
                (artifact.clone(), key.sign_message_with(artifact, req.message_hash_for(&key)))
            }
            Content::Dsse { payload_type, payload } => {
                let pae = dsse::pae(payload_type, payload);
                let signature = key.sign(&pae);
                (pae, signature)
            }
        };
        let leaf_der = (!req.managed_key).then(|| self.issue_leaf(req, &key));
        let public_key_der = key.spki_der();
        let verifier_pem = match &leaf_der {
            Some(der) => pem("CERTIFICATE", der),
            None => pem("PUBLIC KEY", &public_key_der),
        };

        let log = self.log_entry(req, &key, &signature, leaf_der.as_deref(), &verifier_pem);
        let timestamp = req.tsa.map(|t| self.tsa.timestamp(&signature, t));

        let mut material = self.key_material(req, leaf_der.as_deref(), &public_key_der);
        material["tlogEntries"] = json!(log.iter().map(|(entry, _)| entry.clone()).collect::<Vec<_>>());
        if let Some(token) = &timestamp {
            material["timestampVerificationData"] = json!({ "rfc3161Timestamps": [{ "signedTimestamp": b64(token) }] });
        }

        let mut bundle = json!({ "mediaType": req.media_type.as_str(), "verificationMaterial": material });
        match &req.content {
            Content::MessageSignature { artifact } => {
                let hash = req.message_hash_for(&key);
                bundle["messageSignature"] = json!({
                    "messageDigest": { "algorithm": hash.proto_name(), "digest": b64(&hash.digest(artifact)) },
                    "signature": b64(&signature),
                });
            }
            Content::Dsse { payload_type, payload } => {
                bundle["dsseEnvelope"] = dsse::envelope_json(payload_type, payload, &signature);
            }
        }

        Signed {
            bundle,
            signed_bytes,
            signature,
            leaf_der,
            public_key_pem: pem("PUBLIC KEY", &public_key_der),
            public_key_der,
            tlog_body: log.map(|(_, body)| body),
            timestamp,
        }
    }

    /// Fulcio-style leaf for `key`, with the SCT computed over the precertificate TBS (the same
    /// TBS without the SCT list extension) and the intermediate's SPKI as issuer key.
    fn issue_leaf(&self, req: &SignRequest, key: &KeyPair) -> Vec<u8> {
        let (not_before, not_after) = req.leaf_validity();
        let profile = LeafProfile {
            san: req.san.clone(),
            issuer: req.issuer.clone(),
            extensions: req.extensions.clone(),
            not_before,
            not_after,
        };
        let label = format!("leaf-{}-{:?}-{}-{}", self.seed, req.key, req.key_seed, Self::request_digest(req));
        let mut template = fulcio_leaf_template(&profile, &key.spki_der(), &self.fulcio_intermediate, &label);
        let issuer_key = &self.fulcio_intermediate.key;
        let sct_extensions = match req.sct {
            Sct::None => None,
            Sct::Embedded => Some(Vec::new()),
            Sct::EmbeddedWithLeafIndex(index) => Some(leaf_index_extension(index)),
        };
        if let Some(extensions) = sct_extensions {
            let precert_tbs = template.tbs(&issuer_key.x509_signature_algorithm());
            let timestamp_ms = u64::try_from(not_before).expect("positive time") * 1000 + 250;
            let sct = self.ct_log.sct(&precert_tbs, &self.fulcio_intermediate.spki_der(), timestamp_ms, &extensions);
            template.extensions.push(sct_list_extension(&[sct]));
        }
        sign_tbs(&template.tbs(&issuer_key.x509_signature_algorithm()), issuer_key)
    }

    /// A short digest of the request, so different requests get different leaf serials.
    fn request_digest(req: &SignRequest) -> String {
        encoding::hex(&Sha256::digest(format!("{req:?}").as_bytes())[..8])
    }

    fn key_material(&self, req: &SignRequest, leaf_der: Option<&[u8]>, spki: &[u8]) -> Value {
        match leaf_der {
            None => json!({ "publicKey": { "hint": b64(&Sha256::digest(spki)) } }),
            Some(der) if req.media_type.uses_certificate_chain() => {
                json!({ "x509CertificateChain": { "certificates": [{ "rawBytes": b64(der) }] } })
            }
            Some(der) => json!({ "certificate": { "rawBytes": b64(der) } }),
        }
    }

    /// The `tlogEntries[]` element and its canonicalized body, or None without a log.
    fn log_entry(
        &self,
        req: &SignRequest,
        key: &KeyPair,
        signature: &[u8],
        leaf_der: Option<&[u8]>,
        verifier_pem: &str,
    ) -> Option<(Value, Vec<u8>)> {
        match req.tlog {
            Tlog::None => None,
            Tlog::RekorV1 { kind, set, proof, checkpoint } => {
                let (body, kind_version) = self.v1_body(req, kind, key, signature, verifier_pem);
                let integrated_time = req.integrated_time.unwrap_or(req.signing_time);
                let parts = V1Parts { set, proof, checkpoint };
                Some((self.rekor_v1.entry(&body, kind_version, req.tree, integrated_time, parts), body))
            }
            Tlog::RekorV2 { kind, verifier } => {
                let certificate = leaf_der.filter(|_| verifier == V2Verifier::Certificate);
                let body = Self::v2_body(req, kind, key, signature, certificate);
                let kind_name = match kind {
                    V2Kind::HashedRekord => "hashedrekord",
                    V2Kind::Dsse => "dsse",
                };
                Some((self.rekor_v2.entry(&body, kind_name, req.tree), body))
            }
        }
    }

    fn v1_body(
        &self,
        req: &SignRequest,
        kind: V1Kind,
        key: &KeyPair,
        signature: &[u8],
        verifier_pem: &str,
    ) -> (Vec<u8>, (&'static str, &'static str)) {
        match (&req.content, kind) {
            (Content::MessageSignature { artifact }, V1Kind::HashedRekord) => {
                let hash = req.message_hash_for(key);
                let body = bodies::hashedrekord_v001(hash, &hash.digest(artifact), signature, verifier_pem);
                (body, ("hashedrekord", "0.0.1"))
            }
            (Content::Dsse { payload_type, payload }, V1Kind::Dsse) => {
                let envelope = dsse::envelope_json(payload_type, payload, signature);
                (bodies::dsse_v001(&envelope, payload, signature, verifier_pem), ("dsse", "0.0.1"))
            }
            (Content::Dsse { payload_type, payload }, V1Kind::Intoto) => {
                let envelope = dsse::envelope_json(payload_type, payload, signature);
                let body = bodies::intoto_v002(&envelope, payload_type, payload, signature, verifier_pem);
                (body, ("intoto", "0.0.2"))
            }
            (content, kind) => panic!("Rekor v1 kind {kind:?} cannot log {content:?}"),
        }
    }

    fn v2_body(
        req: &SignRequest,
        kind: V2Kind,
        key: &KeyPair,
        signature: &[u8],
        certificate: Option<&[u8]>,
    ) -> Vec<u8> {
        let spki = key.spki_der();
        match (&req.content, kind) {
            (Content::MessageSignature { artifact }, V2Kind::HashedRekord) => {
                let hash = req.message_hash_for(key);
                let verifier = bodies::v2_verifier(key.key_details(true), certificate, &spki);
                bodies::hashedrekord_v002(hash, &hash.digest(artifact), signature, verifier)
            }
            (Content::Dsse { payload_type, payload }, V2Kind::HashedRekord) => {
                // DSSE-as-hashedrekord: the digest of PAE under the signature's hash. Pure Ed25519
                // has no such digest (rekor-tiles requires Ed25519ph), so it is not supported.
                assert!(key.kind() != LeafKey::Ed25519, "Ed25519 DSSE cannot be logged as hashedrekord 0.0.2");
                let hash = key.message_hash();
                let verifier = bodies::v2_verifier(key.key_details(false), certificate, &spki);
                bodies::hashedrekord_v002(hash, &hash.digest(&dsse::pae(payload_type, payload)), signature, verifier)
            }
            (Content::Dsse { payload, .. }, V2Kind::Dsse) => {
                let verifier = bodies::v2_verifier(key.key_details(false), certificate, &spki);
                bodies::dsse_v002(payload, signature, verifier)
            }
            (content, kind) => panic!("Rekor v2 kind {kind:?} cannot log {content:?}"),
        }
    }
}
