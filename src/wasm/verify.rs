//! The verifier's module: bundles, images, attestations and log lookups.
//!
//! `prepare(root)` and `Verifier.start` return sessions whose signature checks the JavaScript side
//! runs (see `crypto::deferred`): `gather` hands out the checks still unanswered, `answer` takes
//! the results, and `finish` gives the outcome once `gather` has nothing left. The module verifies
//! no signature itself: the platform does (WebCrypto, node:crypto), or the crypto module
//! (`crypto.rs`) for what the platform cannot.

use std::rc::Rc;

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use super::{header_pairs, invalid, outstanding, to_js, to_value};
use crate::artifact::Artifact;
use crate::attestations;
use crate::bundle::Bundle;
use crate::cosign::discover::{self, Discovery};
use crate::cosign::verify::{self as image, ImagePolicy, ImageVerification};
use crate::crypto::{HashAlgorithm, Hasher, SignatureBackend};
use crate::encoding::encode_hex;
use crate::http::{Exchange, Poll, Reply, Response};
use crate::options::{ImageOptions, LogQueryOptions, PolicyOptions, RegistryOptions};
use crate::policy::Policy;
use crate::rekor::{self, LoggedEntry};
use crate::session::rounds::{Gathered, Rounds};
use crate::trust::TrustedRoot;
use crate::verify;

/// Trust material, parsed and checked once.
#[wasm_bindgen]
pub struct Verifier {
    inner: Rc<verify::Verifier>,
}

#[wasm_bindgen]
impl Verifier {
    /// What the trusted root holds and how recent it is (`RootSummary`).
    #[wasm_bindgen(js_name = rootSummary)]
    pub fn root_summary(&self) -> Result<JsValue, JsValue> {
        to_value(&self.inner.trusted_root().summary())
    }

    /// Starts verifying `bundle` (JSON bytes) against `artifact` (a `Uint8Array`, a
    /// `"sha256:<hex>"` digest, or `null` with `unsafeSkipArtifactCheck`) under `policy`
    /// (`PolicyOptions`), its signature checks run by the caller.
    pub fn start(&self, bundle: &[u8], artifact: JsValue, policy: JsValue) -> Result<Session, JsValue> {
        let input = Input::new(bundle, artifact, policy)?;
        Ok(Session { verifier: Rc::clone(&self.inner), input, rounds: Rounds::default(), outcome: None })
    }

    /// Starts verifying the signatures (or, with `attestations`, the attestations) of the image
    /// `reference`: `policy` as for `verify`, `options` an `ImageOptions`.
    #[wasm_bindgen(js_name = startImage)]
    pub fn start_image(
        &self,
        reference: &str,
        attestations: bool,
        policy: JsValue,
        options: JsValue,
    ) -> Result<Lookup, JsValue> {
        let policy: PolicyOptions = from_value(policy, "options")?;
        let options: ImageOptions = from_value(options, "image options")?;
        let (request, policy) = options.into_request(reference, policy, attestations).map_err(to_js)?;
        Ok(self.lookup(Task::Image { request: Box::new(request), policy: Box::new(policy), found: None }))
    }

    /// Starts finding and verifying the attestations a package registry publishes for `subject`
    /// (`npm:name@version`, `pypi:project==version`, `github:owner/repo@sha256:<hex>`): `policy`
    /// as for `verify`, `options` a `RegistryOptions`.
    #[wasm_bindgen(js_name = startAttestations)]
    pub fn start_attestations(&self, subject: &str, policy: JsValue, options: JsValue) -> Result<Lookup, JsValue> {
        let policy = from_value::<PolicyOptions>(policy, "options")?.into_policy().map_err(to_js)?;
        let registries =
            from_value::<RegistryOptions>(options, "registry options")?.into_registries().map_err(to_js)?;
        let parsed = attestations::Subject::parse(subject).map_err(to_js)?;
        Ok(self.lookup(Task::Attestations {
            text: subject.to_owned(),
            subject: parsed,
            registries,
            policy: Box::new(policy),
            found: None,
        }))
    }

