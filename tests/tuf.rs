//! The TUF client (`sigstore_wasm::tuf`): the workflow's checks one by one, each advisory class
//! other TUF clients have had (named in each test) with a test of its own, against
//! repositories minted in `support::tuf`; and Sigstore's real repository, from its first root
//! through every rotation to its trusted root.

mod support;

use serde_json::json;
use sigstore_wasm::error::ErrorCode;
use sigstore_wasm::http::Exchange;
use sigstore_wasm::time::Timestamp;
use sigstore_wasm::tuf::{self, Mode, Repository, Start, TargetRequest};
use support::tuf::{sign, Client, Repo, Signer, EXPIRED};

fn fresh() -> (Repo, Client) {
    let repo = Repo::new();
    let client = Client::new(repo.initial_root());
    (repo, client)
}

fn assert_tuf_error(result: Result<tuf::Updated, sigstore_wasm::error::VerificationError>, needle: &str) {
    let error = result.expect_err("the update must fail");
    assert_eq!(error.code, ErrorCode::Tuf, "{error}");
    assert!(error.message.contains(needle), "{:?} does not say {needle:?}", error.message);
}

#[test]
fn a_first_refresh_asks_for_each_file_once_in_order_and_persists_what_it_received() {
    let (mut repo, mut client) = fresh();
    let updated = client.update(&mut repo, None).unwrap();
    assert_eq!(
        repo.requests,
        ["metadata/2.root.json", "metadata/timestamp.json", "metadata/1.snapshot.json", "metadata/1.targets.json"]
    );
    assert_eq!((updated.root_version, updated.timestamp_version, updated.snapshot_version), (1, 1, 1));
    assert_eq!(
        client.cache["timestamp.json"], repo.files["metadata/timestamp.json"],
        "the bytes received, not a re-encoding"
    );

    // The next refresh finds the cached snapshot and targets still final and fetches neither.
    client.update(&mut repo, None).unwrap();
    assert_eq!(repo.requests, ["metadata/2.root.json", "metadata/timestamp.json"]);
}

#[test]
fn a_target_is_found_downloaded_by_its_hash_checked_and_then_served_from_the_cache() {
    let (mut repo, mut client) = fresh();
    repo.add_target("targets", "trusted_root.json", b"{\"root\": 1}");
    repo.publish_targets("targets");
    let updated = client.update(&mut repo, Some("trusted_root.json")).unwrap();
    let target = updated.target.unwrap();
    assert_eq!((target.bytes.as_slice(), target.from_cache), (&b"{\"root\": 1}"[..], false));
    assert!(
        repo.requests.last().unwrap().starts_with("targets/")
            && repo.requests.last().unwrap().ends_with(".trusted_root.json")
    );

    let again = client.update(&mut repo, Some("trusted_root.json")).unwrap().target.unwrap();
    assert!(again.from_cache);
    assert!(!repo.requests.iter().any(|r| r.starts_with("targets/")));

    // A tampered target behind a valid hash URL is refused.
    let path = repo.files.keys().find(|k| k.starts_with("targets/")).unwrap().clone();
    repo.files.insert(path, b"{\"root\": 2}".to_vec());
    client.cache.clear();
    client.cache.insert("root.json".into(), repo.initial_root());
    assert_tuf_error(client.update(&mut repo, Some("trusted_root.json")), "hash is not the one listed");
    assert_tuf_error(client.update(&mut repo, Some("absent.json")), "no role of the repository lists");
}

#[test]
fn root_rotation_needs_both_thresholds_and_the_very_next_version() {
    // CVE-2025-2885 (tough): the version was not required to be N+1.
    let (mut repo, mut client) = fresh();
    repo.root["version"] = json!(2);
    repo.publish_root(); // version 3, published as 3.root.json
    let bytes = repo.files.remove("metadata/3.root.json").unwrap();
    repo.files.insert("metadata/2.root.json".into(), bytes);
    assert_tuf_error(client.update(&mut repo, None), "each root must be the next version");
    assert_eq!(client.version("root.json"), Some(1));

    // A new root signed only by its new keys, not the old ones.
    let (mut repo, mut client) = fresh();
    let new_key = Signer::ed25519(9);
    repo.root["keys"][new_key.id.clone()] = new_key.public();
    repo.root["roles"]["root"] = json!({ "keyids": [new_key.id.clone()], "threshold": 1 });
    repo.signers.insert("root".into(), vec![new_key]);
    repo.publish_root();
    assert_tuf_error(client.update(&mut repo, None), "by the trusted root's keys");

    // Signed by both: accepted, and the next update starts from it.
    let (mut repo, mut client) = fresh();
    let (old, new) = (Signer::ed25519(1), Signer::ed25519(9));
    repo.root["keys"][new.id.clone()] = new.public();
    repo.root["roles"]["root"] = json!({ "keyids": [new.id.clone()], "threshold": 1 });
    repo.signers.insert("root".into(), vec![old, new]);
    repo.publish_root();
    client.update(&mut repo, None).unwrap();
    assert_eq!(client.version("root.json"), Some(2));
}

