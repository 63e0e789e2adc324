//! Finding everything cosign writes for an image, as a walk over registry replies (see
//! [`crate::http`]): the image's digest (a tag is resolved, a digest is checked), its
//! referrers (API or tag schema) that are Sigstore bundles, the layers of its legacy `.sig` or
//! `.att` tag, and, for legacy signatures that carry no Rekor bundle, their entries in Rekor.
//!
//! Nothing found here is trusted yet: `cosign::verify` checks it. What cannot be fetched is
//! reported (per item, or per place looked in), never silently dropped.

use serde::Serialize;

use crate::cosign::legacy::{Layer, LayerKind};
use crate::cosign::{Want, ANNOTATION_PREDICATE_TYPE, BUNDLE_MEDIA_TYPE, REFERRER_PREDICATE_TYPE};
use crate::crypto::PublicKey;
use crate::error::{fail, ErrorCode, Result, VerificationError};
use crate::http::{ready, Fetch, Poll};
use crate::limits;
use crate::oci::digest::Digest;
use crate::oci::manifest::{Descriptor, Manifest};
use crate::oci::reference::Reference;
use crate::oci::registry::{Fetched, ReferrersVia, Registry};
use crate::rekor;

/// What to look up.
#[derive(Clone, Debug)]
pub struct Request {
    /// The image, by tag or digest.
    pub reference: Reference,
    /// Where the legacy `.sig` and `.att` tags are kept when not beside the image (cosign's
    /// `COSIGN_REPOSITORY`). Referrers are always looked up beside the image, as cosign does.
    pub signature_repository: Option<Reference>,
    /// Signatures, or attestations of one predicate type.
    pub want: Want,
    /// Plain HTTP to a registry that is not on loopback.
    pub allow_http: bool,
    /// Where to look for the Rekor entries of legacy signatures that carry none; `None` looks
    /// nowhere (offline, or no transparency log required).
    pub rekor: Option<RekorSearch>,
}

/// Where and how to find the Rekor entry of a legacy signature that carries no Rekor bundle: by
/// the entry its signer would have submitted, as cosign does.
#[derive(Clone, Debug)]
pub struct RekorSearch {
    /// The Rekor v1 API's base URL.
    pub base_url: String,
    /// The caller's key, for keyed signatures (their entries name the key, not a certificate).
    pub key: Option<PublicKey>,
}

/// The image, as resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// The reference as given, normalised.
    pub reference: String,
    /// `registry/repository`.
    pub name: String,
    /// What everything is verified against.
    pub digest: Digest,
    /// The media type of its manifest, or of its index for a multi-platform image.
    pub media_type: String,
}

/// How a signature or attestation is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// A layer of a legacy `.sig` tag.
    CosignSignature,
    /// A layer of a legacy `.att` tag.
    CosignAttestation,
    /// A Sigstore bundle attached as a referrer (cosign v3).
    SigstoreBundle,
}

/// Where a signature or attestation was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// How it is stored.
    pub format: Format,
    /// The manifest that holds it.
    pub manifest: Digest,
    /// Its layer (absent when the manifest itself could not be read).
    pub layer: Option<Digest>,
    /// The legacy tag it was found under.
    pub tag: Option<String>,
    /// How a referrer was listed.
    pub via: Option<ReferrersVia>,
}

#[derive(Clone, Debug)]
pub enum Content {
    /// A bundle's JSON.
    Bundle(Vec<u8>),
    Legacy {
        layer: Layer,
        /// The Rekor search made for a layer without a Rekor bundle: where, and what it found.
        logged: Option<(String, Vec<rekor::Entry>)>,
    },
}

#[derive(Clone, Debug)]
pub struct Found {
    pub source: Source,
    pub content: Result<Content, VerificationError>,
}

/// A place that could not be looked in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// For example `referrers of sha256:...` or `tag sha256-....sig`.
    pub source: String,
    /// Why it could not be looked in.
    pub error: VerificationError,
}

#[derive(Clone, Debug)]
pub struct Discovery {
    pub image: Image,
    pub found: Vec<Found>,
    pub problems: Vec<Problem>,
}

