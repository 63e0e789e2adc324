//! A trusted root refreshed through TUF, and what is used when the repository cannot be: the
//! policy every runtime of the package follows. Online, the client's cache is its trusted state;
//! when the update fails (or the caller is offline), the cache is re-verified offline from the
//! pinned root, and failing that the trusted root embedded in the package for the same instance
//! is used: always with a warning that says why, never an unverified file.

use std::collections::BTreeMap;

use serde::Serialize;

use super::updater::{update, Mode, Persist, Repository, Start, TargetRequest, Update, Updated};
use crate::crypto::SignatureBackend;
use crate::error::{fail, ErrorCode, Result};
use crate::http::{Fetch, Poll};
use crate::time::Timestamp;

/// The target every refresh fetches.
pub const TRUSTED_ROOT_TARGET: &str = "trusted_root.json";
/// Where the cache keeps the verified target: not a metadata file name (those are
/// percent-encoded and end in `.json` without a folder).
pub const TARGET_ENTRY: &str = "targets/trusted_root.json";
/// Where the cache keeps the time of the last successful refresh.
pub const REFRESHED_ENTRY: &str = "refreshed";

/// Sigstore's TUF repositories and GitHub's instance's, by the name of the root pinned for each,
/// and the trusted root embedded in the package for the same instance.
pub const REPOSITORIES: [(&str, &str); 3] = [
    ("production", "https://tuf-repo-cdn.sigstore.dev"),
    ("staging", "https://tuf-repo-cdn.sigstage.dev"),
    ("github", "https://tuf-repo.github.com"),
];

/// What a refresh starts from.
#[derive(Clone, Debug)]
pub struct RefreshRequest {
    pub repository: Repository,
    /// The repository's base URL, for messages.
    pub url: String,
    /// The root pinned for the repository (`root.json` bytes).
    pub pinned: Vec<u8>,
    /// The package's embedded trusted root of the same instance (`"production"`, `"staging"`),
    /// when the pinned root is one of Sigstore's.
    pub embedded: Option<&'static str>,
    /// The client's cache: metadata files, [`TARGET_ENTRY`] and [`REFRESHED_ENTRY`].
    pub cached: BTreeMap<String, Vec<u8>>,
    pub now: Timestamp,
    /// Use the cache without asking the repository.
    pub offline: bool,
}

/// The trusted root to verify with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshedRoot {
    /// `trusted_root.json` text, verified through TUF (now, or from the cache).
    Json(String),
    /// The package's embedded root of this name.
    Embedded(&'static str),
}

/// Where the trusted root came from, as a verifier reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RootSource {
    /// `tuf` (refreshed now), `cache` (the last one verified through TUF, re-verified offline) or
    /// `embedded`.
    pub source: &'static str,
    /// The version of the trusted TUF root; absent for the embedded root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_version: Option<u64>,
    /// The version of the trusted TUF timestamp; absent for the embedded root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_version: Option<u64>,
    /// When the TUF metadata expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Timestamp>,
    /// When the root was last refreshed through TUF.
    pub refreshed: Option<String>,
    /// Why the repository could not be used, and what was used instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// The end of a refresh: the files for the client to keep, whatever happened, and the root.
#[derive(Debug)]
pub struct Refreshed {
    /// The files to write to the client's cache, by the names it passes back as `cached`.
    pub persist: Vec<Persist>,
    /// The trusted root and where it came from, or why there is none to use.
    pub result: Result<(RefreshedRoot, RootSource)>,
}

