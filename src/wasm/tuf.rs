//! The TUF client's module, loaded only where a trusted root is refreshed through TUF: a
//! session refreshing the trusted root (`tuf::refresh`, the package's fallback policy), and a
//! plain TUF update of any repository (`tuf::update`, what the TUF conformance client runs).

use std::collections::BTreeMap;

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::session::{IntoJs, Session};
use super::{invalid, to_js, to_value};
use crate::session::{repository_urls, PinnedRoot, TrustedRootRefresh, TufUpdate};
use crate::time::Timestamp;
use crate::tuf::refresh::{Refreshed, RefreshedRoot};
use crate::tuf::{Mode, Persist, Repository, Update};

/// `{ persist: [{ name, bytes }], ... }`: the files for the client to keep.
fn with_persist(persist: &[Persist]) -> Result<Object, JsValue> {
    let out = Object::new();
    let list = js_sys::Array::new();
    for file in persist {
        let entry = Object::new();
        set(&entry, "name", &JsValue::from_str(&file.name))?;
        set(&entry, "bytes", &Uint8Array::from(file.bytes.as_slice()))?;
        list.push(&entry);
    }
    set(&out, "persist", &list)?;
    Ok(out)
}

fn set(object: &Object, name: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(object, &JsValue::from_str(name), value).map(drop)
}

impl IntoJs for Update {
    /// `{ persist, error: { code, message } | null, updated: Updated | null, target: Uint8Array |
    /// null, fromCache }`.
    fn into_js(self) -> Result<JsValue, JsValue> {
        let out = with_persist(&self.persist)?;
        match &self.result {
            Ok(updated) => {
                set(&out, "updated", &to_value(updated)?)?;
                if let Some(target) = &updated.target {
                    set(&out, "target", &Uint8Array::from(target.bytes.as_slice()))?;
                    set(&out, "fromCache", &JsValue::from_bool(target.from_cache))?;
                }
            }
            Err(error) => set(&out, "error", &to_value(error)?)?,
        }
        Ok(out.into())
    }
}

impl IntoJs for Refreshed {
    /// `{ persist, error }`, or `{ persist, root, source }`: `root` the trusted root JSON text or
    /// the name of the embedded one, `source` where it came from (`RootSource`).
    fn into_js(self) -> Result<JsValue, JsValue> {
        let out = with_persist(&self.persist)?;
        match &self.result {
            Ok((root, source)) => {
                let root = match root {
                    RefreshedRoot::Json(json) => json.as_str(),
                    RefreshedRoot::Embedded(name) => name,
                };
                set(&out, "root", &JsValue::from_str(root))?;
                set(&out, "source", &to_value(source)?)?;
            }
            Err(error) => set(&out, "error", &to_js(error.clone()))?,
        }
        Ok(out.into())
    }
}

/// A Sigstore root's name, or a `root.json` as text or bytes.
fn pinned_root(root: &JsValue) -> Result<PinnedRoot, JsValue> {
    if let Some(text) = root.as_string() {
        Ok(PinnedRoot::from_text(&text))
    } else if root.is_instance_of::<Uint8Array>() {
        Ok(PinnedRoot::Given(Uint8Array::new(root).to_vec()))
    } else {
        Err(invalid("tuf.root must be \"production\", \"staging\", \"github\", or a root.json as bytes or text"))
    }
}

/// The client's files, given as `[name, bytes]` pairs.
fn cached_files(cached: &js_sys::Array) -> Result<BTreeMap<String, Vec<u8>>, JsValue> {
    let mut files = BTreeMap::new();
    for pair in cached.iter() {
        let pair = js_sys::Array::from(&pair);
        let name = pair.get(0).as_string().ok_or_else(|| invalid("a cached file's name is a string"))?;
        if !pair.get(1).is_instance_of::<Uint8Array>() {
            return Err(invalid("a cached file's content is a Uint8Array"));
        }
        files.insert(name, Uint8Array::new(&pair.get(1)).to_vec());
    }
    Ok(files)
}

fn timestamp(now: f64) -> Result<Timestamp, JsValue> {
    Timestamp::from_unix_millis(now as u64).ok_or_else(|| invalid("now is not a time"))
}

/// The repository a TUF root refreshes from: `{ url, targetsUrl }`, a Sigstore root's by default.
#[wasm_bindgen(js_name = tufRepository)]
pub fn tuf_repository(root: JsValue, url: Option<String>, targets_url: Option<String>) -> Result<JsValue, JsValue> {
    let (url, targets) =
        repository_urls(&pinned_root(&root)?, url.as_deref(), targets_url.as_deref()).map_err(to_js)?;
    to_value(&serde_json::json!({ "url": url, "targetsUrl": targets }))
}

/// Refreshes the trusted root through TUF from `root` (see `tufRepository`) and the client's
/// `cached` files (`[name, bytes]` pairs), at `now` (Unix milliseconds).
#[wasm_bindgen(js_name = refreshTrustedRoot)]
pub fn refresh_trusted_root(
    root: JsValue,
    url: Option<String>,
    targets_url: Option<String>,
    cached: js_sys::Array,
    now: f64,
    offline: bool,
) -> Result<Session, JsValue> {
    let refresh = TrustedRootRefresh::new(
        pinned_root(&root)?,
        url.as_deref(),
        targets_url.as_deref(),
        cached_files(&cached)?,
        timestamp(now)?,
        offline,
    )
    .map_err(to_js)?;
    Ok(Session::new(refresh))
}

/// One TUF update of any repository. `root`: the root trusted at the start (the cached
/// `root.json`, or the pinned one, which `offline` starts from); `cached`: the client's files, as
/// `[name, bytes]` pairs; `now`: Unix milliseconds; `target`: a target path to fetch, with the
/// client's cached copy of it.
#[wasm_bindgen(js_name = tufUpdate)]
#[allow(clippy::too_many_arguments)]
pub fn tuf_update(
    metadata_url: &str,
    targets_url: &str,
    root: Vec<u8>,
    cached: js_sys::Array,
    now: f64,
    offline: bool,
    target: Option<String>,
    cached_target: Option<Vec<u8>>,
) -> Result<Session, JsValue> {
    let mode = if offline { Mode::Offline } else { Mode::Online };
    let target = target.map(|path| (path, cached_target));
    let repository = Repository::new(metadata_url, targets_url);
    Ok(Session::new(TufUpdate::new(repository, root, cached_files(&cached)?, timestamp(now)?, mode, target)))
}

/// The production, staging and GitHub TUF roots this package pins (`trust/*-tuf-root.json`), by name.
#[wasm_bindgen(js_name = tufRoot)]
pub fn tuf_root(name: &str) -> Result<Vec<u8>, JsValue> {
    crate::trust::tuf_root(name)
        .map(|bytes| bytes.to_vec())
        .ok_or_else(|| invalid("the embedded TUF roots are \"production\", \"staging\" and \"github\""))
}
