//! The driver of verification with signature checks run elsewhere (WebCrypto, asynchronously):
//! rounds of gathering the checks a run asks for and answering them, bounded, until a run asks
//! for nothing new. One pass when nothing fails: a gathering run assumes every check it asks for
//! verifies, so when every answer says so, that run's outcome is the verdict and verification does
//! not run again. A "no" sends verification down another path (another signature line, another
//! timestamp authority) or to the failure it names: then it runs again with the answers.
//!
//! Nothing here verifies a signature: every check is answered by the caller (WebCrypto,
//! node:crypto, or the pure-Rust backend in the package's crypto module), so the verifier's
//! module carries no signature arithmetic of its own.

use crate::crypto::deferred::{CheckAnswers, Gatherer, OwnedCheck, WebCryptoCheck};
use crate::crypto::SignatureBackend;
use crate::error::{fail, ErrorCode, Result};

/// Most rounds of gathering for one verification: a bound on the work an input can cause by
/// making verification take a new path after every answer. A valid bundle takes one.
pub const MAX_ROUNDS: usize = 8;

/// What a round of gathering came to.
#[derive(Debug)]
pub enum Gathered<T> {
    /// Checks to run elsewhere, in the form WebCrypto takes; their results go to `answer`.
    Checks(Vec<WebCryptoCheck>),
    /// A run that asked for nothing unanswered: its outcome is the verdict.
    Done(T),
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
    /// Runs `run` with a gathering backend until it asks for checks to run, and returns those;
    /// checks no backend could verify ([`OwnedCheck::web_crypto`]) are answered "no" here. More
    /// than [`MAX_ROUNDS`] rounds refuse the input.
    pub fn gather(&mut self, run: impl Fn(&dyn SignatureBackend) -> T) -> Result<Gathered<T>> {
        self.gather_starting(run, &|_| {})
    }

    /// As `gather`, and `start` sees each check to hand out the moment verification asks for it,
    /// in the order of the checks `gather` returns: the caller can set it running (on WebCrypto,
    /// which works off the JavaScript thread) while the rest of the run goes on.
    pub fn gather_starting(
        &mut self,
        run: impl Fn(&dyn SignatureBackend) -> T,
        start: &dyn Fn(&WebCryptoCheck),
    ) -> Result<Gathered<T>> {
        if let Some(outcome) = self.provisional.take() {
            return Ok(Gathered::Done(outcome));
        }
        loop {
            self.count += 1;
            if self.count > MAX_ROUNDS {
                return fail(
                    ErrorCode::LimitExceeded,
                    format!("verification took more than {MAX_ROUNDS} rounds of signature checks"),
                );
            }
            let on_asked = |check: &OwnedCheck| {
                if let Some(form) = check.web_crypto() {
                    start(&form);
                }
            };
            let gatherer = Gatherer::with_hook(&self.answers, &on_asked);
            let outcome = run(&gatherer);
            let (forms, refused) = split(gatherer.into_unanswered(), &mut self.answers);
            if forms.is_empty() {
                if !refused {
                    return Ok(Gathered::Done(outcome));
                }
                continue;
            }
            self.provisional = (!refused).then_some(outcome);
            let (checks, forms) = forms.into_iter().unzip();
            self.pending = checks;
            return Ok(Gathered::Checks(forms));
        }
    }

    /// Results for the checks the last `gather` returned, in order: 1 verified, 0 not verified.
    pub fn answer(&mut self, results: &[u8]) -> Result<()> {
        if !record(&mut self.pending, results, &mut self.answers)? {
            self.provisional = None;
        }
        Ok(())
    }
}