    /// Starts a Rekor lookup (`LogQueryOptions`), whose entries are verified with this trust.
    #[wasm_bindgen(js_name = startLog)]
    pub fn start_log(&self, query: JsValue) -> Result<Lookup, JsValue> {
        let (query, base_url) = from_value::<LogQueryOptions>(query, "query")?.into_query().map_err(to_js)?;
        Ok(self.lookup(Task::Log { query, base_url, found: None }))
    }

    fn lookup(&self, task: Task) -> Lookup {
        Lookup {
            verifier: Rc::clone(&self.inner),
            task,
            exchange: Exchange::default(),
            rounds: Rounds::default(),
            outcome: None,
        }
    }
}

/// What a lookup fetches, and what it found once it has fetched everything.
enum Task {
    Image {
        request: Box<discover::Request>,
        policy: Box<ImagePolicy>,
        found: Option<Discovery>,
    },
    Log {
        query: rekor::Query,
        base_url: String,
        found: Option<Vec<rekor::Entry>>,
    },
    Attestations {
        text: String,
        subject: attestations::Subject,
        registries: attestations::Registries,
        policy: Box<Policy>,
        found: Option<attestations::Found>,
    },
}

enum Outcome {
    Image(Box<ImageVerification>),
    Log(crate::error::Result<Vec<LoggedEntry>>),
    Attestations(Box<attestations::AttestationsVerification>),
}

impl Task {
    /// Runs the walk over the replies so far; `true` once it has found everything.
    fn fetch(&mut self, exchange: &mut Exchange) -> crate::error::Result<bool> {
        match self {
            Self::Image { found: Some(_), .. }
            | Self::Log { found: Some(_), .. }
            | Self::Attestations { found: Some(_), .. } => Ok(true),
            Self::Image { request, found, .. } => {
                settle(exchange.run(|fetch| discover::discover(fetch, request))?, found)
            }
            Self::Log { query, base_url, found } => {
                settle(exchange.run(|fetch| rekor::lookup(fetch, base_url, query))?, found)
            }
            Self::Attestations { subject, registries, found, .. } => {
                settle(exchange.run(|fetch| attestations::discover(fetch, subject, registries))?, found)
            }
        }
    }

    /// Verifies what was found; `None` while requests are outstanding.
    fn verify(&self, verifier: &verify::Verifier, backend: &dyn SignatureBackend) -> Option<Outcome> {
        match self {
            Self::Image { request, policy, found } => found.as_ref().map(|discovery| {
                Outcome::Image(Box::new(image::verify_discovery(discovery, &request.want, verifier, policy, backend)))
            }),
            Self::Log { query, found, .. } => found.as_ref().map(|entries| {
                Outcome::Log(rekor::verify_lookup(query, entries, &verifier.trusted_root().tlogs, backend))
            }),
            Self::Attestations { text, subject, policy, found, .. } => found.as_ref().map(|found| {
                Outcome::Attestations(Box::new(attestations::verify_found(
                    text, subject, found, verifier, policy, backend,
                )))
            }),
        }
    }
}

/// Keeps a finished walk's result.
fn settle<T>(walked: Option<crate::error::Result<Poll<T>>>, found: &mut Option<T>) -> crate::error::Result<bool> {
    match walked {
        None => Ok(false),
        Some(result) => {
            *found = Some(result.and_then(Poll::finished)?);
            Ok(true)
        }
    }
}

/// A lookup in progress: first the HTTP requests it needs (`requests`, answered with
/// `respond`, `failed` or `tooLarge`, until `requests` returns none), then the signature checks
/// (`gather`, `answer`, `finish`, as in `Session`).
#[wasm_bindgen]
pub struct Lookup {
    verifier: Rc<verify::Verifier>,
    task: Task,
    exchange: Exchange,
    rounds: Rounds<Option<Outcome>>,
    outcome: Option<Outcome>,
}

#[wasm_bindgen]
impl Lookup {
    /// The requests to make next (`method`, `url`, `headers` as `[name, value]` pairs, `body`,
    /// `maxBytes`), in this order; an empty array once everything needed has been fetched.
    pub fn requests(&mut self) -> Result<JsValue, JsValue> {
        if self.task.fetch(&mut self.exchange).map_err(to_js)? {
            return Ok(js_sys::Array::new().into());
        }
        to_value(self.exchange.outstanding())
    }

