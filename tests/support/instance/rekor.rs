//! Transparency logs: an RFC 6962 Merkle tree, a Rekor v1 log (SETs, "<host> - <treeID>"
//! checkpoints signed with ECDSA P-256) and a Rekor v2 log (C2SP checkpoints signed with Ed25519).

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::encoding::{b64, canonical_json, hex};
use super::keys::{KeyPair, LeafKey};

// ----------------------------------------------------------------------------------------------
// Merkle tree (RFC 6962 §2.1)

pub type Hash = [u8; 32];

pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Largest power of two strictly below `n` (n >= 2): RFC 6962's split point `k`.
fn split_point(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// Append-only list of leaf hashes with RFC 6962 root and audit-path computation.
#[derive(Clone, Debug, Default)]
pub struct MerkleTree {
    leaves: Vec<Hash>,
}

impl MerkleTree {
    pub fn append(&mut self, data: &[u8]) -> u64 {
        self.leaves.push(leaf_hash(data));
        (self.leaves.len() - 1) as u64
    }

    pub fn size(&self) -> u64 {
        self.leaves.len() as u64
    }

    /// MTH(D[0:size]).
    pub fn root(&self, size: u64) -> Hash {
        subtree_root(&self.leaves[..size as usize])
    }

    /// PATH(index, D[0:size]), leaf-to-root order.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Vec<Hash> {
        assert!(index < size && size <= self.size(), "index {index} / size {size} out of range");
        audit_path(index as usize, &self.leaves[..size as usize])
    }
}

fn subtree_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split_point(n);
            node_hash(&subtree_root(&leaves[..k]), &subtree_root(&leaves[k..]))
        }
    }
}

fn audit_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = split_point(n);
    let (mut path, sibling) = if m < k {
        (audit_path(m, &leaves[..k]), subtree_root(&leaves[k..]))
    } else {
        (audit_path(m - k, &leaves[k..]), subtree_root(&leaves[..k]))
    };
    path.push(sibling);
    path
}

/// Where the signed entry sits in the log: its (shard-local) index and the tree size at the
/// checkpoint. Other positions hold filler entries, so proofs are non-trivial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeShape {
    pub index: u64,
    pub size: u64,
}

impl Default for TreeShape {
    /// Index 9 of 14: the audit path mixes left and right siblings and has an "unbalanced" right
    /// edge (14 is not a power of two).
    fn default() -> Self {
        TreeShape { index: 9, size: 14 }
    }
}

/// A proof of inclusion of one entry, with the tree head it leads to.
#[derive(Clone, Debug)]
pub struct Inclusion {
    pub index: u64,
    pub tree_size: u64,
    pub root: Hash,
    pub hashes: Vec<Hash>,
}

/// Builds a tree of `shape.size` leaves holding `body` at `shape.index` and deterministic
/// filler entries elsewhere, and returns the inclusion proof for `body`.
pub fn include(log_label: &str, body: &[u8], shape: TreeShape) -> Inclusion {
    assert!(shape.index < shape.size, "entry index must be inside the tree");
    let mut tree = MerkleTree::default();
    for i in 0..shape.size {
        if i == shape.index {
            tree.append(body);
        } else {
            tree.append(format!("{{\"filler\":{i},\"log\":\"{log_label}\"}}").as_bytes());
        }
    }
    Inclusion {
        index: shape.index,
        tree_size: shape.size,
        root: tree.root(shape.size),
        hashes: tree.inclusion_proof(shape.index, shape.size),
    }
}

fn inclusion_proof_json(inclusion: &Inclusion, checkpoint: Option<String>) -> Value {
    let mut proof = json!({
        "logIndex": inclusion.index.to_string(),
        "rootHash": b64(&inclusion.root),
        "treeSize": inclusion.tree_size.to_string(),
        "hashes": inclusion.hashes.iter().map(|h| b64(h)).collect::<Vec<_>>(),
    });
    if let Some(envelope) = checkpoint {
        proof["checkpoint"] = json!({ "envelope": envelope });
    }
    proof
}

