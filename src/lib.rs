//! sigstore-wasm: a complete Sigstore verifier in pure Rust, for native code and WebAssembly.
//!
//! The core is synchronous and does no I/O: bundles, artifacts, policies, trust material and the
//! current time all come in as values, and every failure is a [`VerificationError`] with a stable
//! [`ErrorCode`] and a message that says what was expected and what was found.
//!
//! # Verifying a bundle
//!
//! A [`Verifier`] is built once from a [`TrustedRoot`] (Sigstore's production and staging roots
//! are embedded); it then checks any number of [`Bundle`]s against an [`Artifact`] (its bytes or
//! its digest) and a [`Policy`] (who must have signed), and says what it established in a
//! [`VerificationResult`].
//!
//! ```no_run
#![doc = include_str!("../examples/verify_bundle.rs")]
//! ```
//!
//! # Images, Rekor, package attestations and TUF: sessions
//!
//! What needs the network is a [`Session`] of a [`Work`]: [`ImageLookup`], [`LogLookup`],
//! [`AttestationsLookup`], [`TufUpdate`], [`TrustedRootRefresh`]. The session says what it needs
//! next ([`Step`]): HTTP requests for the caller to make ([`http`]), signature checks for the
//! caller to run (in WebCrypto's form, [`WebCryptoCheck`]), or its outcome.
//! [`Session::complete`] runs one to its end with a function that makes requests and a
//! [`SignatureBackend`] such as [`RustCrypto`]; the npm package steps the same sessions, with
//! `fetch` and WebCrypto.
//!
//! ```no_run
//! # use std::rc::Rc;
//! # use sigstore_wasm::http::{Reply, Request};
//! # use sigstore_wasm::{ImageLookup, ImageOptions, PolicyOptions, RustCrypto, Session, TrustedRoot, Verifier};
//! # fn my_http_get(_: &Request) -> Reply { Reply::Failed("no network in this example".into()) }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let verifier = Rc::new(Verifier::new(TrustedRoot::production()?)?);
//! # let policy_options: PolicyOptions = serde_json::from_str(r#"{ "certificateIdentity": "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main", "certificateIssuer": "https://token.actions.githubusercontent.com" }"#)?;
//! let lookup = ImageLookup::new(verifier, "ghcr.io/acme/app:v1", false, policy_options, ImageOptions::default())?;
//! let report = Session::new(lookup).complete(|request| my_http_get(request), &RustCrypto)??;
//! report.verdict()?; // at least one signature satisfies the policy
//! # Ok(())
//! # }
//! ```
//!
//! The types these show are in [`model`] (what the verifier reads), [`report`] (what it reports)
//! and [`lookup`] (what the walks ask for).

#![forbid(unsafe_code)]
// The crate root is the public API: everything it offers is documented, and every type its items
// show can be named.
#![cfg_attr(not(feature = "internals"), deny(missing_docs, unnameable_types))]
// A panic inside WebAssembly kills the instance: library code reports every failure as a value.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

/// Declares the crate's parts: private, so that the crate root below is its public API, and
/// public with the `internals` feature, for the crate's own tests, fuzz targets and benchmarks.
macro_rules! parts {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(feature = "internals")]
        pub mod $name;
        #[cfg(not(feature = "internals"))]
        mod $name;
    )*};
}

parts!(
    artifact,
    asn1,
    attestations,
    budget,
    bundle,
    claimed,
    cosign,
    crypto,
    dsse,
    encoding,
    error,
    limits,
    oci,
    options,
    policy,
    rekor,
    session,
    time,
    tlog,
    trust,
    tsa,
    tuf,
    verify,
    x509,
);
pub mod http;
// The JavaScript boundary: its classes are exported to JavaScript, and named there.
#[cfg(target_arch = "wasm32")]
#[allow(unnameable_types)]
mod wasm;

pub use artifact::Artifact;
pub use attestations::Subject as AttestationSubject;
pub use bundle::Bundle;
pub use claimed::{claimed_digest, digest_algorithm_for};
pub use crypto::deferred::WebCryptoCheck;
pub use crypto::{
    HashAlgorithm, Hasher, Message, PublicKey, RustCrypto, SignatureBackend, SignatureCheck, SignatureScheme,
};
pub use error::{ErrorCode, Result, VerificationError};
pub use options::{field_names, ImageOptions, LogQueryOptions, PolicyOptions, RegistryOptions};
pub use policy::{CertificateIdentity, ManagedKey, Policy, SignerPolicy, StringMatcher};
pub use session::repository_urls as tuf_repository_urls;
pub use session::{
    ArtifactInput, AttestationsLookup, BundleVerification, ImageLookup, LogLookup, PinnedRoot, Preparation, Session,
    Step, TrustedRootRefresh, TufUpdate, Work,
};
pub use time::{TimeRange, Timestamp};
pub use trust::{RootSummary, TrustedRoot};
pub use verify::{SignerInfo, VerificationResult, VerifiedTime, Verifier};

/// The parts of what the verifier reads, as it parses them: a bundle's, a trusted root's, a
/// certificate's, an in-toto statement's, a key's; and where a TUF repository is.
pub mod model {
    pub use crate::bundle::{
        BundleVersion, Content, Envelope, InclusionProof, MessageSignature, TlogEntry, VerificationMaterial,
    };
    pub use crate::crypto::KeyAlgorithm;
    pub use crate::dsse::{Statement, Subject};
    pub use crate::trust::{CertificateAuthority, TransparencyLog};
    pub use crate::tuf::{Mode, Repository};
    pub use crate::x509::certificate::{Certificate, RawExtension, San};
}

/// What verifications, lookups and TUF sessions report.
pub mod report {
    pub use crate::attestations::{AttestationReport, AttestationsVerification, FoundArtifact};
    pub use crate::cosign::discover::{Format, Image, Problem, Source};
    pub use crate::cosign::payload::Claims;
    pub use crate::cosign::verify::{ImageVerification, SignatureReport, VerifiedSignature};
    pub use crate::rekor::{LoggedEntry, LoggedSigner};
    pub use crate::tlog::{Inclusion, VerifiedEntry};
    pub use crate::tuf::refresh::{Refreshed, RefreshedRoot, RootSource};
    pub use crate::tuf::{Persist, Target, Update, Updated};
    pub use crate::x509::fulcio::{CertificateSummary, Claim};
    pub use crate::x509::sct::VerifiedSct;
}

/// What the walks that need the network ask for: image references and digests, the lookup an
/// image's signatures need, a Rekor query, the package registries.
pub mod lookup {
    pub use crate::attestations::Registries;
    pub use crate::cosign::discover::{RekorSearch, Request as ImageRequest};
    pub use crate::cosign::verify::ImagePolicy;
    pub use crate::cosign::Want;
    pub use crate::oci::registry::ReferrersVia;
    pub use crate::oci::{Digest, Reference};
    pub use crate::rekor::Query;
}
