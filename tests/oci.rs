//! Container images and Rekor lookups: one table of cases over a world of images and cosign
//! signatures in every format, minted by the private instance (`support::cosign`).
//!
//! Here every case runs natively, against the registries and Rekor APIs of `support::serve`.
//! The table and the world are also written to `target/tmp/oci-world/`, where the npm
//! package's tests (`tests/js/oci/run.mjs`) push the world into a real registry process and run
//! the same cases through the built package, in Node, workerd and Chromium. Cases marked `network`
//! need real sockets and timers (a slow or endless registry) and run there only.

mod support;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{json, Value};
use sigstore_wasm::cosign::discover::discover;
use sigstore_wasm::error::VerificationError;
use sigstore_wasm::http::Exchange;
use sigstore_wasm::limits;
use sigstore_wasm::options::{field_names, ImageOptions, LogQueryOptions, PolicyOptions};
use sigstore_wasm::session::{ImageLookup, LogLookup, Session};
use sigstore_wasm::trust::TrustedRoot;
use sigstore_wasm::verify::Verifier;
use support::cosign::*;
use support::instance::encoding::b64;
use support::instance::{DEFAULT_ISSUER, DEFAULT_SAN};
use support::serve::{Registry, Servers};

const SLSA_V1: &str = "https://slsa.dev/provenance/v1";
const CUSTOM: &str = "https://cosign.sigstore.dev/attestation/v1";
/// The network's options, which stay in JavaScript (pkg/api.js); the image's are routed by the
/// names of `ImageOptions`, as the JavaScript API routes them.
const NET_OPTIONS: [&str; 3] = ["fetch", "proxy", "timeout"];

/// Where the native runs find each server.
const REGISTRIES: [(&str, &str); 4] = [
    ("registry", "127.0.0.1:5000"),
    ("token", "127.0.0.1:5001"),
    ("hostile", "127.0.0.1:5002"),
    ("referrers-api", "127.0.0.1:5003"),
];
const REKOR: &str = "http://127.0.0.1:3000";
const REKOR_LIAR: &str = "http://127.0.0.1:3001";

struct Scenario {
    world: World,
    cases: Vec<Value>,
    /// Repository -> behaviour of the hostile registry.
    hostile: BTreeMap<String, String>,
    liar: Vec<ApiEntry>,
}

fn scenario() -> &'static Scenario {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    SCENARIO.get_or_init(build)
}

fn identity() -> Value {
    json!({ "certificateIdentity": DEFAULT_SAN, "certificateOidcIssuer": DEFAULT_ISSUER })
}

fn with(base: &Value, extra: Value) -> Value {
    let mut out = base.clone();
    if let (Some(out), Value::Object(extra)) = (out.as_object_mut(), extra) {
        out.extend(extra);
    }
    out
}

/// `expect` for an image: its error code (or null), how many verified, and per signature
/// its format and error code, in the order found.
fn image_expect(error: Option<&str>, signatures: &[(&str, Option<&str>)]) -> Value {
    json!({
        "error": error,
        "verified": signatures.iter().filter(|(_, e)| e.is_none()).count(),
        "signatures": signatures.iter().map(|(f, e)| json!({ "format": f, "error": e })).collect::<Vec<_>>(),
    })
}

struct Cases(Vec<Value>);

impl Cases {
    fn image(&mut self, name: &str, server: &str, reference: &str, options: Value, expect: Value) {
        self.push(name, "verifyImage", server, json!(reference), options, expect);
    }

    fn attestations(&mut self, name: &str, reference: &str, options: Value, expect: Value) {
        self.push(name, "verifyImageAttestations", "registry", json!(reference), options, expect);
    }

    fn log(&mut self, name: &str, call: &str, rekor: &str, query: Value, expect: Value) {
        let options = json!({ "rekorUrl": rekor });
        self.push(name, call, "rekor", query, options, expect);
    }

    fn push(&mut self, name: &str, call: &str, server: &str, target: Value, options: Value, expect: Value) {
        self.0.push(json!({ "name": name, "call": call, "server": server, "target": target, "options": options, "expect": expect }));
    }

    /// Marks the last case as needing real sockets and timers.
    fn network(&mut self) {
        if let Some(case) = self.0.last_mut() {
            case["network"] = json!(true);
        }
    }
}