// ----------------------------------------------------------------------------------------------
// Signed notes (C2SP signed-note; Rekor v1 uses the same syntax)

/// One signature line's inputs: key name, 4-byte key hint, signature bytes.
pub struct NoteSignature {
    pub name: String,
    pub hint: [u8; 4],
    pub signature: Vec<u8>,
}

/// `text` (which ends in '\n') + blank line + one "— name base64(hint‖sig)" line per signature.
pub fn signed_note(text: &str, signatures: &[NoteSignature]) -> String {
    assert!(text.ends_with('\n'), "note text must end with a newline");
    let mut note = format!("{text}\n");
    for s in signatures {
        let mut blob = s.hint.to_vec();
        blob.extend_from_slice(&s.signature);
        note.push_str(&format!("\u{2014} {} {}\n", s.name, b64(&blob)));
    }
    note
}

/// Checkpoint body: origin, size, base64 root, then extension lines, each newline-terminated.
pub fn checkpoint_text(origin: &str, size: u64, root: &Hash, extensions: &[String]) -> String {
    let mut text = format!("{origin}\n{size}\n{}\n", b64(root));
    for line in extensions {
        text.push_str(line);
        text.push('\n');
    }
    text
}

// ----------------------------------------------------------------------------------------------
// Rekor v1

/// Which optional parts of a Rekor v1 entry to emit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct V1Parts {
    /// `inclusionPromise.signedEntryTimestamp`.
    pub set: bool,
    /// `inclusionProof`.
    pub proof: bool,
    /// `inclusionProof.checkpoint` (only with `proof`).
    pub checkpoint: bool,
}

impl Default for V1Parts {
    fn default() -> Self {
        V1Parts { set: true, proof: true, checkpoint: true }
    }
}

pub struct RekorV1 {
    pub key: KeyPair,
    /// SHA-256 of the DER SPKI (trusted root `logId.keyId`, checkpoint key hint = first 4 bytes).
    pub log_id: [u8; 32],
    /// Host of the base URL; the checkpoint's signer name.
    pub host: String,
    pub tree_id: u64,
    /// Global `logIndex` = shard-local index + this offset (as with Rekor's inactive shards), so
    /// code that confuses the two indices fails.
    pub global_index_offset: u64,
}

impl RekorV1 {
    pub fn new(seed: u64) -> RekorV1 {
        let key = KeyPair::generate(LeafKey::P256, seed, "rekor-v1");
        let log_id = Sha256::digest(key.spki_der()).into();
        RekorV1 {
            key,
            log_id,
            host: "rekor.test.example".to_string(),
            tree_id: 1_193_050_959_916_656_506 + seed % 1_000_000,
            global_index_offset: 3_000_000,
        }
    }

    pub fn base_url(&self) -> String {
        format!("https://{}", self.host)
    }

    /// Checkpoint origin line: "<host> - <treeID>".
    pub fn origin(&self) -> String {
        format!("{} - {}", self.host, self.tree_id)
    }

    /// SET: ECDSA P-256 over the canonical JSON of body/integratedTime/logID/logIndex.
    pub fn signed_entry_timestamp(&self, body: &[u8], integrated_time: i64, global_index: u64) -> Vec<u8> {
        self.key.sign(set_payload(body, integrated_time, &self.log_id, global_index).as_bytes())
    }

    /// Signed checkpoint for `inclusion`, with a `Timestamp: <ns>` extension line as 2023-era
    /// Rekor v1 checkpoints carry (it is part of the signed text).
    pub fn checkpoint(&self, inclusion: &Inclusion, integrated_time: i64) -> String {
        let timestamp = format!("Timestamp: {}", integrated_time as i128 * 1_000_000_000);
        let text = checkpoint_text(&self.origin(), inclusion.tree_size, &inclusion.root, &[timestamp]);
        let signature = NoteSignature {
            name: self.host.clone(),
            hint: self.log_id[..4].try_into().expect("4 bytes"),
            signature: self.key.sign(text.as_bytes()),
        };
        signed_note(&text, &[signature])
    }

