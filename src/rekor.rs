//! The Rekor v1 API (`/api/v1/log/entries`, `/api/v1/index/retrieve`): looking entries up by
//! log index, UUID or artifact digest, and finding the entry of a signature the way cosign does
//! (by the entry it would have made). What a server returns is only a claim: every entry is
//! verified (its UUID is its leaf hash, its SET, its inclusion proof against a signed checkpoint,
//! and that it is the entry asked for) before anything about it is reported.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::bundle::{InclusionProof, TlogEntry};
use crate::crypto::{PublicKey, SignatureBackend};
use crate::encoding::{decode_base64, decode_hex, encode_base64, encode_hex};
use crate::error::{fail, ErrorCode, Result, VerificationError};
use crate::http::{expect_success, Fetch, Poll, Request};
use crate::limits;
use crate::oci::digest::Digest;
use crate::tlog::body::{self, Kind, RecordedSigner};
use crate::tlog::{self, merkle, VerifiedEntry};
use crate::trust::TransparencyLog;
use crate::x509::fulcio::CertificateSummary;
use crate::x509::Certificate;

/// The public-good instance, cosign's default `--rekor-url`.
pub const PUBLIC_REKOR_URL: &str = "https://rekor.sigstore.dev";
/// The API's own cap on one `entries/retrieve` request.
const RETRIEVE_BATCH: usize = 10;

/// What to look up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// The entry at this index of the log.
    LogIndex(u64),
    /// 64 hex digits (the leaf hash) or 80 (a 16-digit tree ID, then the leaf hash).
    Uuid(String),
    /// Entries about an artifact, by its digest (Rekor's index; searched, then each entry read).
    Digest(Digest),
}

impl Query {
    /// A [`Query::Uuid`], from 64 or 80 hex digits in either case.
    pub fn uuid(text: &str) -> Result<Self> {
        let text = text.to_ascii_lowercase();
        if !matches!(text.len(), 64 | 80) || decode_hex(&text).is_none() {
            return fail(ErrorCode::InvalidInput, format!("{text:?} is not a Rekor entry UUID (64 or 80 hex digits)"));
        }
        Ok(Self::Uuid(text))
    }
}

/// An entry as the API returned it, in the bundle's form.
#[derive(Clone, Debug)]
pub struct Entry {
    pub uuid: String,
    pub entry: TlogEntry,
}

