//! The driver of verification with signature checks run elsewhere (WebCrypto, asynchronously):
//! rounds of gathering the checks a run asks for and answering them, bounded, until a run asks
//! for nothing new. One pass when nothing fails: a gathering run assumes every check it asks for
//! verifies, so when every answer says so, that run's outcome is the verdict and verification does
//! not run again. A "no" sends verification down another path (another signature line, another
//! timestamp authority) or to the failure it names: then it runs again with the answers.

use super::deferred::{Answered, CheckAnswers, Gatherer, OwnedCheck, WebCryptoCheck};
use super::{RustCrypto, SignatureBackend};
use crate::error::{fail, ErrorCode, Result};

/// After this many rounds of gathering, the remaining checks are answered in Rust: a bound on
/// the work an input can cause by making verification take a new path after every answer.
pub const MAX_ROUNDS: usize = 8;

/// What a round of gathering came to.
#[derive(Debug)]
pub enum Gathered<T> {
    /// Checks to run elsewhere, in the form WebCrypto takes; their results go to `answer`.
    Checks(Vec<WebCryptoCheck>),
    /// A run that asked for nothing unanswered: its outcome is the verdict.
    Done(T),
    /// `MAX_ROUNDS` without a final run: the verdict is the one `backend()` gives.
    Exhausted,
}

/// Rounds of gathering and answering, for one verification (or trust root, or lookup).
pub struct Rounds<T> {
    answers: CheckAnswers,
    pending: Vec<OwnedCheck>,
    count: usize,
    /// The outcome of the last gathering run, while every check it assumed has verified.
    provisional: Option<T>,
}

impl<T> Default for Rounds<T> {
    fn default() -> Self {
        Self { answers: CheckAnswers::default(), pending: Vec::new(), count: 0, provisional: None }
    }
}

impl<T> Rounds<T> {
    /// Runs `run` with a gathering backend until it asks for checks WebCrypto can run, and
    /// returns those; checks WebCrypto cannot run (prehashed digests, Ed25519ph) are answered
    /// here in Rust.
    pub fn gather(&mut self, run: impl Fn(&dyn SignatureBackend) -> T) -> Gathered<T> {
        if let Some(outcome) = self.provisional.take() {
            return Gathered::Done(outcome);
        }
        while self.count < MAX_ROUNDS {
            self.count += 1;
            let gatherer = Gatherer::new(&self.answers);
            let outcome = run(&gatherer);
            let unanswered = gatherer.into_unanswered();
            let mut assumed_right = true;
            let mut web = Vec::new();
            for check in unanswered {
                match check.web_crypto() {
                    Some(form) => web.push((check, form)),
                    None => {
                        let verified = RustCrypto.verify(&check.as_check());
                        assumed_right &= verified;
                        self.answers.insert(&check, verified);
                    }
                }
            }
            if web.is_empty() {
                if assumed_right {
                    return Gathered::Done(outcome);
                }
                continue;
            }
            self.provisional = assumed_right.then_some(outcome);
            let (checks, forms) = web.into_iter().unzip();
            self.pending = checks;
            return Gathered::Checks(forms);
        }
        Gathered::Exhausted
    }

    /// Results for the checks the last `gather` returned, in order: 1 verified, 0 not verified,
    /// 2 the platform could not run it (the Rust backend then answers).
    pub fn answer(&mut self, results: &[u8]) -> Result<()> {
        if !record(&mut self.pending, results, &mut self.answers)? {
            self.provisional = None;
        }
        Ok(())
    }

    /// The answers given, and the Rust backend for any check not among them.
    pub fn backend(&self) -> Answered<'_, RustCrypto> {
        Answered { answers: &self.answers, fallback: RustCrypto }
    }
}

/// Most rounds of a [`WalkRounds`]: every round answers new requests or new checks, and requests
/// are bounded (`limits::MAX_REQUESTS`); checks come from what was fetched, a few per file.
pub const MAX_WALK_ROUNDS: usize = 2 * crate::limits::MAX_REQUESTS + MAX_ROUNDS;

/// What a walk whose signature checks run elsewhere needs next.
#[derive(Debug)]
pub enum WalkStep<T> {
    /// Checks to run (WebCrypto's form), answered with [`WalkRounds::answer`]; the walk's requests
    /// wait until every check so far has its answer, so it never fetches on a signature that may
    /// not hold (the order of requests is the one a synchronous client makes).
    Checks(Vec<WebCryptoCheck>),
    /// Requests to make: [`crate::http::Exchange::outstanding`].
    Requests,
    Done(T),
}

/// Drives an HTTP walk (`crate::http`) that verifies signatures as it goes (a TUF update): each
/// run gathers the checks it asks for, and only once all are answered are its requests made.
#[derive(Default)]
pub struct WalkRounds {
    answers: CheckAnswers,
    pending: Vec<OwnedCheck>,
    count: usize,
}

impl WalkRounds {
    pub fn step<T>(
        &mut self,
        exchange: &mut crate::http::Exchange,
        mut walk: impl FnMut(&mut crate::http::Fetch<'_>, &dyn SignatureBackend) -> T,
    ) -> Result<WalkStep<T>> {
        loop {
            self.count += 1;
            if self.count > MAX_WALK_ROUNDS {
                return fail(
                    ErrorCode::LimitExceeded,
                    format!("more than {MAX_WALK_ROUNDS} rounds of requests and checks"),
                );
            }
            let gatherer = Gatherer::new(&self.answers);
            let ran = exchange.run(|fetch| walk(fetch, &gatherer))?;
            let mut web = Vec::new();
            let mut answered_here = false;
            for check in gatherer.into_unanswered() {
                match check.web_crypto() {
                    Some(form) => web.push((check, form)),
                    None => {
                        self.answers.insert(&check, RustCrypto.verify(&check.as_check()));
                        answered_here = true;
                    }
                }
            }
            if !web.is_empty() || answered_here {
                // The run assumed checks that had no answer: what it asked for may not be needed.
                exchange.withdraw();
                if web.is_empty() {
                    continue;
                }
                let (checks, forms) = web.into_iter().unzip();
                self.pending = checks;
                return Ok(WalkStep::Checks(forms));
            }
            return Ok(match ran {
                Some(outcome) => WalkStep::Done(outcome),
                None => WalkStep::Requests,
            });
        }
    }

    /// Results for the checks of the last `Checks` step, as [`Rounds::answer`] takes them.
    pub fn answer(&mut self, results: &[u8]) -> Result<()> {
        record(&mut self.pending, results, &mut self.answers).map(drop)
    }
}

/// Records `results` (1 verified, 0 not, 2 run it in Rust) for the `pending` checks, in order;
/// `true` when every one verified.
fn record(pending: &mut Vec<OwnedCheck>, results: &[u8], answers: &mut CheckAnswers) -> Result<bool> {
    if results.len() != pending.len() {
        return fail(ErrorCode::InvalidInput, format!("{} answers for {} checks", results.len(), pending.len()));
    }
    let mut all = true;
    for (check, &result) in pending.drain(..).zip(results) {
        let verified = match result {
            0 => false,
            1 => true,
            _ => RustCrypto.verify(&check.as_check()),
        };
        all &= verified;
        answers.insert(&check, verified);
    }
    Ok(all)
}
