//! TUF: an update of any repository (what the TUF conformance client runs), and the trusted
//! root refreshed through Sigstore's (or another) repository with the package's fallback policy.

use std::collections::BTreeMap;

use super::Work;
use crate::crypto::SignatureBackend;
use crate::error::{fail, ErrorCode, Result};
use crate::http::{Fetch, Poll};
use crate::time::Timestamp;
use crate::tuf::refresh::{refresh, RefreshRequest, Refreshed, REPOSITORIES};
use crate::tuf::{update, Mode, Repository, Start, TargetRequest, Update};

/// One TUF update of a repository, from a root and the client's files, fetching a target if
/// asked.
pub struct TufUpdate {
    repository: Repository,
    root: Vec<u8>,
    cached: BTreeMap<String, Vec<u8>>,
    now: Timestamp,
    mode: Mode,
    target: Option<(String, Option<Vec<u8>>)>,
}

impl TufUpdate {
    /// `root`: the root trusted at the start (the cached `root.json`, or the pinned one, which
    /// `Offline` starts from); `cached`: the client's files by name; `target`: a target path to
    /// fetch, with the client's cached copy of it.
    pub fn new(
        repository: Repository,
        root: Vec<u8>,
        cached: BTreeMap<String, Vec<u8>>,
        now: Timestamp,
        mode: Mode,
        target: Option<(String, Option<Vec<u8>>)>,
    ) -> Self {
        Self { repository, root, cached, now, mode, target }
    }
}

impl Work for TufUpdate {
    type Outcome = Update;

    fn run(&self, fetch: &mut Fetch<'_>, backend: &dyn SignatureBackend) -> Poll<Self::Outcome> {
        let start = Start { root: &self.root, cached: &self.cached, now: self.now, mode: self.mode };
        let target = self.target.as_ref().map(|(path, bytes)| TargetRequest { path, cached: bytes.as_deref() });
        update(fetch, &self.repository, start, target, backend)
    }
}

/// The root a refresh starts from: one of Sigstore's, by name, or a `root.json` of the caller's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinnedRoot {
    /// The root pinned for one of the known repositories: `production`, `staging` or `github`.
    Named(String),
    /// A `root.json` of the caller's, as bytes.
    Given(Vec<u8>),
}

impl PinnedRoot {
    /// A known root's name (`"production"`, `"staging"`, `"github"`), or the text of a `root.json`.
    pub fn from_text(text: &str) -> Self {
        match REPOSITORIES.iter().find(|(name, _)| *name == text) {
            Some((name, _)) => Self::Named((*name).to_owned()),
            None => Self::Given(text.as_bytes().to_vec()),
        }
    }
}

/// Where a repository is: its metadata and targets URLs, a named root's by default.
pub fn repository_urls(root: &PinnedRoot, url: Option<&str>, targets_url: Option<&str>) -> Result<(String, String)> {
    let base = match (root, url) {
        (_, Some(url)) => url.trim_end_matches('/').to_owned(),
        (PinnedRoot::Named(name), None) => match REPOSITORIES.iter().find(|(n, _)| n == name) {
            Some((_, url)) => (*url).to_owned(),
            None => return fail(ErrorCode::InvalidInput, unknown_root(name)),
        },
        (PinnedRoot::Given(_), None) => {
            return fail(ErrorCode::InvalidInput, "tuf.url is required with a root of your own")
        }
    };
    let targets = targets_url.map_or_else(|| format!("{base}/targets"), |t| t.trim_end_matches('/').to_owned());
    Ok((base, targets))
}

fn unknown_root(name: &str) -> String {
    format!("tuf.root {name:?} is none of the known repositories: expected \"production\", \"staging\", \"github\", or a root.json")
}

/// The trusted root refreshed through TUF (`tuf::refresh`).
pub struct TrustedRootRefresh {
    request: RefreshRequest,
}

impl TrustedRootRefresh {
    /// `cached`: the client's cache as it read it; `now`: the time of the refresh.
    pub fn new(
        root: PinnedRoot,
        url: Option<&str>,
        targets_url: Option<&str>,
        cached: BTreeMap<String, Vec<u8>>,
        now: Timestamp,
        offline: bool,
    ) -> Result<Self> {
        let (base, targets) = repository_urls(&root, url, targets_url)?;
        let (pinned, embedded) = match &root {
            PinnedRoot::Named(name) => match REPOSITORIES.iter().find(|(n, _)| n == name) {
                Some((name, _)) => (crate::trust::tuf_root(name).unwrap_or_default().to_vec(), Some(*name)),
                None => return fail(ErrorCode::InvalidInput, unknown_root(name)),
            },
            PinnedRoot::Given(bytes) => (bytes.clone(), None),
        };
        let repository = Repository::new(&format!("{base}/"), &format!("{targets}/"));
        Ok(Self { request: RefreshRequest { repository, url: base, pinned, embedded, cached, now, offline } })
    }
}

impl Work for TrustedRootRefresh {
    type Outcome = Refreshed;

    fn run(&self, fetch: &mut Fetch<'_>, backend: &dyn SignatureBackend) -> Poll<Self::Outcome> {
        refresh(fetch, &self.request, backend)
    }
}
