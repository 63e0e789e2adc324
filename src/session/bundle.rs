//! A verifier built from a trusted root, and a bundle verified: sessions that fetch nothing.

use std::rc::Rc;

use super::Work;
use crate::artifact::Artifact;
use crate::bundle::Bundle;
use crate::crypto::SignatureBackend;
use crate::error::{fail, ErrorCode, Result};
use crate::http::{Fetch, Poll};
use crate::options::PolicyOptions;
use crate::policy::Policy;
use crate::trust::TrustedRoot;
use crate::verify::{VerificationResult, Verifier};

/// A verifier for a trusted root, whose authorities' own chains are checked once, here.
pub struct Preparation {
    root: TrustedRoot,
}

impl Preparation {
    /// The work of building a verifier for `root`.
    pub fn new(root: TrustedRoot) -> Self {
        Self { root }
    }
}

impl Work for Preparation {
    type Outcome = Result<Verifier>;

    fn run(&self, _: &mut Fetch<'_>, backend: &dyn SignatureBackend) -> Poll<Self::Outcome> {
        Poll::Ready(Verifier::new_with(self.root.clone(), backend))
    }
}

/// What a caller gives as the artifact: its bytes, its digest (`sha256:<hex>`), or nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArtifactInput {
    /// The artifact itself.
    Bytes(Vec<u8>),
    /// The artifact's digest as `<algorithm>:<hex>`: `sha256`, `sha384` or `sha512`.
    Digest(String),
    /// No artifact: only with `unsafeSkipArtifactCheck`, for an envelope checked on its own.
    Absent,
}

/// One bundle verified against an artifact under a policy.
pub struct BundleVerification {
    verifier: Rc<Verifier>,
    bundle: Bundle,
    artifact: Given,
    policy: Policy,
}

/// The artifact, kept as given.
enum Given {
    Bytes(Vec<u8>),
    Digest(Artifact<'static>),
    Unchecked,
}

impl BundleVerification {
    /// Parses the bundle (JSON bytes), the artifact and the options: a verification's inputs as
    /// the JavaScript API takes them.
    pub fn new(verifier: Rc<Verifier>, bundle: &[u8], artifact: ArtifactInput, options: PolicyOptions) -> Result<Self> {
        let artifact = match artifact {
            ArtifactInput::Bytes(bytes) => Given::Bytes(bytes),
            ArtifactInput::Digest(text) => Given::Digest(Artifact::parse_digest(&text)?),
            ArtifactInput::Absent if options.unsafe_skip_artifact_check => Given::Unchecked,
            ArtifactInput::Absent => return fail(
                ErrorCode::InvalidInput,
                "the artifact must be its bytes or a \"sha256:<hex>\" digest (none only with unsafeSkipArtifactCheck)",
            ),
        };
        let policy = options.into_policy(verifier.trusted_root())?;
        Ok(Self { verifier, bundle: Bundle::from_slice(bundle)?, artifact, policy })
    }

    fn artifact(&self) -> Artifact<'_> {
        match &self.artifact {
            Given::Bytes(bytes) => Artifact::Bytes(bytes),
            Given::Digest(digest) => digest.clone(),
            Given::Unchecked => Artifact::UnsafeUnchecked,
        }
    }
}

impl Work for BundleVerification {
    type Outcome = Result<VerificationResult>;

    fn run(&self, _: &mut Fetch<'_>, backend: &dyn SignatureBackend) -> Poll<Self::Outcome> {
        Poll::Ready(self.verifier.verify_with(&self.bundle, &self.artifact(), &self.policy, backend))
    }
}
