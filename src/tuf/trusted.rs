//! The metadata a client trusts during one update, and every check a new file must pass to join
//! it (TUF specification 1.0, section 5). Files join in the specification's order: root, then
//! timestamp, snapshot, targets, delegated targets.
//!
//! An expired timestamp or snapshot still joins, and then fails the step: the next file is checked
//! for rollback against it, which is why a cached expired file is loaded at all.

use std::collections::BTreeMap;

use super::keys::check_threshold;
use super::metadata::{
    check_length_and_hashes, parse_root, parse_snapshot, parse_targets, parse_timestamp, Envelope, Header, RoleType,
    Root, Snapshot, Targets, TimestampRole,
};
use crate::crypto::SignatureBackend;
use crate::error::{fail, ErrorCode, Result};
use crate::time::Timestamp;

/// A new timestamp either replaced the trusted one or was of the same version (then the trusted
/// one stays, and nothing is persisted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampUpdate {
    Replaced,
    SameVersion,
}

/// What an expired file does to an update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// It fails the update, as the specification says.
    Enforce,
    /// It is noted (`TrustedSet::expired`) and the update goes on: for re-verifying a cache
    /// offline, where no newer file can be had, and every other check still holds.
    Report,
}

#[derive(Clone, Debug)]
pub struct TrustedSet {
    now: Timestamp,
    expiry: Expiry,
    expired: std::cell::Cell<bool>,
    root: Envelope<Root>,
    timestamp: Option<Envelope<TimestampRole>>,
    snapshot: Option<Envelope<Snapshot>>,
    /// `targets` and the delegated roles loaded so far, by role name.
    targets: BTreeMap<String, Envelope<Targets>>,
}

impl TrustedSet {
    /// Starts from a trusted root (pinned, or the last one verified): it must be signed by a
    /// threshold of its own root keys. Its expiry is checked only once newer roots are loaded.
    pub fn new(root: &[u8], now: Timestamp, expiry: Expiry, backend: &dyn SignatureBackend) -> Result<Self> {
        let root = parse_root(root)?;
        let role = &root.signed.root;
        check_threshold(&root.canonical, &root.signatures, role, &root.signed.keys, backend, "the trusted root.json")?;
        let expired = std::cell::Cell::new(false);
        Ok(Self { now, expiry, expired, root, timestamp: None, snapshot: None, targets: BTreeMap::new() })
    }

    /// Whether a file that joined had expired (with `Expiry::Report`; with `Enforce` it failed).
    pub fn expired(&self) -> bool {
        self.expired.get()
    }

    pub fn root(&self) -> &Root {
        &self.root.signed
    }