#[test]
fn a_root_that_failed_is_not_trusted_later_but_the_roots_before_it_are() {
    // CVE-2020-15163 (python-tuf): a root that failed verification was trusted afterwards.
    let (mut repo, mut client) = fresh();
    repo.publish_root(); // 2, good
    repo.root["version"] = json!(2);
    repo.signers.get_mut("root").unwrap()[0] = Signer::ed25519(77); // 3 signed by an unknown key
    repo.publish_root();
    assert_tuf_error(client.update(&mut repo, None), "root.json version 3");
    assert_eq!(client.version("root.json"), Some(2), "root 2 verified before the failure and is kept");
    assert_tuf_error(client.update(&mut repo, None), "root.json version 3");
    assert_eq!(client.version("root.json"), Some(2));
}

#[test]
fn thresholds_count_each_key_once() {
    // CVE-2020-6174 (python-tuf) and CVE-2026-6966 (tough): duplicate signatures counted.
    let (mut repo, mut client) = fresh();
    let file = repo.files.get_mut("metadata/1.snapshot.json").unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(file).unwrap();
    let signature = value["signatures"][0].clone();
    value["signatures"].as_array_mut().unwrap().push(signature);
    *file = serde_json::to_vec(&value).unwrap();
    assert_tuf_error(client.update(&mut repo, None), "two signatures by key");
    assert_eq!(client.version("snapshot.json"), None);

    // CVE-2020-15093 (tough): one key under several key IDs met a threshold of several.
    let (mut repo, mut client) = fresh();
    let snapshot_key = Signer::ed25519(3);
    let aliases: Vec<String> = (0..3).map(|i| format!("alias-{i}")).collect();
    for alias in &aliases {
        repo.root["keys"][alias] = snapshot_key.public();
    }
    repo.root["roles"]["snapshot"] = json!({ "keyids": aliases, "threshold": 3 });
    repo.publish_root();
    let signers: Vec<Signer> = aliases.iter().map(|a| Signer { id: a.clone(), ..Signer::ed25519(3) }).collect();
    repo.signers.insert("snapshot".into(), signers);
    repo.publish_snapshot();
    assert_tuf_error(client.update(&mut repo, None), "signed by 1 of the keys it needs, where the threshold is 3");
}

#[test]
fn a_threshold_below_one_refuses_the_root() {
    // GHSA-fphv-w9fq-2525 (go-tuf): threshold 0 accepted unsigned metadata.
    let (mut repo, mut client) = fresh();
    repo.root["roles"]["timestamp"]["threshold"] = json!(0);
    repo.publish_root();
    assert_tuf_error(client.update(&mut repo, None), "threshold 0 is below 1");
}

#[test]
fn a_rolled_back_timestamp_is_refused_and_never_persisted() {
    // CVE-2025-2888 (tough), CVE-2022-29173 (go-tuf): persisted before the rollback check.
    let (mut repo, mut client) = fresh();
    repo.publish_timestamp();
    repo.publish_timestamp(); // version 3
    client.update(&mut repo, None).unwrap();
    repo.timestamp["version"] = json!(1);
    repo.publish_timestamp(); // version 2
    assert_tuf_error(client.update(&mut repo, None), "timestamp.json version 2 is older than the trusted version 3");
    assert_eq!(client.version("timestamp.json"), Some(3));

    // The same version with other content: the trusted one stays, and the snapshot it names.
    repo.timestamp["version"] = json!(3);
    repo.timestamp["meta"]["snapshot.json"]["version"] = json!(100);
    repo.write_timestamp();
    client.update(&mut repo, None).unwrap();
    assert_eq!(repo.requests.last().unwrap(), "metadata/timestamp.json");
}

#[test]
fn an_expired_cached_timestamp_still_guards_against_rollback() {
    let (mut repo, mut client) = fresh();
    repo.timestamp["version"] = json!(5);
    repo.write_timestamp();
    client.update(&mut repo, None).unwrap();
    client.now = Timestamp::from_unix(1_900_000_000); // after EXPIRES
    repo.timestamp["version"] = json!(4);
    repo.timestamp["expires"] = json!("2040-01-01T00:00:00Z");
    repo.write_timestamp();
    assert_tuf_error(client.update(&mut repo, None), "expired");
}

