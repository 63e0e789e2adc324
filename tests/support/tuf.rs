//! A TUF repository minted in memory for the client's tests: Ed25519 keys (and one ECDSA P-256
//! key, Sigstore's kind), metadata signed over canonical JSON, consistent snapshots, delegations.
//! Every role is a JSON value the tests may change before publishing, as an attacker or a
//! careless repository would.

use std::collections::BTreeMap;

use ed25519_dalek::Signer as _;
use serde_json::{json, Value};
use sigstore_wasm::crypto::HashAlgorithm;
use sigstore_wasm::encoding::encode_hex;
use sigstore_wasm::error::VerificationError;
use sigstore_wasm::http::{Exchange, Reply, Request, Response};
use sigstore_wasm::time::Timestamp;
use sigstore_wasm::tuf::{self, canonical, Mode, Persist, Repository, Start, TargetRequest, Updated};

pub const NOW: i64 = 1_800_000_000;
pub const EXPIRES: &str = "2030-01-01T00:00:00Z";
pub const EXPIRED: &str = "2020-01-01T00:00:00Z";

pub enum SigningKey {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
}

pub struct Signer {
    pub id: String,
    pub key: SigningKey,
}

impl Signer {
    pub fn ed25519(seed: u8) -> Self {
        Self {
            id: format!("ed25519-{seed}"),
            key: SigningKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[seed; 32])),
        }
    }

    pub fn p256(seed: u8) -> Self {
        let key = p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap();
        Self { id: format!("p256-{seed}"), key: SigningKey::P256(key) }
    }

    pub fn public(&self) -> Value {
        match &self.key {
            SigningKey::Ed25519(k) => json!({
                "keytype": "ed25519", "scheme": "ed25519",
                "keyval": { "public": encode_hex(k.verifying_key().as_bytes()) }
            }),
            SigningKey::P256(k) => {
                use p256::pkcs8::EncodePublicKey;
                let der = k.verifying_key().to_public_key_der().unwrap();
                let b64 = sigstore_wasm::encoding::encode_base64(der.as_bytes());
                json!({
                    "keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256",
                    "keyval": { "public": format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n") }
                })
            }
        }
    }

    pub fn sign(&self, message: &[u8]) -> String {
        match &self.key {
            SigningKey::Ed25519(k) => encode_hex(&k.sign(message).to_bytes()),
            SigningKey::P256(k) => {
                let signature: p256::ecdsa::Signature = k.sign(message);
                encode_hex(signature.to_der().as_bytes())
            }
        }
    }
}

/// Signs `signed` with each signer, as a metadata file.
pub fn sign(signed: &Value, signers: &[&Signer]) -> Vec<u8> {
    let canonical = canonical::encode(signed).unwrap();
    let signatures: Vec<Value> = signers.iter().map(|s| json!({ "keyid": s.id, "sig": s.sign(&canonical) })).collect();
    serde_json::to_vec_pretty(&json!({ "signed": signed, "signatures": signatures })).unwrap()
}

fn role(keyids: &[&Signer], threshold: u64) -> Value {
    json!({ "keyids": keyids.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), "threshold": threshold })
}

/// A repository: roles as values, their signers, and the files it serves by path.
pub struct Repo {
    pub root: Value,
    pub timestamp: Value,
    pub snapshot: Value,
    pub targets: BTreeMap<String, Value>,
    pub signers: BTreeMap<String, Vec<Signer>>,
    pub files: BTreeMap<String, Vec<u8>>,
    pub requests: Vec<String>,
}