    /// The response to request `index` of the last `requests`: `headers` as a flat list of
    /// names and values.
    pub fn respond(&mut self, index: usize, status: u16, headers: Vec<String>, body: &[u8]) -> Result<(), JsValue> {
        self.reply(index, Reply::Response(Response::new(status, header_pairs(&headers), body.to_vec())))
    }

    /// Request `index` got no response: a network error or a timeout, as `reason` says.
    pub fn failed(&mut self, index: usize, reason: String) -> Result<(), JsValue> {
        self.reply(index, Reply::Failed(reason))
    }

    /// Request `index`'s body was longer than its `maxBytes`.
    #[wasm_bindgen(js_name = tooLarge)]
    pub fn too_large(&mut self, index: usize) -> Result<(), JsValue> {
        self.reply(index, Reply::TooLarge)
    }

    /// See `Session.gather`.
    pub fn gather(&mut self) -> Result<JsValue, JsValue> {
        let (verifier, task) = (&self.verifier, &self.task);
        let mut done = None;
        let checks = round(self.rounds.gather(|backend| task.verify(verifier, backend)), &mut done)?;
        if let Some(outcome) = done {
            self.outcome = Some(outcome.ok_or_else(outstanding)?);
        }
        Ok(checks)
    }

    /// See `Session.answer`.
    pub fn answer(&mut self, results: &[u8]) -> Result<(), JsValue> {
        self.rounds.answer(results).map_err(to_js)
    }

    /// The report (an image's) or the verified entries (a log lookup's).
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        let outcome = self.outcome.take().ok_or_else(unfinished)?;
        match outcome {
            Outcome::Image(report) => to_value(&report),
            Outcome::Log(entries) => to_value(&entries.map_err(to_js)?),
            Outcome::Attestations(report) => to_value(&report),
        }
    }

    fn reply(&mut self, index: usize, reply: Reply) -> Result<(), JsValue> {
        self.exchange.answer(index, reply).map_err(to_js)
    }
}

/// Digests an artifact piece by piece, for one too large to hold in memory: a page hashes a
/// dropped file as it streams, then verifies against the digest.
#[wasm_bindgen]
pub struct Digester {
    hasher: Option<Hasher>,
}

#[wasm_bindgen]
impl Digester {
    /// `algorithm`: `"sha256"`, `"sha384"` or `"sha512"`.
    #[wasm_bindgen(constructor)]
    pub fn new(algorithm: &str) -> Result<Digester, JsValue> {
        match HashAlgorithm::from_name(algorithm) {
            Some(algorithm) => Ok(Digester { hasher: Some(Hasher::new(algorithm)) }),
            None => {
                Err(invalid(&format!("unsupported digest algorithm {algorithm:?}: expected sha256, sha384 or sha512")))
            }
        }
    }

    pub fn update(&mut self, chunk: &[u8]) {
        if let Some(hasher) = &mut self.hasher {
            hasher.update(chunk);
        }
    }

    /// The digest as `<algorithm>:<hex>`, as `verify` takes it; once only.
    pub fn finish(&mut self) -> Result<String, JsValue> {
        match self.hasher.take() {
            Some(hasher) => Ok(format!("{}:{}", hasher.algorithm().name(), encode_hex(&hasher.finish()))),
            None => Err(invalid("the digest was already taken")),
        }
    }
}

/// The algorithm to digest the artifact with for `bundle` (JSON bytes), when only its digest
/// will be given (`claimed::digest_algorithm_for`).
#[wasm_bindgen(js_name = digestAlgorithmFor)]
pub fn digest_algorithm_for(bundle: &[u8]) -> Result<String, JsValue> {
    let bundle = Bundle::from_slice(bundle).map_err(to_js)?;
    Ok(crate::claimed::digest_algorithm_for(&bundle).name().to_owned())
}

