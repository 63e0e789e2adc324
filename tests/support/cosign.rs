//! Cosign's registry formats, minted with the private instance: images, legacy `.sig` and `.att`
//! manifests whose layers carry real signatures, certificates, Rekor bundles and timestamps,
//! cosign v3 bundles attached as referrers under the tag schema, and a Rekor v1 log whose
//! entries have inclusion proofs against one signed checkpoint, as the Rekor API serves them.
//!
//! A [`World`] holds repositories as a registry would (blobs, and manifests with their tags) and
//! is written out for the npm package's tests (`tests/js/oci/`), which push it into a real
//! registry. Tests corrupt one thing of a valid signature to make an invalid one.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use super::instance::bodies;
use super::instance::dsse::{envelope_json, IN_TOTO_PAYLOAD_TYPE};
use super::instance::encoding::{b64, hex, pem};
use super::instance::rekor::{leaf_hash, Inclusion, MerkleTree};
use super::instance::{
    HashAlg, Instance, SignRequest, Signed, TimestampRequest, Tlog, V1Kind, V2Kind, DEFAULT_SIGNING_TIME,
};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
pub const DSSE_ENVELOPE: &str = "application/vnd.dsse.envelope.v1+json";
pub const BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
pub const SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";
pub const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";

/// `sha256:<hex>` of `content`.
pub fn digest(content: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(content)))
}

/// The cosign tag for an image digest: `sha256-<hex>` and a suffix.
pub fn tag_of(image: &str, suffix: &str) -> String {
    format!("{}{suffix}", image.replacen(':', "-", 1))
}

fn descriptor(media_type: &str, content: &[u8]) -> Value {
    json!({ "mediaType": media_type, "digest": digest(content), "size": content.len() })
}

/// A manifest and where it is pushed.
#[derive(Clone, Debug)]
pub struct Pushed {
    pub digest: String,
    pub media_type: String,
    pub tag: Option<String>,
    pub bytes: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct Repository {
    pub blobs: BTreeMap<String, Vec<u8>>,
    /// In push order: what an index or referrer names is pushed before it.
    pub manifests: Vec<Pushed>,
    /// Referrer descriptors for each subject digest, written as the tag-schema index.
    pub referrers: BTreeMap<String, Vec<Value>>,
}

impl Repository {
    pub fn blob(&mut self, content: Vec<u8>) -> String {
        let d = digest(&content);
        self.blobs.insert(d.clone(), content);
        d
    }

    pub fn manifest(&mut self, media_type: &str, bytes: Vec<u8>, tag: Option<&str>) -> String {
        let d = digest(&bytes);
        self.manifests.push(Pushed {
            digest: d.clone(),
            media_type: media_type.to_owned(),
            tag: tag.map(str::to_owned),
            bytes,
        });
        d
    }

    /// The manifest a tag or digest names now (the last pushed under a tag wins).
    pub fn lookup(&self, reference: &str) -> Option<&Pushed> {
        self.manifests.iter().rev().find(|m| m.digest == reference || m.tag.as_deref() == Some(reference))
    }
}

/// One layer of a legacy signature manifest.
#[derive(Clone, Debug)]
pub struct LegacyLayer {
    pub media_type: String,
    pub blob: Vec<u8>,
    pub annotations: BTreeMap<String, String>,
}

/// How a legacy signature is made.
#[derive(Clone, Debug)]
pub struct LegacyOptions {
    /// A managed key instead of a Fulcio certificate.
    pub keyed: bool,
    /// The Rekor bundle annotation; without it the entry is only in the shared log.
    pub rekor_bundle: bool,
    /// Log the signature in the shared log at all.
    pub logged: bool,
    /// An RFC 3161 timestamp annotation.
    pub timestamp: bool,
    /// `cosign sign -a key=value`.
    pub annotations: BTreeMap<String, String>,
    /// When it is signed and logged; `DEFAULT_SIGNING_TIME` when `None`.
    pub signing_time: Option<i64>,
}

impl Default for LegacyOptions {
    fn default() -> Self {
        Self {
            keyed: false,
            rekor_bundle: true,
            logged: true,
            timestamp: false,
            annotations: BTreeMap::new(),
            signing_time: None,
        }
    }
}

/// A Rekor v1 log shared by every signature of a world, as the public instance is.
#[derive(Default)]
pub struct SharedLog {
    entries: Vec<(Vec<u8>, i64)>,
}

/// One entry as the Rekor API returns it.
#[derive(Clone, Debug)]
pub struct ApiEntry {
    /// 16 hex digits of tree ID, then the leaf hash.
    pub uuid: String,
    pub log_index: u64,
    pub entry: Value,
    /// The digest the body records (the index's key).
    pub recorded: Option<String>,
}

pub struct World {
    pub instance: Instance,
    pub log: SharedLog,
    pub repositories: BTreeMap<String, Repository>,
    /// The registry as references name it (`REGISTRY` in cases, filled in by each runner).
    pub registry: String,
}

impl World {
    pub fn new(seed: u64) -> World {
        World {
            instance: Instance::new(seed),
            log: SharedLog::default(),
            repositories: BTreeMap::new(),
            registry: "REGISTRY".to_owned(),
        }
    }