impl Repo {
    /// Root v1 (one root key), timestamp, snapshot and targets v1, published.
    pub fn new() -> Self {
        let signers = BTreeMap::from([
            ("root".to_owned(), vec![Signer::ed25519(1)]),
            ("timestamp".to_owned(), vec![Signer::ed25519(2)]),
            ("snapshot".to_owned(), vec![Signer::ed25519(3)]),
            ("targets".to_owned(), vec![Signer::p256(4)]),
        ]);
        let mut keys = serde_json::Map::new();
        let mut roles = serde_json::Map::new();
        for (name, list) in &signers {
            for s in list {
                keys.insert(s.id.clone(), s.public());
            }
            roles.insert(name.clone(), role(&list.iter().collect::<Vec<_>>(), 1));
        }
        let header = |kind: &str| json!({ "_type": kind, "spec_version": "1.0.31", "version": 1, "expires": EXPIRES });
        let mut root = header("root");
        root["consistent_snapshot"] = json!(true);
        root["keys"] = Value::Object(keys);
        root["roles"] = Value::Object(roles);
        let mut timestamp = header("timestamp");
        timestamp["meta"] = json!({ "snapshot.json": { "version": 1 } });
        let mut snapshot = header("snapshot");
        snapshot["meta"] = json!({ "targets.json": { "version": 1 } });
        let mut targets = header("targets");
        targets["targets"] = json!({});
        let mut repo = Self {
            root,
            timestamp,
            snapshot,
            targets: BTreeMap::from([("targets".to_owned(), targets)]),
            signers,
            files: BTreeMap::new(),
            requests: Vec::new(),
        };
        repo.write_root();
        repo.write_targets("targets");
        repo.write_snapshot();
        repo.write_timestamp();
        repo
    }

    pub fn signers(&self, role: &str) -> Vec<&Signer> {
        self.signers.get(role).map(|l| l.iter().collect()).unwrap_or_default()
    }

    fn bump(value: &mut Value) {
        value["version"] = json!(value["version"].as_u64().unwrap() + 1);
    }

    /// The initial root a client pins.
    pub fn initial_root(&self) -> Vec<u8> {
        self.files["metadata/1.root.json"].clone()
    }

    pub fn write_root(&mut self) {
        let bytes = sign(&self.root, &self.signers("root"));
        self.files.insert(format!("metadata/{}.root.json", self.root["version"]), bytes);
    }

    pub fn write_targets(&mut self, name: &str) {
        let value = &self.targets[name];
        let bytes = sign(value, &self.signers(name));
        let file = tuf::updater::file_name(name);
        self.files.insert(format!("metadata/{}.{file}", value["version"]), bytes);
    }

    pub fn write_snapshot(&mut self) {
        let bytes = sign(&self.snapshot, &self.signers("snapshot"));
        self.files.insert(format!("metadata/{}.snapshot.json", self.snapshot["version"]), bytes);
    }

    pub fn write_timestamp(&mut self) {
        let bytes = sign(&self.timestamp, &self.signers("timestamp"));
        self.files.insert("metadata/timestamp.json".to_owned(), bytes);
    }

    pub fn publish_root(&mut self) {
        Self::bump(&mut self.root);
        self.write_root();
    }

    /// A new version of a targets role, and the snapshot and timestamp that list it.
    pub fn publish_targets(&mut self, name: &str) {
        Self::bump(self.targets.get_mut(name).unwrap());
        let version = self.targets[name]["version"].clone();
        self.write_targets(name);
        self.snapshot["meta"][format!("{name}.json")] = json!({ "version": version });
        self.publish_snapshot();
    }

    pub fn publish_snapshot(&mut self) {
        Self::bump(&mut self.snapshot);
        self.write_snapshot();
        self.timestamp["meta"]["snapshot.json"]["version"] = self.snapshot["version"].clone();
        self.publish_timestamp();
    }

    pub fn publish_timestamp(&mut self) {
        Self::bump(&mut self.timestamp);
        self.write_timestamp();
    }

    /// Adds a target file to role `name` (not yet published) and serves it under its hash.
    pub fn add_target(&mut self, name: &str, path: &str, content: &[u8]) {
        let digest = encode_hex(&HashAlgorithm::Sha256.digest(content));
        self.targets.get_mut(name).unwrap()["targets"][path] =
            json!({ "length": content.len(), "hashes": { "sha256": digest } });
        let (dir, file) = path.rsplit_once('/').map_or((String::new(), path), |(d, f)| (format!("{d}/"), f));
        self.files.insert(format!("targets/{dir}{digest}.{file}"), content.to_vec());
    }

