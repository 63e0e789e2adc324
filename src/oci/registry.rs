//! A client of the OCI distribution API for one repository, as a walk (see [`crate::http`]):
//! manifests by tag or digest, blobs, and referrers, each checked against the digest it was
//! asked by, within the limits of `crate::limits`.

use crate::error::{fail, ErrorCode, Result};
use crate::http::{expect_success, ready, Fetch, Poll, Request, Response};
use crate::limits;
use crate::oci::auth::{parse_token, Challenge};
use crate::oci::digest::Digest;
use crate::oci::manifest::{Descriptor, Manifest, ACCEPT_MANIFESTS, OCI_INDEX};
use crate::oci::reference::Reference;

/// How a list of referrers was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferrersVia {
    /// `GET /v2/<name>/referrers/<digest>` (OCI distribution 1.1).
    ReferrersApi,
    /// The `sha256-<hex>` tag that registries without the API hold an index under.
    ReferrersTag,
}

/// A fetched manifest and the digest it was verified against (or, fetched by tag, has).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub digest: Digest,
    pub manifest: Manifest,
}

pub struct Registry<'f, 'a> {
    fetch: &'f mut Fetch<'a>,
    base: String,
    repository: String,
    /// The bearer token, once a challenge asked for one. Derived afresh in every replay of the
    /// walk, from the same replies, so it is the same in every round.
    token: Option<String>,
}

impl<'f, 'a> Registry<'f, 'a> {
    pub fn new(fetch: &'f mut Fetch<'a>, reference: &Reference, allow_http: bool) -> Self {
        Self { fetch, base: reference.api_base(allow_http), repository: reference.repository.clone(), token: None }
    }

    fn request(&self, path: &str, accept: &str, max_bytes: usize) -> Request {
        let request = Request::get(format!("{}/v2/{}/{path}", self.base, self.repository), accept, max_bytes);
        match &self.token {
            Some(token) => request.with_header("authorization", format!("Bearer {token}")),
            None => request,
        }
    }

    /// A GET of `path` under the repository, answering a bearer challenge once.
    fn get(&mut self, path: &str, accept: &str, max_bytes: usize, what: &str) -> Result<Poll<&'a Response>> {
        let Some(reply) = self.fetch.get(self.request(path, accept, max_bytes)) else { return Ok(Poll::Pending) };
        let response = reply.response(what)?;
        if response.status != 401 || self.token.is_some() {
            return Ok(Poll::Ready(response));
        }
        let Some(header) = response.header("www-authenticate") else {
            return fail(ErrorCode::Registry, format!("{what}: HTTP 401 without an authentication challenge"));
        };
        let challenge = Challenge::parse(header)?;
        let token_request =
            Request::get(challenge.token_url(&self.repository), "application/json", limits::MAX_TOKEN_RESPONSE_BYTES);
        let Some(reply) = self.fetch.get(token_request) else { return Ok(Poll::Pending) };
        let token_response =
            expect_success(reply.response("the token request")?, ErrorCode::Registry, "the token request")?;
        self.token = Some(parse_token(token_response)?);
        let Some(reply) = self.fetch.get(self.request(path, accept, max_bytes)) else { return Ok(Poll::Pending) };
        reply.response(what).map(Poll::Ready)
    }

    /// The manifest a tag or digest names, or `None` if the registry has none. Fetched by
    /// digest, its content must hash to that digest.
    pub fn manifest(&mut self, reference: &str) -> Result<Poll<Option<Fetched>>> {
        let what = format!("manifest {reference} of {}", self.repository);
        let response =
            ready!(self.get(&format!("manifests/{reference}"), ACCEPT_MANIFESTS, limits::MAX_MANIFEST_BYTES, &what));
        if response.status == 404 {
            return Ok(Poll::Ready(None));
        }
        let response = expect_success(response, ErrorCode::Registry, &what)?;
        let digest = match Digest::parse(reference) {
            Ok(expected) => {
                expected.check(&response.body, &what)?;
                expected
            }
            Err(_) => Digest::sha256(&response.body),
        };
        let manifest = Manifest::parse(&response.body, response.content_type())
            .map_err(|e| crate::error::VerificationError::new(e.code, format!("{what}: {}", e.message)))?;
        Ok(Poll::Ready(Some(Fetched { digest, manifest })))
    }

    /// The blob a descriptor points at, if the descriptor's size is within `limit`: exactly
    /// that many bytes, hashing to its digest.
    pub fn blob(&mut self, descriptor: &Descriptor, limit: usize, what: &str) -> Result<Poll<&'a [u8]>> {
        let size = usize::try_from(descriptor.size).unwrap_or(usize::MAX);
        limits::at_most(size, limit, &format!("bytes in {what}"))?;
        let what = format!("{what} ({})", descriptor.digest);
        let response = ready!(self.get(&format!("blobs/{}", descriptor.digest), "*/*", size, &what));
        let response = expect_success(response, ErrorCode::Registry, &what)?;
        descriptor.digest.check(&response.body, &what)?;
        if response.body.len() != size {
            return fail(
                ErrorCode::Registry,
                format!("{what} is {} bytes, but its descriptor says {size}", response.body.len()),
            );
        }
        Ok(Poll::Ready(&response.body))
    }

    /// The manifests that name `digest` as their subject: from the referrers API, or from the
    /// tag-schema index where the registry has no such API.
    pub fn referrers(&mut self, digest: &Digest) -> Result<Poll<(Vec<Descriptor>, ReferrersVia)>> {
        let what = format!("the referrers of {digest}");
        let response = ready!(self.get(&format!("referrers/{digest}"), OCI_INDEX, limits::MAX_MANIFEST_BYTES, &what));
        // The spec's signal for "no referrers API" is 404; registries also answer 400, 405 or
        // 501 for a path they do not route. Falling back costs one request and trusts nothing.
        if matches!(response.status, 400 | 404 | 405 | 501) {
            return Ok(Poll::Ready(match ready!(self.manifest(&digest.tag(""))) {
                None => (Vec::new(), ReferrersVia::ReferrersTag),
                Some(Fetched { manifest: Manifest::Index(index), .. }) => (index.manifests, ReferrersVia::ReferrersTag),
                Some(Fetched { manifest: Manifest::Image(_), .. }) => {
                    return fail(ErrorCode::Registry, format!("the referrers tag {} is not an index", digest.tag("")))
                }
            }));
        }
        let response = expect_success(response, ErrorCode::Registry, &what)?;
        match Manifest::parse(&response.body, response.content_type().or(Some(OCI_INDEX)))? {
            Manifest::Index(index) => Ok(Poll::Ready((index.manifests, ReferrersVia::ReferrersApi))),
            Manifest::Image(_) => {
                fail(ErrorCode::Registry, format!("{what}: the registry answered with an image manifest"))
            }
        }
    }
}