    pub fn repository(&mut self, name: &str) -> &mut Repository {
        self.repositories.entry(name.to_owned()).or_default()
    }

    /// A small image tagged `tag`, distinct per repository and tag; returns its digest.
    pub fn image(&mut self, repo: &str, tag: &str, media_type: &str) -> String {
        let docker = media_type == DOCKER_MANIFEST;
        let r = self.repository(repo);
        let layer = r.blob(format!("layer of {repo}:{tag}\n").into_bytes());
        let config =
            json!({ "architecture": "amd64", "os": "linux", "rootfs": { "type": "layers", "diff_ids": [layer] } });
        let config = serde_json::to_vec(&config).unwrap();
        r.blob(config.clone());
        let (config_type, layer_type) = if docker {
            ("application/vnd.docker.container.image.v1+json", "application/vnd.docker.image.rootfs.diff.tar.gzip")
        } else {
            ("application/vnd.oci.image.config.v1+json", "application/vnd.oci.image.layer.v1.tar+gzip")
        };
        let layer_bytes = r.blobs[&layer].clone();
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": media_type,
            "config": descriptor(config_type, &config),
            "layers": [descriptor(layer_type, &layer_bytes)],
        });
        r.manifest(media_type, serde_json::to_vec(&manifest).unwrap(), Some(tag))
    }

    /// An OCI index over two platform images, tagged `tag`.
    pub fn index(&mut self, repo: &str, tag: &str) -> String {
        let children: Vec<Value> = ["amd64", "arm64"]
            .iter()
            .map(|arch| {
                let d = self.image(repo, &format!("{tag}-{arch}"), OCI_MANIFEST);
                let bytes = self.repository(repo).lookup(&d).unwrap().bytes.clone();
                let mut desc = descriptor(OCI_MANIFEST, &bytes);
                desc["platform"] = json!({ "architecture": arch, "os": "linux" });
                desc
            })
            .collect();
        let index = json!({ "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children });
        self.repository(repo).manifest(OCI_INDEX, serde_json::to_vec(&index).unwrap(), Some(tag))
    }

    /// An image tagged `v1` in `repo`, with one legacy signature of it under its `.sig` tag;
    /// returns the image's digest.
    pub fn signed_image(&mut self, repo: &str, options: &LegacyOptions) -> String {
        let image = self.image(repo, "v1", OCI_MANIFEST);
        let signature = self.legacy_signature(repo, &image, options);
        self.attach_legacy(repo, &image, ".sig", &[signature]);
        image
    }

    /// The simple-signing payload cosign signs for `image` in `repo`.
    pub fn payload(&self, repo: &str, image: &str, optional: &BTreeMap<String, String>) -> Vec<u8> {
        let optional = if optional.is_empty() { Value::Null } else { json!(optional) };
        serde_json::to_vec(&json!({
            "critical": {
                "identity": { "docker-reference": format!("{}/{repo}", self.registry) },
                "image": { "docker-manifest-digest": image },
                "type": "cosign container image signature",
            },
            "optional": optional,
        }))
        .unwrap()
    }

    /// A legacy signature layer over `payload`.
    pub fn sign_payload(&mut self, payload: &[u8], options: &LegacyOptions) -> LegacyLayer {
        let time = options.signing_time.unwrap_or(DEFAULT_SIGNING_TIME);
        let mut request = SignRequest::message(payload).with_tlog(Tlog::None).with_signing_time(time);
        if options.keyed {
            request = request.with_managed_key();
        }
        if options.timestamp {
            request = request.with_tsa(time);
        }
        let signed = self.instance.sign(&request);
        let verifier = self.verifier_pem(&signed);
        let mut annotations = BTreeMap::new();
        annotations.insert("dev.cosignproject.cosign/signature".to_owned(), b64(&signed.signature));
        if let Some(der) = &signed.leaf_der {
            annotations.insert("dev.sigstore.cosign/certificate".to_owned(), pem("CERTIFICATE", der));
        }
        if options.logged {
            let body =
                bodies::hashedrekord_v001(HashAlg::Sha256, &Sha256::digest(payload), &signed.signature, &verifier);
            let index = self.log.append(body, time);
            if options.rekor_bundle {
                annotations.insert(
                    "dev.sigstore.cosign/bundle".to_owned(),
                    self.log.rekor_bundle(&self.instance, index).to_string(),
                );
            }
        }
        if let Some(token) = &signed.timestamp {
            annotations.insert(
                "dev.sigstore.cosign/rfc3161timestamp".to_owned(),
                json!({ "SignedRFC3161Timestamp": b64(token) }).to_string(),
            );
        }
        LegacyLayer { media_type: SIMPLE_SIGNING.to_owned(), blob: payload.to_vec(), annotations }
    }

    /// A legacy signature of `image` in `repo`.
    pub fn legacy_signature(&mut self, repo: &str, image: &str, options: &LegacyOptions) -> LegacyLayer {
        let payload = self.payload(repo, image, &options.annotations);
        self.sign_payload(&payload, options)
    }

    /// How many entries the shared log holds.
    pub fn log_len(&self) -> usize {
        self.log.entries.len()
    }

    /// The managed key keyed signatures are made with, as PEM.
    pub fn managed_key_pem(&self) -> String {
        self.instance.sign(&SignRequest::message(b"").with_tlog(Tlog::None).with_managed_key()).public_key_pem
    }

    /// The PEM a log entry names the signer by.
    fn verifier_pem(&self, signed: &Signed) -> String {
        match &signed.leaf_der {
            Some(der) => pem("CERTIFICATE", der),
            None => signed.public_key_pem.clone(),
        }
    }

    /// An in-toto statement about `image` of `predicate_type`.
    pub fn statement(
        &self,
        repo: &str,
        image: &str,
        predicate_type: &str,
        annotations: &BTreeMap<String, String>,
    ) -> Vec<u8> {
        let mut subject = json!({ "digest": { "sha256": image.trim_start_matches("sha256:") } });
        if predicate_type != SIGN_PREDICATE {
            subject["name"] = json!(format!("{}/{repo}", self.registry));
        }
        if !annotations.is_empty() {
            subject["annotations"] = json!(annotations);
        }
        let predicate = if predicate_type == SIGN_PREDICATE {
            json!({})
        } else {
            json!({ "builder": { "id": "https://test.example/builder" } })
        };
        serde_json::to_vec(&json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [subject],
            "predicateType": predicate_type,
            "predicate": predicate,
        }))
        .unwrap()
    }

    /// A legacy attestation layer (DSSE envelope, intoto entry in the Rekor bundle annotation)
    /// of `statement`, labelled `label` as its predicate type.
    pub fn legacy_attestation(&mut self, statement: &[u8], label: &str, timestamp: bool) -> LegacyLayer {
        let request = SignRequest::dsse(IN_TOTO_PAYLOAD_TYPE, statement).with_tlog(Tlog::None);
        let signed = self.instance.sign(&request);
        let envelope = envelope_json(IN_TOTO_PAYLOAD_TYPE, statement, &signed.signature);
        let blob = serde_json::to_vec(&envelope).unwrap();
        let verifier = self.verifier_pem(&signed);
        let body = bodies::intoto_v002(&envelope, IN_TOTO_PAYLOAD_TYPE, statement, &signed.signature, &verifier);
        let index = self.log.append(body, DEFAULT_SIGNING_TIME);
        let mut annotations = BTreeMap::new();
        annotations.insert("dev.cosignproject.cosign/signature".to_owned(), String::new());
        annotations.insert("dev.sigstore.cosign/certificate".to_owned(), verifier);
        annotations
            .insert("dev.sigstore.cosign/bundle".to_owned(), self.log.rekor_bundle(&self.instance, index).to_string());
        annotations.insert("predicateType".to_owned(), label.to_owned());
        if timestamp {
            // cosign stamps an attestation over the envelope it uploads.
            let token = self
                .instance
                .tsa
                .timestamp(&blob, TimestampRequest { gen_time: DEFAULT_SIGNING_TIME, embed_cert: false });
            annotations.insert(
                "dev.sigstore.cosign/rfc3161timestamp".to_owned(),
                json!({ "SignedRFC3161Timestamp": b64(&token) }).to_string(),
            );
        }
        LegacyLayer { media_type: DSSE_ENVELOPE.to_owned(), blob, annotations }
    }

    /// Pushes `layers` as the manifest of `image`'s legacy tag (`.sig` or `.att`).
    pub fn attach_legacy(&mut self, repo: &str, image: &str, suffix: &str, layers: &[LegacyLayer]) -> String {
        let r = self.repository(repo);
        let mut descriptors = Vec::new();
        let mut diff_ids = Vec::new();
        for layer in layers {
            let d = r.blob(layer.blob.clone());
            let mut desc = descriptor(&layer.media_type, &layer.blob);
            desc["annotations"] = json!(layer.annotations);
            descriptors.push(desc);
            diff_ids.push(d);
        }
        let config = serde_json::to_vec(&json!({
            "architecture": "", "os": "", "config": {}, "rootfs": { "type": "layers", "diff_ids": diff_ids },
        }))
        .unwrap();
        r.blob(config.clone());
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": descriptor("application/vnd.oci.image.config.v1+json", &config),
            "layers": descriptors,
        });
        r.manifest(OCI_MANIFEST, serde_json::to_vec(&manifest).unwrap(), Some(&tag_of(image, suffix)))
    }

    /// A cosign v3 bundle over `statement` (Rekor v1 dsse; or Rekor v2 with a timestamp).
    pub fn bundle(&mut self, statement: &[u8], rekor_v2: bool) -> Value {
        let mut request = SignRequest::dsse(IN_TOTO_PAYLOAD_TYPE, statement);
        request = if rekor_v2 {
            request.with_tlog(Tlog::v2(V2Kind::Dsse)).with_tsa(DEFAULT_SIGNING_TIME)
        } else {
            request.with_tlog(Tlog::v1(V1Kind::Dsse))
        };
        self.instance.sign(&request).bundle
    }

    /// Attaches `bundle` to `image` as cosign v3 does: a referrer manifest, listed under the
    /// tag-schema index (the registry has no referrers API). `label` is the descriptor's
    /// predicate-type annotation.
    pub fn attach_referrer(&mut self, repo: &str, image: &str, bundle: &[u8], label: &str) -> String {
        let r = self.repository(repo);
        let subject = r.lookup(image).expect("the subject is pushed first").clone();
        r.blob(bundle.to_vec());
        r.blob(b"{}".to_vec());
        let annotations = json!({
            "dev.sigstore.bundle.content": "dsse-envelope",
            "dev.sigstore.bundle.predicateType": label,
            "org.opencontainers.image.created": "2023-11-14T22:13:20Z",
        });
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": BUNDLE,
            "config": descriptor(EMPTY_CONFIG, b"{}"),
            "layers": [descriptor(BUNDLE, bundle)],
            "subject": descriptor(&subject.media_type, &subject.bytes),
            "annotations": annotations,
        }))
        .unwrap();
        let mut listed = descriptor(OCI_MANIFEST, &manifest);
        listed["artifactType"] = json!(BUNDLE);
        listed["annotations"] = annotations;
        let d = r.manifest(OCI_MANIFEST, manifest, None);
        r.referrers.entry(image.to_owned()).or_default().push(listed);
        d
    }

    /// The tag-schema indexes, pushed last (after the referrers they list).
    fn with_referrer_indexes(&self) -> BTreeMap<String, Repository> {
        let mut out = self.repositories.clone();
        for repo in out.values_mut() {
            for (subject, listed) in repo.referrers.clone() {
                let index = json!({ "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": listed });
                repo.manifest(OCI_INDEX, serde_json::to_vec(&index).unwrap(), Some(&tag_of(&subject, "")));
            }
        }
        out
    }

    /// The repositories as a registry holds them once everything is pushed.
    pub fn registry_content(&self) -> BTreeMap<String, Repository> {
        self.with_referrer_indexes()
    }

    /// Writes `world.json` and `blobs/<hex>` (every blob and manifest) under `dir`, with
    /// `extra` merged into `world.json` (cases, keys, the trusted root).
    pub fn write(&self, dir: &Path, extra: Value) {
        let blobs = dir.join("blobs");
        std::fs::create_dir_all(&blobs).unwrap();
        let mut repositories = serde_json::Map::new();
        for (name, repo) in self.registry_content() {
            for (d, content) in &repo.blobs {
                std::fs::write(blobs.join(d.trim_start_matches("sha256:")), content).unwrap();
            }
            for m in &repo.manifests {
                std::fs::write(blobs.join(m.digest.trim_start_matches("sha256:")), &m.bytes).unwrap();
            }
            let manifests: Vec<Value> = repo
                .manifests
                .iter()
                .map(|m| json!({ "digest": m.digest, "mediaType": m.media_type, "tag": m.tag }))
                .collect();
            repositories
                .insert(name, json!({ "blobs": repo.blobs.keys().collect::<Vec<_>>(), "manifests": manifests }));
        }
        let entries = self.log.api_entries(&self.instance);
        let mut hashes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in &entries {
            if let Some(recorded) = &e.recorded {
                hashes.entry(recorded.clone()).or_default().push(e.uuid.clone());
            }
        }
        let rekor_entries: Vec<Value> =
            entries.iter().map(|e| json!({ "uuid": e.uuid, "logIndex": e.log_index, "entry": e.entry })).collect();
        let mut world = json!({
            "repositories": repositories,
            "rekor": { "entries": rekor_entries, "hashes": hashes },
            "trustedRoot": self.instance.trusted_root(),
        });
        if let (Some(world), Value::Object(extra)) = (world.as_object_mut(), extra) {
            world.extend(extra);
        }
        std::fs::write(dir.join("world.json"), serde_json::to_vec_pretty(&world).unwrap()).unwrap();
    }
}