#[test]
fn expired_metadata_is_refused_at_every_level() {
    for role in ["timestamp", "snapshot", "targets", "root"] {
        let (mut repo, mut client) = fresh();
        match role {
            "timestamp" => {
                repo.timestamp["expires"] = json!(EXPIRED);
                repo.publish_timestamp();
            }
            "snapshot" => {
                repo.snapshot["expires"] = json!(EXPIRED);
                repo.publish_snapshot();
            }
            "targets" => {
                repo.targets.get_mut("targets").unwrap()["expires"] = json!(EXPIRED);
                repo.publish_targets("targets");
            }
            _ => {
                repo.root["expires"] = json!(EXPIRED);
                repo.publish_root();
            }
        }
        assert_tuf_error(client.update(&mut repo, None), "expired");
    }
}

#[test]
fn a_snapshot_may_not_drop_or_roll_back_a_role() {
    // CVE-2025-2887 (tough): delegated roles' versions were not checked for rollback.
    let (mut repo, mut client) = fresh();
    repo.delegate("targets", "a", json!(["*"]), false, Signer::ed25519(20));
    repo.publish_targets("a");
    repo.publish_targets("a");
    repo.publish_targets("targets");
    client.update(&mut repo, Some("x")).unwrap_err(); // loads role a at version 2
    assert_eq!(client.version("a.json"), Some(2));
    repo.snapshot["meta"]["a.json"]["version"] = json!(1);
    repo.publish_snapshot();
    assert_tuf_error(client.update(&mut repo, None), "lists a.json version 1, older than the trusted 2");
    let meta = repo.snapshot["meta"].as_object_mut().unwrap();
    meta.remove("a.json");
    repo.publish_snapshot();
    assert_tuf_error(client.update(&mut repo, None), "no longer lists a.json");
}

#[test]
fn metadata_must_match_the_version_length_and_hashes_listed_for_it() {
    // Mix and match: a validly signed targets file that is not the one the snapshot lists.
    let (mut repo, mut client) = fresh();
    repo.publish_targets("targets"); // snapshot lists targets v2
    let other = repo.files["metadata/1.targets.json"].clone();
    repo.files.insert("metadata/2.targets.json".into(), other);
    assert_tuf_error(client.update(&mut repo, None), "targets metadata is version 1; snapshot.json lists 2");

    let (mut repo, mut client) = fresh();
    repo.snapshot["meta"]["targets.json"]["hashes"] = json!({ "sha256": "00".repeat(32) });
    repo.publish_snapshot();
    assert_tuf_error(client.update(&mut repo, None), "its sha256 hash is not the one listed");
}

#[test]
fn delegated_metadata_is_held_to_its_expiry_hash_and_keys() {
    // CVE-2026-6967 (tough): delegated metadata skipped expiry, hash and length checks.
    let (mut repo, mut client) = fresh();
    repo.delegate("targets", "a", json!(["*"]), false, Signer::ed25519(20));
    repo.targets.get_mut("a").unwrap()["expires"] = json!(EXPIRED);
    repo.publish_targets("a");
    repo.publish_targets("targets");
    assert_tuf_error(client.update(&mut repo, Some("file")), "a targets metadata (version 1) expired");

    let (mut repo, mut client) = fresh();
    repo.delegate("targets", "a", json!(["*"]), false, Signer::ed25519(20));
    repo.publish_targets("a");
    repo.snapshot["meta"]["a.json"]["length"] = json!(3);
    repo.publish_targets("targets");
    assert_tuf_error(client.update(&mut repo, Some("file")), "larger than the 3 bytes allowed");

    let (mut repo, mut client) = fresh();
    repo.delegate("targets", "a", json!(["*"]), false, Signer::ed25519(20));
    repo.signers.insert("a".into(), vec![Signer { id: "ed25519-20".into(), ..Signer::ed25519(21) }]);
    repo.publish_targets("a");
    repo.publish_targets("targets");
    assert_tuf_error(client.update(&mut repo, Some("file")), "a targets metadata: signed by 0");
}

/// A tree of delegations, each role listing its name as a target: the order of roles the search
/// for `path` requests is the order it visits them.
fn visit_order(build: impl Fn(&mut Repo), path: &str) -> (Vec<String>, Option<String>) {
    let (mut repo, mut client) = fresh();
    build(&mut repo);
    let names: Vec<String> = repo.targets.keys().filter(|n| *n != "targets").cloned().collect();
    for name in &names {
        repo.publish_targets(name);
    }
    repo.publish_targets("targets");
    let result = client.update(&mut repo, Some(path));
    let order = repo
        .requests
        .iter()
        .filter_map(|r| {
            let (version, rest) = r.strip_prefix("metadata/")?.split_once('.')?;
            version.parse::<u64>().ok().map(|_| rest.trim_end_matches(".json").to_owned())
        })
        .filter(|n| !["root", "timestamp", "snapshot", "targets"].contains(&n.as_str()))
        .collect();
    (order, result.ok().and_then(|u| u.target).map(|t| String::from_utf8(t.bytes).unwrap()))
}