fn build() -> Scenario {
    let mut w = World::new(41);
    let mut c = Cases(Vec::new());
    let id = identity();
    let key = json!({ "publicKey": w.managed_key_pem() });
    let one = |format: &str| image_expect(None, &[(format, None)]);
    let none_hold = |signatures: &[(&str, Option<&str>)]| image_expect(Some("NO_MATCHING_SIGNATURES"), signatures);

    // Legacy keyless: the Rekor bundle annotation proves the log entry offline.
    let keyless = w.signed_image("legacy/keyless", &LegacyOptions::default());
    c.image(
        "legacy keyless signature with its Rekor bundle",
        "registry",
        "REGISTRY/legacy/keyless:v1",
        id.clone(),
        one("cosign-signature"),
    );
    c.image(
        "the same, by digest",
        "registry",
        &format!("REGISTRY/legacy/keyless@{keyless}"),
        id.clone(),
        one("cosign-signature"),
    );
    c.image(
        "the same, behind anonymous bearer tokens",
        "token",
        "REGISTRY/legacy/keyless:v1",
        id.clone(),
        one("cosign-signature"),
    );
    c.image(
        "the same, with a regular expression for the identity",
        "registry",
        "REGISTRY/legacy/keyless:v1",
        json!({ "certificateIdentityRegExp": "^https://github\\.com/test-org/", "certificateOidcIssuer": DEFAULT_ISSUER }),
        one("cosign-signature"),
    );
    c.image(
        "another identity is refused",
        "registry",
        "REGISTRY/legacy/keyless:v1",
        json!({ "certificateIdentity": "https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main", "certificateOidcIssuer": DEFAULT_ISSUER }),
        none_hold(&[("cosign-signature", Some("IDENTITY_MISMATCH"))]),
    );
    c.image(
        "another issuer is refused",
        "registry",
        "REGISTRY/legacy/keyless:v1",
        json!({ "certificateIdentity": DEFAULT_SAN, "certificateOidcIssuer": "https://accounts.google.com" }),
        none_hold(&[("cosign-signature", Some("ISSUER_MISMATCH"))]),
    );
    c.image(
        "no policy is refused",
        "registry",
        "REGISTRY/legacy/keyless:v1",
        json!({}),
        json!({ "error": "INVALID_INPUT" }),
    );
    c.image("a missing tag", "registry", "REGISTRY/legacy/keyless:v2", id.clone(), json!({ "error": "REGISTRY" }));
    c.image(
        "a malformed reference",
        "registry",
        "REGISTRY/Legacy/keyless:v1",
        id.clone(),
        json!({ "error": "INVALID_INPUT" }),
    );

    // Legacy keyless without the Rekor bundle, timestamped: its entry is found in Rekor by
    // the entry cosign would have made, and must prove its inclusion.
    w.signed_image(
        "legacy/lookup",
        &LegacyOptions { rekor_bundle: false, timestamp: true, ..LegacyOptions::default() },
    );
    let lookup_payload_index = w.log_len() - 1;
    c.image(
        "legacy signature found in Rekor",
        "registry",
        "REGISTRY/legacy/lookup:v1",
        with(&id, json!({ "rekorUrl": "REKOR" })),
        one("cosign-signature"),
    );
    c.image(
        "offline, a signature without its Rekor bundle proves no log entry",
        "registry",
        "REGISTRY/legacy/lookup:v1",
        with(&id, json!({ "offline": true })),
        none_hold(&[("cosign-signature", Some("TLOG_THRESHOLD"))]),
    );
    c.image(
        "a Rekor that serves a tampered entry",
        "registry",
        "REGISTRY/legacy/lookup:v1",
        with(&id, json!({ "rekorUrl": "REKOR_LIAR" })),
        none_hold(&[("cosign-signature", Some("SET"))]),
    );
    c.image(
        "no transparency log asked for: the timestamp suffices",
        "registry",
        "REGISTRY/legacy/lookup:v1",
        with(&id, json!({ "tlogThreshold": 0 })),
        one("cosign-signature"),
    );
    w.signed_image(
        "legacy/unlogged",
        &LegacyOptions { rekor_bundle: false, logged: false, ..LegacyOptions::default() },
    );
    c.image(
        "a signature Rekor has no entry for",
        "registry",
        "REGISTRY/legacy/unlogged:v1",
        with(&id, json!({ "rekorUrl": "REKOR" })),
        none_hold(&[("cosign-signature", Some("TLOG_THRESHOLD"))]),
    );

    // Legacy keyed (`cosign sign --key`).
    w.signed_image("legacy/keyed", &LegacyOptions { keyed: true, ..LegacyOptions::default() });
    c.image("legacy keyed signature", "registry", "REGISTRY/legacy/keyed:v1", key.clone(), one("cosign-signature"));
    c.image(
        "a keyed signature does not satisfy an identity policy",
        "registry",
        "REGISTRY/legacy/keyed:v1",
        id.clone(),
        none_hold(&[("cosign-signature", Some("KEY_MISMATCH"))]),
    );
    c.image(
        "a keyless signature does not satisfy a key policy",
        "registry",
        "REGISTRY/legacy/keyless:v1",
        key.clone(),
        none_hold(&[("cosign-signature", Some("KEY_MISMATCH"))]),
    );
    w.signed_image(
        "legacy/keyed-lookup",
        &LegacyOptions { keyed: true, rekor_bundle: false, ..LegacyOptions::default() },
    );
    c.image(
        "keyed signature found in Rekor by its key",
        "registry",
        "REGISTRY/legacy/keyed-lookup:v1",
        with(&key, json!({ "rekorUrl": "REKOR" })),
        one("cosign-signature"),
    );

    // Signed annotations (`cosign sign -a`, `cosign verify -a`).
    let env: BTreeMap<String, String> = [("env".to_owned(), "prod".to_owned())].into();
    w.signed_image("legacy/annotated", &LegacyOptions { annotations: env.clone(), ..LegacyOptions::default() });
    c.image(
        "the annotations asked for are signed",
        "registry",
        "REGISTRY/legacy/annotated:v1",
        with(&id, json!({ "annotations": { "env": "prod" } })),
        one("cosign-signature"),
    );
    c.image(
        "an annotation with another value",
        "registry",
        "REGISTRY/legacy/annotated:v1",
        with(&id, json!({ "annotations": { "env": "dev" } })),
        none_hold(&[("cosign-signature", Some("ANNOTATION_MISMATCH"))]),
    );

    // cosign v3: a bundle attached as a referrer, found through the tag schema.
    let v3 = w.image("bundle/v3", "v1", OCI_MANIFEST);
    let team: BTreeMap<String, String> = [("team".to_owned(), "a".to_owned())].into();
    let statement = w.statement("bundle/v3", &v3, SIGN_PREDICATE, &team);
    let bundle = w.bundle(&statement, false);
    w.attach_referrer("bundle/v3", &v3, bundle.to_string().as_bytes(), SIGN_PREDICATE);
    c.image(
        "cosign v3 bundle through the referrers tag schema",
        "registry",
        "REGISTRY/bundle/v3:v1",
        id.clone(),
        one("sigstore-bundle"),
    );
    c.image(
        "cosign v3 bundle through the referrers API",
        "referrers-api",
        "REGISTRY/bundle/v3:v1",
        id.clone(),
        one("sigstore-bundle"),
    );
    c.image(
        "a v3 signature's annotations are its subject's",
        "registry",
        "REGISTRY/bundle/v3:v1",
        with(&id, json!({ "annotations": { "team": "a" } })),
        one("sigstore-bundle"),
    );
    c.image(
        "a v3 signature without the annotation asked for",
        "registry",
        "REGISTRY/bundle/v3:v1",
        with(&id, json!({ "annotations": { "team": "b" } })),
        none_hold(&[("sigstore-bundle", Some("ANNOTATION_MISMATCH"))]),
    );
    let v2 = w.image("bundle/rekor2", "v1", OCI_MANIFEST);
    let statement = w.statement("bundle/rekor2", &v2, SIGN_PREDICATE, &BTreeMap::new());
    let bundle = w.bundle(&statement, true);
    w.attach_referrer("bundle/rekor2", &v2, bundle.to_string().as_bytes(), SIGN_PREDICATE);
    c.image(
        "cosign v3 bundle in Rekor v2 with a timestamp",
        "registry",
        "REGISTRY/bundle/rekor2:v1",
        id.clone(),
        one("sigstore-bundle"),
    );

    // Both formats on one image, an image index, a Docker manifest.
    let both = w.image("mixed/both", "v1", OCI_MANIFEST);
    let statement = w.statement("mixed/both", &both, SIGN_PREDICATE, &BTreeMap::new());
    let bundle = w.bundle(&statement, false);
    w.attach_referrer("mixed/both", &both, bundle.to_string().as_bytes(), SIGN_PREDICATE);
    let sig = w.legacy_signature("mixed/both", &both, &LegacyOptions::default());
    w.attach_legacy("mixed/both", &both, ".sig", &[sig]);
    c.image(
        "a v3 bundle and a legacy signature on one image",
        "registry",
        "REGISTRY/mixed/both:v1",
        id.clone(),
        image_expect(None, &[("sigstore-bundle", None), ("cosign-signature", None)]),
    );
    let index = w.index("mixed/index", "v1");
    let sig = w.legacy_signature("mixed/index", &index, &LegacyOptions::default());
    w.attach_legacy("mixed/index", &index, ".sig", &[sig]);
    c.image("a signed image index", "registry", "REGISTRY/mixed/index:v1", id.clone(), one("cosign-signature"));
    c.image(
        "a platform image of a signed index is not signed itself",
        "registry",
        "REGISTRY/mixed/index:v1-arm64",
        id.clone(),
        json!({ "error": "NO_SIGNATURES" }),
    );
    let docker = w.image("mixed/docker", "v1", DOCKER_MANIFEST);
    let sig = w.legacy_signature("mixed/docker", &docker, &LegacyOptions::default());
    w.attach_legacy("mixed/docker", &docker, ".sig", &[sig]);
    c.image("a Docker schema 2 image", "registry", "REGISTRY/mixed/docker:v1", id.clone(), one("cosign-signature"));

    // Signatures kept in another repository (cosign's COSIGN_REPOSITORY).
    let split = w.image("split/app", "v1", OCI_MANIFEST);
    let sig = w.legacy_signature("split/app", &split, &LegacyOptions::default());
    w.attach_legacy("split/signatures", &split, ".sig", &[sig]);
    for server in ["registry", "token"] {
        c.image(
            &format!("signatures in another repository ({server})"),
            server,
            "REGISTRY/split/app:v1",
            with(&id, json!({ "signatureRepository": "REGISTRY/split/signatures" })),
            one("cosign-signature"),
        );
    }
    c.image(
        "signatures in another repository, not looked for",
        "registry",
        "REGISTRY/split/app:v1",
        id.clone(),
        json!({ "error": "NO_SIGNATURES" }),
    );

    // Nothing to find.
    w.image("unsigned/app", "v1", OCI_MANIFEST);
    c.image(
        "an unsigned image",
        "registry",
        "REGISTRY/unsigned/app:v1",
        id.clone(),
        json!({ "error": "NO_SIGNATURES", "verified": 0, "signatures": [] }),
    );
    c.attestations(
        "an image without attestations",
        "REGISTRY/unsigned/app:v1",
        with(&id, json!({ "predicateType": SLSA_V1 })),
        json!({ "error": "NO_SIGNATURES" }),
    );

    // Attestations, filtered by their exact predicate type.
    let attested = w.image("attest/legacy", "v1", OCI_MANIFEST);
    let slsa = w.statement("attest/legacy", &attested, SLSA_V1, &BTreeMap::new());
    let att = w.legacy_attestation(&slsa, SLSA_V1, true);
    w.attach_legacy("attest/legacy", &attested, ".att", &[att]);
    c.attestations(
        "legacy attestation of the type asked for",
        "REGISTRY/attest/legacy:v1",
        with(&id, json!({ "predicateType": SLSA_V1 })),
        one("cosign-attestation"),
    );
    c.attestations(
        "no attestation of the type asked for is a failure",
        "REGISTRY/attest/legacy:v1",
        with(&id, json!({ "predicateType": CUSTOM })),
        json!({ "error": "NO_SIGNATURES" }),
    );
    c.attestations(
        "attestations need a predicate type",
        "REGISTRY/attest/legacy:v1",
        id.clone(),
        json!({ "error": "INVALID_INPUT" }),
    );
    c.image(
        "attestations are not signatures",
        "registry",
        "REGISTRY/attest/legacy:v1",
        id.clone(),
        json!({ "error": "NO_SIGNATURES" }),
    );
    let mislabelled = w.image("attest/mislabelled", "v1", OCI_MANIFEST);
    let slsa = w.statement("attest/mislabelled", &mislabelled, SLSA_V1, &BTreeMap::new());
    let att = w.legacy_attestation(&slsa, CUSTOM, false);
    w.attach_legacy("attest/mislabelled", &mislabelled, ".att", &[att]);
    c.attestations(
        "a label claiming the type asked for does not make it so",
        "REGISTRY/attest/mislabelled:v1",
        with(&id, json!({ "predicateType": CUSTOM })),
        none_hold(&[("cosign-attestation", Some("PREDICATE_TYPE_MISMATCH"))]),
    );
    let bundled = w.image("attest/bundle", "v1", OCI_MANIFEST);
    let slsa = w.statement("attest/bundle", &bundled, SLSA_V1, &BTreeMap::new());
    let bundle = w.bundle(&slsa, false);
    w.attach_referrer("attest/bundle", &bundled, bundle.to_string().as_bytes(), SLSA_V1);
    let statement = w.statement("attest/bundle", &bundled, SIGN_PREDICATE, &BTreeMap::new());
    let bundle = w.bundle(&statement, false);
    w.attach_referrer("attest/bundle", &bundled, bundle.to_string().as_bytes(), SIGN_PREDICATE);
    c.attestations(
        "v3 attestation bundle",
        "REGISTRY/attest/bundle:v1",
        with(&id, json!({ "predicateType": SLSA_V1 })),
        one("sigstore-bundle"),
    );
    c.image("beside it, the v3 signature", "registry", "REGISTRY/attest/bundle:v1", id.clone(), one("sigstore-bundle"));

    // What an attacker with push access to the repository can do.
    let target = w.image("neg/other-digest", "v1", OCI_MANIFEST);
    let other = w.image("neg/other-digest", "v2", OCI_MANIFEST);
    let sig = w.legacy_signature("neg/other-digest", &other, &LegacyOptions::default());
    w.attach_legacy("neg/other-digest", &target, ".sig", &[sig]);
    c.image(
        "a valid signature of another image",
        "registry",
        "REGISTRY/neg/other-digest:v1",
        id.clone(),
        none_hold(&[("cosign-signature", Some("ARTIFACT_MISMATCH"))]),
    );
    let tampered = w.image("neg/tampered", "v1", OCI_MANIFEST);
    let mut sig = w.legacy_signature("neg/tampered", &tampered, &LegacyOptions::default());
    sig.blob = w.payload("neg/tampered", &tampered, &env);
    w.attach_legacy("neg/tampered", &tampered, ".sig", &[sig]);
    c.image(
        "a tampered payload",
        "registry",
        "REGISTRY/neg/tampered:v1",
        id.clone(),
        none_hold(&[("cosign-signature", Some("TLOG_BODY_MISMATCH"))]),
    );
    let swapped = w.image("neg/swapped", "v1", OCI_MANIFEST);
    let a = w.legacy_signature("neg/swapped", &swapped, &LegacyOptions::default());
    let b = w.legacy_signature(
        "neg/swapped",
        &swapped,
        &LegacyOptions { annotations: env.clone(), ..LegacyOptions::default() },
    );
    let (mut a2, mut b2) = (a.clone(), b.clone());
    std::mem::swap(&mut a2.annotations, &mut b2.annotations);
    w.attach_legacy("neg/swapped", &swapped, ".sig", &[a2, b2]);
    c.image(
        "swapped annotations",
        "registry",
        "REGISTRY/neg/swapped:v1",
        id.clone(),
        none_hold(&[
            ("cosign-signature", Some("TLOG_BODY_MISMATCH")),
            ("cosign-signature", Some("TLOG_BODY_MISMATCH")),
        ]),
    );
    let foreign = w.image("neg/foreign-bundle", "v1", OCI_MANIFEST);
    let mut a = w.legacy_signature("neg/foreign-bundle", &foreign, &LegacyOptions::default());
    let b = w.legacy_signature(
        "neg/foreign-bundle",
        &foreign,
        &LegacyOptions { annotations: env.clone(), ..LegacyOptions::default() },
    );
    a.annotations.insert("dev.sigstore.cosign/bundle".into(), b.annotations["dev.sigstore.cosign/bundle"].clone());
    w.attach_legacy("neg/foreign-bundle", &foreign, ".sig", &[a]);
    c.image(
        "a Rekor bundle of another signature",
        "registry",
        "REGISTRY/neg/foreign-bundle:v1",
        id.clone(),
        none_hold(&[("cosign-signature", Some("TLOG_BODY_MISMATCH"))]),
    );
    let mixed = w.image("neg/one-of-two", "v1", OCI_MANIFEST);
    let other = w.image("neg/one-of-two", "v2", OCI_MANIFEST);
    let bad = w.legacy_signature("neg/one-of-two", &other, &LegacyOptions::default());
    let good = w.legacy_signature("neg/one-of-two", &mixed, &LegacyOptions::default());
    w.attach_legacy("neg/one-of-two", &mixed, ".sig", &[bad, good]);
    c.image(
        "one bad signature beside a good one",
        "registry",
        "REGISTRY/neg/one-of-two:v1",
        id.clone(),
        image_expect(None, &[("cosign-signature", Some("ARTIFACT_MISMATCH")), ("cosign-signature", None)]),
    );
    let many = w.image("neg/too-many-layers", "v1", OCI_MANIFEST);
    let mut sig = w.legacy_signature("neg/too-many-layers", &many, &LegacyOptions::default());
    // Only the signature annotation: the manifest stays within the registry's size limit.
    sig.annotations.retain(|k, _| k == "dev.cosignproject.cosign/signature");
    w.attach_legacy("neg/too-many-layers", &many, ".sig", &vec![sig; 1001]);
    c.image(
        "a signature manifest with 1001 layers",
        "registry",
        "REGISTRY/neg/too-many-layers:v1",
        id.clone(),
        json!({ "error": "LIMIT_EXCEEDED", "problems": ["LIMIT_EXCEEDED"], "signatures": [] }),
    );
    let crowded = w.image("neg/too-many-signatures", "v1", OCI_MANIFEST);
    let sig = w.legacy_signature("neg/too-many-signatures", &crowded, &LegacyOptions::default());
    w.attach_legacy("neg/too-many-signatures", &crowded, ".sig", &vec![sig; limits::MAX_SIGNATURES + 1]);
    c.image(
        "more signatures than are examined",
        "registry",
        "REGISTRY/neg/too-many-signatures:v1",
        id.clone(),
        json!({ "error": null, "verified": limits::MAX_SIGNATURES, "problems": ["LIMIT_EXCEEDED"] }),
    );
    let big = w.image("neg/oversized", "v1", OCI_MANIFEST);
    let mut payload = w.payload("neg/oversized", &big, &BTreeMap::new());
    payload.extend(std::iter::repeat_n(b' ', 2 << 20));
    let sig = w.sign_payload(&payload, &LegacyOptions::default());
    w.attach_legacy("neg/oversized", &big, ".sig", &[sig]);
    c.image(
        "an oversized signature blob",
        "registry",
        "REGISTRY/neg/oversized:v1",
        id.clone(),
        none_hold(&[("cosign-signature", Some("LIMIT_EXCEEDED"))]),
    );

    // A registry that lies or fails (hostile: see support::serve and tests/js/oci/servers.mjs).
    let mut hostile = BTreeMap::new();
    for behaviour in ["wrong-digest", "garbage", "server-error", "slow", "trickle", "endless-blob"] {
        let repo = format!("hostile/{behaviour}");
        w.signed_image(&repo, &LegacyOptions::default());
        hostile.insert(repo, behaviour.to_owned());
    }
    let wrong = w.repository("hostile/wrong-digest").lookup("v1").unwrap().digest.clone();
    c.image(
        "a manifest whose content is not its digest",
        "hostile",
        &format!("REGISTRY/hostile/wrong-digest@{wrong}"),
        id.clone(),
        json!({ "error": "DIGEST_MISMATCH" }),
    );
    c.image(
        "blobs whose content is not their digest",
        "hostile",
        "REGISTRY/hostile/wrong-digest:v1",
        id.clone(),
        none_hold(&[("cosign-signature", Some("DIGEST_MISMATCH"))]),
    );
    c.image(
        "a registry that answers with garbage",
        "hostile",
        "REGISTRY/hostile/garbage:v1",
        id.clone(),
        json!({ "error": "REGISTRY" }),
    );
    c.image(
        "a registry that fails",
        "hostile",
        "REGISTRY/hostile/server-error:v1",
        id.clone(),
        json!({ "error": "REGISTRY" }),
    );
    c.image(
        "a registry that answers too slowly",
        "hostile",
        "REGISTRY/hostile/slow:v1",
        with(&id, json!({ "timeout": 1000 })),
        json!({ "error": "NETWORK" }),
    );
    c.network();
    c.image(
        "a registry that trickles its answers",
        "hostile",
        "REGISTRY/hostile/trickle:v1",
        with(&id, json!({ "timeout": 1000 })),
        json!({ "error": "NETWORK" }),
    );
    c.network();
    c.image(
        "a blob that never ends",
        "hostile",
        "REGISTRY/hostile/endless-blob:v1",
        id.clone(),
        none_hold(&[("cosign-signature", Some("LIMIT_EXCEEDED"))]),
    );
    c.network();

    // One artifact logged as many times as a search may report, each entry signed a second apart:
    // the search verifies every one of them.
    let popular = b"an artifact signed many times\n";
    for i in 0..limits::MAX_REKOR_RESULTS {
        let at = support::instance::DEFAULT_SIGNING_TIME + i as i64;
        w.sign_payload(popular, &LegacyOptions { signing_time: Some(at), ..LegacyOptions::default() });
    }
    c.log(
        "as many entries for one digest as a search reports",
        "searchLogEntries",
        "REKOR",
        json!({ "digest": digest(popular) }),
        json!({ "entries": limits::MAX_REKOR_RESULTS, "error": null }),
    );

    // Rekor lookups, each entry verified before it is reported.
    let entries = w.log.api_entries(&w.instance);
    let first = &entries[0];
    c.log(
        "an entry by log index",
        "getLogEntry",
        "REKOR",
        json!({ "logIndex": first.log_index }),
        json!({ "entries": 1, "error": null }),
    );
    c.log(
        "an entry by UUID",
        "getLogEntry",
        "REKOR",
        json!({ "uuid": first.uuid }),
        json!({ "entries": 1, "error": null }),
    );
    c.log(
        "an entry by its leaf hash alone",
        "getLogEntry",
        "REKOR",
        json!({ "uuid": &first.uuid[16..] }),
        json!({ "entries": 1, "error": null }),
    );
    c.log(
        "a log index Rekor does not have",
        "getLogEntry",
        "REKOR",
        json!({ "logIndex": 1 }),
        json!({ "error": "REKOR" }),
    );
    let searched = first.recorded.clone().unwrap();
    let expected = entries.iter().filter(|e| e.recorded.as_deref() == Some(searched.as_str())).count();
    c.log(
        "entries by artifact digest",
        "searchLogEntries",
        "REKOR",
        json!({ "digest": searched }),
        json!({ "entries": expected, "error": null }),
    );
    c.log(
        "no entries for an unknown digest",
        "searchLogEntries",
        "REKOR",
        json!({ "digest": digest(b"nothing") }),
        json!({ "entries": 0, "error": null }),
    );
    // A lying Rekor: each of these entries is wrong in one way.
    let mut liar = entries.clone();
    let others: Vec<usize> = (0..entries.len()).filter(|&i| i != lookup_payload_index).collect();
    let [moved, elsewhere, rebodied, bad_set, bad_proof] = [others[1], others[2], others[3], others[4], others[5]];
    liar[moved].entry = entries[elsewhere].entry.clone();
    let body = support::instance::encoding::unb64(entries[rebodied].entry["body"].as_str().unwrap());
    liar[rebodied].entry["body"] = json!(b64(&[body.as_slice(), b" "].concat()));
    for i in [bad_set, lookup_payload_index] {
        let set = &mut liar[i].entry["verification"]["signedEntryTimestamp"];
        *set = json!(flip_base64(set.as_str().unwrap()));
    }
    let hash = &mut liar[bad_proof].entry["verification"]["inclusionProof"]["hashes"][0];
    let text = hash.as_str().unwrap().to_owned();
    *hash = json!(format!("{}{}", if text.starts_with('0') { "1" } else { "0" }, &text[1..]));
    let at = |i: usize| json!({ "logIndex": entries[i].log_index });
    c.log(
        "an entry that is not the one asked for",
        "getLogEntry",
        "REKOR_LIAR",
        at(moved),
        json!({ "error": "REKOR" }),
    );
    c.log(
        "an entry whose body is not its UUID's",
        "getLogEntry",
        "REKOR_LIAR",
        at(rebodied),
        json!({ "error": "REKOR" }),
    );
    c.log("an entry with a bad SET", "getLogEntry", "REKOR_LIAR", at(bad_set), json!({ "error": "SET" }));
    c.log(
        "an entry with a bad inclusion proof",
        "getLogEntry",
        "REKOR_LIAR",
        at(bad_proof),
        json!({ "error": "INCLUSION_PROOF" }),
    );

    Scenario { world: w, cases: c.0, hostile, liar }
}