/// The digest of the artifact `bundle` (JSON bytes) says it is about, `<algorithm>:<hex>`; among
/// several in-toto subjects, the one called `name` (`claimed::claimed_digest`).
#[wasm_bindgen(js_name = claimedDigest)]
pub fn claimed_digest(bundle: &[u8], name: Option<String>) -> Result<String, JsValue> {
    let bundle = Bundle::from_slice(bundle).map_err(to_js)?;
    let claimed = crate::claimed::claimed_digest(&bundle, name.as_deref()).map_err(to_js)?;
    claimed.digest_text().ok_or_else(|| JsValue::from_str("a claimed digest is a digest"))
}

/// The attestation subject of a file downloaded from `registry` (`"npm"`, `"pypi"`) at `path`,
/// and the name its registry lists it under: `{ subject, file }` (`Subject::for_download`).
#[wasm_bindgen(js_name = downloadSubject)]
pub fn download_subject(registry: &str, path: &str) -> Result<JsValue, JsValue> {
    let (subject, file) = attestations::Subject::for_download(registry, path).map_err(to_js)?;
    to_value(&serde_json::json!({ "subject": subject.text(), "file": file }))
}

/// The option names the JavaScript API routes by: `{ image, registry, log }`, the fields of
/// `ImageOptions`, `RegistryOptions` and `LogQueryOptions` (`options::field_names`).
#[wasm_bindgen(js_name = optionNames)]
pub fn option_names() -> Result<JsValue, JsValue> {
    use crate::options::field_names;
    to_value(&serde_json::json!({
        "image": field_names::<ImageOptions>(),
        "registry": field_names::<RegistryOptions>(),
        "log": field_names::<LogQueryOptions>(),
    }))
}

/// Starts building a verifier for `trustedRoot` (`"production"`, `"staging"`, or the text of a
/// trusted root JSON) whose authorities' chains the caller checks.
#[wasm_bindgen]
pub fn prepare(trusted_root: &str) -> Result<Setup, JsValue> {
    Ok(Setup { root: parse_root(trusted_root)?, rounds: Rounds::default(), outcome: None })
}

/// A verifier being built.
#[wasm_bindgen]
pub struct Setup {
    root: TrustedRoot,
    rounds: Rounds<crate::error::Result<verify::Verifier>>,
    outcome: Option<crate::error::Result<verify::Verifier>>,
}

#[wasm_bindgen]
impl Setup {
    /// See `Session.gather`.
    pub fn gather(&mut self) -> Result<JsValue, JsValue> {
        let root = &self.root;
        round(self.rounds.gather(|backend| verify::Verifier::new_with(root.clone(), backend)), &mut self.outcome)
    }

    /// See `Session.answer`.
    pub fn answer(&mut self, results: &[u8]) -> Result<(), JsValue> {
        self.rounds.answer(results).map_err(to_js)
    }

    /// The verifier, once its trust material has checked out.
    pub fn finish(mut self) -> Result<Verifier, JsValue> {
        let inner = self.outcome.take().ok_or_else(unfinished)?.map_err(to_js)?;
        Ok(Verifier { inner: Rc::new(inner) })
    }
}

/// One verification in progress.
#[wasm_bindgen]
pub struct Session {
    verifier: Rc<verify::Verifier>,
    input: Input,
    rounds: Rounds<crate::error::Result<verify::VerificationResult>>,
    /// The verdict, once a gathering run is final (every check it assumed verified, or none
    /// unanswered): `finish` then need not verify again.
    outcome: Option<crate::error::Result<verify::VerificationResult>>,
}

#[wasm_bindgen]
impl Session {
    /// The checks to run next, as WebCrypto parameters (`name`, `namedCurve`, `hash`,
    /// `saltLength`, `prehashed`, `spki`, `message`, `signature`); an empty array when none is
    /// left.
    pub fn gather(&mut self) -> Result<JsValue, JsValue> {
        let (verifier, input) = (&self.verifier, &self.input);
        let run = |backend: &dyn SignatureBackend| {
            verifier.verify_with(&input.bundle, &input.artifact(), &input.policy, backend)
        };
        round(self.rounds.gather(run), &mut self.outcome)
    }