#[test]
fn delegations_are_searched_pre_order_and_terminating_ones_end_the_search() {
    // CVE-2024-47534 (go-tuf): wrong order. CVE-2025-2886 (tough): terminating ignored.
    let tree = |terminating_b: bool| {
        move |repo: &mut Repo| {
            repo.delegate("targets", "a", json!(["*.py"]), false, Signer::ed25519(20));
            repo.delegate("a", "c", json!(["*.py"]), false, Signer::ed25519(22));
            repo.delegate("targets", "b", json!(["*"]), terminating_b, Signer::ed25519(21));
            repo.delegate("targets", "d", json!(["*"]), false, Signer::ed25519(23));
        }
    };
    assert_eq!(visit_order(tree(false), "x.py").0, ["a", "c", "b", "d"]);
    assert_eq!(visit_order(tree(false), "x.txt").0, ["b", "d"]);
    assert_eq!(visit_order(tree(true), "x.txt").0, ["b"]);

    // The first role that lists the target wins.
    let listed = |repo: &mut Repo| {
        repo.delegate("targets", "a", json!(["*"]), false, Signer::ed25519(20));
        repo.delegate("targets", "b", json!(["*"]), false, Signer::ed25519(21));
        repo.add_target("a", "f", b"from a");
        repo.add_target("b", "f", b"from b");
    };
    assert_eq!(visit_order(listed, "f"), (vec!["a".to_owned()], Some("from a".to_owned())));
}

#[test]
fn cyclic_delegations_end() {
    // GHSA-j8x2-777p-23fc (tough): a cycle of delegations looped forever.
    let cycle = |repo: &mut Repo| {
        repo.delegate("targets", "a", json!(["*"]), false, Signer::ed25519(20));
        repo.delegate("a", "b", json!(["*"]), false, Signer::ed25519(21));
        let b = Signer::ed25519(21);
        let value = repo.targets.get_mut("b").unwrap();
        value["delegations"] = json!({ "keys": { "ed25519-20": Signer::ed25519(20).public() },
            "roles": [{ "name": "a", "keyids": ["ed25519-20"], "threshold": 1, "terminating": false, "paths": ["*"] }] });
        drop(b);
    };
    let (order, found) = visit_order(cycle, "f");
    assert_eq!((order, found), (vec!["a".to_owned(), "b".to_owned()], None));
}

#[test]
fn path_patterns_are_case_sensitive_and_hash_prefixes_select_by_sha256() {
    // GHSA-qp9x-wp8f-qgjj (python-tuf): case-insensitive matching on some platforms.
    let tree = |repo: &mut Repo| repo.delegate("targets", "a", json!(["*.PY"]), false, Signer::ed25519(20));
    assert!(visit_order(tree, "x.py").0.is_empty());
    let prefix =
        sigstore_wasm::encoding::encode_hex(&sigstore_wasm::crypto::HashAlgorithm::Sha256.digest(b"f"))[..2].to_owned();
    let by_hash = move |repo: &mut Repo| {
        repo.delegate("targets", "a", json!(null), false, Signer::ed25519(20));
        let roles = repo.targets.get_mut("targets").unwrap()["delegations"]["roles"].as_array_mut().unwrap();
        roles[0].as_object_mut().unwrap().remove("paths");
        roles[0]["path_hash_prefixes"] = json!([prefix.clone()]);
    };
    assert_eq!(visit_order(by_hash, "f").0, ["a"]);
}

#[test]
fn role_names_are_percent_encoded_in_urls_and_file_names() {
    // CVE-2021-41131 (python-tuf): a role name used as a file path.
    let (mut repo, mut client) = fresh();
    repo.delegate("targets", "../../etc/x", json!(["*"]), false, Signer::ed25519(20));
    repo.publish_targets("../../etc/x");
    repo.publish_targets("targets");
    client.update(&mut repo, Some("f")).unwrap_err();
    assert!(repo.requests.contains(&"metadata/1...%2F..%2Fetc%2Fx.json".to_owned()), "{:?}", repo.requests);
    assert!(client.cache.contains_key("..%2F..%2Fetc%2Fx.json"));
    assert!(client.cache.keys().all(|k| !k.contains('/')));
}