/// Base64 of the same bytes with the last one changed.
fn flip_base64(text: &str) -> String {
    let mut bytes = support::instance::encoding::unb64(text);
    if let Some(last) = bytes.last_mut() {
        *last ^= 1;
    }
    b64(&bytes)
}

fn servers(s: &Scenario) -> Servers {
    let registries = REGISTRIES
        .iter()
        .map(|(name, host)| {
            let kind = match *name {
                "token" => Registry::Token,
                "hostile" => Registry::Hostile(s.hostile.clone()),
                "referrers-api" => Registry::ReferrersApi,
                _ => Registry::Plain,
            };
            (format!("http://{host}"), kind)
        })
        .collect();
    let rekors =
        [(REKOR.to_owned(), s.world.log.api_entries(&s.world.instance)), (REKOR_LIAR.to_owned(), s.liar.clone())]
            .into();
    Servers { content: s.world.registry_content(), registries, rekors, log: Default::default() }
}

/// Fills in where each server is, as every runner does for its own servers.
fn place(value: &Value, registry: &str) -> Value {
    let text = value
        .to_string()
        .replace("REGISTRY", registry)
        .replace("REKOR_LIAR", REKOR_LIAR)
        .replace("\"REKOR\"", &format!("\"{REKOR}\""));
    serde_json::from_str(&text).unwrap()
}

