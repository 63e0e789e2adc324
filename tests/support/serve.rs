//! Answers the core's HTTP walks in memory, for native tests: the distribution API over a
//! world's repositories (optionally behind bearer tokens, with or without the referrers API,
//! or misbehaving) and the Rekor v1 API over its log. The package's tests run the same walks
//! against a real registry process and the Rekor server in `tests/js/oci/servers.mjs`.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::{json, Value};
use sigstore_wasm::http::{Method, Reply, Request, Response};

use super::cosign::{digest, ApiEntry, Repository, OCI_INDEX};
use super::instance::encoding::canonical_json;
use super::instance::rekor::leaf_hash;

/// How a registry at some base URL behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registry {
    /// distribution 2.8: no auth, no referrers API.
    Plain,
    /// Every request needs a bearer token for its repository.
    Token,
    /// Has the OCI 1.1 referrers API.
    ReferrersApi,
    /// Misbehaves for the repositories named (`wrong-digest`, `garbage`, `server-error`).
    Hostile(BTreeMap<String, String>),
}

pub struct Servers {
    pub content: BTreeMap<String, Repository>,
    /// Registries by base URL.
    pub registries: BTreeMap<String, Registry>,
    /// Rekor APIs by base URL, each with its table of entries.
    pub rekors: BTreeMap<String, Vec<ApiEntry>>,
    /// Every URL asked for, in order.
    pub log: RefCell<Vec<String>>,
}

impl Servers {
    /// The reply to `request`, cut off as a client that stops reading at `max_bytes` does.
    pub fn answer(&self, request: &Request) -> Reply {
        match self.serve(request) {
            Reply::Response(response) if response.body.len() > request.max_bytes => Reply::TooLarge,
            reply => reply,
        }
    }

    fn serve(&self, request: &Request) -> Reply {
        self.log.borrow_mut().push(request.url.clone());
        let Some((base, path)) = split_url(&request.url) else { return Reply::Failed("bad URL".into()) };
        if let Some(entries) = self.rekors.get(base) {
            return rekor(entries, request, path);
        }
        match self.registries.get(base) {
            Some(kind) => self.registry(base, kind, request, path),
            None => Reply::Failed(format!("connection refused: {base}")),
        }
    }

