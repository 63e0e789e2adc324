//! The TUF client workflow as a walk (see `crate::http`): it asks for metadata files by URL and
//! maximum length, reads the client's cached files from a map, and ends with what to persist
//! (raw bytes, as received, in the order received) and the verified target.
//!
//! Its order of requests is the specification's and python-tuf's, which the conformance suite
//! watches: roots N+1, N+2, ... until one is not found; the timestamp; the snapshot and targets
//! unless the cached ones are still final; delegated roles in pre-order as the target search
//! reaches them; the target itself unless the cached copy matches.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::metadata::{check_length_and_hashes, RoleType, TargetFile};
use super::trusted::{Expiry, TimestampUpdate, TrustedSet};
use crate::crypto::SignatureBackend;
use crate::error::{fail, ErrorCode, Result};
use crate::http::{ready, Fetch, Poll, Reply, Request};
use crate::limits::{
    MAX_DELEGATIONS, MAX_ROOT_BYTES, MAX_ROOT_ROTATIONS, MAX_SNAPSHOT_BYTES, MAX_TARGETS_BYTES, MAX_TARGET_BYTES,
    MAX_TIMESTAMP_BYTES,
};
use crate::time::Timestamp;

/// Where a repository is: metadata and targets base URLs, each ending in `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repository {
    metadata_url: String,
    targets_url: String,
}

impl Repository {
    /// A repository at these base URLs, with the final `/` added where it is missing.
    pub fn new(metadata_url: &str, targets_url: &str) -> Self {
        let slash = |url: &str| if url.ends_with('/') { url.to_owned() } else { format!("{url}/") };
        Self { metadata_url: slash(metadata_url), targets_url: slash(targets_url) }
    }
}

/// Where an update starts and where its files come from.
#[derive(Clone, Copy, Debug)]
pub struct Start<'a> {
    /// The root trusted at the start: the client's last verified `root.json`, or the pinned one.
    pub root: &'a [u8],
    /// The client's files by name (as `Persist` names them).
    pub cached: &'a BTreeMap<String, Vec<u8>>,
    pub now: Timestamp,
    pub mode: Mode,
}

/// Where an update reads the repository's files from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// From the repository, with the cached files as the client's trusted state.
    Online,
    /// No requests: the cache is the repository, re-verified from `root` (the pinned root, through
    /// the history of roots the cache keeps) with every check but expiry, which is reported.
    Offline,
}

/// The name each verified root version is also kept under, so that a cache can be re-verified
/// offline from the pinned root.
pub fn root_history_name(version: u64) -> String {
    format!("root_history/{version}.root.json")
}

/// What the update asks for besides the top-level metadata: one target, and the client's cached
/// copy of it (used, without a download, when it matches the verified length and hashes).
#[derive(Clone, Copy, Debug)]
pub struct TargetRequest<'a> {
    pub path: &'a str,
    pub cached: Option<&'a [u8]>,
}

/// A metadata file for the client to keep, under the name it is read back by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Persist {
    /// A role's `file_name` (`root.json`, …) or a `root_history_name`; a refresh adds entries of
    /// its own (`TARGET_ENTRY`, `REFRESHED_ENTRY`).
    pub name: String,
    /// The file as received.
    pub bytes: Vec<u8>,
}

/// The end of an update. Files verified before a failure are still to be persisted: a new root
/// stays trusted even when the timestamp after it fails.
#[derive(Debug)]
pub struct Update {
    /// The files to keep, in the order they were verified; each name appears once.
    pub persist: Vec<Persist>,
    /// What the update verified, or why it failed.
    pub result: Result<Updated>,
}

/// The trusted metadata a successful update ends with, and the target it was asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Updated {
    /// The version of the trusted root.
    pub root_version: u64,
    /// The version of the trusted timestamp.
    pub timestamp_version: u64,
    /// The version of the trusted snapshot.
    pub snapshot_version: u64,
    /// The version of the trusted top-level targets.
    pub targets_version: u64,
    /// The earliest expiry among the trusted files: when an update is due at the latest.
    pub expires: Timestamp,
    /// Offline only: a file had expired (online, that fails the update).
    pub expired: bool,
    /// The target asked for, verified against the metadata; `None` when none was asked for.
    #[serde(skip)]
    pub target: Option<Target>,
}

/// A target file whose length and hashes match what the trusted metadata lists for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The target's path, as the targets metadata names it.
    pub path: String,
    /// The file's content.
    pub bytes: Vec<u8>,
    /// The client's cached copy matched: nothing was downloaded.
    pub from_cache: bool,
}