    pub fn timestamp(&self) -> Option<&TimestampRole> {
        self.timestamp.as_ref().map(|t| &t.signed)
    }

    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref().map(|s| &s.signed)
    }

    pub fn targets(&self, role: &str) -> Option<&Targets> {
        self.targets.get(role).map(|t| &t.signed)
    }

    /// Root version N+1: signed by a threshold of the trusted root's root keys and of its own,
    /// and of exactly the next version.
    pub fn update_root(&mut self, bytes: &[u8], backend: &dyn SignatureBackend) -> Result<()> {
        if self.timestamp.is_some() {
            return fail(ErrorCode::Tuf, "a root cannot be loaded after the timestamp");
        }
        let new = parse_root(bytes)?;
        let trusted = &self.root.signed;
        let what = format!("root.json version {}", new.signed.header.version);
        check_threshold(
            &new.canonical,
            &new.signatures,
            &trusted.root,
            &trusted.keys,
            backend,
            &format!("{what}, by the trusted root's keys"),
        )?;
        let expected = trusted.header.version.checked_add(1);
        if Some(new.signed.header.version) != expected {
            return fail(
                ErrorCode::Tuf,
                format!("{what} follows version {}: each root must be the next version", trusted.header.version),
            );
        }
        check_threshold(
            &new.canonical,
            &new.signatures,
            &new.signed.root,
            &new.signed.keys,
            backend,
            &format!("{what}, by its own keys"),
        )?;
        self.root = new;
        Ok(())
    }

    pub fn update_timestamp(&mut self, bytes: &[u8], backend: &dyn SignatureBackend) -> Result<TimestampUpdate> {
        if self.snapshot.is_some() {
            return fail(ErrorCode::Tuf, "a timestamp cannot be loaded after the snapshot");
        }
        self.check_root_not_expired()?;
        let new = parse_timestamp(bytes)?;
        self.check_signed_by_top_role(&new.canonical, &new.signatures, RoleType::Timestamp, backend)?;
        if let Some(trusted) = &self.timestamp {
            let (old, version) = (&trusted.signed, new.signed.header.version);
            if version < old.header.version {
                return fail(
                    ErrorCode::Tuf,
                    format!(
                        "timestamp.json version {version} is older than the trusted version {}",
                        old.header.version
                    ),
                );
            }
            if version == old.header.version {
                return Ok(TimestampUpdate::SameVersion);
            }
            if new.signed.snapshot.version < old.snapshot.version {
                return fail(
                    ErrorCode::Tuf,
                    format!(
                        "timestamp.json lists snapshot version {}, older than the trusted {}",
                        new.signed.snapshot.version, old.snapshot.version
                    ),
                );
            }
        }
        let header = new.signed.header;
        self.timestamp = Some(new);
        self.check_not_expired(&header, "timestamp.json")?;
        Ok(TimestampUpdate::Replaced)
    }

    /// `from_cache`: the file is the client's own copy, so the timestamp's hashes (which name the
    /// repository's newest snapshot) are not held against it; its version still is, as final.
    pub fn update_snapshot(&mut self, bytes: &[u8], from_cache: bool, backend: &dyn SignatureBackend) -> Result<()> {
        let Some(timestamp) = &self.timestamp else {
            return fail(ErrorCode::Tuf, "a snapshot cannot be loaded before the timestamp");
        };
        if !self.targets.is_empty() {
            return fail(ErrorCode::Tuf, "a snapshot cannot be loaded after targets");
        }
        self.check_not_expired(&timestamp.signed.header, "timestamp.json")?;
        let listed = &timestamp.signed.snapshot;
        if !from_cache {
            check_length_and_hashes(bytes, listed.length, &listed.hashes, "snapshot.json")?;
        }
        let new = parse_snapshot(bytes)?;
        self.check_signed_by_top_role(&new.canonical, &new.signatures, RoleType::Snapshot, backend)?;
        if let Some(trusted) = &self.snapshot {
            for (name, old) in &trusted.signed.meta {
                match new.signed.meta.get(name) {
                    None => return fail(ErrorCode::Tuf, format!("snapshot.json no longer lists {name}")),
                    Some(info) if info.version < old.version => {
                        return fail(
                            ErrorCode::Tuf,
                            format!(
                                "snapshot.json lists {name} version {}, older than the trusted {}",
                                info.version, old.version
                            ),
                        )
                    }
                    Some(_) => {}
                }
            }
        }
        self.snapshot = Some(new);
        self.check_final_snapshot()
    }

    /// The trusted snapshot is the one the timestamp names, and not expired.
    fn check_final_snapshot(&self) -> Result<()> {
        let (Some(snapshot), Some(timestamp)) = (&self.snapshot, &self.timestamp) else {
            return fail(ErrorCode::Tuf, "no trusted snapshot");
        };
        self.check_not_expired(&snapshot.signed.header, "snapshot.json")?;
        let (have, want) = (snapshot.signed.header.version, timestamp.signed.snapshot.version);
        if have != want {
            return fail(
                ErrorCode::Tuf,
                format!("snapshot.json is version {have}; timestamp.json lists version {want}"),
            );
        }
        Ok(())
    }

    /// Targets metadata of `role`, delegated by `delegator` (`root` for the top-level `targets`):
    /// listed in the snapshot with this version (and length and hashes, if given), signed by a
    /// threshold of the keys the delegator names for it, and not expired.
    pub fn update_targets(
        &mut self,
        bytes: &[u8],
        role: &str,
        delegator: &str,
        backend: &dyn SignatureBackend,
    ) -> Result<()> {
        self.check_final_snapshot()?;
        let what = format!("{role} targets metadata");
        let Some(listed) = self.snapshot.as_ref().and_then(|s| s.signed.meta.get(&format!("{role}.json"))) else {
            return fail(ErrorCode::Tuf, format!("snapshot.json does not list {role}.json"));
        };
        check_length_and_hashes(bytes, listed.length, &listed.hashes, &what)?;
        let new = parse_targets(bytes, role)?;
        if delegator == RoleType::Root.name() {
            self.check_signed_by_top_role(&new.canonical, &new.signatures, RoleType::Targets, backend)?;
        } else {
            let Some(parent) = self.targets.get(delegator) else {
                return fail(ErrorCode::Tuf, format!("{what}: its delegator {delegator} is not loaded"));
            };
            let delegations = parent.signed.delegations.as_ref();
            let Some((keys, delegated)) =
                delegations.and_then(|d| d.roles.iter().find(|r| r.name == role).map(|r| (&d.keys, r)))
            else {
                return fail(ErrorCode::Tuf, format!("{what}: {delegator} does not delegate to it"));
            };
            check_threshold(&new.canonical, &new.signatures, &delegated.keys, keys, backend, &what)?;
        }
        let header = new.signed.header;
        if header.version != listed.version {
            return fail(
                ErrorCode::Tuf,
                format!("{what} is version {}; snapshot.json lists {}", header.version, listed.version),
            );
        }
        self.check_not_expired(&header, &what)?;
        self.targets.insert(role.to_owned(), new);
        Ok(())
    }

    fn check_root_not_expired(&self) -> Result<()> {
        self.check_not_expired(&self.root.signed.header, "the final root.json")
    }

    fn check_not_expired(&self, header: &Header, what: &str) -> Result<()> {
        if !header.is_expired(self.now) {
            return Ok(());
        }
        self.expired.set(true);
        match self.expiry {
            Expiry::Report => Ok(()),
            Expiry::Enforce => {
                fail(ErrorCode::Tuf, format!("{what} (version {}) expired at {}", header.version, header.expires))
            }
        }
    }

    fn check_signed_by_top_role(
        &self,
        canonical: &[u8],
        signatures: &BTreeMap<String, Vec<u8>>,
        role: RoleType,
        backend: &dyn SignatureBackend,
    ) -> Result<()> {
        let root = &self.root.signed;
        let what = format!("{}.json", role.name());
        check_threshold(canonical, signatures, root.role(role), &root.keys, backend, &what)
    }
}
