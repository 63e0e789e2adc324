//! Image manifests and indexes, OCI and Docker (schema 2), parsed strictly from what a registry
//! returned. Registry content is attacker-controlled: sizes and counts are bounded, the media
//! type must be one of the four known and agree with the response's, and every descriptor's
//! digest must be well formed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{fail, ErrorCode, Result};
use crate::limits;
use crate::oci::digest::Digest;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// The `Accept` header for manifests: every kind this module reads.
pub const ACCEPT_MANIFESTS: &str =
    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, \
     application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

/// A pointer to content: its media type, digest and size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    pub artifact_type: Option<String>,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageManifest {
    pub media_type: String,
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    /// The manifest this one refers to (OCI 1.1 referrers).
    pub subject: Option<Descriptor>,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    pub media_type: String,
    pub manifests: Vec<Descriptor>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Manifest {
    Image(Box<ImageManifest>),
    Index(Index),
}

impl Manifest {
    /// Parses `body`, served with the media type `content_type` (the response header, if any).
    pub fn parse(body: &[u8], content_type: Option<&str>) -> Result<Self> {
        limits::at_most(body.len(), limits::MAX_MANIFEST_BYTES, "bytes of manifest")?;
        let raw: RawManifest = match serde_json::from_slice(body) {
            Ok(raw) => raw,
            Err(e) => return fail(ErrorCode::Registry, format!("the manifest is not a valid manifest or index: {e}")),
        };
        if raw.schema_version != 2 {
            return fail(ErrorCode::Registry, format!("unsupported manifest schemaVersion {}", raw.schema_version));
        }
        // The type a manifest declares is the one that counts (its digest covers it); a response
        // that calls it something else is confused or lying. Docker requires the field; OCI
        // content may leave it out, and then the response's type is all there is.
        let media_type = match (&raw.media_type, content_type) {
            (Some(declared), Some(served)) if declared != served && is_manifest_type(served) => {
                return fail(
                    ErrorCode::Registry,
                    format!("the manifest declares media type {declared} but was served as {served}"),
                )
            }
            (Some(declared), _) => declared.clone(),
            (None, Some(served)) => served.to_owned(),
            (None, None) => return fail(ErrorCode::Registry, "the manifest has no media type"),
        };
        match media_type.as_str() {
            OCI_MANIFEST | DOCKER_MANIFEST => image(raw, media_type),
            OCI_INDEX | DOCKER_MANIFEST_LIST => index(raw, media_type),
            other => fail(ErrorCode::Registry, format!("unsupported manifest media type {other:?}")),
        }
    }

    pub fn media_type(&self) -> &str {
        match self {
            Self::Image(m) => &m.media_type,
            Self::Index(i) => &i.media_type,
        }
    }
}

fn is_manifest_type(media_type: &str) -> bool {
    matches!(media_type, OCI_MANIFEST | OCI_INDEX | DOCKER_MANIFEST | DOCKER_MANIFEST_LIST)
}

fn image(raw: RawManifest, media_type: String) -> Result<Manifest> {
    if raw.manifests.is_some() {
        return fail(ErrorCode::Registry, format!("a {media_type} has no `manifests`"));
    }
    let Some(config) = raw.config else {
        return fail(ErrorCode::Registry, "the image manifest has no config");
    };
    let layers = raw.layers.unwrap_or_default();
    limits::at_most(layers.len(), limits::MAX_LAYERS, "layers in the manifest")?;
    Ok(Manifest::Image(Box::new(ImageManifest {
        media_type,
        artifact_type: raw.artifact_type,
        config: descriptor(config)?,
        layers: layers.into_iter().map(descriptor).collect::<Result<_>>()?,
        subject: raw.subject.map(descriptor).transpose()?,
        annotations: raw.annotations,
    })))
}

fn index(raw: RawManifest, media_type: String) -> Result<Manifest> {
    if raw.config.is_some() || raw.layers.is_some() {
        return fail(ErrorCode::Registry, format!("a {media_type} has no config or layers"));
    }
    let manifests = raw.manifests.unwrap_or_default();
    limits::at_most(manifests.len(), limits::MAX_INDEX_MANIFESTS, "manifests in the index")?;
    Ok(Manifest::Index(Index { media_type, manifests: manifests.into_iter().map(descriptor).collect::<Result<_>>()? }))
}