/// The name a role's file is kept under: percent-encoded, so that no role name reaches a file
/// system as a path (python-tuf's CVE-2021-41131).
pub fn file_name(role: &str) -> String {
    format!("{}.json", percent_encode(role))
}

/// Encodes every byte but ASCII letters, digits and `-._~` (Python's `quote(name, safe="")`).
pub fn percent_encode(text: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Updates the client's metadata from `repository` (or, offline, from its cache), and fetches
/// `target` if given.
pub fn update(
    fetch: &mut Fetch<'_>,
    repository: &Repository,
    start: Start<'_>,
    target: Option<TargetRequest<'_>>,
    backend: &dyn SignatureBackend,
) -> Poll<Update> {
    let mut walk = Walk { fetch, repository, start, backend, persist: Vec::new() };
    match walk.run(target) {
        Ok(Poll::Pending) => Poll::Pending,
        Ok(Poll::Ready(updated)) => Poll::Ready(Update { persist: walk.persist, result: Ok(updated) }),
        Err(error) => Poll::Ready(Update { persist: walk.persist, result: Err(error) }),
    }
}

struct Walk<'w, 'f> {
    fetch: &'w mut Fetch<'f>,
    repository: &'w Repository,
    start: Start<'w>,
    backend: &'w dyn SignatureBackend,
    persist: Vec<Persist>,
}

/// A file the walk reads: from the repository online, from the cache offline.
enum File<'a> {
    Root(u64),
    Timestamp,
    /// A snapshot or targets role, at the version listed for it.
    Role(&'a str, u64),
}

impl Walk<'_, '_> {
    fn offline(&self) -> bool {
        self.start.mode == Mode::Offline
    }

    /// A cached file, as the client's trusted state: online only (offline, the cache is read as
    /// the repository instead).
    fn cached(&self, name: &str) -> Option<&[u8]> {
        match self.start.mode {
            Mode::Online => self.start.cached.get(name).map(Vec::as_slice),
            Mode::Offline => None,
        }
    }

    fn run(&mut self, target: Option<TargetRequest<'_>>) -> Result<Poll<Updated>> {
        let expiry = if self.offline() { Expiry::Report } else { Expiry::Enforce };
        let mut trusted = TrustedSet::new(self.start.root, self.start.now, expiry, self.backend)?;
        ready!(self.load_roots(&mut trusted));
        ready!(self.load_timestamp(&mut trusted));
        ready!(self.load_snapshot(&mut trusted));
        ready!(self.load_targets(&mut trusted, RoleType::Targets.name(), RoleType::Root.name()));
        let found = match target {
            Some(request) => {
                let info = ready!(self.find_target(&mut trusted, request.path));
                Some(ready!(self.download_target(&trusted, request, &info)))
            }
            None => None,
        };
        summarize(&trusted, found)
    }

    fn load_roots(&mut self, trusted: &mut TrustedSet) -> Result<Poll<()>> {
        let first = trusted.root().header.version;
        for version in first.saturating_add(1)..=first.saturating_add(MAX_ROOT_ROTATIONS) {
            let Some(bytes) = ready!(self.get(trusted, &File::Root(version), MAX_ROOT_BYTES, true)) else {
                break;
            };
            trusted.update_root(&bytes, self.backend)?;
            self.keep(&root_history_name(version), bytes.clone());
            self.keep("root.json", bytes);
        }
        Ok(Poll::Ready(()))
    }

    fn load_timestamp(&mut self, trusted: &mut TrustedSet) -> Result<Poll<()>> {
        // The cached timestamp, even expired, is what a new one is checked for rollback against.
        if let Some(bytes) = self.cached("timestamp.json") {
            let _not_final = trusted.update_timestamp(bytes, self.backend);
        }
        let bytes = ready!(self.require(trusted, &File::Timestamp, MAX_TIMESTAMP_BYTES, "timestamp.json"));
        if trusted.update_timestamp(&bytes, self.backend)? == TimestampUpdate::Replaced {
            self.keep("timestamp.json", bytes);
        }
        Ok(Poll::Ready(()))
    }

    fn load_snapshot(&mut self, trusted: &mut TrustedSet) -> Result<Poll<()>> {
        if let Some(bytes) = self.cached("snapshot.json") {
            if trusted.update_snapshot(bytes, true, self.backend).is_ok() {
                return Ok(Poll::Ready(()));
            }
        }
        let Some(listed) = trusted.timestamp().map(|t| t.snapshot.clone()) else {
            return fail(ErrorCode::Tuf, "no trusted timestamp");
        };
        let max = listed_max(listed.length, MAX_SNAPSHOT_BYTES);
        let bytes = ready!(self.require(trusted, &File::Role("snapshot", listed.version), max, "snapshot.json"));
        trusted.update_snapshot(&bytes, false, self.backend)?;
        self.keep("snapshot.json", bytes);
        Ok(Poll::Ready(()))
    }

    fn load_targets(&mut self, trusted: &mut TrustedSet, role: &str, delegator: &str) -> Result<Poll<()>> {
        if trusted.targets(role).is_some() {
            return Ok(Poll::Ready(()));
        }
        let name = file_name(role);
        if let Some(bytes) = self.cached(&name) {
            if trusted.update_targets(bytes, role, delegator, self.backend).is_ok() {
                return Ok(Poll::Ready(()));
            }
        }
        let listed = trusted.snapshot().and_then(|s| s.meta.get(&format!("{role}.json")).cloned());
        let Some(listed) = listed else {
            return fail(ErrorCode::Tuf, format!("role {role} is delegated but snapshot.json does not list it"));
        };
        let max = listed_max(listed.length, MAX_TARGETS_BYTES);
        let bytes = ready!(self.require(trusted, &File::Role(role, listed.version), max, &name));
        trusted.update_targets(&bytes, role, delegator, self.backend)?;
        self.keep(&name, bytes);
        Ok(Poll::Ready(()))
    }

    /// Pre-order depth-first search from `targets`: children in listed order, only those trusted
    /// for `path`; a terminating delegation that covers it ends the search there.
    fn find_target(&mut self, trusted: &mut TrustedSet, path: &str) -> Result<Poll<TargetFile>> {
        let mut to_visit = vec![(RoleType::Targets.name().to_owned(), RoleType::Root.name().to_owned())];
        let mut visited = BTreeSet::new();
        while let Some((role, delegator)) = to_visit.pop() {
            if visited.contains(&role) {
                continue;
            }
            if visited.len() >= MAX_DELEGATIONS {
                return fail(ErrorCode::Tuf, format!("{path}: more than {MAX_DELEGATIONS} roles to search"));
            }
            ready!(self.load_targets(trusted, &role, &delegator));
            let Some(targets) = trusted.targets(&role) else {
                return fail(ErrorCode::Tuf, format!("role {role} did not load"));
            };
            if let Some(file) = targets.targets.get(path) {
                return Ok(Poll::Ready(file.clone()));
            }
            let mut children = Vec::new();
            for child in targets.delegations.iter().flat_map(|d| &d.roles).filter(|r| r.covers(path)) {
                children.push((child.name.clone(), role.clone()));
                if child.terminating {
                    to_visit.clear();
                    break;
                }
            }
            visited.insert(role);
            to_visit.extend(children.into_iter().rev());
        }
        fail(ErrorCode::Tuf, format!("no role of the repository lists the target {path:?}"))
    }

    fn download_target(
        &mut self,
        trusted: &TrustedSet,
        request: TargetRequest<'_>,
        info: &TargetFile,
    ) -> Result<Poll<Target>> {
        let what = format!("target {:?}", request.path);
        if let Some(bytes) = request.cached {
            if check_length_and_hashes(bytes, Some(info.length), &info.hashes, &what).is_ok() {
                return Ok(Poll::Ready(Target {
                    path: request.path.to_owned(),
                    bytes: bytes.to_vec(),
                    from_cache: true,
                }));
            }
        }
        if self.offline() {
            return fail(ErrorCode::Tuf, format!("{what}: the cached copy is not the one the metadata lists"));
        }
        let max = match usize::try_from(info.length) {
            Ok(length) if length <= MAX_TARGET_BYTES => length,
            _ => {
                let message = format!("{what} is {} bytes; the limit is {MAX_TARGET_BYTES}", info.length);
                return fail(ErrorCode::LimitExceeded, message);
            }
        };
        let url = match trusted.root().consistent_snapshot {
            true => {
                let Some(digest) = info.hashes.get("sha256").or_else(|| info.hashes.values().next()) else {
                    return fail(ErrorCode::Tuf, format!("{what} lists no hash"));
                };
                let (dir, name) = match request.path.rsplit_once('/') {
                    Some((dir, name)) => (format!("{dir}/"), name),
                    None => (String::new(), request.path),
                };
                format!("{}{dir}{}.{name}", self.repository.targets_url, crate::encoding::encode_hex(digest))
            }
            false => format!("{}{}", self.repository.targets_url, request.path),
        };
        let bytes = ready!(present(ready!(self.fetch_url(url, max, false)), &what));
        check_length_and_hashes(&bytes, Some(info.length), &info.hashes, &what)?;
        Ok(Poll::Ready(Target { path: request.path.to_owned(), bytes, from_cache: false }))
    }

    /// Where `file` is: its URL online (`N.role.json` with consistent snapshots, else
    /// `role.json`; the role name percent-encoded; roots always versioned), its cache name offline.
    fn location(&self, trusted: &TrustedSet, file: &File<'_>) -> String {
        let base = &self.repository.metadata_url;
        let consistent = trusted.root().consistent_snapshot;
        match (self.start.mode, file) {
            (Mode::Online, File::Root(version)) => format!("{base}{version}.root.json"),
            (Mode::Online, File::Timestamp) => format!("{base}timestamp.json"),
            (Mode::Online, File::Role(role, version)) if consistent => format!("{base}{version}.{}", file_name(role)),
            (Mode::Online, File::Role(role, _)) => format!("{base}{}", file_name(role)),
            (Mode::Offline, File::Root(version)) => root_history_name(*version),
            (Mode::Offline, File::Timestamp) => "timestamp.json".to_owned(),
            (Mode::Offline, File::Role(role, _)) => file_name(role),
        }
    }

    /// A file that must be there.
    fn require(&mut self, trusted: &TrustedSet, file: &File<'_>, max: usize, what: &str) -> Result<Poll<Vec<u8>>> {
        present(ready!(self.get(trusted, file, max, false)), what)
    }

    /// The bytes of `file`; `None` when it is not there (see `fetch_url`).
    fn get(
        &mut self,
        trusted: &TrustedSet,
        file: &File<'_>,
        max: usize,
        absent_ok: bool,
    ) -> Result<Poll<Option<Vec<u8>>>> {
        let location = self.location(trusted, file);
        match self.start.mode {
            Mode::Online => self.fetch_url(location, max, absent_ok),
            Mode::Offline => Ok(Poll::Ready(self.start.cached.get(&location).cloned())),
        }
    }

    /// The body of `url`; `None` when it is not found (404, or 403 as some CDNs answer for a
    /// missing file), which ends the root loop (`absent_ok`) and fails anything else.
    fn fetch_url(&mut self, url: String, max: usize, absent_ok: bool) -> Result<Poll<Option<Vec<u8>>>> {
        let request = Request::get(url.clone(), "application/json", max);
        let Some(reply) = self.fetch.get(request) else {
            return Ok(Poll::Pending);
        };
        let response = match reply {
            Reply::TooLarge => return fail(ErrorCode::Tuf, format!("{url}: larger than the {max} bytes allowed")),
            // A failed transfer's reason names the request already.
            other => other.response("the repository")?,
        };
        match response.status {
            200..=299 => Ok(Poll::Ready(Some(response.body.clone()))),
            404 => Ok(Poll::Ready(None)),
            403 if absent_ok => Ok(Poll::Ready(None)),
            status => fail(ErrorCode::Network, format!("{url}: HTTP {status}")),
        }
    }

    fn keep(&mut self, name: &str, bytes: Vec<u8>) {
        self.persist.retain(|p| p.name != name);
        self.persist.push(Persist { name: name.to_owned(), bytes });
    }
}

/// The bytes of a file that must be there.
fn present(found: Option<Vec<u8>>, what: &str) -> Result<Poll<Vec<u8>>> {
    match found {
        Some(bytes) => Ok(Poll::Ready(bytes)),
        None => fail(ErrorCode::Tuf, format!("{what} was not found")),
    }
}

/// The listed length as the most to read (a longer body is refused unread), else `default`.
fn listed_max(length: Option<u64>, default: usize) -> usize {
    length.and_then(|l| usize::try_from(l).ok()).unwrap_or(default)
}

fn summarize(trusted: &TrustedSet, target: Option<Target>) -> Result<Poll<Updated>> {
    let (Some(timestamp), Some(snapshot), Some(targets)) =
        (trusted.timestamp(), trusted.snapshot(), trusted.targets(RoleType::Targets.name()))
    else {
        return fail(ErrorCode::Tuf, "the update ended without trusted top-level metadata");
    };
    let root = trusted.root();
    let expires = [root.header, timestamp.header, snapshot.header, targets.header].iter().map(|h| h.expires).min();
    Ok(Poll::Ready(Updated {
        root_version: root.header.version,
        timestamp_version: timestamp.header.version,
        snapshot_version: snapshot.header.version,
        targets_version: targets.header.version,
        expires: expires.unwrap_or(root.header.expires),
        expired: trusted.expired(),
        target,
    }))
}