#[test]
fn malformed_metadata_is_refused_with_what_was_expected() {
    let (mut repo, mut client) = fresh();
    let mut value = repo.timestamp.clone();
    value["_type"] = json!("snapshot");
    value["version"] = json!(2);
    let bytes = sign(&value, &repo.signers("timestamp"));
    repo.files.insert("metadata/timestamp.json".into(), bytes);
    assert_tuf_error(client.update(&mut repo, None), "_type is \"snapshot\", expected \"timestamp\"");

    let (mut repo, mut client) = fresh();
    repo.files.insert("metadata/timestamp.json".into(), b"{\"signed\": 1".to_vec());
    assert_tuf_error(client.update(&mut repo, None), "timestamp.json is not valid TUF metadata");

    // Unknown fields are signed and kept, not refused.
    let (mut repo, mut client) = fresh();
    repo.root["custom"] = json!({ "a": [1, 2], "b": "é" });
    repo.publish_root();
    client.update(&mut repo, None).unwrap();
    assert_eq!(client.version("root.json"), Some(2));
}

#[test]
fn a_missing_start_or_an_unreachable_repository_fails_without_persisting() {
    let (mut repo, _) = fresh();
    let mut empty = Client::new(Vec::new());
    empty.cache.clear();
    assert_tuf_error(empty.update(&mut repo, None), "root.json is not valid TUF metadata");
    let mut unsigned = Client::new(b"{}".to_vec());
    assert!(unsigned.update(&mut repo, None).is_err());
    assert!(repo.requests.is_empty(), "nothing is asked before the trusted root verifies");

    let (mut repo, mut client) = fresh();
    repo.files.remove("metadata/timestamp.json");
    assert_tuf_error(client.update(&mut repo, None), "timestamp.json was not found");
    assert_eq!(client.cache.len(), 1);
}

/// Sigstore's real repository, as the conformance suite ships a copy: from root 1 through
/// eleven rotations, the npm delegation, and the trusted root as a target.
#[test]
fn sigstore_s_real_repository_from_its_first_root_to_its_trusted_root() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tuf-conformance/tuf_conformance/static_data/sigstore-root-signing");
    let read = |p: &str| std::fs::read(dir.join(p)).unwrap();
    let faketime = String::from_utf8(read("faketime")).unwrap();
    let now = Timestamp::parse_rfc3339(&faketime.trim().replacen(' ', "T", 1)).expect("faketime is RFC 3339");
    let target_path = String::from_utf8(read("targetpath")).unwrap().trim().to_owned();
    let first_root = read("metadata/1.root.json");

    let (update, asked) = update_from_dir(&dir, &first_root, now, Some(&target_path));
    let updated = update.result.unwrap();
    assert_eq!(updated.root_version, 12);
    let root =
        sigstore_wasm::trust::TrustedRoot::from_json(std::str::from_utf8(&updated.target.unwrap().bytes).unwrap());
    assert!(root.unwrap().summary().transparency_logs >= 1);
    assert_eq!(asked.iter().filter(|a| a.ends_with(".root.json")).count(), 12, "{asked:?}");

    // Long after its timestamp expired, the same repository is refused.
    let later = Timestamp::from_unix(now.unix_seconds() + 400 * 86_400);
    let (update, _) = update_from_dir(&dir, &first_root, later, None);
    assert_eq!(update.result.unwrap_err().code, ErrorCode::Tuf);
}

/// An update from `root` against the repository in `dir`, as a static server serves it, and the
/// paths it asked for.
fn update_from_dir(
    dir: &std::path::Path,
    root: &[u8],
    now: Timestamp,
    target: Option<&str>,
) -> (tuf::Update, Vec<String>) {
    use sigstore_wasm::http::{Reply, Response};
    let cache = std::collections::BTreeMap::from([("root.json".to_owned(), root.to_vec())]);
    let repository = Repository::new("https://tuf.example/metadata", "https://tuf.example/targets");
    let mut asked = Vec::new();
    let update = Exchange::default()
        .complete(
            |fetch| {
                let start = Start { root, cached: &cache, now, mode: Mode::Online };
                let request = target.map(|path| TargetRequest { path, cached: None });
                tuf::update(fetch, &repository, start, request, &sigstore_wasm::crypto::RustCrypto)
            },
            |r| {
                let path = r.url.strip_prefix("https://tuf.example/").unwrap();
                asked.push(path.to_owned());
                match std::fs::read(dir.join(path)) {
                    Ok(bytes) => Reply::Response(Response::new(200, vec![], bytes)),
                    Err(_) => Reply::Response(Response::new(404, vec![], vec![])),
                }
            },
        )
        .unwrap()
        .finished()
        .unwrap();
    (update, asked)
}