/// The walk. A failure to resolve the image itself is an error; anything after that is
/// reported in the discovery.
pub fn discover(fetch: &mut Fetch<'_>, request: &Request) -> Result<Poll<Discovery>> {
    let (image, mut found, mut problems) = {
        let mut registry = Registry::new(fetch, &request.reference, request.allow_http);
        let Some(resolved) = ready!(registry.manifest(&request.reference.manifest_reference())) else {
            return fail(ErrorCode::Registry, format!("image {} not found", request.reference));
        };
        let image = Image {
            reference: request.reference.to_string(),
            name: request.reference.name(),
            media_type: resolved.manifest.media_type().to_owned(),
            digest: resolved.digest,
        };
        let mut found = Vec::new();
        let mut problems = Vec::new();
        // Both places cosign writes to, asked for in the same round.
        let referrers = from_referrers(&mut registry, &image.digest, &request.want);
        let mut registry = match &request.signature_repository {
            Some(repository) => registry.into_repository(repository, request.allow_http),
            None => registry,
        };
        let tagged = from_tag(&mut registry, &image.digest, &request.want);
        let mut pending = false;
        for (outcome, place) in [
            (referrers, format!("referrers of {}", image.digest)),
            (tagged, format!("tag {}", image.digest.tag(request.want.tag_suffix()))),
        ] {
            match outcome {
                Ok(Poll::Ready(items)) => found.extend(items),
                Ok(Poll::Pending) => pending = true,
                Err(error) => problems.push(Problem { source: place, error }),
            }
        }
        if pending {
            return Ok(Poll::Pending);
        }
        (image, found, problems)
    };
    if found.len() > limits::MAX_SIGNATURES {
        found.truncate(limits::MAX_SIGNATURES);
        problems.push(Problem {
            source: image.name.clone(),
            error: VerificationError::new(
                ErrorCode::LimitExceeded,
                format!(
                    "more than {} {} were found; only the first {0} were examined",
                    limits::MAX_SIGNATURES,
                    request.want.describe()
                ),
            ),
        });
    }
    if let Some(search) = &request.rekor {
        if let Poll::Pending = find_logged(fetch, search, &mut found) {
            return Ok(Poll::Pending);
        }
    }
    Ok(Poll::Ready(Discovery { image, found, problems }))
}

/// Bundles attached to the image as referrers, of the wanted kind.
fn from_referrers(registry: &mut Registry<'_, '_>, image: &Digest, want: &Want) -> Result<Poll<Vec<Found>>> {
    let (descriptors, via) = ready!(registry.referrers(image));
    let mut out = Vec::new();
    let mut pending = false;
    let wanted = descriptors.iter().filter(|d| {
        d.artifact_type.as_deref() == Some(BUNDLE_MEDIA_TYPE) && want.admits(d.annotations.get(REFERRER_PREDICATE_TYPE))
    });
    for descriptor in wanted.take(limits::MAX_SIGNATURES + 1) {
        let source = |layer| Source {
            format: Format::SigstoreBundle,
            manifest: descriptor.digest.clone(),
            layer,
            tag: None,
            via: Some(via),
        };
        match referrer(registry, descriptor, image) {
            Ok(Poll::Ready((layer, bundle))) => {
                out.push(Found { source: source(Some(layer)), content: Ok(Content::Bundle(bundle.to_vec())) })
            }
            Ok(Poll::Pending) => pending = true,
            Err(e) => out.push(Found { source: source(None), content: Err(e) }),
        }
    }
    Ok(if pending { Poll::Pending } else { Poll::Ready(out) })
}

