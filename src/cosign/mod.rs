//! Cosign's signatures and attestations of container images, as it stores them in registries:
//! legacy `sha256-<hex>.sig` and `.att` tags whose layers are signed payloads with annotations,
//! and (cosign v3) Sigstore bundles attached as OCI 1.1 referrers. `discover` finds them for an
//! image, `verify` checks each against a policy and reports on them all.

pub mod discover;
pub mod legacy;
pub mod payload;
pub mod verify;

/// A legacy signature layer: the signed payload is the blob.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// A legacy attestation layer: the blob is a DSSE envelope.
pub const DSSE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";
/// The artifact type of a bundle referrer and the media type of its one layer.
pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// Legacy layer annotations.
pub const ANNOTATION_SIGNATURE: &str = "dev.cosignproject.cosign/signature";
pub const ANNOTATION_CERTIFICATE: &str = "dev.sigstore.cosign/certificate";
pub const ANNOTATION_BUNDLE: &str = "dev.sigstore.cosign/bundle";
pub const ANNOTATION_RFC3161: &str = "dev.sigstore.cosign/rfc3161timestamp";
/// On a legacy attestation layer: the predicate type, unauthenticated.
pub const ANNOTATION_PREDICATE_TYPE: &str = "predicateType";
/// On a bundle referrer's descriptor: the predicate type, unauthenticated.
pub const REFERRER_PREDICATE_TYPE: &str = "dev.sigstore.bundle.predicateType";

/// The predicate type of a cosign v3 image signature.
pub const SIGNATURE_PREDICATE_TYPE: &str = "https://sigstore.dev/cosign/sign/v1";

/// `cosign verify-attestation --type` names, and the predicate types they stand for.
pub const PREDICATE_TYPE_NAMES: [(&str, &str); 11] = [
    ("custom", "https://cosign.sigstore.dev/attestation/v1"),
    ("slsaprovenance", "https://slsa.dev/provenance/v0.2"),
    ("slsaprovenance02", "https://slsa.dev/provenance/v0.2"),
    ("slsaprovenance1", "https://slsa.dev/provenance/v1"),
    ("spdx", "https://spdx.dev/Document"),
    ("spdxjson", "https://spdx.dev/Document"),
    ("cyclonedx", "https://cyclonedx.org/bom"),
    ("cyclonedxxml", "https://cyclonedx.org/bom"),
    ("link", "https://in-toto.io/Link/v1"),
    ("vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"),
    ("openvex", "https://openvex.dev/ns"),
];

/// What to look for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Want {
    /// Image signatures (`cosign verify`).
    Signatures,
    /// Attestations of exactly this predicate type (`cosign verify-attestation --type`).
    Attestations(String),
}

impl Want {
    /// The predicate type a verified statement must have: a signature is a statement too, in
    /// the bundle format.
    pub fn predicate_type(&self) -> &str {
        match self {
            Self::Signatures => SIGNATURE_PREDICATE_TYPE,
            Self::Attestations(predicate_type) => predicate_type,
        }
    }

    /// Whether something labelled with `hint` (an unauthenticated predicate-type annotation)
    /// is worth fetching. Only a label of another type is skipped: a missing or wrong label
    /// never makes anything pass, as the statement's own type is what is checked.
    pub fn admits(&self, hint: Option<&String>) -> bool {
        hint.is_none_or(|h| h == self.predicate_type())
    }

    fn tag_suffix(&self) -> &'static str {
        match self {
            Self::Signatures => ".sig",
            Self::Attestations(_) => ".att",
        }
    }

    fn legacy_media_type(&self) -> &'static str {
        match self {
            Self::Signatures => SIMPLE_SIGNING_MEDIA_TYPE,
            Self::Attestations(_) => DSSE_MEDIA_TYPE,
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Signatures => "signatures".to_owned(),
            Self::Attestations(t) => format!("attestations of type {t}"),
        }
    }
}

/// The predicate type a `--type` (or `predicateType`) value names: one of cosign's names, or the
/// type itself as a URI.
pub fn predicate_type(name: &str) -> Option<&str> {
    match PREDICATE_TYPE_NAMES.iter().find(|(short, _)| *short == name) {
        Some((_, uri)) => Some(uri),
        None => (name.contains("://") && !name.contains(char::is_whitespace)).then_some(name),
    }
}
