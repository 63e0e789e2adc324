//! Gathering signature checks to run elsewhere, and answering them afterwards.
//!
//! Verification is a pure function of its inputs and of the answers to its signature checks. A
//! caller with a faster or asynchronous way to verify signatures (WebCrypto in a browser or an
//! edge worker) runs verification once with [`Gatherer`], which answers every unknown check
//! optimistically and records it; it verifies the recorded checks its own way, concurrently,
//! stores the answers in a [`CheckAnswers`], and repeats until nothing new is asked (a failed
//! check can lead verification down another path). Then it runs verification for real with
//! [`Answered`], whose verdict is final. On valid bundles one round suffices.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::{HashAlgorithm, Message, PublicKey, SignatureBackend, SignatureCheck, SignatureScheme};

/// A signature check that owns its data.
#[derive(Clone, Debug)]
pub struct OwnedCheck {
    pub key: PublicKey,
    pub scheme: SignatureScheme,
    pub message: OwnedMessage,
    pub signature: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnedMessage {
    Raw(Vec<u8>),
    Digest(Vec<u8>),
}

impl OwnedCheck {
    fn from_check(check: &SignatureCheck<'_>) -> Self {
        Self {
            key: check.key.clone(),
            scheme: check.scheme,
            message: match check.message {
                Message::Raw(m) => OwnedMessage::Raw(m.to_vec()),
                Message::Digest(d) => OwnedMessage::Digest(d.to_vec()),
            },
            signature: check.signature.to_vec(),
        }
    }

    pub fn as_check(&self) -> SignatureCheck<'_> {
        SignatureCheck {
            key: &self.key,
            scheme: self.scheme,
            message: match &self.message {
                OwnedMessage::Raw(m) => Message::Raw(m),
                OwnedMessage::Digest(d) => Message::Digest(d),
            },
            signature: &self.signature,
        }
    }

    /// Identifies the check by everything that decides its answer.
    pub fn id(&self) -> CheckId {
        check_id(&self.as_check())
    }
}

/// A digest of a check's key, scheme, message and signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CheckId([u8; 32]);

fn check_id(check: &SignatureCheck<'_>) -> CheckId {
    let (kind, message): (&[u8], &[u8]) = match check.message {
        Message::Raw(m) => (b"raw", m),
        Message::Digest(d) => (b"digest", d),
    };
    let scheme = format!("{:?}", check.scheme);
    let len = |b: &[u8]| (b.len() as u64).to_be_bytes();
    let digest = HashAlgorithm::Sha256.digest_parts(&[
        &len(scheme.as_bytes()),
        scheme.as_bytes(),
        &len(check.key.spki_der()),
        check.key.spki_der(),
        &len(check.signature),
        check.signature,
        kind,
        &len(message),
        message,
    ]);
    let mut id = [0u8; 32];
    for (out, b) in id.iter_mut().zip(digest) {
        *out = b;
    }
    CheckId(id)
}

/// Answers to checks already run.
#[derive(Clone, Debug, Default)]
pub struct CheckAnswers {
    answers: HashMap<CheckId, bool>,
}

impl CheckAnswers {
    pub fn insert(&mut self, check: &OwnedCheck, verified: bool) {
        self.answers.insert(check.id(), verified);
    }

    pub fn len(&self) -> usize {
        self.answers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    fn get(&self, check: &SignatureCheck<'_>) -> Option<bool> {
        self.answers.get(&check_id(check)).copied()
    }
}

/// Answers known checks from `answers` and every other check `true`, recording it. Its
/// verdicts mean nothing; only the recorded checks are of use.
pub struct Gatherer<'a> {
    answers: &'a CheckAnswers,
    asked: RefCell<Vec<OwnedCheck>>,
}

impl<'a> Gatherer<'a> {
    pub fn new(answers: &'a CheckAnswers) -> Self {
        Self { answers, asked: RefCell::new(Vec::new()) }
    }

    /// The checks asked for that have no answer yet, each once.
    pub fn into_unanswered(self) -> Vec<OwnedCheck> {
        let mut checks = self.asked.into_inner();
        let mut seen = HashSet::with_capacity(checks.len());
        checks.retain(|c| seen.insert(c.id()));
        checks
    }
}

impl SignatureBackend for Gatherer<'_> {
    fn verify(&self, check: &SignatureCheck<'_>) -> bool {
        if let Some(answer) = self.answers.get(check) {
            return answer;
        }
        self.asked.borrow_mut().push(OwnedCheck::from_check(check));
        true
    }
}

/// Answers from `answers`, and any check not among them with `fallback`.
pub struct Answered<'a, B> {
    pub answers: &'a CheckAnswers,
    pub fallback: B,
}

impl<B: SignatureBackend> SignatureBackend for Answered<'_, B> {
    fn verify(&self, check: &SignatureCheck<'_>) -> bool {
        self.answers.get(check).unwrap_or_else(|| self.fallback.verify(check))
    }
}
