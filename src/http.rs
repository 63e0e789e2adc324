//! HTTP without I/O. Registry and Rekor clients are written as walks: pure functions that ask
//! for responses by request and go as far as the responses known so far let them. The caller
//! (the package's JavaScript, with the runtime's `fetch`; a test, with a table) makes the
//! requests a walk asked for, hands the replies back, and runs the walk again, until a walk asks
//! for nothing new. Then its result is final.
//!
//! Replaying from the start keeps every decision in one place and deterministic: a walk never
//! holds state between rounds beyond the replies themselves. Requests that do not depend on each
//! other are asked for in the same round, so the caller can make them concurrently. Each round
//! must ask for at least one request never asked before, and requests are bounded, so a walk
//! always ends.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::crypto::HashAlgorithm;
use crate::error::{fail, ErrorCode, Result, VerificationError};
use crate::limits;

/// The HTTP methods walks use: they only read, and POST only where an API takes its query as a
/// JSON body (Rekor's searches).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Method {
    /// `GET`.
    #[serde(rename = "GET")]
    Get,
    /// `POST`, with a JSON body.
    #[serde(rename = "POST")]
    Post,
}

/// A request a walk needs answered.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// `GET`, or `POST` with a `body`.
    pub method: Method,
    /// The absolute URL, query included.
    pub url: String,
    /// Header names are lowercase.
    pub headers: Vec<(String, String)>,
    /// A JSON body, for POST.
    pub body: Option<String>,
    /// The caller stops reading the body beyond this many bytes and replies `TooLarge`.
    pub max_bytes: usize,
}

impl Request {
    /// A GET of `url` that accepts the media types `accept` names.
    pub fn get(url: String, accept: &str, max_bytes: usize) -> Self {
        Self { method: Method::Get, url, headers: vec![("accept".into(), accept.into())], body: None, max_bytes }
    }

    /// A POST of the JSON `body` to `url`, which accepts JSON back.
    pub fn post_json(url: String, body: String, max_bytes: usize) -> Self {
        Self {
            method: Method::Post,
            url,
            headers: vec![
                ("accept".into(), "application/json".into()),
                ("content-type".into(), "application/json".into()),
            ],
            body: Some(body),
            max_bytes,
        }
    }

    /// The request with one more header (its name lowercased, as all header names here are).
    pub fn with_header(mut self, name: &str, value: String) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value));
        self
    }
}

/// A walk's result so far: ready, or waiting for replies it has asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poll<T> {
    /// The walk went to its end: its result.
    Ready(T),
    /// A reply the walk needs is missing; it has been asked for.
    Pending,
}

impl<T> Poll<T> {
    /// A ready value passed through `f`; pending stays pending.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Poll<U> {
        match self {
            Self::Ready(value) => Poll::Ready(f(value)),
            Self::Pending => Poll::Pending,
        }
    }

    /// The result of a walk that asked for nothing more: pending then would mean it is stuck.
    pub fn finished(self) -> Result<T> {
        match self {
            Self::Ready(value) => Ok(value),
            Self::Pending => fail(ErrorCode::InvalidInput, "the walk is pending but asks for nothing"),
        }
    }
}

/// The value of a `Result<Poll<T>>`, or returns `Ok(Poll::Pending)` from the enclosing walk.
macro_rules! ready {
    ($e:expr) => {
        match $e? {
            $crate::http::Poll::Ready(value) => value,
            $crate::http::Poll::Pending => return Ok($crate::http::Poll::Pending),
        }
    };
}
pub(crate) use ready;

/// What became of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// The server answered, with whatever status.
    Response(Response),
    /// The body was longer than the request's `max_bytes`; it was not read further.
    TooLarge,
    /// No response: the connection failed, timed out or was aborted.
    Failed(String),
}

/// An HTTP response, as the caller received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// Names are lowercase.
    pub headers: Vec<(String, String)>,
    /// The whole body, no longer than the request's `max_bytes`.
    pub body: Vec<u8>,
    digests: Digests,
}

/// A body's digests, each computed the first time a walk asks for it: a walk is replayed from the
/// start every round, and content fetched by digest is checked in each replay.
#[derive(Clone, Debug, Default)]
struct Digests {
    sha256: OnceCell<Vec<u8>>,
    sha384: OnceCell<Vec<u8>>,
    sha512: OnceCell<Vec<u8>>,
}

/// What a body's digests are is decided by the body: they play no part in equality.
impl PartialEq for Digests {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Digests {}

impl Response {
    /// A response; header names are lowercased.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        let headers = headers.into_iter().map(|(name, value)| (name.to_ascii_lowercase(), value)).collect();
        Self { status, headers, body, digests: Digests::default() }
    }