/// Refreshes the trusted root (see the module's documentation).
pub fn refresh(fetch: &mut Fetch<'_>, request: &RefreshRequest, backend: &dyn SignatureBackend) -> Poll<Refreshed> {
    let metadata: BTreeMap<String, Vec<u8>> = request
        .cached
        .iter()
        .filter(|(name, _)| *name != TARGET_ENTRY && *name != REFRESHED_ENTRY)
        .map(|(name, bytes)| (name.clone(), bytes.clone()))
        .collect();
    let cached_target = request.cached.get(TARGET_ENTRY).map(Vec::as_slice);
    let target = TargetRequest { path: TRUSTED_ROOT_TARGET, cached: cached_target };
    let run = |fetch: &mut Fetch<'_>, root: &[u8], mode| {
        let start = Start { root, cached: &metadata, now: request.now, mode };
        update(fetch, &request.repository, start, Some(target), backend)
    };
    if request.offline {
        return Poll::Ready(fall_back(request, None, Vec::new(), || {
            ready_offline(run(fetch, &request.pinned, Mode::Offline))
        }));
    }
    let root = request.cached.get("root.json").unwrap_or(&request.pinned);
    let Poll::Ready(Update { mut persist, result }) = run(fetch, root, Mode::Online) else {
        return Poll::Pending;
    };
    Poll::Ready(match result {
        Ok(updated) => {
            let refreshed = request.now.to_string();
            persist.push(Persist { name: REFRESHED_ENTRY.to_owned(), bytes: refreshed.clone().into_bytes() });
            let target = updated.target.as_ref();
            if let Some(target) = target.filter(|t| !t.from_cache) {
                persist.push(Persist { name: TARGET_ENTRY.to_owned(), bytes: target.bytes.clone() });
            }
            Refreshed { result: verified(&updated, "tuf", Some(refreshed), None), persist }
        }
        Err(error) => {
            let why = format!("{}: {}", error.code.as_str(), error.message);
            fall_back(request, Some(why), persist, || ready_offline(run(fetch, &request.pinned, Mode::Offline)))
        }
    })
}

/// An offline update's outcome: it asks for nothing, so it is never pending.
fn ready_offline(poll: Poll<Update>) -> Result<Updated> {
    poll.finished().and_then(|update| update.result)
}

/// The cache re-verified from the pinned root (`offline`); else the embedded trusted root.
fn fall_back(
    request: &RefreshRequest,
    why: Option<String>,
    persist: Vec<Persist>,
    offline: impl FnOnce() -> Result<Updated>,
) -> Refreshed {
    let refreshed = request.cached.get(REFRESHED_ENTRY).map(|bytes| String::from_utf8_lossy(bytes).into_owned());
    let reason = match &why {
        Some(why) => format!("the TUF repository {} could not be used ({why})", request.url),
        None => "offline".to_owned(),
    };
    let cached = request.cached.contains_key(TARGET_ENTRY);
    let mut failure = why;
    if cached {
        match offline() {
            Ok(updated) => {
                let stale = if updated.expired {
                    format!("; its TUF metadata expired at {}", updated.expires)
                } else {
                    String::new()
                };
                let when = refreshed.as_ref().map_or_else(|| "through TUF".to_owned(), |at| format!("at {at}"));
                let warning = format!("{reason}: using the trusted root last verified {when}{stale}");
                return Refreshed { result: verified(&updated, "cache", refreshed, Some(warning)), persist };
            }
            Err(error) => {
                let before = failure.unwrap_or_else(|| "offline".to_owned());
                failure = Some(format!("{before}; the cache does not verify: {}", error.message));
            }
        }
    }
    let Some(name) = request.embedded else {
        let why = failure.unwrap_or_else(|| "nothing is cached to use offline".to_owned());
        return Refreshed { result: fail(ErrorCode::Tuf, format!("no verified trusted root: {why}")), persist };
    };
    let nothing = if cached { "" } else { " and nothing verified is cached" };
    let warning = format!("{reason}{nothing}: using the trusted root embedded in this package");
    let source = RootSource {
        source: "embedded",
        root_version: None,
        timestamp_version: None,
        expires: None,
        refreshed: None,
        warning: Some(warning),
    };
    Refreshed { result: Ok((RefreshedRoot::Embedded(name), source)), persist }
}

/// The verified target as the trusted root, and where it came from.
fn verified(
    updated: &Updated,
    source: &'static str,
    refreshed: Option<String>,
    warning: Option<String>,
) -> Result<(RefreshedRoot, RootSource)> {
    let Some(target) = &updated.target else {
        return fail(ErrorCode::Tuf, format!("the update found no {TRUSTED_ROOT_TARGET}"));
    };
    let Ok(json) = String::from_utf8(target.bytes.clone()) else {
        return fail(ErrorCode::Tuf, format!("{TRUSTED_ROOT_TARGET} is not UTF-8 text"));
    };
    let source = RootSource {
        source,
        root_version: Some(updated.root_version),
        timestamp_version: Some(updated.timestamp_version),
        expires: Some(updated.expires),
        refreshed,
        warning,
    };
    Ok((RefreshedRoot::Json(json), source))
}