#[test]
fn offline_re_verifies_the_cache_from_the_pinned_root_and_reports_expiry() {
    let (mut repo, mut client) = fresh();
    let pinned = repo.initial_root();
    repo.publish_root();
    repo.publish_root(); // root 3, through 2
    repo.add_target("targets", "trusted_root.json", b"{}");
    repo.publish_targets("targets");
    client.update(&mut repo, Some("trusted_root.json")).unwrap();
    assert!(
        client.cache.contains_key("root_history/2.root.json") && client.cache.contains_key("root_history/3.root.json")
    );

    let offline = client.offline(&pinned, Some("trusted_root.json")).unwrap();
    assert_eq!((offline.root_version, offline.expired), (3, false));
    assert!(offline.target.unwrap().from_cache);

    // Later than every expiry: still verified, and said to be expired.
    client.now = Timestamp::from_unix(1_900_000_000);
    assert!(client.offline(&pinned, Some("trusted_root.json")).unwrap().expired);
    client.now = Timestamp::from_unix(support::tuf::NOW);

    // A cached file changed by anyone but the update is refused, offline as online.
    let mut tampered = client.cache["snapshot.json"].clone();
    let at = tampered.iter().position(|&b| b == b'1').unwrap();
    tampered[at] = b'7';
    client.cache.insert("snapshot.json".into(), tampered);
    assert!(client.offline(&pinned, Some("trusted_root.json")).is_err());
    client.cache.insert("target:trusted_root.json".into(), b"{ }".to_vec());
    client.update(&mut repo, None).unwrap(); // online: the bad cached snapshot is fetched anew
    assert_tuf_error(
        client.offline(&pinned, Some("trusted_root.json")),
        "the cached copy is not the one the metadata lists",
    );

    // Without the history of roots, the pinned root is the last one reached: what its keys sign
    // still verifies, and nothing else would.
    client.cache.remove("root_history/2.root.json");
    assert_eq!(client.offline(&pinned, None).unwrap().root_version, 1);
}

/// The walk driven as the package drives it (a `Session`): checks answered elsewhere, requests
/// made only once every check so far has its answer.
#[test]
fn driven_with_checks_answered_elsewhere_the_requests_are_those_of_the_synchronous_client() {
    use sigstore_wasm::session::{Session, Step, TufUpdate};

    let drive = |answer: &dyn Fn(&sigstore_wasm::crypto::deferred::WebCryptoCheck) -> u8| {
        let (mut repo, client) = fresh();
        repo.publish_root();
        repo.add_target("targets", "t", b"content");
        repo.publish_targets("targets");
        let repository = Repository::new("https://tuf.example/metadata", "https://tuf.example/targets");
        let root = client.cache["root.json"].clone();
        let target = Some(("t".to_owned(), None));
        let mut session =
            Session::new(TufUpdate::new(repository, root, client.cache.clone(), client.now, Mode::Online, target));
        let mut asked = Vec::new();
        loop {
            match session.step(&|_| {}).unwrap() {
                Step::Checks(checks) => session.answer(&checks.iter().map(answer).collect::<Vec<_>>()).unwrap(),
                Step::Requests(requests) => {
                    for (index, request) in requests.iter().enumerate() {
                        asked.push(request.url.clone());
                        session.reply(index, repo_reply(&mut repo, request)).unwrap();
                    }
                }
                Step::Done(update) => return (asked, update.result),
            }
        }
    };
    // The honest answers, as the package's crypto module gives them from the checks' parts.
    let honest = |check: &sigstore_wasm::crypto::deferred::WebCryptoCheck| {
        let (message, signature) = (&check.message, &check.signature);
        let verified = sigstore_wasm::crypto::RustCrypto.verify_web_crypto(
            check.name,
            check.hash,
            check.prehashed,
            &check.spki,
            message,
            signature,
        );
        u8::from(verified)
    };
    let (asked, result) = drive(&honest);
    assert_eq!(result.unwrap().target.unwrap().bytes, b"content");
    let files: Vec<&str> = asked.iter().map(|u| u.rsplit('/').next().unwrap()).collect();
    assert_eq!(files[..5], ["2.root.json", "3.root.json", "timestamp.json", "2.snapshot.json", "2.targets.json"]);
    // Root 2's signatures refused: nothing is fetched on the strength of them.
    let root_2 = |check: &sigstore_wasm::crypto::deferred::WebCryptoCheck| {
        let text = String::from_utf8_lossy(&check.message);
        if text.contains("\"_type\":\"root\"") && text.contains("\"version\":2}") {
            0
        } else {
            honest(check)
        }
    };
    let (asked, result) = drive(&root_2);
    assert!(result.unwrap_err().message.contains("root.json version 2"));
    assert_eq!(asked, ["https://tuf.example/metadata/2.root.json"]);
    // The pinned root's own signatures refused: nothing is fetched at all.
    let (asked, result) = drive(&|_| 0);
    assert!(result.is_err() && asked.is_empty());
}

