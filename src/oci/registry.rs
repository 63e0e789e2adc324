//! A client of the OCI distribution API for one repository, as a walk (see [`crate::http`]):
//! manifests by tag or digest, blobs, and referrers, each checked against the digest it was
//! asked by, within the limits of `crate::limits`.

use crate::crypto::HashAlgorithm;
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

    /// The same walk's client for another repository: a token is for one repository only.
    pub fn into_repository(self, reference: &Reference, allow_http: bool) -> Self {
        Self::new(self.fetch, reference, allow_http)
    }

    fn request(&self, url: &str, accept: &str, max_bytes: usize) -> Request {
        let request = Request::get(url.to_owned(), accept, max_bytes);
        match &self.token {
            Some(token) => request.with_header("authorization", format!("Bearer {token}")),
            None => request,
        }
    }

    /// A GET of `path` under the repository, answering a bearer challenge once.
    fn get(&mut self, path: &str, accept: &str, max_bytes: usize, what: &str) -> Result<Poll<&'a Response>> {
        let url = format!("{}/v2/{}/{path}", self.base, self.repository);
        self.get_url(&url, accept, max_bytes, what)
    }

    /// A GET of `url`, which must be on the registry, answering a bearer challenge once.
    fn get_url(&mut self, url: &str, accept: &str, max_bytes: usize, what: &str) -> Result<Poll<&'a Response>> {
        let Some(reply) = self.fetch.get(self.request(url, accept, max_bytes)) else { return Ok(Poll::Pending) };
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
        let Some(reply) = self.fetch.get(self.request(url, accept, max_bytes)) else { return Ok(Poll::Pending) };
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
                expected.check_response(response, &what)?;
                expected
            }
            Err(_) => Digest::of_response(response, HashAlgorithm::Sha256),
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
        descriptor.digest.check_response(response, &what)?;
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
        let asked = self.get(&format!("referrers/{digest}"), OCI_INDEX, limits::MAX_MANIFEST_BYTES, &what);
        let response = match asked {
            // The spec's signal for "no referrers API" is 404; registries also answer 400, 405 or
            // 501 for a path they do not route, and a page cannot even read those answers when
            // they come without CORS headers, as distribution's do: to a browser that is a failed
            // request. Falling back costs one request and trusts nothing.
            Ok(Poll::Ready(response)) if !matches!(response.status, 400 | 404 | 405 | 501) => response,
            Ok(Poll::Ready(_)) => return self.referrers_tag(digest),
            Err(e) if e.code == ErrorCode::Network => return self.referrers_tag(digest),
            Ok(Poll::Pending) => return Ok(Poll::Pending),
            Err(e) => return Err(e),
        };
        let mut listed = referrers_page(response, &what)?;
        // Long lists come in pages, each linking to the next (`Link: <...>; rel="next"`).
        let mut next = next_page(response, &self.base)?;
        let mut pages = 1;
        while let Some(url) = next {
            pages += 1;
            limits::at_most(pages, limits::MAX_REFERRER_PAGES, "pages of referrers")?;
            let response = ready!(self.get_url(&url, OCI_INDEX, limits::MAX_MANIFEST_BYTES, &what));
            listed.extend(referrers_page(response, &what)?);
            limits::at_most(listed.len(), limits::MAX_INDEX_MANIFESTS, "referrers listed")?;
            next = next_page(response, &self.base)?;
        }
        Ok(Poll::Ready((listed, ReferrersVia::ReferrersApi)))
    }

    /// The index registries without the referrers API keep under the tag `sha256-<hex>`.
    fn referrers_tag(&mut self, digest: &Digest) -> Result<Poll<(Vec<Descriptor>, ReferrersVia)>> {
        let tag = digest.tag("");
        Ok(Poll::Ready(match ready!(self.manifest(&tag)) {
            None => (Vec::new(), ReferrersVia::ReferrersTag),
            Some(Fetched { manifest: Manifest::Index(index), .. }) => (index.manifests, ReferrersVia::ReferrersTag),
            Some(Fetched { manifest: Manifest::Image(_), .. }) => {
                return fail(ErrorCode::Registry, format!("the referrers tag {tag} is not an index"))
            }
        }))
    }
}