impl SharedLog {
    /// Appends a body integrated at `time`; returns its global index.
    pub fn append(&mut self, body: Vec<u8>, time: i64) -> usize {
        self.entries.push((body, time));
        self.entries.len() - 1
    }

    /// The global log index of entry `i` (the shard-local index plus the instance's offset).
    fn global(instance: &Instance, i: usize) -> u64 {
        i as u64 + instance.rekor_v1.global_index_offset
    }

    /// `dev.sigstore.cosign/bundle` for entry `i`: the body, its SET and where it is.
    pub fn rekor_bundle(&self, instance: &Instance, i: usize) -> Value {
        let (body, time) = &self.entries[i];
        let rekor = &instance.rekor_v1;
        let global = Self::global(instance, i);
        json!({
            "SignedEntryTimestamp": b64(&rekor.signed_entry_timestamp(body, *time, global)),
            "Payload": { "body": b64(body), "integratedTime": time, "logIndex": global, "logID": hex(&rekor.log_id) },
        })
    }

    /// Every entry as the API returns it, proven against one checkpoint of the whole log.
    pub fn api_entries(&self, instance: &Instance) -> Vec<ApiEntry> {
        let rekor = &instance.rekor_v1;
        let mut tree = MerkleTree::default();
        for (body, _) in &self.entries {
            tree.append(body);
        }
        let size = tree.size();
        let latest = self.entries.iter().map(|(_, t)| *t).max().unwrap_or(DEFAULT_SIGNING_TIME);
        self.entries
            .iter()
            .enumerate()
            .map(|(i, (body, time))| {
                let inclusion = Inclusion {
                    index: i as u64,
                    tree_size: size,
                    root: tree.root(size),
                    hashes: tree.inclusion_proof(i as u64, size),
                };
                let global = Self::global(instance, i);
                let recorded = serde_json::from_slice::<Value>(body).ok().and_then(|b| {
                    let hash = b["spec"]["data"]["hash"]["value"]
                        .as_str()
                        .or(b["spec"]["content"]["payloadHash"]["value"].as_str())?;
                    Some(format!("sha256:{hash}"))
                });
                ApiEntry {
                    uuid: format!("{:016x}{}", rekor.tree_id, hex(&leaf_hash(body))),
                    log_index: global,
                    entry: json!({
                        "body": b64(body),
                        "integratedTime": time,
                        "logID": hex(&rekor.log_id),
                        "logIndex": global,
                        "verification": {
                            "inclusionProof": {
                                "checkpoint": rekor.checkpoint(&inclusion, latest),
                                "hashes": inclusion.hashes.iter().map(|h| hex(h)).collect::<Vec<_>>(),
                                "logIndex": i,
                                "rootHash": hex(&inclusion.root),
                                "treeSize": size,
                            },
                            "signedEntryTimestamp": b64(&rekor.signed_entry_timestamp(body, *time, global)),
                        },
                    }),
                    recorded,
                }
            })
            .collect()
    }
}