fn code(e: &VerificationError) -> Value {
    json!(e.code.as_str())
}

/// Runs a case natively; returns what happened, in the shape of its `expect`.
fn run(s: &Scenario, servers: &Servers, case: &Value) -> Value {
    let server = case["server"].as_str().unwrap();
    let host = REGISTRIES.iter().find(|(name, _)| *name == server).map_or("", |(_, host)| host);
    let target = place(&case["target"], host);
    let mut options = place(&case["options"], host);
    let options = options.as_object_mut().unwrap();
    let (mut image, mut policy) = (serde_json::Map::new(), serde_json::Map::new());
    for (name, value) in std::mem::take(options) {
        if field_names::<ImageOptions>().contains(&name.as_str()) {
            image.insert(name, value);
        } else if !NET_OPTIONS.contains(&name.as_str()) {
            policy.insert(name, value);
        }
    }
    // The sessions the package steps, driven here to their end: requests to the native servers,
    // checks answered by the pure-Rust backend.
    let verifier = std::rc::Rc::new(
        Verifier::new(TrustedRoot::from_json(&s.world.instance.trusted_root().to_string()).unwrap()).unwrap(),
    );
    let send = |r: &sigstore_wasm::http::Request| servers.answer(r);
    let backend = &sigstore_wasm::crypto::RustCrypto;
    match case["call"].as_str().unwrap() {
        call @ ("verifyImage" | "verifyImageAttestations") => {
            let outcome = (|| {
                let policy: PolicyOptions = serde_json::from_value(Value::Object(policy)).map_err(invalid)?;
                let image: ImageOptions = serde_json::from_value(Value::Object(image)).map_err(invalid)?;
                let attestations = call == "verifyImageAttestations";
                let lookup = ImageLookup::new(verifier, target.as_str().unwrap(), attestations, policy, image)?;
                Session::new(lookup).complete(send, backend)?
            })();
            match outcome {
                Ok(report) => json!({
                    "error": report.error.as_ref().map(code),
                    "verified": report.verified,
                    "signatures": report.signatures.iter().map(|s| json!({ "format": s.source.format, "error": s.error.as_ref().map(code) })).collect::<Vec<_>>(),
                    "problems": report.problems.iter().map(|p| code(&p.error)).collect::<Vec<_>>(),
                }),
                Err(e) => json!({ "error": code(&e), "message": e.message }),
            }
        }
        _ => {
            let mut query = target.as_object().unwrap().clone();
            query.extend(image);
            let outcome = (|| {
                let query = serde_json::from_value::<LogQueryOptions>(Value::Object(query)).map_err(invalid)?;
                Session::new(LogLookup::new(verifier, query)?).complete(send, backend)?
            })();
            match outcome {
                Ok(entries) => json!({ "error": null, "entries": entries.len() }),
                Err(e) => json!({ "error": code(&e), "message": e.message }),
            }
        }
    }
}

