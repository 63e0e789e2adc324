//! The simple-signing payload a legacy cosign signature signs. A valid signature over it only
//! says the signer signed these claims; the claims themselves must then name this image.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{fail, ErrorCode, Result};
use crate::limits;
use crate::oci::digest::Digest;

/// `critical.type` of an image signature.
pub const IMAGE_SIGNATURE_TYPE: &str = "cosign container image signature";

/// What a simple-signing payload claims.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    /// `critical.type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `critical.identity.docker-reference`: the repository the signer named. Images are copied
    /// between repositories, so (as in cosign) it is reported, not checked.
    pub docker_reference: String,
    /// `critical.image.docker-manifest-digest`.
    pub docker_manifest_digest: String,
    /// `optional`: the signer's annotations (`cosign sign -a key=value`) and anything else.
    pub optional: BTreeMap<String, serde_json::Value>,
}

impl Claims {
    /// Reads a simple-signing payload; what it claims is checked by [`Claims::check`].
    pub fn parse(payload: &[u8]) -> Result<Self> {
        limits::at_most(payload.len(), limits::MAX_SIMPLE_SIGNING_BYTES, "bytes of simple-signing payload")?;
        let raw: RawPayload = match serde_json::from_slice(payload) {
            Ok(raw) => raw,
            Err(e) => {
                return fail(ErrorCode::BundleParse, format!("the signed payload is not a simple-signing payload: {e}"))
            }
        };
        Ok(Self {
            kind: raw.critical.kind,
            docker_reference: raw.critical.identity.docker_reference,
            docker_manifest_digest: raw.critical.image.docker_manifest_digest,
            optional: raw.optional.unwrap_or_default(),
        })
    }

    /// The claims must be an image signature of `image`, with every annotation asked for.
    pub fn check(&self, image: &Digest, annotations: &BTreeMap<String, String>) -> Result<()> {
        if self.kind != IMAGE_SIGNATURE_TYPE {
            return fail(
                ErrorCode::ArtifactMismatch,
                format!("the signed payload is of type {:?}, not {IMAGE_SIGNATURE_TYPE:?}", self.kind),
            );
        }
        if self.docker_manifest_digest != image.to_string() {
            return fail(
                ErrorCode::ArtifactMismatch,
                format!("the signature is for image {}, not {image}", self.docker_manifest_digest),
            );
        }
        check_annotations(annotations, &self.optional, "the signed payload")
    }
}

/// Every annotation asked for must be signed with exactly that (string) value.
pub fn check_annotations(
    wanted: &BTreeMap<String, String>,
    signed: &BTreeMap<String, serde_json::Value>,
    what: &str,
) -> Result<()> {
    for (key, value) in wanted {
        match signed.get(key) {
            Some(serde_json::Value::String(v)) if v == value => {}
            Some(other) => {
                return fail(
                    ErrorCode::AnnotationMismatch,
                    format!("{what} has annotation {key}={other}, not {value:?}"),
                )
            }
            None => return fail(ErrorCode::AnnotationMismatch, format!("{what} has no annotation {key}")),
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct RawPayload {
    critical: RawCritical,
    optional: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct RawCritical {
    identity: RawIdentity,
    image: RawImage,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct RawIdentity {
    #[serde(rename = "docker-reference")]
    docker_reference: String,
}

#[derive(Deserialize)]
struct RawImage {
    #[serde(rename = "docker-manifest-digest")]
    docker_manifest_digest: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(kind: &str, digest: &Digest, optional: &str) -> Vec<u8> {
        format!(
            r#"{{"critical":{{"identity":{{"docker-reference":"ghcr.io/o/a"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"{kind}"}},"optional":{optional}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn claims_must_name_this_image_and_the_annotations_asked_for() {
        let image = Digest::sha256(b"image");
        let other = Digest::sha256(b"other");
        let wanted: BTreeMap<String, String> = [("env".to_owned(), "prod".to_owned())].into();
        let good = Claims::parse(&payload(IMAGE_SIGNATURE_TYPE, &image, r#"{"env":"prod","n":1}"#)).unwrap();
        assert_eq!(good.docker_reference, "ghcr.io/o/a");
        assert!(good.check(&image, &wanted).is_ok());
        assert!(Claims::parse(&payload(IMAGE_SIGNATURE_TYPE, &image, "null"))
            .unwrap()
            .check(&image, &BTreeMap::new())
            .is_ok());
        let cases = [
            (payload(IMAGE_SIGNATURE_TYPE, &other, "null"), ErrorCode::ArtifactMismatch),
            (payload("something else", &image, "null"), ErrorCode::ArtifactMismatch),
            (payload(IMAGE_SIGNATURE_TYPE, &image, "null"), ErrorCode::AnnotationMismatch),
            (payload(IMAGE_SIGNATURE_TYPE, &image, r#"{"env":"dev"}"#), ErrorCode::AnnotationMismatch),
            (payload(IMAGE_SIGNATURE_TYPE, &image, r#"{"env":["prod"]}"#), ErrorCode::AnnotationMismatch),
        ];
        for (i, (bytes, code)) in cases.into_iter().enumerate() {
            assert_eq!(Claims::parse(&bytes).unwrap().check(&image, &wanted).unwrap_err().code, code, "case {i}");
        }
        for bad in [&b"{}"[..], b"not json", br#"{"critical":{"type":"x"}}"#] {
            assert_eq!(Claims::parse(bad).unwrap_err().code, ErrorCode::BundleParse);
        }
    }
}