fn repo_reply(repo: &mut Repo, request: &sigstore_wasm::http::Request) -> sigstore_wasm::http::Reply {
    let path = request.url.strip_prefix("https://tuf.example/").unwrap();
    match repo.files.get(path) {
        Some(bytes) => {
            sigstore_wasm::http::Reply::Response(sigstore_wasm::http::Response::new(200, vec![], bytes.clone()))
        }
        None => sigstore_wasm::http::Reply::Response(sigstore_wasm::http::Response::new(404, vec![], vec![])),
    }
}

#[test]
fn the_pinned_roots_verify_with_their_own_keys() {
    for name in ["production", "staging"] {
        let root = sigstore_wasm::trust::tuf_root(name).unwrap();
        let now = Timestamp::from_unix(support::tuf::NOW);
        let trusted =
            tuf::trusted::TrustedSet::new(root, now, tuf::trusted::Expiry::Enforce, &sigstore_wasm::crypto::RustCrypto);
        assert!(trusted.unwrap().root().consistent_snapshot, "{name}");
    }
}

#[test]
fn the_limits_on_rotations_delegations_and_sizes_hold() {
    use sigstore_wasm::limits::{MAX_DELEGATIONS, MAX_ROOT_ROTATIONS, MAX_TIMESTAMP_BYTES};

    // Roots past the bound are left for the next update, which goes on from where this one ended.
    let (mut repo, mut client) = fresh();
    for _ in 0..MAX_ROOT_ROTATIONS + 3 {
        repo.publish_root();
    }
    assert_eq!(client.update(&mut repo, None).unwrap().root_version, 1 + MAX_ROOT_ROTATIONS);
    assert_eq!(client.update(&mut repo, None).unwrap().root_version, 4 + MAX_ROOT_ROTATIONS);

    // A chain of delegations longer than the bound ends the search with an error.
    let chain = |repo: &mut Repo| {
        let mut parent = "targets".to_owned();
        for i in 0..=MAX_DELEGATIONS {
            let name = format!("r{i}");
            repo.delegate(&parent, &name, json!(["*"]), false, Signer::ed25519(30));
            parent = name;
        }
    };
    let (mut repo, mut client) = fresh();
    chain(&mut repo);
    let names: Vec<String> = repo.targets.keys().filter(|n| *n != "targets").cloned().collect();
    for name in &names {
        repo.publish_targets(name);
    }
    repo.publish_targets("targets");
    assert_tuf_error(client.update(&mut repo, Some("f")), &format!("more than {MAX_DELEGATIONS} roles to search"));

    // A timestamp larger than any real one is not read.
    let (mut repo, mut client) = fresh();
    repo.timestamp["padding"] = json!("x".repeat(MAX_TIMESTAMP_BYTES));
    repo.publish_timestamp();
    assert_tuf_error(client.update(&mut repo, None), &format!("larger than the {MAX_TIMESTAMP_BYTES} bytes allowed"));
}

/// The trusted root refreshed as every runtime of the package refreshes it: the core's policy
/// (`tuf::refresh`) stepped as a session, requests served by `repo`, `cache` kept as the package
/// keeps it.
fn refresh_root(
    repo: &mut Repo,
    cache: &mut std::collections::BTreeMap<String, Vec<u8>>,
    pinned: sigstore_wasm::session::PinnedRoot,
    offline: bool,
) -> Result<(tuf::refresh::RefreshedRoot, tuf::refresh::RootSource), sigstore_wasm::error::VerificationError> {
    use sigstore_wasm::session::{Session, TrustedRootRefresh};
    let now = Timestamp::from_unix(support::tuf::NOW);
    let (metadata, targets) = (Some("https://tuf.example/metadata"), Some("https://tuf.example/targets"));
    let work = TrustedRootRefresh::new(pinned, metadata, targets, cache.clone(), now, offline).unwrap();
    repo.requests.clear();
    let refreshed = Session::new(work).complete(|r| repo.serve(r), &sigstore_wasm::crypto::RustCrypto).unwrap();
    for file in refreshed.persist {
        cache.insert(file.name, file.bytes);
    }
    refreshed.result
}

