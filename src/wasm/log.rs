//! The log module: Rekor entries found by index, UUID or artifact digest, each verified.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::session::Session;
use super::to_js;
use super::verify::{from_value, serialized, Verifier};
use crate::options::LogQueryOptions;
use crate::rekor::LoggedEntry;
use crate::session::LogLookup;

serialized!(Vec<LoggedEntry>);

#[wasm_bindgen]
impl Verifier {
    /// A Rekor lookup (`LogQueryOptions`), whose entries are verified with this trust.
    pub fn log(&self, query: JsValue) -> Result<Session, JsValue> {
        let query: LogQueryOptions = from_value(query, "query")?;
        Ok(Session::new(LogLookup::new(Rc::clone(&self.inner), query).map_err(to_js)?))
    }
}