    /// The body's digest under `algorithm`, computed once however many replays ask for it.
    pub fn digest(&self, algorithm: HashAlgorithm) -> &[u8] {
        let cell = match algorithm {
            HashAlgorithm::Sha256 => &self.digests.sha256,
            HashAlgorithm::Sha384 => &self.digests.sha384,
            HashAlgorithm::Sha512 => &self.digests.sha512,
        };
        cell.get_or_init(|| algorithm.digest(&self.body))
    }

    /// The first header of that (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The media type of the `content-type` header, without parameters.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type").map(|v| v.split(';').next().unwrap_or_default().trim())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl Reply {
    /// The response, or the error this reply is to a walk: `what` names the request for the
    /// message. A failed transfer is a `Network` error, a body too large a `LimitExceeded` one.
    pub fn response(&self, what: &str) -> Result<&Response> {
        match self {
            Self::Response(r) => Ok(r),
            Self::TooLarge => fail(ErrorCode::LimitExceeded, format!("{what}: the response is larger than allowed")),
            Self::Failed(reason) => fail(ErrorCode::Network, format!("{what}: {reason}")),
        }
    }
}

/// The requests asked for and the replies given, across rounds.
#[derive(Debug, Default)]
pub struct Exchange {
    replies: BTreeMap<Request, Reply>,
    outstanding: Vec<Request>,
    fetched_bytes: usize,
}

