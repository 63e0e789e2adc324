//! The TUF client's module (`tuf::update`), loaded only where a trusted root is refreshed
//! through TUF.

use js_sys::{Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{header_pairs, invalid, outstanding, to_js, to_value};
use crate::http::{Exchange, Reply, Response};
use crate::session::rounds::{WalkRounds, WalkStep};

/// A TUF update in progress (`tuf::update`): `step` says what it needs next: `{ checks }` to run,
/// as `Session.gather` hands them out, answered with `answer`; requests (`{ checks: null }`), which
/// `requests` lists and `respond`, `failed` and `tooLarge` answer, as `Lookup`'s; or
/// `{ done: true }`, and then `finish` gives what to persist and the outcome.
#[wasm_bindgen]
pub struct TufUpdate {
    repository: crate::tuf::Repository,
    root: Vec<u8>,
    cached: std::collections::BTreeMap<String, Vec<u8>>,
    now: crate::time::Timestamp,
    mode: crate::tuf::Mode,
    target: Option<(String, Option<Vec<u8>>)>,
    exchange: Exchange,
    rounds: WalkRounds,
    outcome: Option<crate::tuf::Update>,
}

#[wasm_bindgen]
impl TufUpdate {
    /// `root`: the root trusted at the start (the cached `root.json`, or the pinned one, which
    /// `offline` starts from); `cached`: the client's files, as `[name, bytes]` pairs; `now`: Unix
    /// milliseconds; `target`: a target path to fetch, with the client's cached copy of it.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        metadata_url: &str,
        targets_url: &str,
        root: Vec<u8>,
        cached: js_sys::Array,
        now: f64,
        offline: bool,
        target: Option<String>,
        cached_target: Option<Vec<u8>>,
    ) -> Result<TufUpdate, JsValue> {
        let mut files = std::collections::BTreeMap::new();
        for pair in cached.iter() {
            let pair = js_sys::Array::from(&pair);
            let name = pair.get(0).as_string().ok_or_else(|| invalid("a cached file's name is a string"))?;
            if !pair.get(1).is_instance_of::<Uint8Array>() {
                return Err(invalid("a cached file's content is a Uint8Array"));
            }
            files.insert(name, Uint8Array::new(&pair.get(1)).to_vec());
        }
        let now = crate::time::Timestamp::from_unix_millis(now as u64).ok_or_else(|| invalid("now is not a time"))?;
        Ok(TufUpdate {
            repository: crate::tuf::Repository::new(metadata_url, targets_url),
            root,
            cached: files,
            now,
            mode: if offline { crate::tuf::Mode::Offline } else { crate::tuf::Mode::Online },
            target: target.map(|path| (path, cached_target)),
            exchange: Exchange::default(),
            rounds: WalkRounds::default(),
            outcome: None,
        })
    }

    pub fn step(&mut self) -> Result<JsValue, JsValue> {
        if self.outcome.is_some() {
            return to_value(&TufStep { checks: None, done: true });
        }
        let start = crate::tuf::Start { root: &self.root, cached: &self.cached, now: self.now, mode: self.mode };
        let repository = &self.repository;
        let target =
            self.target.as_ref().map(|(path, bytes)| crate::tuf::TargetRequest { path, cached: bytes.as_deref() });
        let step = self
            .rounds
            .step(&mut self.exchange, |fetch, backend| crate::tuf::update(fetch, repository, start, target, backend))
            .map_err(to_js)?;
        match step {
            WalkStep::Checks(checks) => to_value(&TufStep { checks: Some(&checks), done: false }),
            WalkStep::Requests => to_value(&TufStep { checks: None, done: false }),
            WalkStep::Done(poll) => {
                self.outcome = Some(poll.finished().map_err(to_js)?);
                to_value(&TufStep { checks: None, done: true })
            }
        }
    }

    /// See `Session.answer`.
    pub fn answer(&mut self, results: &[u8]) -> Result<(), JsValue> {
        self.rounds.answer(results).map_err(to_js)
    }

    /// The requests to make now (see `Lookup.requests`); none once they are answered.
    pub fn requests(&self) -> Result<JsValue, JsValue> {
        to_value(self.exchange.outstanding())
    }

    /// See `Lookup.respond`.
    pub fn respond(&mut self, index: usize, status: u16, headers: Vec<String>, body: &[u8]) -> Result<(), JsValue> {
        let reply = Reply::Response(Response::new(status, header_pairs(&headers), body.to_vec()));
        self.exchange.answer(index, reply).map_err(to_js)
    }

    pub fn failed(&mut self, index: usize, reason: String) -> Result<(), JsValue> {
        self.exchange.answer(index, Reply::Failed(reason)).map_err(to_js)
    }

    #[wasm_bindgen(js_name = tooLarge)]
    pub fn too_large(&mut self, index: usize) -> Result<(), JsValue> {
        self.exchange.answer(index, Reply::TooLarge).map_err(to_js)
    }

    /// `{ persist: [{ name, bytes }], error: { code, message } | null, updated: Updated | null,
    /// target: Uint8Array | null, fromCache }`, once `step` is done.
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        let update = self.outcome.take().ok_or_else(outstanding)?;
        let out = js_sys::Object::new();
        let persist = js_sys::Array::new();
        for file in &update.persist {
            let entry = js_sys::Object::new();
            let _ = Reflect::set(&entry, &JsValue::from_str("name"), &JsValue::from_str(&file.name));
            let _ = Reflect::set(&entry, &JsValue::from_str("bytes"), &Uint8Array::from(file.bytes.as_slice()));
            persist.push(&entry);
        }
        let _ = Reflect::set(&out, &JsValue::from_str("persist"), &persist);
        match &update.result {
            Ok(updated) => {
                let _ = Reflect::set(&out, &JsValue::from_str("updated"), &to_value(updated)?);
                if let Some(target) = &updated.target {
                    let _ =
                        Reflect::set(&out, &JsValue::from_str("target"), &Uint8Array::from(target.bytes.as_slice()));
                    let _ = Reflect::set(&out, &JsValue::from_str("fromCache"), &JsValue::from_bool(target.from_cache));
                }
            }
            Err(error) => {
                let _ = Reflect::set(&out, &JsValue::from_str("error"), &to_value(error)?);
            }
        }
        Ok(out.into())
    }
}

/// What a TUF update needs next.
#[derive(Serialize)]
struct TufStep<'a> {
    checks: Option<&'a [crate::crypto::deferred::WebCryptoCheck]>,
    done: bool,
}

/// The production and staging TUF roots this package pins (`trust/*-tuf-root.json`), by name.
#[wasm_bindgen(js_name = tufRoot)]
pub fn tuf_root(name: &str) -> Result<Vec<u8>, JsValue> {
    crate::trust::tuf_root(name)
        .map(|bytes| bytes.to_vec())
        .ok_or_else(|| invalid("the embedded TUF roots are \"production\" and \"staging\""))
}
