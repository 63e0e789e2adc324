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
use crate::http::{Exchange, Fetch, Request};
use crate::limits::MAX_REQUESTS;

/// Most runs in a row with no new reply between them: a bound on the work an input can cause by
/// making verification take a new path after every answer. A valid bundle takes one.
pub const MAX_ROUNDS: usize = 8;

/// Most rounds in all: every round answers new requests or new checks, and requests are bounded
/// (`limits::MAX_REQUESTS`).
pub const MAX_ALL_ROUNDS: usize = 2 * MAX_REQUESTS + MAX_ROUNDS;

/// What a run needs next.
#[derive(Debug)]
pub enum Step<T> {
    /// Requests to make, answered by their index ([`Session::reply`](crate::Session::reply)). A run
    /// that also asked for checks asks for its requests only once every check so far holds: it
    /// never fetches on a signature that may not (the order of requests is the one a synchronous
    /// client makes).
    Requests(Vec<Request>),
    /// Checks to run elsewhere, in the form WebCrypto takes; their results go to
    /// [`Session::answer`](crate::Session::answer), in this order.
    Checks(Vec<WebCryptoCheck>),
    /// A run that asked for nothing unanswered: its outcome.
    Done(T),
}

/// Rounds of running a walk (a verification is a walk that fetches nothing) with a gathering
/// backend, answering the checks and requests it asks for, until a run asks for nothing new.
/// The run keeps its own outcome: [`Step::Done`] says the last run's is final.
#[derive(Default)]
pub struct Rounds {
    answers: CheckAnswers,
    pending: Vec<OwnedCheck>,
    all: usize,
    in_a_row: usize,
    /// The last run's outcome stands, while every check it assumed has verified.
    provisional: bool,
}

impl Rounds {
    /// Runs `run` over the replies `exchange` has, and says what it needs next. `start` sees each
    /// check to hand out the moment the run asks for it, in the order of the checks returned:
    /// the caller can set it running (on WebCrypto, off the JavaScript thread) while the rest of
    /// the run goes on. Checks no backend could verify ([`OwnedCheck::web_crypto`]) are answered
    /// "no" here.
    pub fn step(
        &mut self,
        exchange: &mut Exchange,
        run: &mut dyn FnMut(&mut Fetch<'_>, &dyn SignatureBackend),
        start: &dyn Fn(&WebCryptoCheck),
    ) -> Result<Step<()>> {
        if std::mem::take(&mut self.provisional) {
            return Ok(Step::Done(()));
        }
        loop {
            self.all += 1;
            if self.all > MAX_ALL_ROUNDS {
                return fail(
                    ErrorCode::LimitExceeded,
                    format!("more than {MAX_ALL_ROUNDS} rounds of requests and checks"),
                );
            }
            self.in_a_row += 1;
            if self.in_a_row > MAX_ROUNDS {
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
            let ran = exchange.run(|fetch| run(fetch, &gatherer))?.is_some();
            let (forms, refused) = split(gatherer.into_unanswered(), &mut self.answers);
            if forms.is_empty() && !refused {
                if ran {
                    return Ok(Step::Done(()));
                }
                self.in_a_row = 0;
                return Ok(Step::Requests(exchange.outstanding().to_vec()));
            }
            // The run assumed checks that had no answer: what it asked for may not be needed.
            exchange.withdraw();
            if forms.is_empty() {
                continue;
            }
            self.provisional = ran && !refused;
            let (checks, forms) = forms.into_iter().unzip();
            self.pending = checks;
            return Ok(Step::Checks(forms));
        }
    }

    /// Results for the checks the last step returned, in order: 1 verified, 0 not verified.
    pub fn answer(&mut self, results: &[u8]) -> Result<()> {
        if !record(&mut self.pending, results, &mut self.answers)? {
            self.provisional = false;
        }
        Ok(())
    }

    /// The checks the last step returned, as checks: for a caller that answers them itself
    /// with a [`SignatureBackend`].
    pub fn pending(&self) -> &[OwnedCheck] {
        &self.pending
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

    /// Rounds of a run that fetches nothing, keeping the outcome of the run a step stands on.
    struct Runs<T> {
        rounds: Rounds,
        outcome: Option<T>,
    }

    impl<T> Runs<T> {
        fn new() -> Self {
            Self { rounds: Rounds::default(), outcome: None }
        }

        fn gather(&mut self, run: impl Fn(&dyn SignatureBackend) -> T) -> Result<Step<T>> {
            let outcome = &mut self.outcome;
            let step =
                self.rounds.step(&mut Exchange::default(), &mut |_, backend| *outcome = Some(run(backend)), &|_| {})?;
            Ok(match step {
                Step::Done(()) => Step::Done(self.outcome.take().expect("a step that is done stands on a run")),
                Step::Checks(checks) => Step::Checks(checks),
                Step::Requests(requests) => Step::Requests(requests),
            })
        }

        fn answer(&mut self, results: &[u8]) -> Result<()> {
            self.rounds.answer(results)
        }
    }

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
        let mut rounds = Runs::new();
        let error = loop {
            match rounds.gather(&run) {
                Ok(Step::Checks(checks)) => rounds.answer(&vec![0; checks.len()]).unwrap(),
                Ok(Step::Done(_)) => panic!("a verdict without an answer to the last check"),
                Ok(Step::Requests(_)) => panic!("a run that fetches nothing asked for requests"),
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
        let mut rounds = Runs::new();
        let Ok(Step::Checks(checks)) = rounds.gather(&run) else { panic!("no checks handed out") };
        assert_eq!(checks.len(), 1);
        // 2 used to mean "the platform cannot run it, answer in Rust": no module answers in Rust now.
        assert_eq!(rounds.answer(&[2]).unwrap_err().code, ErrorCode::InvalidInput);
        assert_eq!(rounds.answer(&[1, 1]).unwrap_err().code, ErrorCode::InvalidInput);
        rounds.answer(&[1]).unwrap();
        assert!(matches!(rounds.gather(&run), Ok(Step::Done(true))));
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
        let Ok(Step::Checks(forms)) = rounds.step(
            &mut Exchange::default(),
            &mut |_, backend| {
                run(backend);
            },
            &|form| started.borrow_mut().push(form.clone()),
        ) else {
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
        let mut rounds = Runs::new();
        assert!(matches!(rounds.gather(run), Ok(Step::Done(false))));
    }
}
