//! One protocol for everything whose I/O and signature checks the caller does: a [`Session`] is
//! stepped, and each [`Step`] asks for HTTP requests, asks for signature checks (in the form
//! WebCrypto takes), or is done. Verifying a bundle (a session that fetches nothing), building a
//! verifier from a trusted root, walking a registry for an image's signatures, looking Rekor up,
//! finding a package's attestations and refreshing trust through TUF are each a [`Work`]; the
//! JavaScript package drives them all with one loop, and native callers with
//! [`Session::complete`].

mod bundle;
mod lookup;
pub mod rounds;
mod tuf;

pub use bundle::{ArtifactInput, BundleVerification, Preparation};
pub use lookup::{AttestationsLookup, ImageLookup, LogLookup};
pub use rounds::Step;
pub use tuf::{repository_urls, PinnedRoot, TrustedRootRefresh, TufUpdate};

use crate::crypto::deferred::WebCryptoCheck;
use crate::crypto::SignatureBackend;
use crate::error::Result;
use crate::http::{Exchange, Fetch, Poll, Reply, Request};
use rounds::Rounds;

/// Something a session does: a walk over the replies fetched so far, its signature checks asked
/// of `backend`. It is run again after every round of replies and answers, so it must give the
/// same outcome for the same replies and answers; `Poll::Pending` while a reply it needs is
/// missing (asked for through `fetch`).
pub trait Work {
    /// What the work ends with.
    type Outcome;
    /// One walk, from the start, over the replies `fetch` holds.
    fn run(&self, fetch: &mut Fetch<'_>, backend: &dyn SignatureBackend) -> Poll<Self::Outcome>;
}

/// A work in progress, stepped by whoever makes its requests and runs its checks.
pub struct Session<W: Work> {
    work: W,
    exchange: Exchange,
    rounds: Rounds,
    /// The last run's outcome: the session's, once a step says it is done.
    outcome: Option<Poll<W::Outcome>>,
}

impl<W: Work> Session<W> {
    /// A session that has made no request and asked no check yet.
    pub fn new(work: W) -> Self {
        Self { work, exchange: Exchange::default(), rounds: Rounds::default(), outcome: None }
    }

    /// What the session needs next. `start` sees each check the moment the run asks for it, in
    /// the order of the checks the step returns, so that it can be set running at once.
    pub fn step(&mut self, start: &dyn Fn(&WebCryptoCheck)) -> Result<Step<W::Outcome>> {
        let (work, outcome) = (&self.work, &mut self.outcome);
        Ok(
            match self.rounds.step(
                &mut self.exchange,
                &mut |fetch, backend| *outcome = Some(work.run(fetch, backend)),
                start,
            )? {
                Step::Done(()) => Step::Done(self.outcome.take().unwrap_or(Poll::Pending).finished()?),
                Step::Requests(requests) => Step::Requests(requests),
                Step::Checks(checks) => Step::Checks(checks),
            },
        )
    }

    /// The reply to request `index` of the last `Requests` step.
    pub fn reply(&mut self, index: usize, reply: Reply) -> Result<()> {
        self.exchange.answer(index, reply)
    }

    /// The results of the last `Checks` step, in its order: 1 verified, 0 not.
    pub fn answer(&mut self, results: &[u8]) -> Result<()> {
        self.rounds.answer(results)
    }

    /// Runs the session to its end: `send` makes each request, `backend` answers each check.
    pub fn complete(
        mut self,
        mut send: impl FnMut(&Request) -> Reply,
        backend: &dyn SignatureBackend,
    ) -> Result<W::Outcome> {
        loop {
            match self.step(&|_| {})? {
                Step::Done(outcome) => return Ok(outcome),
                Step::Requests(requests) => {
                    for (index, request) in requests.iter().enumerate() {
                        let reply = send(request);
                        self.reply(index, reply)?;
                    }
                }
                Step::Checks(_) => {
                    let results: Vec<u8> =
                        self.rounds.pending().iter().map(|check| u8::from(backend.verify(&check.as_check()))).collect();
                    self.answer(&results)?;
                }
            }
        }
    }
}