    /// As `gather`, but each check goes to `start` the moment verification asks for it, so that
    /// WebCrypto runs it while the rest of the run goes on: how many were handed out (0: none is
    /// left, `finish` gives the verdict). Their results go to `answer`, in the order handed out.
    #[wasm_bindgen(js_name = gatherStarting)]
    pub fn gather_starting(&mut self, start: &js_sys::Function) -> Result<usize, JsValue> {
        let (verifier, input) = (&self.verifier, &self.input);
        let run = |backend: &dyn SignatureBackend| {
            verifier.verify_with(&input.bundle, &input.artifact(), &input.policy, backend)
        };
        let failed = std::cell::RefCell::new(None);
        let gathered = self.rounds.gather_starting(run, &|form| {
            if let Err(e) = to_value(form).and_then(|form| start.call1(&JsValue::NULL, &form)) {
                failed.borrow_mut().get_or_insert(e);
            }
        });
        if let Some(e) = failed.into_inner() {
            return Err(e);
        }
        match gathered.map_err(to_js)? {
            Gathered::Checks(forms) => Ok(forms.len()),
            Gathered::Done(done) => {
                self.outcome = Some(done);
                Ok(0)
            }
        }
    }

    /// Results for the checks the last `gather` returned, in order: 1 verified, 0 not verified.
    pub fn answer(&mut self, results: &[u8]) -> Result<(), JsValue> {
        self.rounds.answer(results).map_err(to_js)
    }

    /// The verdict, once `gather` has nothing left.
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        let outcome = self.outcome.take().ok_or_else(unfinished)?;
        to_value(&outcome.map_err(to_js)?)
    }
}

fn parse_root(trusted_root: &str) -> Result<TrustedRoot, JsValue> {
    match trusted_root {
        "production" => TrustedRoot::production(),
        "staging" => TrustedRoot::staging(),
        json => TrustedRoot::from_json(json),
    }
    .map_err(to_js)
}

/// A bundle, artifact and policy, converted once.
struct Input {
    bundle: Bundle,
    artifact: ArtifactInput,
    policy: Policy,
}

enum ArtifactInput {
    Bytes(Vec<u8>),
    Digest(Artifact<'static>),
    Unchecked,
}

impl Input {
    fn new(bundle: &[u8], artifact: JsValue, policy: JsValue) -> Result<Self, JsValue> {
        let options: PolicyOptions = from_value(policy, "options")?;
        let artifact = if let Some(digest) = artifact.as_string() {
            ArtifactInput::Digest(Artifact::parse_digest(&digest).map_err(to_js)?)
        } else if artifact.is_instance_of::<Uint8Array>() {
            ArtifactInput::Bytes(Uint8Array::new(&artifact).to_vec())
        } else if artifact.is_null() && options.unsafe_skip_artifact_check {
            ArtifactInput::Unchecked
        } else {
            return Err(invalid("the artifact must be a Uint8Array or a \"sha256:<hex>\" digest"));
        };
        Ok(Self {
            bundle: Bundle::from_slice(bundle).map_err(to_js)?,
            artifact,
            policy: options.into_policy().map_err(to_js)?,
        })
    }

    fn artifact(&self) -> Artifact<'_> {
        match &self.artifact {
            ArtifactInput::Bytes(bytes) => Artifact::Bytes(bytes),
            ArtifactInput::Digest(digest) => digest.clone(),
            ArtifactInput::Unchecked => Artifact::UnsafeUnchecked,
        }
    }
}

fn from_value<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| invalid(&format!("{what}: {e}")))
}

/// A round's checks for JavaScript; a final outcome is kept in `outcome`, for `finish`.
fn round<T>(gathered: crate::error::Result<Gathered<T>>, outcome: &mut Option<T>) -> Result<JsValue, JsValue> {
    match gathered.map_err(to_js)? {
        Gathered::Checks(forms) => to_value(&forms),
        Gathered::Done(done) => {
            *outcome = Some(done);
            Ok(js_sys::Array::new().into())
        }
    }
}

fn unfinished() -> JsValue {
    invalid("signature checks are still unanswered: call gather until it returns none")
}
