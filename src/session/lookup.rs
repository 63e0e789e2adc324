//! Walks that fetch before they verify: an image's signatures or attestations in its registry,
//! a Rekor lookup, a package's attestations. What a walk found is kept once it is complete, so
//! that the rounds of signature checks after it do not walk the replies again.

use std::cell::OnceCell;
use std::rc::Rc;

use super::Work;
use crate::attestations::{self, AttestationsVerification, Found, Registries, Subject};
use crate::cosign::discover::{self, Discovery};
use crate::cosign::verify::{verify_discovery, ImagePolicy, ImageVerification};
use crate::crypto::SignatureBackend;
use crate::error::Result;
use crate::http::{Fetch, Poll};
use crate::options::{ImageOptions, LogQueryOptions, PolicyOptions, RegistryOptions};
use crate::policy::Policy;
use crate::rekor::{self, Entry, LoggedEntry, Query};
use crate::verify::Verifier;

/// The outcome of `walk`, kept in `found` once it is complete; `None` while it waits for replies.
fn walked<T>(found: &OnceCell<Result<T>>, walk: impl FnOnce() -> Result<Poll<T>>) -> Option<&Result<T>> {
    if found.get().is_none() {
        match walk() {
            Ok(Poll::Pending) => return None,
            Ok(Poll::Ready(value)) => drop(found.set(Ok(value))),
            Err(error) => drop(found.set(Err(error))),
        }
    }
    found.get()
}

/// The signatures (or the attestations of one predicate type) of an image, as `cosign verify`
/// (`verify-attestation`) finds and judges them.
pub struct ImageLookup {
    verifier: Rc<Verifier>,
    request: discover::Request,
    policy: ImagePolicy,
    found: OnceCell<Result<Discovery>>,
}

impl ImageLookup {
    /// Parses the image `reference` and the options: the image's attestations if `attestations`
    /// (of the policy's `predicateType`), else its signatures.
    pub fn new(
        verifier: Rc<Verifier>,
        reference: &str,
        attestations: bool,
        policy: PolicyOptions,
        options: ImageOptions,
    ) -> Result<Self> {
        let (request, policy) = options.into_request(reference, policy, verifier.trusted_root(), attestations)?;
        Ok(Self { verifier, request, policy, found: OnceCell::new() })
    }
}

impl Work for ImageLookup {
    type Outcome = Result<ImageVerification>;

    fn run(&self, fetch: &mut Fetch<'_>, backend: &dyn SignatureBackend) -> Poll<Self::Outcome> {
        match walked(&self.found, || discover::discover(fetch, &self.request)) {
            None => Poll::Pending,
            Some(Err(error)) => Poll::Ready(Err(error.clone())),
            Some(Ok(discovery)) => {
                Poll::Ready(Ok(verify_discovery(discovery, &self.request.want, &self.verifier, &self.policy, backend)))
            }
        }
    }
}

/// Rekor entries by log index, UUID or artifact digest, each verified before it is reported.
pub struct LogLookup {
    verifier: Rc<Verifier>,
    query: Query,
    base_url: String,
    found: OnceCell<Result<Vec<Entry>>>,
}

impl LogLookup {
    /// Parses the query: exactly one of a log index, a UUID and a digest.
    pub fn new(verifier: Rc<Verifier>, query: LogQueryOptions) -> Result<Self> {
        let (query, base_url) = query.into_query()?;
        Ok(Self { verifier, query, base_url, found: OnceCell::new() })
    }
}

impl Work for LogLookup {
    type Outcome = Result<Vec<LoggedEntry>>;

    fn run(&self, fetch: &mut Fetch<'_>, backend: &dyn SignatureBackend) -> Poll<Self::Outcome> {
        match walked(&self.found, || rekor::lookup(fetch, &self.base_url, &self.query)) {
            None => Poll::Pending,
            Some(Err(error)) => Poll::Ready(Err(error.clone())),
            Some(Ok(entries)) => {
                Poll::Ready(rekor::verify_lookup(&self.query, entries, &self.verifier.trusted_root().tlogs, backend))
            }
        }
    }
}

/// The attestations a package registry publishes for a subject (`npm:name@version`,
/// `pypi:project==version`, `github:owner/repo@sha256:<hex>`), each verified against the digest
/// of the artifact it is about.
pub struct AttestationsLookup {
    verifier: Rc<Verifier>,
    text: String,
    subject: Subject,
    registries: Registries,
    policy: Policy,
    found: OnceCell<Result<Found>>,
}

impl AttestationsLookup {
    /// Parses the subject, the policy and the registries to ask.
    pub fn new(verifier: Rc<Verifier>, subject: &str, policy: PolicyOptions, options: RegistryOptions) -> Result<Self> {
        let policy = policy.into_policy(verifier.trusted_root())?;
        let registries = options.into_registries()?;
        let parsed = Subject::parse(subject)?;
        Ok(Self { verifier, text: subject.to_owned(), subject: parsed, registries, policy, found: OnceCell::new() })
    }
}

impl Work for AttestationsLookup {
    type Outcome = Result<AttestationsVerification>;

    fn run(&self, fetch: &mut Fetch<'_>, backend: &dyn SignatureBackend) -> Poll<Self::Outcome> {
        match walked(&self.found, || attestations::discover(fetch, &self.subject, &self.registries)) {
            None => Poll::Pending,
            Some(Err(error)) => Poll::Ready(Err(error.clone())),
            Some(Ok(found)) => Poll::Ready(Ok(attestations::verify_found(
                &self.text,
                &self.subject,
                found,
                &self.verifier,
                &self.policy,
                backend,
            ))),
        }
    }
}