    fn registry(&self, base: &str, kind: &Registry, request: &Request, path: &str) -> Reply {
        if let Some(query) = path.strip_prefix("/token?") {
            let scope = query
                .split('&')
                .find_map(|p| p.strip_prefix("scope="))
                .unwrap_or_default()
                .replace("%3A", ":")
                .replace("%2F", "/");
            let repo = scope.strip_prefix("repository:").and_then(|s| s.strip_suffix(":pull")).unwrap_or_default();
            return ok("application/json", json!({ "token": format!("token-for-{repo}") }).to_string().into_bytes());
        }
        let Some((repo, what, reference)) = registry_path(path) else { return status(404, "not found") };
        if *kind == Registry::Token {
            let expected = format!("Bearer token-for-{repo}");
            if header(request, "authorization") != Some(expected.as_str()) {
                let challenge =
                    format!(r#"Bearer realm="{base}/token",service="registry.test",scope="repository:{repo}:pull""#);
                return Reply::Response(Response::new(
                    401,
                    vec![("www-authenticate".into(), challenge)],
                    b"{}".to_vec(),
                ));
            }
        }
        let behaviour = match kind {
            Registry::Hostile(by_repo) => by_repo.get(repo).map(String::as_str),
            _ => None,
        };
        match behaviour {
            Some("server-error") => return status(500, "internal error"),
            Some("garbage") if what == "manifests" => return ok(super::cosign::OCI_MANIFEST, vec![0xa5; 512]),
            _ => {}
        }
        let Some(content) = self.content.get(repo) else { return status(404, "repository unknown") };
        let mut reply = match what {
            "manifests" => match content.lookup(reference) {
                Some(m) => ok(&m.media_type, m.bytes.clone()),
                None => status(404, "manifest unknown"),
            },
            "blobs" => match content.blobs.get(reference) {
                Some(blob) => ok("application/octet-stream", blob.clone()),
                None => status(404, "blob unknown"),
            },
            "referrers" if *kind == Registry::ReferrersApi => {
                let listed = content.referrers.get(reference).cloned().unwrap_or_default();
                ok(
                    OCI_INDEX,
                    json!({ "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": listed }).to_string().into_bytes(),
                )
            }
            _ => status(404, "404 page not found"),
        };
        if behaviour == Some("wrong-digest") && reference.starts_with("sha256:") {
            if let Reply::Response(response) = &mut reply {
                let middle = response.body.len() / 2;
                if let Some(byte) = response.body.get_mut(middle) {
                    *byte ^= 1;
                }
            }
        }
        reply
    }
}

fn rekor(entries: &[ApiEntry], request: &Request, path: &str) -> Reply {
    let by_uuid = |uuid: &str| {
        entries.iter().find(|e| e.uuid.ends_with(uuid.get(uuid.len().saturating_sub(64)..).unwrap_or(uuid)))
    };
    let one = |e: &ApiEntry| json!({ e.uuid.clone(): e.entry });
    let body: Value = request.body.as_deref().and_then(|b| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
    match (request.method, path) {
        (Method::Get, p) if p.starts_with("/api/v1/log/entries?logIndex=") => {
            let index: u64 = p.rsplit('=').next().and_then(|n| n.parse().ok()).unwrap_or(u64::MAX);
            match entries.iter().find(|e| e.log_index == index) {
                Some(e) => json_reply(&one(e)),
                None => status(404, "entry not found"),
            }
        }
        (Method::Get, p) if p.starts_with("/api/v1/log/entries/") => {
            match by_uuid(p.trim_start_matches("/api/v1/log/entries/")) {
                Some(e) => json_reply(&one(e)),
                None => status(404, "entry not found"),
            }
        }
        (Method::Post, "/api/v1/log/entries/retrieve") => {
            let found: Vec<Value> = if let Some(uuids) = body["entryUUIDs"].as_array() {
                uuids.iter().filter_map(|u| by_uuid(u.as_str()?)).map(one).collect()
            } else if let Some(proposed) = body["entries"].as_array() {
                // Rekor canonicalises a proposed entry and looks its leaf hash up.
                proposed
                    .iter()
                    .filter_map(|p| by_uuid(&super::instance::encoding::hex(&leaf_hash(canonical_json(p).as_bytes()))))
                    .map(one)
                    .collect()
            } else {
                return status(422, "bad query");
            };
            json_reply(&Value::Array(found))
        }
        (Method::Post, "/api/v1/index/retrieve") => {
            let hash = body["hash"].as_str().unwrap_or_default();
            let uuids: Vec<&str> =
                entries.iter().filter(|e| e.recorded.as_deref() == Some(hash)).map(|e| e.uuid.as_str()).collect();
            json_reply(&json!(uuids))
        }
        _ => status(404, "not found"),
    }
}

fn split_url(url: &str) -> Option<(&str, &str)> {
    let after_scheme = url.find("://")? + 3;
    let path_start = url.get(after_scheme..)?.find('/').map_or(url.len(), |i| after_scheme + i);
    Some((url.get(..path_start)?, url.get(path_start..)?))
}

/// `/v2/<repo>/<manifests|blobs|referrers>/<reference>`.
fn registry_path(path: &str) -> Option<(&str, &str, &str)> {
    let rest = path.strip_prefix("/v2/")?;
    ["manifests", "blobs", "referrers"].iter().find_map(|what| {
        let marker = format!("/{what}/");
        let at = rest.rfind(&marker)?;
        Some((rest.get(..at)?, *what, rest.get(at + marker.len()..)?))
    })
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn ok(content_type: &str, body: Vec<u8>) -> Reply {
    Reply::Response(Response::new(
        200,
        vec![("content-type".into(), content_type.into()), ("docker-content-digest".into(), digest(&body))],
        body,
    ))
}

fn json_reply(value: &Value) -> Reply {
    ok("application/json", value.to_string().into_bytes())
}

fn status(code: u16, text: &str) -> Reply {
    Reply::Response(Response::new(code, vec![("content-type".into(), "text/plain".into())], text.as_bytes().to_vec()))
}
