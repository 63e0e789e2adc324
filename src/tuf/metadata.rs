//! TUF metadata files (root, timestamp, snapshot, targets), parsed strictly: each field the client
//! reads must be there with its type, and malformed values refuse the file. Fields the
//! specification does not define are kept, since they are signed (they are in the canonical
//! bytes), and otherwise ignored.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::Value;

use super::canonical;
use super::keys::{Key, KeyEntry, RawKey, Threshold};
use crate::crypto::HashAlgorithm;
use crate::encoding::decode_hex;
use crate::error::{fail, ErrorCode, Result};
use crate::time::Timestamp;

/// The top-level roles, by the name their files and `_type` carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleType {
    Root,
    Timestamp,
    Snapshot,
    Targets,
}

impl RoleType {
    pub const fn name(self) -> &'static str {
        match self {
            Self::Root => "root",
            Self::Timestamp => "timestamp",
            Self::Snapshot => "snapshot",
            Self::Targets => "targets",
        }
    }

    /// Whether `name` is a top-level role's: no delegated role may take one.
    pub fn is_top_level(name: &str) -> bool {
        ["root", "timestamp", "snapshot", "targets"].contains(&name)
    }
}

/// A metadata file: what is signed, the canonical bytes the signatures are over, and the
/// signatures by key ID.
#[derive(Clone, Debug)]
pub struct Envelope<T> {
    pub signed: T,
    pub(crate) canonical: Vec<u8>,
    /// Signatures by key ID; one that is not hex is kept empty, and so never verifies.
    pub(crate) signatures: BTreeMap<String, Vec<u8>>,
}

/// What every role's `signed` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub version: u64,
    pub expires: Timestamp,
}

impl Header {
    pub fn is_expired(&self, now: Timestamp) -> bool {
        now >= self.expires
    }
}

#[derive(Clone, Debug)]
pub struct Root {
    pub header: Header,
    pub consistent_snapshot: bool,
    pub keys: BTreeMap<String, KeyEntry>,
    pub root: Threshold,
    pub timestamp: Threshold,
    pub snapshot: Threshold,
    pub targets: Threshold,
}

impl Root {
    pub fn role(&self, role: RoleType) -> &Threshold {
        match role {
            RoleType::Root => &self.root,
            RoleType::Timestamp => &self.timestamp,
            RoleType::Snapshot => &self.snapshot,
            RoleType::Targets => &self.targets,
        }
    }
}

/// A metadata or target file's expected version or length and hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    pub version: u64,
    pub length: Option<u64>,
    /// Hash algorithm name to digest, as listed (unknown algorithms included: they refuse the
    /// file when it is checked).
    pub hashes: BTreeMap<String, Vec<u8>>,
}

#[derive(Clone, Debug)]
pub struct TimestampRole {
    pub header: Header,
    pub snapshot: FileInfo,
}