    /// A bundle `tlogEntries[]` element for `body` of `kind`/`version`.
    pub fn entry(
        &self,
        body: &[u8],
        kind_version: (&str, &str),
        shape: TreeShape,
        integrated_time: i64,
        parts: V1Parts,
    ) -> Value {
        let global_index = shape.index + self.global_index_offset;
        let mut entry = json!({
            "logIndex": global_index.to_string(),
            "logId": { "keyId": b64(&self.log_id) },
            "kindVersion": { "kind": kind_version.0, "version": kind_version.1 },
            "integratedTime": integrated_time.to_string(),
            "canonicalizedBody": b64(body),
        });
        if parts.set {
            let set = self.signed_entry_timestamp(body, integrated_time, global_index);
            entry["inclusionPromise"] = json!({ "signedEntryTimestamp": b64(&set) });
        }
        if parts.proof {
            let inclusion = include(&self.host, body, shape);
            let checkpoint = parts.checkpoint.then(|| self.checkpoint(&inclusion, integrated_time));
            entry["inclusionProof"] = inclusion_proof_json(&inclusion, checkpoint);
        }
        entry
    }
}

/// The SET payload (RFC 8785 JSON): body as standard base64, logID as lowercase hex, integers as
/// JSON numbers, the *global* log index.
pub fn set_payload(body: &[u8], integrated_time: i64, log_id: &[u8], global_index: u64) -> String {
    canonical_json(&json!({
        "body": b64(body),
        "integratedTime": integrated_time,
        "logID": hex(log_id),
        "logIndex": global_index,
    }))
}

// ----------------------------------------------------------------------------------------------
// Rekor v2 (rekor-tiles)

pub struct RekorV2 {
    pub key: KeyPair,
    /// Checkpoint origin and signer name = host of the base URL.
    pub origin: String,
    /// C2SP Ed25519 key ID: SHA-256(name ‖ '\n' ‖ 0x01 ‖ key); trusted root `logId.keyId`.
    pub key_id: [u8; 32],
}

impl RekorV2 {
    pub fn new(seed: u64) -> RekorV2 {
        let key = KeyPair::generate(LeafKey::Ed25519, seed, "rekor-v2");
        let origin = "log.test.example".to_string();
        let key_id = c2sp_ed25519_key_id(&origin, &key.ed25519_raw());
        RekorV2 { key, origin, key_id }
    }

    pub fn base_url(&self) -> String {
        format!("https://{}", self.origin)
    }

    pub fn checkpoint(&self, inclusion: &Inclusion) -> String {
        let text = checkpoint_text(&self.origin, inclusion.tree_size, &inclusion.root, &[]);
        let signature = NoteSignature {
            name: self.origin.clone(),
            hint: self.key_id[..4].try_into().expect("4 bytes"),
            signature: self.key.sign(text.as_bytes()),
        };
        signed_note(&text, &[signature])
    }

    /// A v2 `tlogEntries[]` element: no integratedTime, no SET; proof and checkpoint always.
    pub fn entry(&self, body: &[u8], kind: &str, shape: TreeShape) -> Value {
        let inclusion = include(&self.origin, body, shape);
        json!({
            "logIndex": shape.index.to_string(),
            "logId": { "keyId": b64(&self.key_id) },
            "kindVersion": { "kind": kind, "version": "0.0.2" },
            "inclusionProof": inclusion_proof_json(&inclusion, Some(self.checkpoint(&inclusion))),
            "canonicalizedBody": b64(body),
        })
    }
}

pub fn c2sp_ed25519_key_id(name: &str, raw_key: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', 0x01]);
    h.update(raw_key);
    h.finalize().into()
}