    /// Delegates `paths` from `parent` to a new role `name` signed by `signer` (not yet published).
    pub fn delegate(&mut self, parent: &str, name: &str, paths: Value, terminating: bool, signer: Signer) {
        let parent_value = self.targets.get_mut(parent).unwrap();
        if parent_value.get("delegations").is_none() {
            parent_value["delegations"] = json!({ "keys": {}, "roles": [] });
        }
        parent_value["delegations"]["keys"][signer.id.clone()] = signer.public();
        let mut entry =
            json!({ "name": name, "keyids": [signer.id.clone()], "threshold": 1, "terminating": terminating });
        entry["paths"] = paths;
        parent_value["delegations"]["roles"].as_array_mut().unwrap().push(entry);
        let mut targets =
            json!({ "_type": "targets", "spec_version": "1.0.31", "version": 0, "expires": EXPIRES, "targets": {} });
        targets["version"] = json!(0);
        self.targets.insert(name.to_owned(), targets);
        self.signers.insert(name.to_owned(), vec![signer]);
    }

    pub fn serve(&mut self, request: &Request) -> Reply {
        let path = request.url.strip_prefix("https://tuf.example/").unwrap_or(&request.url).to_owned();
        self.requests.push(path.clone());
        match self.files.get(&path) {
            Some(bytes) if bytes.len() > request.max_bytes => Reply::TooLarge,
            Some(bytes) => Reply::Response(Response::new(200, vec![], bytes.clone())),
            None => Reply::Response(Response::new(404, vec![], Vec::new())),
        }
    }
}

/// A client: its cache of metadata files, as the updates leave it.
pub struct Client {
    pub cache: BTreeMap<String, Vec<u8>>,
    pub now: Timestamp,
}

impl Client {
    pub fn new(initial_root: Vec<u8>) -> Self {
        Self { cache: BTreeMap::from([("root.json".to_owned(), initial_root)]), now: Timestamp::from_unix(NOW) }
    }

    /// Refreshes (and fetches `target`, if given) from `repo`, keeping what the update persists.
    pub fn update(&mut self, repo: &mut Repo, target: Option<&str>) -> Result<Updated, VerificationError> {
        let root = self.cache.get("root.json").cloned().unwrap_or_default();
        self.run(repo, target, &root, Mode::Online)
    }

    /// Re-verifies the cache from `pinned` without a request.
    pub fn offline(&mut self, pinned: &[u8], target: Option<&str>) -> Result<Updated, VerificationError> {
        let mut nowhere = Repo { files: BTreeMap::new(), ..Repo::new() };
        let result = self.run(&mut nowhere, target, pinned, Mode::Offline);
        assert!(nowhere.requests.is_empty(), "offline asked for {:?}", nowhere.requests);
        result
    }

    fn run(
        &mut self,
        repo: &mut Repo,
        target: Option<&str>,
        root: &[u8],
        mode: Mode,
    ) -> Result<Updated, VerificationError> {
        repo.requests.clear();
        let repository = Repository::new("https://tuf.example/metadata", "https://tuf.example/targets");
        let cached_target = target.and_then(|t| self.cache.get(&format!("target:{t}")).cloned());
        let request = target.map(|path| TargetRequest { path, cached: cached_target.as_deref() });
        let (cache, now) = (&self.cache, self.now);
        let mut exchange = Exchange::default();
        let update = exchange
            .complete(
                |fetch| {
                    let start = Start { root, cached: cache, now, mode };
                    tuf::update(fetch, &repository, start, request, &sigstore_wasm::crypto::RustCrypto)
                },
                |r| repo.serve(r),
            )
            .unwrap()
            .finished()
            .unwrap();
        for Persist { name, bytes } in update.persist {
            self.cache.insert(name, bytes);
        }
        let updated = update.result?;
        if let Some(target) = &updated.target {
            self.cache.insert(format!("target:{}", target.path), target.bytes.clone());
        }
        Ok(updated)
    }

    pub fn version(&self, name: &str) -> Option<u64> {
        let bytes = self.cache.get(name)?;
        let value: Value = serde_json::from_slice(bytes).unwrap();
        value["signed"]["version"].as_u64()
    }
}
