//! The one session class JavaScript steps, whatever the session does (`crate::session`).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use super::{header_pairs, to_js, to_value};
use crate::crypto::deferred::WebCryptoCheck;
use crate::http::{Reply, Response};
use crate::session::{Step, Work};

/// A session's outcome as JavaScript receives it; an `Err` is thrown.
pub(super) trait IntoJs {
    fn into_js(self) -> Result<JsValue, JsValue>;
}

/// A core session with its outcome's type erased.
trait Stepping {
    fn step(&mut self, start: &dyn Fn(&WebCryptoCheck)) -> crate::error::Result<Step<Result<JsValue, JsValue>>>;
    fn reply(&mut self, index: usize, reply: Reply) -> crate::error::Result<()>;
    fn answer(&mut self, results: &[u8]) -> crate::error::Result<()>;
}

impl<W: Work> Stepping for crate::session::Session<W>
where
    W::Outcome: IntoJs,
{
    fn step(&mut self, start: &dyn Fn(&WebCryptoCheck)) -> crate::error::Result<Step<Result<JsValue, JsValue>>> {
        Ok(match crate::session::Session::step(self, start)? {
            Step::Done(outcome) => Step::Done(outcome.into_js()),
            Step::Requests(requests) => Step::Requests(requests),
            Step::Checks(checks) => Step::Checks(checks),
        })
    }

    fn reply(&mut self, index: usize, reply: Reply) -> crate::error::Result<()> {
        crate::session::Session::reply(self, index, reply)
    }

    fn answer(&mut self, results: &[u8]) -> crate::error::Result<()> {
        crate::session::Session::answer(self, results)
    }
}

/// A session: `step(start)` says what it needs next, `{ kind: "requests", requests }` (`method`,
/// `url`, `headers` as `[name, value]` pairs, `body`, `maxBytes`; answered by index with
/// `respond`, `failed` or `tooLarge`), `{ kind: "checks", count }` (each check was handed to
/// `start` as the run asked for it, in WebCrypto's form; their results go to `answer`, in that
/// order), or `{ kind: "done", value }`.
#[wasm_bindgen]
pub struct Session {
    inner: Box<dyn Stepping>,
}

impl Session {
    pub(super) fn new<W: Work + 'static>(work: W) -> Self
    where
        W::Outcome: IntoJs,
    {
        Self { inner: Box::new(crate::session::Session::new(work)) }
    }
}

#[wasm_bindgen]
impl Session {
    pub fn step(&mut self, start: &js_sys::Function) -> Result<JsValue, JsValue> {
        let failed = std::cell::RefCell::new(None);
        let step = self.inner.step(&|form| {
            if let Err(e) = to_value(form).and_then(|form| start.call1(&JsValue::NULL, &form)) {
                failed.borrow_mut().get_or_insert(e);
            }
        });
        if let Some(e) = failed.into_inner() {
            return Err(e);
        }
        let out = Object::new();
        let set = |name: &str, value: &JsValue| Reflect::set(&out, &JsValue::from_str(name), value).map(drop);
        match step.map_err(to_js)? {
            Step::Requests(requests) => {
                set("kind", &JsValue::from_str("requests"))?;
                set("requests", &to_value(&requests)?)?;
            }
            Step::Checks(checks) => {
                set("kind", &JsValue::from_str("checks"))?;
                set("count", &JsValue::from(checks.len()))?;
            }
            Step::Done(value) => {
                set("kind", &JsValue::from_str("done"))?;
                set("value", &value?)?;
            }
        }
        Ok(out.into())
    }

    /// The response to request `index`: `headers` as a flat list of names and values.
    pub fn respond(&mut self, index: usize, status: u16, headers: Vec<String>, body: &[u8]) -> Result<(), JsValue> {
        let reply = Reply::Response(Response::new(status, header_pairs(&headers), body.to_vec()));
        self.inner.reply(index, reply).map_err(to_js)
    }

    /// Request `index` got no response: a network error or a timeout, as `reason` says.
    pub fn failed(&mut self, index: usize, reason: String) -> Result<(), JsValue> {
        self.inner.reply(index, Reply::Failed(reason)).map_err(to_js)
    }

    /// Request `index`'s body was longer than its `maxBytes`.
    #[wasm_bindgen(js_name = tooLarge)]
    pub fn too_large(&mut self, index: usize) -> Result<(), JsValue> {
        self.inner.reply(index, Reply::TooLarge).map_err(to_js)
    }

    /// Results for the checks of the last step, in their order: 1 verified, 0 not.
    pub fn answer(&mut self, results: &[u8]) -> Result<(), JsValue> {
        self.inner.answer(results).map_err(to_js)
    }
}