/// The checks to hand out, with their forms; those no backend could verify are answered "no" in
/// `answers` (`true` when there was any).
fn split(unanswered: Vec<OwnedCheck>, answers: &mut CheckAnswers) -> (Vec<(OwnedCheck, WebCryptoCheck)>, bool) {
    let mut forms = Vec::with_capacity(unanswered.len());
    let mut refused = false;
    for check in unanswered {
        match check.web_crypto() {
            Some(form) => forms.push((check, form)),
            None => {
                answers.insert(&check, false);
                refused = true;
            }
        }
    }
    (forms, refused)
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
            let (forms, refused) = split(gatherer.into_unanswered(), &mut self.answers);
            if !forms.is_empty() || refused {
                // The run assumed checks that had no answer: what it asked for may not be needed.
                exchange.withdraw();
                if forms.is_empty() {
                    continue;
                }
                let (checks, forms) = forms.into_iter().unzip();
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

/// Records `results` (1 verified, 0 not) for the `pending` checks, in order; `true` when every
/// one verified.
fn record(pending: &mut Vec<OwnedCheck>, results: &[u8], answers: &mut CheckAnswers) -> Result<bool> {
    if results.len() != pending.len() {
        return fail(ErrorCode::InvalidInput, format!("{} answers for {} checks", results.len(), pending.len()));
    }
    if let Some(other) = results.iter().find(|&&result| result > 1) {
        return fail(ErrorCode::InvalidInput, format!("answer {other} to a signature check: expected 0 or 1"));
    }
    let mut all = true;
    for (check, &result) in pending.drain(..).zip(results) {
        let verified = result == 1;
        all &= verified;
        answers.insert(&check, verified);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Message, PublicKey, SignatureCheck, SignatureScheme};
    use std::cell::Cell;

    fn ed25519_key() -> PublicKey {
        let point = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        let spki =
            [&[0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00][..], point.as_bytes()].concat();
        PublicKey::from_spki_der(&spki).unwrap()
    }

    /// A verification that, after every "no", tries one more signature (as an input could make it).
    fn tries_another_after_each_no<'a>(
        key: &'a PublicKey,
        tried: &'a Cell<u8>,
    ) -> impl Fn(&dyn SignatureBackend) -> bool + 'a {
        move |backend| {
            (0..=u8::MAX).any(|n| {
                tried.set(tried.get().max(n));
                backend.verify(&SignatureCheck {
                    key,
                    scheme: SignatureScheme::Ed25519,
                    message: Message::Raw(&[n]),
                    signature: &[n; 64],
                })
            })
        }
    }

    #[test]
    fn a_new_path_after_every_answer_ends_at_the_round_limit() {
        let (key, tried) = (ed25519_key(), Cell::new(0));
        let run = tries_another_after_each_no(&key, &tried);
        let mut rounds = Rounds::default();
        let error = loop {
            match rounds.gather(&run) {
                Ok(Gathered::Checks(checks)) => rounds.answer(&vec![0; checks.len()]).unwrap(),
                Ok(Gathered::Done(_)) => panic!("a verdict without an answer to the last check"),
                Err(e) => break e,
            }
        };
        assert_eq!(error.code, ErrorCode::LimitExceeded);
        assert_eq!(usize::from(tried.get()), MAX_ROUNDS - 1);
    }

    #[test]
    fn answers_are_yes_or_no_and_one_per_check() {
        let (key, tried) = (ed25519_key(), Cell::new(0));
        let run = tries_another_after_each_no(&key, &tried);
        let mut rounds = Rounds::default();
        let Ok(Gathered::Checks(checks)) = rounds.gather(&run) else { panic!("no checks handed out") };
        assert_eq!(checks.len(), 1);
        // 2 used to mean "the platform cannot run it, answer in Rust": no module answers in Rust now.
        assert_eq!(rounds.answer(&[2]).unwrap_err().code, ErrorCode::InvalidInput);
        assert_eq!(rounds.answer(&[1, 1]).unwrap_err().code, ErrorCode::InvalidInput);
        rounds.answer(&[1]).unwrap();
        assert!(matches!(rounds.gather(&run), Ok(Gathered::Done(true))));
    }

    #[test]
    fn checks_are_started_as_they_are_asked_each_once_in_the_order_handed_out() {
        let (key, messages) = (ed25519_key(), [[0u8], [1], [2], [3]]);
        let check = |n: usize| SignatureCheck {
            key: &key,
            scheme: SignatureScheme::Ed25519,
            message: Message::Raw(&messages[n]),
            signature: &[0; 64],
        };
        // Asks 1, 2, 1 again, then one no backend could verify (never started), then 3.
        let run = |backend: &dyn SignatureBackend| {
            let digest = SignatureCheck { message: Message::Digest(&[0; 32]), ..check(0) };
            [check(1), check(2), check(1), digest, check(3)].iter().all(|c| backend.verify(c))
        };
        let started = std::cell::RefCell::new(Vec::new());
        let mut rounds = Rounds::default();
        let Ok(Gathered::Checks(forms)) = rounds.gather_starting(run, &|form| started.borrow_mut().push(form.clone()))
        else {
            panic!("no checks handed out")
        };
        let messages: Vec<_> = forms.iter().map(|f| f.message.clone()).collect();
        assert_eq!(messages, [[1], [2], [3]]);
        assert_eq!(started.into_inner(), forms);
    }

    #[test]
    fn a_check_no_backend_could_verify_is_answered_no_without_being_handed_out() {
        let key = ed25519_key();
        // Pure Ed25519 over a digest: no form, and the pure-Rust backend refuses it too.
        let run = |backend: &dyn SignatureBackend| {
            backend.verify(&SignatureCheck {
                key: &key,
                scheme: SignatureScheme::Ed25519,
                message: Message::Digest(&[0; 32]),
                signature: &[0; 64],
            })
        };
        let mut rounds = Rounds::default();
        assert!(matches!(rounds.gather(run), Ok(Gathered::Done(false))));
    }
}