fn descriptor(raw: RawDescriptor) -> Result<Descriptor> {
    let digest = match Digest::parse(&raw.digest) {
        Ok(d) => d,
        Err(e) => return fail(ErrorCode::Registry, format!("a descriptor's digest is invalid: {}", e.message)),
    };
    if raw.media_type.is_empty() {
        return fail(ErrorCode::Registry, format!("the descriptor of {digest} has no media type"));
    }
    Ok(Descriptor {
        media_type: raw.media_type,
        digest,
        size: raw.size,
        artifact_type: raw.artifact_type,
        annotations: raw.annotations,
    })
}

// Unknown fields are ignored, as the image spec asks of readers: manifests grow new fields
// (`artifactType`, `subject`) and registries add their own.

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    schema_version: u32,
    media_type: Option<String>,
    artifact_type: Option<String>,
    config: Option<RawDescriptor>,
    layers: Option<Vec<RawDescriptor>>,
    manifests: Option<Vec<RawDescriptor>>,
    subject: Option<RawDescriptor>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDescriptor {
    media_type: String,
    digest: String,
    size: u64,
    artifact_type: Option<String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(media_type: &str, content: &[u8]) -> String {
        format!(r#"{{"mediaType":"{media_type}","digest":"{}","size":{}}}"#, Digest::sha256(content), content.len())
    }

    #[test]
    fn image_manifests_and_indexes_of_both_families_parse() {
        let config = desc("application/vnd.oci.image.config.v1+json", b"{}");
        let layer = desc("application/vnd.dev.cosign.simplesigning.v1+json", b"payload");
        let oci = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{config},"layers":[{layer}]}}"#);
        let Manifest::Image(m) = Manifest::parse(oci.as_bytes(), Some(OCI_MANIFEST)).unwrap() else { panic!() };
        assert_eq!(m.layers.len(), 1);
        assert_eq!(m.layers[0].digest, Digest::sha256(b"payload"));
        // OCI content may omit its media type; the response's then names it.
        let bare = format!(r#"{{"schemaVersion":2,"config":{config},"layers":[]}}"#);
        assert!(matches!(Manifest::parse(bare.as_bytes(), Some(OCI_MANIFEST)).unwrap(), Manifest::Image(_)));
        let list = format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST_LIST}","manifests":[{}]}}"#,
            desc(DOCKER_MANIFEST, b"m")
        );
        let Manifest::Index(i) = Manifest::parse(list.as_bytes(), None).unwrap() else { panic!() };
        assert_eq!(i.manifests[0].media_type, DOCKER_MANIFEST);
    }

    #[test]
    fn confused_or_malformed_manifests_are_refused() {
        let config = desc("application/vnd.oci.image.config.v1+json", b"{}");
        let oci = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{config},"layers":[]}}"#);
        let cases = [
            (Manifest::parse(oci.as_bytes(), Some(OCI_INDEX)), ErrorCode::Registry),
            (Manifest::parse(b"not json", Some(OCI_MANIFEST)), ErrorCode::Registry),
            (Manifest::parse(br#"{"schemaVersion":1}"#, Some(OCI_MANIFEST)), ErrorCode::Registry),
            (Manifest::parse(br#"{"schemaVersion":2}"#, None), ErrorCode::Registry),
            (Manifest::parse(br#"{"schemaVersion":2,"mediaType":"text/plain"}"#, None), ErrorCode::Registry),
            (Manifest::parse(format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","config":{config}}}"#).as_bytes(), None), ErrorCode::Registry),
            (Manifest::parse(br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"x","digest":"sha256:00","size":1}]}"#, None), ErrorCode::Registry),
            (Manifest::parse(&vec![b' '; limits::MAX_MANIFEST_BYTES + 1], None), ErrorCode::LimitExceeded),
        ];
        for (i, (outcome, code)) in cases.into_iter().enumerate() {
            assert_eq!(outcome.unwrap_err().code, code, "case {i}");
        }
        let layer = desc("application/vnd.dev.cosign.simplesigning.v1+json", b"p");
        let many = vec![layer; limits::MAX_LAYERS + 1].join(",");
        let big = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{config},"layers":[{many}]}}"#);
        assert_eq!(Manifest::parse(big.as_bytes(), None).unwrap_err().code, ErrorCode::LimitExceeded);
    }
}