fn invalid(e: serde_json::Error) -> VerificationError {
    VerificationError::new(sigstore_wasm::error::ErrorCode::InvalidInput, e.to_string())
}

/// Whether `actual` has every member `expect` names, with the same value.
fn meets(actual: &Value, expect: &Value) -> bool {
    expect.as_object().unwrap().iter().all(|(k, v)| actual.get(k).unwrap_or(&Value::Null) == v)
}

#[test]
fn every_case_runs_natively_as_expected() {
    let s = scenario();
    let servers = servers(s);
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in s.cases.iter().filter(|c| c["network"] != json!(true)) {
        let actual = run(s, &servers, case);
        ran += 1;
        if !meets(&actual, &case["expect"]) {
            failures.push(format!("{}: expected {}, got {actual}", case["name"], case["expect"]));
        }
    }
    assert!(failures.is_empty(), "{} of {ran} cases failed:\n{}", failures.len(), failures.join("\n"));
    assert!(ran > 40, "only {ran} cases ran");
}

#[test]
fn a_bearer_token_is_fetched_once_per_walk_and_sent_only_to_its_registry() {
    let s = scenario();
    let servers = servers(s);
    let case = s.cases.iter().find(|c| c["server"] == "token").unwrap();
    assert!(meets(&run(s, &servers, case), &case["expect"]));
    let log = servers.log.borrow();
    assert_eq!(log.iter().filter(|u| u.contains("/token?")).count(), 1, "{log:#?}");
    assert!(log.iter().all(|u| u.starts_with("http://127.0.0.1:5001/")), "{log:#?}");
}