impl Exchange {
    /// Runs `walk` over the replies known so far. `Ok(Some(..))` is the walk's final result;
    /// `Ok(None)` means it asked for requests not yet answered: see [`Exchange::outstanding`].
    pub fn run<T>(&mut self, walk: impl FnOnce(&mut Fetch<'_>) -> T) -> Result<Option<T>> {
        if !self.outstanding.is_empty() {
            return fail(ErrorCode::InvalidInput, "requests are still unanswered");
        }
        let mut fetch = Fetch { exchange: self, missing: Vec::new() };
        let result = walk(&mut fetch);
        let missing = fetch.missing;
        if missing.is_empty() {
            return Ok(Some(result));
        }
        limits::at_most(self.replies.len() + missing.len(), limits::MAX_REQUESTS, "HTTP requests")?;
        self.outstanding = missing;
        Ok(None)
    }

    /// Takes back the requests the last run asked for, unanswered: a caller that learnt the run
    /// went down a path it should not have (`session::rounds::WalkRounds`) runs it again.
    pub fn withdraw(&mut self) {
        self.outstanding.clear();
    }

    /// The requests the last run asked for, in the order it asked.
    pub fn outstanding(&self) -> &[Request] {
        &self.outstanding
    }

    /// Answers the outstanding request at `index`. Once all are answered, `run` can go on.
    pub fn answer(&mut self, index: usize, reply: Reply) -> Result<()> {
        let Some(request) = self.outstanding.get(index) else {
            return fail(ErrorCode::InvalidInput, format!("no outstanding request {index}"));
        };
        if self.replies.contains_key(request) {
            return fail(ErrorCode::InvalidInput, format!("request {index} is already answered"));
        }
        if let Reply::Response(response) = &reply {
            if response.body.len() > request.max_bytes {
                return fail(
                    ErrorCode::LimitExceeded,
                    format!(
                        "{}: {} bytes where at most {} were asked for",
                        request.url,
                        response.body.len(),
                        request.max_bytes
                    ),
                );
            }
            self.fetched_bytes += response.body.len();
            limits::at_most(self.fetched_bytes, limits::MAX_FETCHED_BYTES, "bytes fetched")?;
        }
        self.replies.insert(request.clone(), reply);
        if self.outstanding.iter().all(|r| self.replies.contains_key(r)) {
            self.outstanding.clear();
        }
        Ok(())
    }

    /// [`Exchange::complete`] for a walk that may fail: its value, or its error.
    pub fn complete_walk<T>(
        &mut self,
        walk: impl FnMut(&mut Fetch<'_>) -> Result<Poll<T>>,
        send: impl FnMut(&Request) -> Reply,
    ) -> Result<T> {
        self.complete(walk, send)??.finished()
    }

    /// Runs `walk` to its end, answering each round's requests with `send`: for callers that
    /// make requests synchronously (tests, native tools).
    pub fn complete<T>(
        &mut self,
        mut walk: impl FnMut(&mut Fetch<'_>) -> T,
        mut send: impl FnMut(&Request) -> Reply,
    ) -> Result<T> {
        loop {
            if let Some(result) = self.run(&mut walk)? {
                return Ok(result);
            }
            let replies: Vec<Reply> = self.outstanding.iter().map(&mut send).collect();
            for (index, reply) in replies.into_iter().enumerate() {
                self.answer(index, reply)?;
            }
        }
    }
}

/// A walk's view of the exchange.
pub struct Fetch<'a> {
    exchange: &'a Exchange,
    missing: Vec<Request>,
}

impl<'a> Fetch<'a> {
    /// The reply to `request`, or `None` (and the request is asked for) if there is none yet.
    pub fn get(&mut self, request: Request) -> Option<&'a Reply> {
        let exchange: &'a Exchange = self.exchange;
        match exchange.replies.get(&request) {
            Some(reply) => Some(reply),
            None => {
                if !self.missing.contains(&request) {
                    self.missing.push(request);
                }
                None
            }
        }
    }
}

/// Success or the HTTP error as a `VerificationError` of `code`, naming `what` was asked.
pub fn expect_success<'r>(response: &'r Response, code: ErrorCode, what: &str) -> Result<&'r Response> {
    if response.is_success() {
        return Ok(response);
    }
    let excerpt: String = String::from_utf8_lossy(&response.body).chars().take(200).collect();
    Err(VerificationError::new(code, format!("{what}: HTTP {}: {}", response.status, excerpt.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> Reply {
        Reply::Response(Response::new(200, vec![], body.as_bytes().to_vec()))
    }

    /// Asks for `a`, then for `b` and `c` together, and concatenates the bodies.
    fn walk(fetch: &mut Fetch<'_>) -> Option<String> {
        let a = fetch.get(Request::get("http://x/a".into(), "*/*", 10))?;
        let first = String::from_utf8_lossy(&a.response("a").ok()?.body).into_owned();
        let b = fetch.get(Request::get(format!("http://x/{first}b"), "*/*", 10));
        let c = fetch.get(Request::get(format!("http://x/{first}c"), "*/*", 10));
        let body = |r: &Reply| String::from_utf8_lossy(&r.response("").unwrap().body).into_owned();
        Some(format!("{first}{}{}", body(b?), body(c?)))
    }

    #[test]
    fn a_body_is_hashed_once_however_often_replays_ask() {
        let response = Response::new(200, vec![], b"content".to_vec());
        let first = response.digest(HashAlgorithm::Sha256);
        assert_eq!(first, HashAlgorithm::Sha256.digest(b"content"));
        assert!(std::ptr::eq(first, response.digest(HashAlgorithm::Sha256)), "computed again");
        assert_eq!(response.digest(HashAlgorithm::Sha512), HashAlgorithm::Sha512.digest(b"content"));
        assert_eq!(response, Response::new(200, vec![], b"content".to_vec()), "the memo is not part of equality");
    }

    #[test]
    fn a_walk_asks_round_by_round_and_independent_requests_together() {
        let mut exchange = Exchange::default();
        let mut rounds = Vec::new();
        let result = exchange
            .complete(walk, |r| {
                rounds.push(r.url.clone());
                ok(r.url.rsplit('/').next().unwrap())
            })
            .unwrap();
        assert_eq!(result.as_deref(), Some("aabac"));
        assert_eq!(rounds, ["http://x/a", "http://x/ab", "http://x/ac"]);
    }

    #[test]
    fn replies_are_bounded_and_must_match_what_was_asked() {
        let mut exchange = Exchange::default();
        assert!(exchange.run(walk).unwrap().is_none());
        assert_eq!(exchange.outstanding().len(), 1);
        assert_eq!(exchange.run(walk).unwrap_err().code, ErrorCode::InvalidInput);
        let err = exchange.answer(0, ok("far too long for ten")).unwrap_err();
        assert_eq!(err.code, ErrorCode::LimitExceeded);
        assert_eq!(exchange.answer(1, ok("a")).unwrap_err().code, ErrorCode::InvalidInput);
        exchange.answer(0, Reply::Failed("timed out".into())).unwrap();
        assert_eq!(exchange.run(walk).unwrap(), Some(None));
    }

    #[test]
    fn all_replies_together_are_bounded() {
        const MIB: usize = 1 << 20;
        let count = limits::MAX_FETCHED_BYTES / MIB + 1;
        let mut exchange = Exchange::default();
        let walk = |fetch: &mut Fetch<'_>| {
            for i in 0..count {
                fetch.get(Request::get(format!("http://x/{i}"), "*/*", MIB));
            }
        };
        let err = exchange.complete(walk, |_| Reply::Response(Response::new(200, vec![], vec![0; MIB]))).unwrap_err();
        assert_eq!(err.code, ErrorCode::LimitExceeded);
    }

    #[test]
    fn a_walk_cannot_ask_for_more_than_the_request_limit() {
        let mut exchange = Exchange::default();
        let many = |fetch: &mut Fetch<'_>| {
            for i in 0..=limits::MAX_REQUESTS {
                fetch.get(Request::get(format!("http://x/{i}"), "*/*", 1));
            }
        };
        assert_eq!(exchange.run(many).unwrap_err().code, ErrorCode::LimitExceeded);
    }
}