/// One page of the referrers API: an index.
fn referrers_page(response: &Response, what: &str) -> Result<Vec<Descriptor>> {
    let response = expect_success(response, ErrorCode::Registry, what)?;
    match Manifest::parse(&response.body, response.content_type().or(Some(OCI_INDEX)))? {
        Manifest::Index(index) => Ok(index.manifests),
        Manifest::Image(_) => {
            fail(ErrorCode::Registry, format!("{what}: the registry answered with an image manifest"))
        }
    }
}

/// The next page a `Link` header names, on the registry itself: the token goes nowhere else.
fn next_page(response: &Response, base: &str) -> Result<Option<String>> {
    let Some(link) = response.header("link") else { return Ok(None) };
    let next = link.split(',').find_map(|part| {
        let (target, params) = part.trim().split_once(';')?;
        let is_next = params.split(';').any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"));
        is_next.then(|| target.trim().strip_prefix('<')?.strip_suffix('>')).flatten()
    });
    match next {
        None => Ok(None),
        Some(path) if path.starts_with('/') && !path.starts_with("//") => Ok(Some(format!("{base}{path}"))),
        Some(url) if url.strip_prefix(base).is_some_and(|rest| rest.starts_with('/')) => Ok(Some(url.to_owned())),
        Some(url) => fail(ErrorCode::Registry, format!("the next page of referrers, {url:?}, is not on the registry")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Exchange, Reply};
    use crate::oci::manifest::OCI_MANIFEST;

    fn reply(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let headers = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        Reply::Response(Response::new(status, headers, body.to_vec()))
    }

    fn reference() -> Reference {
        Reference::parse("127.0.0.1:5000/app:v1").unwrap()
    }

    fn manifest_of(content: &[u8]) -> Vec<u8> {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"c","digest":"{}","size":{}}},"layers":[]}}"#,
            Digest::sha256(content),
            content.len()
        )
        .into_bytes()
    }

    fn blob_descriptor(content: &[u8], size: u64) -> Descriptor {
        Descriptor {
            media_type: "application/octet-stream".into(),
            digest: Digest::sha256(content),
            size,
            artifact_type: None,
            annotations: Default::default(),
        }
    }

    /// Runs `walk` against `serve`, recording every request.
    fn drive<T>(
        walk: impl Fn(&mut Registry<'_, '_>) -> Result<Poll<T>>,
        serve: impl Fn(&Request) -> Reply,
    ) -> (Result<T>, Vec<Request>) {
        let mut asked = Vec::new();
        let outcome = Exchange::default().complete_walk(
            |fetch| walk(&mut Registry::new(fetch, &reference(), false)),
            |r| {
                asked.push(r.clone());
                serve(r)
            },
        );
        (outcome, asked)
    }

    #[test]
    fn a_bearer_challenge_is_answered_once_and_the_token_sent_only_to_the_registry() {
        let body = manifest_of(b"config");
        let (outcome, asked) = drive(
            |r| r.manifest("v1"),
            |request| match (request.url.as_str(), request.headers.iter().any(|(n, _)| n == "authorization")) {
                (u, _) if u.starts_with("https://auth.example/token?") => reply(200, &[], br#"{"token":"t0k"}"#),
                (_, false) => reply(
                    401,
                    &[(
                        "www-authenticate",
                        r#"Bearer realm="https://auth.example/token",service="reg",scope="repository:app:pull""#,
                    )],
                    b"",
                ),
                (_, true) => reply(200, &[("content-type", OCI_MANIFEST)], &body),
            },
        );
        let fetched = outcome.unwrap().unwrap();
        assert_eq!(fetched.digest, Digest::sha256(&body));
        assert_eq!(asked.len(), 3);
        assert!(asked[1].headers.iter().all(|(n, _)| n != "authorization"), "the token request carries no token");
        assert!(asked[2].headers.contains(&("authorization".into(), "Bearer t0k".into())));
    }

    #[test]
    fn registry_failures_are_typed() {
        let cases = [
            (reply(401, &[], b""), ErrorCode::Registry),
            (reply(401, &[("www-authenticate", r#"Basic realm="x""#)], b""), ErrorCode::Registry),
            (reply(500, &[], b"down"), ErrorCode::Registry),
            (reply(200, &[("content-type", OCI_MANIFEST)], b"<html>"), ErrorCode::Registry),
            (Reply::Failed("connection refused".into()), ErrorCode::Network),
            (Reply::TooLarge, ErrorCode::LimitExceeded),
        ];
        for (i, (answer, code)) in cases.into_iter().enumerate() {
            let (outcome, _) = drive(|r| r.manifest("v1"), |_| answer.clone());
            assert_eq!(outcome.unwrap_err().code, code, "case {i}");
        }
        let token_too_large = |request: &Request| {
            if request.url.contains("/token") {
                assert_eq!(request.max_bytes, limits::MAX_TOKEN_RESPONSE_BYTES);
                return Reply::TooLarge;
            }
            reply(401, &[("www-authenticate", r#"Bearer realm="https://r/token""#)], b"")
        };
        assert_eq!(drive(|r| r.manifest("v1"), token_too_large).0.unwrap_err().code, ErrorCode::LimitExceeded);
        let (missing, _) = drive(|r| r.manifest("v1"), |_| reply(404, &[], b""));
        assert_eq!(missing.unwrap(), None);
    }

    #[test]
    fn content_fetched_by_digest_must_be_that_content_of_that_size() {
        let body = manifest_of(b"x");
        let digest = Digest::sha256(&body).to_string();
        let (ok, _) = drive(|r| r.manifest(&digest), |_| reply(200, &[], &body));
        assert!(ok.unwrap().is_some());
        let (lied, _) = drive(|r| r.manifest(&digest), |_| reply(200, &[], &manifest_of(b"y")));
        assert_eq!(lied.unwrap_err().code, ErrorCode::DigestMismatch);

        let blob = b"signed payload";
        let exact = blob_descriptor(blob, blob.len() as u64);
        let (ok, asked) =
            drive(|r| r.blob(&exact, 100, "the payload").map(|p| p.map(<[u8]>::to_vec)), |_| reply(200, &[], blob));
        assert_eq!(ok.unwrap(), blob);
        assert_eq!(asked[0].max_bytes, blob.len(), "nothing beyond the descriptor's size is read");
        let (tampered, _) = drive(
            |r| r.blob(&exact, 100, "the payload").map(|p| p.map(<[u8]>::to_vec)),
            |_| reply(200, &[], b"signed pAyload"),
        );
        assert_eq!(tampered.unwrap_err().code, ErrorCode::DigestMismatch);
        let big = blob_descriptor(blob, 101);
        let (refused, asked) =
            drive(|r| r.blob(&big, 100, "the payload").map(|p| p.map(<[u8]>::to_vec)), |_| reply(200, &[], blob));
        assert_eq!(refused.unwrap_err().code, ErrorCode::LimitExceeded);
        assert!(asked.is_empty(), "an oversized blob is refused before it is fetched");
        let short = blob_descriptor(blob, blob.len() as u64 + 1);
        let (refused, _) =
            drive(|r| r.blob(&short, 100, "the payload").map(|p| p.map(<[u8]>::to_vec)), |_| reply(200, &[], blob));
        assert_eq!(refused.unwrap_err().code, ErrorCode::Registry);
    }

    #[test]
    fn referrers_come_from_the_api_or_else_from_the_tag_schema() {
        let subject = Digest::sha256(b"image");
        let listed = |n: usize| {
            let d = format!(r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":1}}"#, Digest::sha256(b"r"));
            format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#, vec![d; n].join(","))
                .into_bytes()
        };
        let api = |_: &Request| reply(200, &[("content-type", OCI_INDEX)], &listed(2));
        let (found, asked) = drive(|r| r.referrers(&subject), api);
        assert_eq!(found.unwrap(), (vec![found_descriptor(); 2], ReferrersVia::ReferrersApi));
        assert_eq!(asked.len(), 1);
        let no_api = [400, 404, 405, 501].map(|status| reply(status, &[], b"404 page not found"));
        // A page cannot read a 404 sent without CORS headers: the request fails.
        let unreadable = Reply::Failed("TypeError: Failed to fetch".into());
        for answer in no_api.into_iter().chain([unreadable]) {
            let fallback = |r: &Request| {
                if r.url.contains("/referrers/") {
                    answer.clone()
                } else {
                    reply(200, &[("content-type", OCI_INDEX)], &listed(1))
                }
            };
            let (found, asked) = drive(|r| r.referrers(&subject), fallback);
            assert_eq!(found.unwrap().1, ReferrersVia::ReferrersTag, "{answer:?}");
            assert!(asked[1].url.ends_with(&format!("/manifests/{}", subject.tag(""))));
        }
        let (down, _) = drive(|r| r.referrers(&subject), |_| Reply::Failed("connection refused".into()));
        assert_eq!(
            down.unwrap_err().code,
            ErrorCode::Network,
            "a registry that cannot be reached is not one without referrers"
        );
        // Pages, linked to one another on the registry; a link elsewhere is refused.
        let paged = |link: &'static str| {
            move |r: &Request| {
                let headers: &[(&str, &str)] = if r.url.ends_with("last=1") { &[] } else { &[("link", link)] };
                reply(200, &[&[("content-type", OCI_INDEX)], headers].concat(), &listed(1))
            }
        };
        let next = r#"</v2/app/referrers/sha256:x?n=1&last=1>; rel="next""#;
        let (found, asked) = drive(|r| r.referrers(&subject), paged(next));
        assert_eq!(found.unwrap().0.len(), 2);
        assert_eq!(asked[1].url, "http://127.0.0.1:5000/v2/app/referrers/sha256:x?n=1&last=1");
        let elsewhere = r#"<https://evil.example/v2/app/referrers/sha256:x?last=1>; rel="next""#;
        assert_eq!(drive(|r| r.referrers(&subject), paged(elsewhere)).0.unwrap_err().code, ErrorCode::Registry);
        let endless = |r: &Request| {
            let link = format!("<{}x>; rel=\"next\"", r.url.trim_start_matches("http://127.0.0.1:5000"));
            reply(200, &[("content-type", OCI_INDEX), ("link", &link)], &listed(1))
        };
        assert_eq!(drive(|r| r.referrers(&subject), endless).0.unwrap_err().code, ErrorCode::LimitExceeded);
        let too_many =
            |_: &Request| reply(200, &[("content-type", OCI_INDEX)], &listed(limits::MAX_INDEX_MANIFESTS + 1));
        assert_eq!(drive(|r| r.referrers(&subject), too_many).0.unwrap_err().code, ErrorCode::LimitExceeded);
        let image = |_: &Request| reply(200, &[("content-type", OCI_MANIFEST)], &manifest_of(b"c"));
        assert_eq!(drive(|r| r.referrers(&subject), image).0.unwrap_err().code, ErrorCode::Registry);
    }

    fn found_descriptor() -> Descriptor {
        Descriptor {
            media_type: OCI_MANIFEST.into(),
            digest: Digest::sha256(b"r"),
            size: 1,
            artifact_type: None,
            annotations: Default::default(),
        }
    }
}