/// Each kind of legacy layer has its own size bound, checked against its descriptor before
/// anything is fetched. (A registry would refuse to store these lying descriptors, so they are
/// not in the world the package's tests push.)
#[test]
fn legacy_layers_are_refused_by_their_descriptors_size() {
    let mut w = World::new(7);
    let image = w.image("app", "v1", OCI_MANIFEST);
    let lying = |media_type: &str, size: usize| {
        let layer = json!({ "mediaType": media_type, "digest": digest(b"absent"), "size": size });
        let config =
            json!({ "mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(b"{}"), "size": 2 });
        serde_json::to_vec(
            &json!({ "schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer] }),
        )
        .unwrap()
    };
    let repo = w.repository("app");
    repo.manifest(
        OCI_MANIFEST,
        lying(SIMPLE_SIGNING, limits::MAX_SIMPLE_SIGNING_BYTES + 1),
        Some(&tag_of(&image, ".sig")),
    );
    repo.manifest(OCI_MANIFEST, lying(DSSE_ENVELOPE, limits::MAX_ENVELOPE_BYTES + 1), Some(&tag_of(&image, ".att")));
    let servers = Servers {
        content: w.registry_content(),
        registries: [("http://127.0.0.1:5000".to_owned(), Registry::Plain)].into(),
        rekors: BTreeMap::new(),
        log: Default::default(),
    };
    for (attestations, what) in [(false, "signature"), (true, "attestation")] {
        let policy: PolicyOptions = serde_json::from_value(with(
            &identity(),
            if attestations { json!({ "predicateType": SLSA_V1 }) } else { json!({}) },
        ))
        .unwrap();
        let (request, _) = ImageOptions { offline: true, ..Default::default() }
            .into_request("127.0.0.1:5000/app:v1", policy, &TrustedRoot::production().unwrap(), attestations)
            .unwrap();
        let discovery =
            match Exchange::default().complete(|f| discover(f, &request), |r| servers.answer(r)).unwrap().unwrap() {
                sigstore_wasm::http::Poll::Ready(d) => d,
                sigstore_wasm::http::Poll::Pending => panic!("stalled"),
            };
        let [found] = discovery.found.as_slice() else { panic!("{what}: {} found", discovery.found.len()) };
        assert_eq!(found.content.as_ref().unwrap_err().code, sigstore_wasm::error::ErrorCode::LimitExceeded, "{what}");
    }
    assert!(servers.log.borrow().iter().all(|u| !u.contains("/blobs/")), "no blob was fetched");
}

#[test]
#[ignore = "writes fixtures for the package's tests: scripts/fixtures.sh runs it"]
fn the_world_is_written_for_the_package_tests() {
    let s = scenario();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("oci-world");
    let _ = std::fs::remove_dir_all(&dir);
    let rekor_liar = json!({ "entries": s.liar.iter().map(|e| json!({ "uuid": e.uuid, "logIndex": e.log_index, "entry": e.entry })).collect::<Vec<_>>(), "hashes": {} });
    s.world.write(&dir, json!({ "cases": s.cases, "hostile": s.hostile, "rekorLiar": rekor_liar }));
    let world: Value = serde_json::from_slice(&std::fs::read(dir.join("world.json")).unwrap()).unwrap();
    assert_eq!(world["cases"].as_array().unwrap().len(), s.cases.len());
    for (name, repo) in world["repositories"].as_object().unwrap() {
        for m in repo["manifests"].as_array().unwrap() {
            let hex = m["digest"].as_str().unwrap().trim_start_matches("sha256:");
            let bytes = std::fs::read(dir.join("blobs").join(hex)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(digest(&bytes), m["digest"].as_str().unwrap());
        }
    }
}