#[test]
fn the_trusted_root_is_refreshed_and_when_the_repository_fails_the_verified_cache_is_used_with_a_warning() {
    use sigstore_wasm::session::PinnedRoot;
    use tuf::refresh::{RefreshedRoot, REFRESHED_ENTRY, TARGET_ENTRY};

    let (mut repo, client) = fresh();
    repo.add_target("targets", "trusted_root.json", b"{\"root\": 1}");
    repo.publish_targets("targets");
    let pinned = PinnedRoot::Given(repo.initial_root());
    let mut cache = std::collections::BTreeMap::new();
    let json = RefreshedRoot::Json("{\"root\": 1}".to_owned());

    let (root, source) = refresh_root(&mut repo, &mut cache, pinned.clone(), false).unwrap();
    let refreshed = client.now.to_string();
    assert_eq!(
        (root, source.source, source.refreshed.as_deref(), source.warning),
        (json.clone(), "tuf", Some(refreshed.as_str()), None)
    );
    assert_eq!((source.root_version, source.timestamp_version), (Some(1), Some(2)));
    assert_eq!(cache[TARGET_ENTRY], b"{\"root\": 1}");
    assert_eq!(cache[REFRESHED_ENTRY], refreshed.as_bytes());

    // The repository down: the cache, re-verified offline from the pinned root, and a warning.
    let mut down = Repo { files: Default::default(), ..Repo::new() };
    let (root, source) = refresh_root(&mut down, &mut cache, pinned.clone(), false).unwrap();
    assert_eq!((root, source.source), (json.clone(), "cache"));
    let warning = source.warning.unwrap();
    assert!(
        warning.starts_with("the TUF repository https://tuf.example/metadata could not be used (TUF: ")
            && warning.ends_with(&format!("): using the trusted root last verified at {refreshed}")),
        "{warning}"
    );

    // Offline: the cache alone, and not a request.
    let (root, source) = refresh_root(&mut down, &mut cache, pinned.clone(), true).unwrap();
    assert_eq!((root, source.source), (json, "cache"));
    assert!(source.warning.unwrap().starts_with("offline: using the trusted root last verified at"));
    assert!(down.requests.is_empty(), "{:?}", down.requests);

    // A cached target that does not verify is never used; with a root of the caller's own there is
    // no embedded root to fall back on.
    cache.insert(TARGET_ENTRY.to_owned(), b"{\"root\": 666}".to_vec());
    let error = refresh_root(&mut down, &mut cache, pinned, false).unwrap_err();
    assert_eq!(error.code, ErrorCode::Tuf);
    assert!(
        error.message.starts_with("no verified trusted root: TUF: ")
            && error.message.contains("; the cache does not verify: "),
        "{}",
        error.message
    );
}

/// GitHub's instance is refreshed from its own repository, from its own pinned TUF root (which
/// parses and signs itself: the offline start re-verifies it), and falls back to its own embedded
/// trusted root.
#[test]
fn githubs_root_refreshes_from_its_repository_and_falls_back_to_its_embedded_root() {
    use sigstore_wasm::session::{repository_urls, PinnedRoot};
    use tuf::refresh::RefreshedRoot;

    let pinned = PinnedRoot::from_text("github");
    assert_eq!(pinned, PinnedRoot::Named("github".to_owned()));
    assert_eq!(
        repository_urls(&pinned, None, None).unwrap(),
        ("https://tuf-repo.github.com".to_owned(), "https://tuf-repo.github.com/targets".to_owned())
    );
    let (mut repo, _) = fresh();
    for offline in [true, false] {
        let mut cache = std::collections::BTreeMap::new();
        let (root, source) = refresh_root(&mut repo, &mut cache, pinned.clone(), offline).unwrap();
        assert_eq!((root, source.source), (RefreshedRoot::Embedded("github"), "embedded"), "offline {offline}");
        assert!(source.warning.unwrap().ends_with("using the trusted root embedded in this package"));
    }
    assert!(sigstore_wasm::trust::TrustedRoot::github().unwrap().tlogs.is_empty());
}

#[test]
fn a_sigstore_root_that_cannot_be_refreshed_falls_back_to_the_embedded_one_with_a_warning() {
    use sigstore_wasm::session::PinnedRoot;
    use tuf::refresh::RefreshedRoot;

    // A repository that production's pinned root does not sign.
    let (mut repo, _) = fresh();
    let mut cache = std::collections::BTreeMap::new();
    let (root, source) = refresh_root(&mut repo, &mut cache, PinnedRoot::from_text("production"), false).unwrap();
    assert_eq!(
        (root, source.source, source.refreshed, source.root_version),
        (RefreshedRoot::Embedded("production"), "embedded", None, None)
    );
    let warning = source.warning.unwrap();
    assert!(
        warning.starts_with("the TUF repository https://tuf.example/metadata could not be used (TUF: ")
            && warning.ends_with(") and nothing verified is cached: using the trusted root embedded in this package"),
        "{warning}"
    );
}