/// A referrer's bundle: the referrer must be an image manifest about this image, whose one
/// layer is the bundle.
fn referrer<'a>(
    registry: &mut Registry<'_, 'a>,
    descriptor: &Descriptor,
    image: &Digest,
) -> Result<Poll<(Digest, &'a [u8])>> {
    let Some(Fetched { manifest, .. }) = ready!(registry.manifest(&descriptor.digest.to_string())) else {
        return fail(ErrorCode::Registry, format!("referrer {} is listed but not found", descriptor.digest));
    };
    let Manifest::Image(manifest) = manifest else {
        return fail(ErrorCode::Registry, format!("referrer {} is not an image manifest", descriptor.digest));
    };
    match &manifest.subject {
        Some(subject) if subject.digest == *image => {}
        Some(subject) => {
            return fail(
                ErrorCode::Registry,
                format!("referrer {} is about {}, not this image", descriptor.digest, subject.digest),
            )
        }
        None => return fail(ErrorCode::Registry, format!("referrer {} names no subject", descriptor.digest)),
    }
    let [layer] = manifest.layers.as_slice() else {
        return fail(
            ErrorCode::Registry,
            format!("a bundle referrer has one layer; {} has {}", descriptor.digest, manifest.layers.len()),
        );
    };
    if layer.media_type != BUNDLE_MEDIA_TYPE {
        return fail(
            ErrorCode::Registry,
            format!("the layer of referrer {} is a {}, not a bundle", descriptor.digest, layer.media_type),
        );
    }
    let bundle = ready!(registry.blob(layer, limits::MAX_BUNDLE_BYTES, "the bundle"));
    Ok(Poll::Ready((layer.digest.clone(), bundle)))
}

/// The layers of the legacy `.sig` or `.att` tag, of the wanted kind.
fn from_tag(registry: &mut Registry<'_, '_>, image: &Digest, want: &Want) -> Result<Poll<Vec<Found>>> {
    let tag = image.tag(want.tag_suffix());
    let Some(fetched) = ready!(registry.manifest(&tag)) else { return Ok(Poll::Ready(Vec::new())) };
    let Manifest::Image(manifest) = fetched.manifest else {
        return fail(ErrorCode::Registry, format!("tag {tag} is an index, not a signature manifest"));
    };
    let (format, kind, limit) = match want {
        Want::Signatures => (Format::CosignSignature, LayerKind::Signature, limits::MAX_SIMPLE_SIGNING_BYTES),
        Want::Attestations(_) => (Format::CosignAttestation, LayerKind::Attestation, limits::MAX_ENVELOPE_BYTES),
    };
    let mut out = Vec::new();
    let mut pending = false;
    let wanted = manifest.layers.iter().filter(|l| want.admits(l.annotations.get(ANNOTATION_PREDICATE_TYPE)));
    for layer in wanted.take(limits::MAX_SIGNATURES + 1) {
        let source = Source {
            format,
            manifest: fetched.digest.clone(),
            layer: Some(layer.digest.clone()),
            tag: Some(tag.clone()),
            via: None,
        };
        if layer.media_type != want.legacy_media_type() {
            let error = VerificationError::new(
                ErrorCode::Registry,
                format!(
                    "a layer of type {} under {tag}, where {} layers belong",
                    layer.media_type,
                    want.legacy_media_type()
                ),
            );
            out.push(Found { source, content: Err(error) });
            continue;
        }
        match registry.blob(layer, limit, "the signed payload") {
            Ok(Poll::Ready(blob)) => {
                let layer = Layer {
                    kind,
                    media_type: layer.media_type.clone(),
                    digest: layer.digest.clone(),
                    blob: blob.to_vec(),
                    annotations: layer.annotations.clone(),
                };
                out.push(Found { source, content: Ok(Content::Legacy { layer, logged: None }) });
            }
            Ok(Poll::Pending) => pending = true,
            Err(e) => out.push(Found { source, content: Err(e) }),
        }
    }
    Ok(if pending { Poll::Pending } else { Poll::Ready(out) })
}

/// Looks up the Rekor entries of legacy signatures that carry no Rekor bundle.
fn find_logged(fetch: &mut Fetch<'_>, search: &RekorSearch, found: &mut [Found]) -> Poll<()> {
    let mut pending = false;
    for item in found.iter_mut() {
        let Ok(Content::Legacy { layer, logged }) = &mut item.content else { continue };
        if layer.has_rekor_bundle() {
            continue;
        }
        let outcome = match layer.proposed_entry(search.key.as_ref()) {
            Ok(Some(proposed)) => rekor::search_entry(fetch, &search.base_url, &proposed),
            Ok(None) => continue,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(Poll::Ready(entries)) => *logged = Some((search.base_url.clone(), entries)),
            Ok(Poll::Pending) => pending = true,
            Err(e) => item.content = Err(e),
        }
    }
    if pending {
        Poll::Pending
    } else {
        Poll::Ready(())
    }
}