/// Reads the entries `query` names from the Rekor API at `base_url`.
pub fn lookup(fetch: &mut Fetch<'_>, base_url: &str, query: &Query) -> Result<Poll<Vec<Entry>>> {
    let base = base_url.trim_end_matches('/');
    match query {
        Query::LogIndex(index) => {
            let url = format!("{base}/api/v1/log/entries?logIndex={index}");
            get_one(fetch, url, &format!("log index {index}"))
        }
        Query::Uuid(uuid) => get_one(fetch, format!("{base}/api/v1/log/entries/{uuid}"), &format!("entry {uuid}")),
        Query::Digest(digest) => {
            // Written by hand, as are the other request bodies: every value is hex or base64,
            // which JSON needs no escaping for.
            let body = format!(r#"{{"hash":"{digest}"}}"#);
            let request =
                Request::post_json(format!("{base}/api/v1/index/retrieve"), body, limits::MAX_REKOR_RESPONSE_BYTES);
            let Some(reply) = fetch.get(request) else { return Ok(Poll::Pending) };
            let response =
                expect_success(reply.response("the Rekor index search")?, ErrorCode::Rekor, "the Rekor index search")?;
            let uuids: Vec<String> = match serde_json::from_slice(&response.body) {
                Ok(uuids) => uuids,
                Err(e) => {
                    return fail(
                        ErrorCode::Rekor,
                        format!("the Rekor index search answered with no list of UUIDs: {e}"),
                    )
                }
            };
            limits::at_most(uuids.len(), limits::MAX_REKOR_RESULTS, "entries found by the Rekor search")?;
            let mut uuids = uuids
                .into_iter()
                .map(|u| Query::uuid(&u).map(|_| u.to_ascii_lowercase()))
                .collect::<Result<Vec<_>>>()?;
            uuids.sort();
            uuids.dedup();
            let mut found = Vec::new();
            let mut pending = false;
            for batch in uuids.chunks(RETRIEVE_BATCH) {
                let quoted: Vec<String> = batch.iter().map(|uuid| format!("\"{uuid}\"")).collect();
                let body = format!(r#"{{"entryUUIDs":[{}]}}"#, quoted.join(","));
                match retrieve(fetch, base, body, "the Rekor entries")? {
                    Poll::Ready(entries) => found.extend(entries),
                    Poll::Pending => pending = true,
                }
            }
            if pending {
                return Ok(Poll::Pending);
            }
            Ok(Poll::Ready(found))
        }
    }
}

/// The entries whose body is `proposed` (a canonical entry of the kind the signer would have
/// submitted), as cosign finds a signature's entry when no bundle carries it.
pub fn search_entry(fetch: &mut Fetch<'_>, base_url: &str, proposed: &str) -> Result<Poll<Vec<Entry>>> {
    let body = format!(r#"{{"entries":[{proposed}]}}"#);
    retrieve(fetch, base_url.trim_end_matches('/'), body, "the Rekor search for the signature's entry")
}

/// The hashedrekord 0.0.1 entry a signer of `signature` over content with SHA-256 digest
/// `digest`, by the certificate or key `signer`, submits: what Rekor stores, canonicalised (as
/// JSON text, keys sorted).
pub fn proposed_hashedrekord(digest: &[u8], signature: &[u8], signer: &RecordedSigner) -> String {
    let pem = match signer {
        RecordedSigner::Certificate(der) => pem("CERTIFICATE", der),
        RecordedSigner::PublicKey(der) => pem("PUBLIC KEY", der),
    };
    format!(
        r#"{{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{{"data":{{"hash":{{"algorithm":"sha256","value":"{}"}}}},"signature":{{"content":"{}","publicKey":{{"content":"{}"}}}}}}}}"#,
        encode_hex(digest),
        encode_base64(signature),
        encode_base64(pem.as_bytes())
    )
}

/// PEM as Go's `pem.Encode` writes it, which is how cosign submits certificates and keys.
fn pem(label: &str, der: &[u8]) -> String {
    let b64 = encode_base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn get_one(fetch: &mut Fetch<'_>, url: String, what: &str) -> Result<Poll<Vec<Entry>>> {
    let Some(reply) = fetch.get(Request::get(url, "application/json", limits::MAX_REKOR_RESPONSE_BYTES)) else {
        return Ok(Poll::Pending);
    };
    let response = reply.response(what)?;
    if response.status == 404 {
        return fail(ErrorCode::Rekor, format!("Rekor has no {what}"));
    }
    let response = expect_success(response, ErrorCode::Rekor, what)?;
    let raw: BTreeMap<String, RawLogEntry> = match serde_json::from_slice(&response.body) {
        Ok(raw) => raw,
        Err(e) => return fail(ErrorCode::Rekor, format!("{what}: the answer is not a log entry: {e}")),
    };
    if raw.len() != 1 {
        return fail(ErrorCode::Rekor, format!("{what}: expected one entry, the answer holds {}", raw.len()));
    }
    raw.into_iter().map(|(uuid, raw)| convert(uuid, raw)).collect::<Result<_>>().map(Poll::Ready)
}

fn retrieve(fetch: &mut Fetch<'_>, base: &str, body: String, what: &str) -> Result<Poll<Vec<Entry>>> {
    let request =
        Request::post_json(format!("{base}/api/v1/log/entries/retrieve"), body, limits::MAX_REKOR_RESPONSE_BYTES);
    let Some(reply) = fetch.get(request) else { return Ok(Poll::Pending) };
    let response = expect_success(reply.response(what)?, ErrorCode::Rekor, what)?;
    let raw: Vec<BTreeMap<String, RawLogEntry>> = match serde_json::from_slice(&response.body) {
        Ok(raw) => raw,
        Err(e) => return fail(ErrorCode::Rekor, format!("{what}: the answer is not a list of log entries: {e}")),
    };
    limits::at_most(raw.len(), limits::MAX_REKOR_RESULTS, "entries in one Rekor answer")?;
    raw.into_iter().flatten().map(|(uuid, raw)| convert(uuid, raw)).collect::<Result<_>>().map(Poll::Ready)
}

/// Converts an API entry to the bundle's form. Its UUID must be its leaf hash (optionally after
/// a tree ID): a UUID is how entries are asked for, so it must name this body and no other.
fn convert(uuid: String, raw: RawLogEntry) -> Result<Entry> {
    let bad = |what: &str| fail(ErrorCode::Rekor, format!("entry {uuid}: {what}"));
    let Some(body) = decode_base64(&raw.body) else { return bad("body is not base64") };
    let uuid = uuid.to_ascii_lowercase();
    let leaf = encode_hex(&merkle::leaf_hash(&body));
    if Query::uuid(&uuid).is_err() || !uuid.ends_with(&leaf) {
        return bad(&format!("the UUID is not the entry's leaf hash {leaf}"));
    }
    let header: BodyHeader = match serde_json::from_slice(&body) {
        Ok(h) => h,
        Err(e) => return bad(&format!("body is not an entry: {e}")),
    };
    let Some(log_id) = decode_hex(&raw.log_id) else { return bad("logID is not hex") };
    if raw.integrated_time <= 0 {
        return bad("integratedTime is not a positive time");
    }
    let Some(verification) = raw.verification else { return bad("no verification data (SET and inclusion proof)") };
    let Some(set) = verification.signed_entry_timestamp.as_deref().and_then(decode_base64) else {
        return bad("no signed entry timestamp");
    };
    let Some(proof) = verification.inclusion_proof else { return bad("no inclusion proof") };
    let hash = |text: &str| decode_hex(text).and_then(|h| <[u8; 32]>::try_from(h).ok());
    let Some(root_hash) = hash(&proof.root_hash) else { return bad("inclusion proof rootHash is not a SHA-256 hash") };
    limits::at_most(proof.hashes.len(), limits::MAX_PROOF_HASHES, "hashes in the inclusion proof")?;
    let Some(hashes) = proof.hashes.iter().map(|h| hash(h)).collect::<Option<Vec<_>>>() else {
        return bad("inclusion proof hashes are not SHA-256 hashes");
    };
    Ok(Entry {
        uuid,
        entry: TlogEntry {
            log_index: raw.log_index,
            log_id,
            kind: header.kind,
            version: header.api_version,
            integrated_time: Some(raw.integrated_time),
            signed_entry_timestamp: Some(set),
            inclusion_proof: Some(InclusionProof {
                log_index: proof.log_index,
                root_hash,
                tree_size: proof.tree_size,
                hashes,
                checkpoint: proof.checkpoint,
            }),
            canonicalized_body: body,
        },
    })
}

/// A verified log entry, with what its body records.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedEntry {
    /// The entry's UUID, lowercase: its leaf hash, after a tree ID if Rekor gave one.
    pub uuid: String,
    /// What verifying the entry established: its log, its proofs, its integrated time.
    #[serde(flatten)]
    pub entry: VerifiedEntry,
    /// The digest the entry is about (`sha256:<hex>`): the artifact's, or a DSSE payload's.
    pub digest: Option<String>,
    /// The signer the body names, decoded but not verified: a log records what was submitted.
    pub signer: Option<LoggedSigner>,
    /// The decoded body.
    pub body: serde_json::Value,
}

/// The signer a log entry's body names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type")]
pub enum LoggedSigner {
    /// A certificate, such as Fulcio issues.
    Certificate {
        /// What the certificate says.
        #[serde(flatten)]
        certificate: CertificateSummary,
    },
    /// A public key.
    PublicKey {
        /// Hex SHA-256 of the key's SubjectPublicKeyInfo.
        key_id: String,
    },
}

/// Verifies what a lookup returned: every entry, and that the entries are the ones asked for.
pub fn verify_lookup(
    query: &Query,
    entries: &[Entry],
    tlogs: &[TransparencyLog],
    backend: &dyn SignatureBackend,
) -> Result<Vec<LoggedEntry>> {
    if entries.is_empty() && !matches!(query, Query::Digest(_)) {
        return fail(ErrorCode::Rekor, "Rekor returned no entry");
    }
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let asked_for = match query {
            Query::LogIndex(index) => entry.entry.log_index == *index,
            Query::Uuid(uuid) => same_uuid(uuid, &entry.uuid),
            Query::Digest(_) => true,
        };
        let logged = if asked_for { verify_entry(entry, tlogs, backend)? } else { return not_asked_for(entry) };
        if let Query::Digest(digest) = query {
            if logged.digest.as_deref() != Some(digest.to_string().as_str()) {
                return not_asked_for(entry);
            }
        }
        out.push(logged);
    }
    if entries.len() > 1 && !matches!(query, Query::Digest(_)) {
        return fail(ErrorCode::Rekor, format!("Rekor answered with {} entries for one", entries.len()));
    }
    Ok(out)
}

fn not_asked_for<T>(entry: &Entry) -> Result<T> {
    fail(ErrorCode::Rekor, format!("Rekor answered with entry {}, which is not the one asked for", entry.uuid))
}

/// Verifies one entry on its own (see [`tlog::verify_logged`]) and decodes its body.
pub fn verify_entry(entry: &Entry, tlogs: &[TransparencyLog], backend: &dyn SignatureBackend) -> Result<LoggedEntry> {
    let verified = tlog::verify_logged(&entry.entry, tlogs, backend)?;
    let body = &entry.entry.canonicalized_body;
    let kind = Kind::from_kind_version(&entry.entry.kind, &entry.entry.version)
        .ok_or_else(|| VerificationError::new(ErrorCode::TlogEntry, "unsupported entry kind"))?;
    let recorded = body::recorded(kind, body)?;
    let digest = recorded.digest.map(|(alg, bytes)| format!("{}:{}", alg.name(), encode_hex(&bytes)));
    let signer = match recorded.signer {
        Some(RecordedSigner::Certificate(der)) => {
            let cert = Certificate::from_der(&der)?;
            Some(LoggedSigner::Certificate { certificate: CertificateSummary::of(&cert)? })
        }
        Some(RecordedSigner::PublicKey(der)) => {
            Some(LoggedSigner::PublicKey { key_id: encode_hex(&PublicKey::from_spki_der(&der)?.key_id()) })
        }
        None => None,
    };
    let body = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
    Ok(LoggedEntry { uuid: entry.uuid.clone(), entry: verified, digest, signer, body })
}

/// UUIDs name the same entry when their leaf hashes agree, and their tree IDs when both have one.
fn same_uuid(a: &str, b: &str) -> bool {
    let leaf = |u: &str| u.get(u.len().saturating_sub(64)..).map(str::to_owned);
    let tree = |u: &str| (u.len() == 80).then(|| u.get(..16).map(str::to_owned)).flatten();
    leaf(a) == leaf(b) && (tree(a).is_none() || tree(b).is_none() || tree(a) == tree(b))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLogEntry {
    body: String,
    integrated_time: i64,
    #[serde(rename = "logID")]
    log_id: String,
    log_index: u64,
    verification: Option<RawVerification>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawVerification {
    inclusion_proof: Option<RawInclusionProof>,
    signed_entry_timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawInclusionProof {
    log_index: u64,
    root_hash: String,
    tree_size: u64,
    #[serde(default)]
    hashes: Vec<String>,
    checkpoint: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BodyHeader {
    kind: String,
    api_version: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Exchange, Reply, Response};

    const BASE: &str = "http://rekor.test";

    fn body() -> Vec<u8> {
        br#"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}"#.to_vec()
    }

    /// A distinct entry body.
    fn numbered(i: usize) -> Vec<u8> {
        format!(r#"{{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{{"n":{i}}}}}"#).into_bytes()
    }

    fn uuid_of(body: &[u8]) -> String {
        format!("{:016x}{}", 42, encode_hex(&merkle::leaf_hash(body)))
    }

    fn entry_json(uuid: &str, body: &[u8], index: u64) -> serde_json::Value {
        serde_json::json!({ uuid: {
            "body": encode_base64(body), "integratedTime": 1_700_000_000, "logID": "00ff", "logIndex": index,
            "verification": {
                "inclusionProof": { "checkpoint": "x", "hashes": [encode_hex(&[7; 32])], "logIndex": 3, "rootHash": encode_hex(&[9; 32]), "treeSize": 10 },
                "signedEntryTimestamp": encode_base64(b"set"),
            },
        }})
    }

    fn ok(value: &serde_json::Value) -> Reply {
        Reply::Response(Response::new(200, vec![], value.to_string().into_bytes()))
    }

    fn run(query: &Query, serve: impl Fn(&Request) -> Reply) -> (Result<Vec<Entry>>, Vec<Request>) {
        let mut asked = Vec::new();
        let outcome = Exchange::default().complete_walk(
            |fetch| lookup(fetch, BASE, query),
            |r| {
                asked.push(r.clone());
                serve(r)
            },
        );
        (outcome, asked)
    }

    #[test]
    fn an_entry_is_converted_only_if_its_uuid_is_its_leaf_hash() {
        let uuid = uuid_of(&body());
        let (entries, asked) = run(&Query::LogIndex(5), |_| ok(&entry_json(&uuid, &body(), 5)));
        let entries = entries.unwrap();
        assert_eq!(asked[0].url, format!("{BASE}/api/v1/log/entries?logIndex=5"));
        assert_eq!(asked[0].max_bytes, limits::MAX_REKOR_RESPONSE_BYTES);
        let entry = &entries[0].entry;
        assert_eq!((entry.kind.as_str(), entry.version.as_str(), entry.log_index), ("hashedrekord", "0.0.1", 5));
        assert_eq!(entry.inclusion_proof.as_ref().map(|p| (p.log_index, p.tree_size)), Some((3, 10)));

        let other = uuid_of(b"another body");
        let mut no_proof = entry_json(&uuid, &body(), 5);
        no_proof[&uuid]["verification"].as_object_mut().unwrap().remove("inclusionProof");
        let mut two = entry_json(&uuid, &body(), 5);
        two[&other] = two[&uuid].clone();
        let cases = [
            ok(&entry_json(&other, &body(), 5)),
            ok(&no_proof),
            ok(&two),
            ok(&serde_json::json!([])),
            Reply::Response(Response::new(404, vec![], b"{}".to_vec())),
            Reply::Response(Response::new(500, vec![], b"{}".to_vec())),
        ];
        for (i, reply) in cases.into_iter().enumerate() {
            let (outcome, _) = run(&Query::LogIndex(5), |_| reply.clone());
            assert_eq!(outcome.unwrap_err().code, ErrorCode::Rekor, "case {i}");
        }
        assert_eq!(run(&Query::LogIndex(5), |_| Reply::TooLarge).0.unwrap_err().code, ErrorCode::LimitExceeded);
        assert_eq!(
            run(&Query::LogIndex(5), |_| Reply::Failed("timeout".into())).0.unwrap_err().code,
            ErrorCode::Network
        );
    }

    #[test]
    fn a_search_reads_entries_ten_at_a_time_and_is_bounded() {
        let uuids: Vec<String> = (0..23).map(|i| uuid_of(&numbered(i))).collect();
        let query = Query::Digest(Digest::sha256(b"artifact"));
        let serve = |uuids: &[String]| {
            let uuids = uuids.to_vec();
            move |r: &Request| {
                if r.url.ends_with("/index/retrieve") {
                    return ok(&serde_json::json!(uuids));
                }
                let asked: serde_json::Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
                let found: Vec<serde_json::Value> = asked["entryUUIDs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|u| {
                        let i = uuids.iter().position(|x| x == u.as_str().unwrap()).unwrap();
                        entry_json(&uuids[i], &numbered(i), i as u64)
                    })
                    .collect();
                ok(&serde_json::json!(found))
            }
        };
        let (entries, asked) = run(&query, serve(&uuids));
        assert_eq!(entries.unwrap().len(), 23);
        assert_eq!(asked.len(), 1 + 3, "one search, then three batches");
        let too_many: Vec<String> = (0..=limits::MAX_REKOR_RESULTS).map(|i| uuid_of(&numbered(i))).collect();
        assert_eq!(run(&query, serve(&too_many)).0.unwrap_err().code, ErrorCode::LimitExceeded);
        assert_eq!(run(&query, serve(&["not a uuid".to_owned()])).0.unwrap_err().code, ErrorCode::InvalidInput);
    }

    #[test]
    fn an_answer_that_is_not_what_was_asked_for_is_refused_before_anything_is_verified() {
        let uuid = uuid_of(&body());
        let (entries, _) = run(&Query::LogIndex(5), |_| ok(&entry_json(&uuid, &body(), 6)));
        let err = verify_lookup(&Query::LogIndex(5), &entries.unwrap(), &[], &crate::crypto::RustCrypto).unwrap_err();
        assert_eq!(err.code, ErrorCode::Rekor);
        let wanted = Query::uuid(&uuid_of(b"another body")).unwrap();
        let (entries, _) = run(&wanted, |_| ok(&entry_json(&uuid, &body(), 5)));
        let err = verify_lookup(&wanted, &entries.unwrap(), &[], &crate::crypto::RustCrypto).unwrap_err();
        assert_eq!(err.code, ErrorCode::Rekor);
        assert!(same_uuid(&uuid, &uuid[16..]) && !same_uuid(&uuid, &format!("{:016x}{}", 43, &uuid[16..])));
    }
}