#[derive(Clone, Debug)]
pub struct Snapshot {
    pub header: Header,
    /// By file name: `targets.json` and `<delegated role>.json`.
    pub meta: BTreeMap<String, FileInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetFile {
    pub length: u64,
    pub hashes: BTreeMap<String, Vec<u8>>,
}

#[derive(Clone, Debug)]
pub struct Targets {
    pub header: Header,
    pub targets: BTreeMap<String, TargetFile>,
    pub delegations: Option<Delegations>,
}

#[derive(Clone, Debug)]
pub struct Delegations {
    pub keys: BTreeMap<String, KeyEntry>,
    /// In listed order: the order the target search visits them.
    pub roles: Vec<DelegatedRole>,
}

#[derive(Clone, Debug)]
pub struct DelegatedRole {
    pub name: String,
    pub keys: Threshold,
    pub terminating: bool,
    pub paths: PathSelector,
}

/// Which target paths a delegated role is trusted for.
#[derive(Clone, Debug)]
pub enum PathSelector {
    /// Glob patterns: `*` and `?` match within one path segment, and the segment counts must be
    /// equal (as python-tuf's `fnmatch` per segment).
    Patterns(Vec<String>),
    /// Hex prefixes of the SHA-256 of the target path.
    HashPrefixes(Vec<String>),
}

// ---- parsing

#[derive(Deserialize)]
struct RawEnvelope {
    signatures: Vec<RawSignature>,
    signed: Value,
}

#[derive(Deserialize)]
struct RawSignature {
    keyid: String,
    sig: String,
}

#[derive(Deserialize)]
struct RawHeader {
    #[serde(rename = "_type")]
    kind: String,
    spec_version: String,
    version: u64,
    expires: String,
}

#[derive(Deserialize)]
struct RawRoot {
    consistent_snapshot: Option<bool>,
    keys: BTreeMap<String, RawKey>,
    roles: BTreeMap<String, RawThreshold>,
}

#[derive(Deserialize)]
struct RawThreshold {
    keyids: Vec<String>,
    threshold: i64,
}

#[derive(Deserialize)]
struct RawTimestamp {
    meta: BTreeMap<String, RawFileInfo>,
}

#[derive(Deserialize)]
struct RawSnapshot {
    meta: BTreeMap<String, RawFileInfo>,
}

#[derive(Deserialize)]
struct RawFileInfo {
    version: u64,
    length: Option<u64>,
    hashes: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct RawTargets {
    targets: BTreeMap<String, RawTargetFile>,
    delegations: Option<RawDelegations>,
}

#[derive(Deserialize)]
struct RawTargetFile {
    length: u64,
    hashes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawDelegations {
    keys: BTreeMap<String, RawKey>,
    roles: Option<Vec<RawDelegatedRole>>,
    succinct_roles: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct RawDelegatedRole {
    name: String,
    keyids: Vec<String>,
    threshold: i64,
    terminating: bool,
    paths: Option<Vec<String>>,
    path_hash_prefixes: Option<Vec<String>>,
}

/// A metadata file opened: its header, canonical bytes and signatures.
struct Opened {
    header: Header,
    canonical: Vec<u8>,
    signatures: BTreeMap<String, Vec<u8>>,
}

impl Opened {
    fn with<T>(self, signed: T) -> Envelope<T> {
        Envelope { signed, canonical: self.canonical, signatures: self.signatures }
    }
}

/// Parses a metadata file of the `expected` type: its envelope, canonical bytes and header.
fn open(bytes: &[u8], expected: RoleType, what: &str) -> Result<Opened> {
    let raw: RawEnvelope = serde_json::from_slice(bytes).map_err(|e| malformed(what, e))?;
    let mut signatures = BTreeMap::new();
    for signature in raw.signatures {
        let sig = decode_hex(&signature.sig).unwrap_or_default();
        if signatures.insert(signature.keyid.clone(), sig).is_some() {
            return fail(ErrorCode::Tuf, format!("{what}: two signatures by key {}", signature.keyid));
        }
    }
    let header: RawHeader = typed(bytes, what)?;
    if header.kind != expected.name() {
        return fail(ErrorCode::Tuf, format!("{what}: _type is {:?}, expected {:?}", header.kind, expected.name()));
    }
    check_spec_version(&header.spec_version, what)?;
    if header.version == 0 {
        return fail(ErrorCode::Tuf, format!("{what}: version 0; versions start at 1"));
    }
    let header = Header { version: header.version, expires: parse_expiry(&header.expires, what)? };
    let canonical = canonical::encode(&raw.signed)?;
    Ok(Opened { header, canonical, signatures })
}

fn malformed(what: &str, e: impl std::fmt::Display) -> crate::error::VerificationError {
    crate::error::VerificationError::new(ErrorCode::Tuf, format!("{what} is not valid TUF metadata: {e}"))
}

/// Specification 1.x: a version of another major number may change what the fields mean.
fn check_spec_version(version: &str, what: &str) -> Result<()> {
    let parts: Vec<&str> = version.split('.').collect();
    let numeric = parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if numeric && (2..=3).contains(&parts.len()) && parts.first() == Some(&"1") {
        return Ok(());
    }
    fail(ErrorCode::Tuf, format!("{what}: spec_version {version:?}; this client implements 1.x"))
}

/// `YYYY-MM-DDTHH:MM:SSZ` as the specification writes it, or any RFC 3339 time: Sigstore's first
/// roots carry fractional seconds and an offset, and a client refreshing from them must read them.
fn parse_expiry(text: &str, what: &str) -> Result<Timestamp> {
    match Timestamp::parse_rfc3339(text) {
        Some(t) => Ok(t),
        None => fail(ErrorCode::Tuf, format!("{what}: expires {text:?} is not a time as YYYY-MM-DDTHH:MM:SSZ")),
    }
}

fn threshold(raw: RawThreshold, what: &str) -> Result<Threshold> {
    let unique: BTreeSet<&String> = raw.keyids.iter().collect();
    if unique.len() != raw.keyids.len() {
        return fail(ErrorCode::Tuf, format!("{what}: a key ID is listed twice"));
    }
    match usize::try_from(raw.threshold) {
        Ok(threshold) if threshold >= 1 => Ok(Threshold { keyids: raw.keyids, threshold }),
        _ => fail(ErrorCode::Tuf, format!("{what}: threshold {} is below 1", raw.threshold)),
    }
}

fn keys(raw: BTreeMap<String, RawKey>) -> BTreeMap<String, KeyEntry> {
    raw.into_iter().map(|(id, key)| (id, Key::parse(key))).collect()
}

fn hashes(raw: BTreeMap<String, String>, what: &str) -> Result<BTreeMap<String, Vec<u8>>> {
    raw.into_iter()
        .map(|(name, hex)| match decode_hex(&hex) {
            Some(digest) => Ok((name, digest)),
            None => fail(ErrorCode::Tuf, format!("{what}: the {name} hash is not hex")),
        })
        .collect()
}

fn file_info(raw: RawFileInfo, what: &str) -> Result<FileInfo> {
    if raw.version == 0 {
        return fail(ErrorCode::Tuf, format!("{what}: version 0"));
    }
    let hashes = hashes(raw.hashes.unwrap_or_default(), what)?;
    Ok(FileInfo { version: raw.version, length: raw.length, hashes })
}

/// The file's `signed` read as `T`, from the bytes: each role's fields are read straight from the
/// text (the canonical form is written from the generic value, separately).
fn typed<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    #[derive(Deserialize)]
    struct Signed<T> {
        signed: T,
    }
    serde_json::from_slice::<Signed<T>>(bytes).map(|file| file.signed).map_err(|e| malformed(what, e))
}

pub fn parse_root(bytes: &[u8]) -> Result<Envelope<Root>> {
    let what = "root.json";
    let opened = open(bytes, RoleType::Root, what)?;
    let raw: RawRoot = typed(bytes, what)?;
    let header = opened.header;
    let mut roles = raw.roles;
    let mut role = |name: &str| match roles.remove(name) {
        Some(raw) => threshold(raw, &format!("{what}: role {name}")),
        None => fail(ErrorCode::Tuf, format!("{what}: no {name} role")),
    };
    let root = Root {
        header,
        consistent_snapshot: raw.consistent_snapshot.unwrap_or(false),
        keys: keys(raw.keys),
        root: role("root")?,
        timestamp: role("timestamp")?,
        snapshot: role("snapshot")?,
        targets: role("targets")?,
    };
    Ok(opened.with(root))
}

pub fn parse_timestamp(bytes: &[u8]) -> Result<Envelope<TimestampRole>> {
    let what = "timestamp.json";
    let opened = open(bytes, RoleType::Timestamp, what)?;
    let raw: RawTimestamp = typed(bytes, what)?;
    let header = opened.header;
    let mut meta = raw.meta;
    let (Some(snapshot), true) = (meta.remove("snapshot.json"), meta.is_empty()) else {
        return fail(ErrorCode::Tuf, format!("{what}: meta must list snapshot.json and nothing else"));
    };
    let snapshot = file_info(snapshot, what)?;
    Ok(opened.with(TimestampRole { header, snapshot }))
}

pub fn parse_snapshot(bytes: &[u8]) -> Result<Envelope<Snapshot>> {
    let what = "snapshot.json";
    let opened = open(bytes, RoleType::Snapshot, what)?;
    let raw: RawSnapshot = typed(bytes, what)?;
    let header = opened.header;
    let meta = raw.meta.into_iter().map(|(name, info)| Ok((name, file_info(info, what)?))).collect::<Result<_>>()?;
    Ok(opened.with(Snapshot { header, meta }))
}

/// A targets file: top-level (`targets`) or a delegated role's, named `role` for messages.
pub fn parse_targets(bytes: &[u8], role: &str) -> Result<Envelope<Targets>> {
    let what = format!("{role} targets metadata");
    let opened = open(bytes, RoleType::Targets, &what)?;
    let raw: RawTargets = typed(bytes, &what)?;
    let header = opened.header;
    let targets = raw
        .targets
        .into_iter()
        .map(|(path, file)| Ok((path, TargetFile { length: file.length, hashes: hashes(file.hashes, &what)? })))
        .collect::<Result<_>>()?;
    let delegations = raw.delegations.map(|d| delegations(d, &what)).transpose()?;
    Ok(opened.with(Targets { header, targets, delegations }))
}

fn delegations(raw: RawDelegations, what: &str) -> Result<Delegations> {
    if raw.succinct_roles.is_some() {
        return fail(ErrorCode::Tuf, format!("{what}: succinct hash-bin delegations are not supported"));
    }
    let mut names = BTreeSet::new();
    let mut roles = Vec::new();
    for role in raw.roles.unwrap_or_default() {
        if RoleType::is_top_level(&role.name) || !names.insert(role.name.clone()) {
            return fail(
                ErrorCode::Tuf,
                format!("{what}: delegated role name {:?} is reserved or repeated", role.name),
            );
        }
        let paths = match (role.paths, role.path_hash_prefixes) {
            (Some(patterns), None) => PathSelector::Patterns(patterns),
            (None, Some(prefixes)) => PathSelector::HashPrefixes(prefixes),
            _ => {
                return fail(
                    ErrorCode::Tuf,
                    format!("{what}: delegated role {:?} needs exactly one of paths and path_hash_prefixes", role.name),
                )
            }
        };
        let keys = threshold(
            RawThreshold { keyids: role.keyids, threshold: role.threshold },
            &format!("{what}: delegated role {}", role.name),
        )?;
        roles.push(DelegatedRole { name: role.name, keys, terminating: role.terminating, paths });
    }
    Ok(Delegations { keys: keys(raw.keys), roles })
}

impl DelegatedRole {
    /// Whether this role is trusted for `path`.
    pub fn covers(&self, path: &str) -> bool {
        match &self.paths {
            PathSelector::Patterns(patterns) => patterns.iter().any(|p| glob_matches(p, path)),
            PathSelector::HashPrefixes(prefixes) => {
                let hex = crate::encoding::encode_hex(&HashAlgorithm::Sha256.digest(path.as_bytes()));
                prefixes.iter().any(|prefix| hex.starts_with(prefix.as_str()))
            }
        }
    }
}

/// Segment-wise glob matching: as many segments as the pattern, each matched with `*` (any run)
/// and `?` (one character), case-sensitively. A `*` never crosses a `/`.
fn glob_matches(pattern: &str, path: &str) -> bool {
    let (patterns, segments): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    patterns.len() == segments.len() && patterns.iter().zip(&segments).all(|(p, s)| segment_matches(p, s))
}

fn segment_matches(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Iterative wildcard matching with one backtrack point: linear in practice, never exponential.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || Some(&c) == text.get(t) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern.get(p..).is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// Checks `data` against a file's listed length and hashes: the length exactly, every hash, and
/// an algorithm this client does not know refuses the file (it cannot be checked).
pub fn check_length_and_hashes(
    data: &[u8],
    length: Option<u64>,
    hashes: &BTreeMap<String, Vec<u8>>,
    what: &str,
) -> Result<()> {
    if let Some(length) = length {
        if u64::try_from(data.len()).ok() != Some(length) {
            return fail(ErrorCode::Tuf, format!("{what}: {} bytes where {length} are listed", data.len()));
        }
    }
    for (name, expected) in hashes {
        let Some(algorithm) = HashAlgorithm::from_name(name) else {
            return fail(ErrorCode::Tuf, format!("{what}: hash algorithm {name:?} is not supported"));
        };
        if &algorithm.digest(data) != expected {
            return fail(ErrorCode::Tuf, format!("{what}: its {name} hash is not the one listed"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_segment_by_segment_and_case_sensitively() {
        assert!(glob_matches("*", "a.txt"));
        assert!(!glob_matches("*", "dir/a.txt"));
        assert!(glob_matches("releases/*/*", "releases/x/a.zip"));
        assert!(!glob_matches("releases/*", "releases/x/a.zip"));
        assert!(glob_matches("*.py", "setup.py"));
        assert!(!glob_matches("*.py", "setup.PY"));
        assert!(glob_matches("a?c", "abc"));
        assert!(!glob_matches("a?c", "ac"));
        assert!(glob_matches("registry.npmjs.org/*", "registry.npmjs.org/keys.json"));
        assert!(glob_matches("*a*b*", "xxaxxbxx"));
        assert!(!glob_matches("*a*b*", "xxbxxaxx"));
        assert!(glob_matches("", ""));
    }

    #[test]
    fn spec_versions_of_major_1_only() {
        for ok in ["1.0", "1.0.31", "1.1.0"] {
            assert!(check_spec_version(ok, "x").is_ok(), "{ok}");
        }
        for bad in ["2.0.0", "1", "1.0.0.0", "1.a", "", "01x.0"] {
            assert!(check_spec_version(bad, "x").is_err(), "{bad}");
        }
    }

    #[test]
    fn expiry_in_rfc_3339() {
        assert!(parse_expiry("2030-01-01T00:00:00Z", "x").is_ok());
        let sigstore_first_root = parse_expiry("2021-12-18T13:28:12.99008-06:00", "x").unwrap();
        assert_eq!(sigstore_first_root.unix_seconds(), 1_639_855_692);
        for bad in ["2030-01-01", "2030-13-01T00:00:00Z", "tomorrow", "2030-01-01 00:00:00Z"] {
            assert!(parse_expiry(bad, "x").is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_hash_algorithms_and_wrong_lengths_refuse() {
        let data = b"abc";
        let sha = |name: &str| BTreeMap::from([(name.to_owned(), HashAlgorithm::Sha256.digest(data))]);
        assert!(check_length_and_hashes(data, Some(3), &sha("sha256"), "f").is_ok());
        assert!(check_length_and_hashes(data, Some(4), &sha("sha256"), "f").is_err());
        assert!(check_length_and_hashes(data, None, &sha("md5"), "f").is_err());
        assert!(check_length_and_hashes(b"abd", None, &sha("sha256"), "f").is_err());
    }
}
