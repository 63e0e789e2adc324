//! Gathering signature checks to run elsewhere, and answering them afterwards.
//!
//! Verification is a pure function of its inputs and of the answers to its signature checks. A
//! caller with a faster or asynchronous way to verify signatures (WebCrypto in a browser or an
//! edge worker) runs verification once with [`Gatherer`], which answers every unknown check
//! optimistically and records it; it verifies the recorded checks its own way, concurrently,
//! stores the answers in a [`CheckAnswers`], and repeats until nothing new is asked (a failed
//! check can lead verification down another path). The last gathering run, once nothing it
//! assumed was wrong, is the verdict (one pass, on valid bundles). [`crate::session::rounds::Rounds`]
//! drives this, for the npm package.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::{HashAlgorithm, KeyAlgorithm, Message, PublicKey, SignatureBackend, SignatureCheck, SignatureScheme};

/// A signature check that owns its data, with its identity (computed once: it hashes the message).
#[derive(Clone, Debug)]
pub struct OwnedCheck {
    key: PublicKey,
    scheme: SignatureScheme,
    message: OwnedMessage,
    signature: Vec<u8>,
    id: CheckId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnedMessage {
    Raw(Vec<u8>),
    Digest(Vec<u8>),
}

impl OwnedCheck {
    /// A copy of `check`, for the crate's tests of the checks' WebCrypto forms (the verifier
    /// itself copies the checks it gathers, whose identity it has computed already).
    #[cfg(feature = "internals")]
    pub fn from_check(check: &SignatureCheck<'_>) -> Self {
        Self::with_id(check, check_id(check))
    }

    fn with_id(check: &SignatureCheck<'_>, id: CheckId) -> Self {
        Self {
            key: check.key.clone(),
            scheme: check.scheme,
            message: match check.message {
                Message::Raw(m) => OwnedMessage::Raw(m.to_vec()),
                Message::Digest(d) => OwnedMessage::Digest(d.to_vec()),
            },
            signature: check.signature.to_vec(),
            id,
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
        self.id
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

}

/// Answers known checks from `answers` and every other check `true`, recording it. Its
/// verdicts mean nothing; only the recorded checks are of use.
pub struct Gatherer<'a> {
    answers: &'a CheckAnswers,
    asked: RefCell<Vec<OwnedCheck>>,
    seen: RefCell<HashSet<CheckId>>,
    on_asked: Option<&'a dyn Fn(&OwnedCheck)>,
}

impl<'a> Gatherer<'a> {
    pub fn new(answers: &'a CheckAnswers) -> Self {
        Self { answers, asked: RefCell::new(Vec::new()), seen: RefCell::new(HashSet::new()), on_asked: None }
    }

    /// As `new`, and `on_asked` sees each unanswered check the moment it is first asked: a caller
    /// can start running it while verification goes on.
    pub fn with_hook(answers: &'a CheckAnswers, on_asked: &'a dyn Fn(&OwnedCheck)) -> Self {
        Self { on_asked: Some(on_asked), ..Self::new(answers) }
    }

    /// The checks asked for that have no answer yet, each once, in the order first asked.
    pub fn into_unanswered(self) -> Vec<OwnedCheck> {
        self.asked.into_inner()
    }
}

impl SignatureBackend for Gatherer<'_> {
    fn verify(&self, check: &SignatureCheck<'_>) -> bool {
        let id = check_id(check);
        if let Some(&answer) = self.answers.answers.get(&id) {
            return answer;
        }
        if self.seen.borrow_mut().insert(id) {
            let owned = OwnedCheck::with_id(check, id);
            if let Some(on_asked) = self.on_asked {
                on_asked(&owned);
            }
            self.asked.borrow_mut().push(owned);
        }
        true
    }
}

/// A check in the form WebCrypto (`crypto.subtle.importKey` + `verify`) takes, as the JavaScript
/// side runs it: on WebCrypto, on node:crypto, or, for what neither can run (`prehashed` messages,
/// `Ed25519ph`), on the pure-Rust backend of the package's crypto module
/// ([`super::RustCrypto::verify_web_crypto`]). ECDSA signatures are converted from DER to the
/// fixed-width `r || s` WebCrypto expects.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebCryptoCheck {
    /// `ECDSA`, `Ed25519`, `Ed25519ph`, `RSASSA-PKCS1-v1_5` or `RSA-PSS`.
    pub name: &'static str,
    /// For ECDSA keys: `P-256` or `P-384`.
    pub named_curve: Option<&'static str>,
    /// `SHA-256`, `SHA-384` or `SHA-512`; absent for Ed25519.
    pub hash: Option<&'static str>,
    /// For RSA-PSS: the salt length in bytes.
    pub salt_length: Option<usize>,
    /// `message` is the digest of the message under `hash`, not the message: no platform API
    /// verifies such a signature.
    pub prehashed: bool,
    /// The key as a DER SubjectPublicKeyInfo, for `importKey("spki", …)`.
    #[serde(with = "serde_bytes_as_array")]
    pub spki: Vec<u8>,
    /// The signed message, or its digest when `prehashed`.
    #[serde(with = "serde_bytes_as_array")]
    pub message: Vec<u8>,
    /// The signature as WebCrypto takes it: `r || s` for ECDSA, unchanged for the others.
    #[serde(with = "serde_bytes_as_array")]
    pub signature: Vec<u8>,
}

impl OwnedCheck {
    /// The check as it is handed to JavaScript, or `None` when no backend could verify it: a
    /// scheme the key cannot use, pure Ed25519 over a digest, or a signature that is not strict
    /// DER (refused here exactly as the pure-Rust backend refuses it, so that every backend gives
    /// the same verdicts). The answer to those is "not verified", without running anything.
    pub fn web_crypto(&self) -> Option<WebCryptoCheck> {
        let (message, prehashed) = match &self.message {
            OwnedMessage::Raw(message) => (message, false),
            OwnedMessage::Digest(digest) => (digest, true),
        };
        let (name, named_curve, hash, salt_length, signature) = match (self.key.algorithm(), self.scheme) {
            (KeyAlgorithm::EcdsaP256, SignatureScheme::Ecdsa(h)) => {
                ("ECDSA", Some("P-256"), Some(h.web_crypto_name()), None, der_to_p1363(&self.signature, 32)?)
            }
            (KeyAlgorithm::EcdsaP384, SignatureScheme::Ecdsa(h)) => {
                ("ECDSA", Some("P-384"), Some(h.web_crypto_name()), None, der_to_p1363(&self.signature, 48)?)
            }
            (KeyAlgorithm::Ed25519, SignatureScheme::Ed25519) if !prehashed => {
                ("Ed25519", None, None, None, self.signature.clone())
            }
            (KeyAlgorithm::Ed25519, SignatureScheme::Ed25519ph) => {
                ("Ed25519ph", None, Some(HashAlgorithm::Sha512.web_crypto_name()), None, self.signature.clone())
            }
            (KeyAlgorithm::Rsa, SignatureScheme::RsaPkcs1v15(h)) => {
                ("RSASSA-PKCS1-v1_5", None, Some(h.web_crypto_name()), None, self.signature.clone())
            }
            (KeyAlgorithm::Rsa | KeyAlgorithm::RsaPss, SignatureScheme::RsaPss(h)) => {
                ("RSA-PSS", None, Some(h.web_crypto_name()), Some(h.output_len()), self.signature.clone())
            }
            _ => return None,
        };
        // WebCrypto imports RSA-PSS keys only from an id-RSASSA-PSS or rsaEncryption SPKI, and
        // both are what `spki_der` holds; nothing to convert.
        Some(WebCryptoCheck {
            name,
            named_curve,
            hash,
            salt_length,
            prehashed,
            spki: self.key.spki_der().to_vec(),
            message: message.clone(),
            signature,
        })
    }
}

impl SignatureScheme {
    /// The scheme a [`WebCryptoCheck`] names (`name`, `hash`), as JavaScript hands it back.
    pub fn from_web_crypto(name: &str, hash: Option<&str>) -> Option<Self> {
        let hash = match hash {
            Some(name) => Some(HashAlgorithm::from_web_crypto_name(name)?),
            None => None,
        };
        Some(match (name, hash) {
            ("ECDSA", Some(h)) => Self::Ecdsa(h),
            ("Ed25519", None) => Self::Ed25519,
            ("Ed25519ph", Some(HashAlgorithm::Sha512)) => Self::Ed25519ph,
            ("RSASSA-PKCS1-v1_5", Some(h)) => Self::RsaPkcs1v15(h),
            ("RSA-PSS", Some(h)) => Self::RsaPss(h),
            _ => return None,
        })
    }
}

impl HashAlgorithm {
    /// WebCrypto's name of the hash.
    pub const fn web_crypto_name(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    /// The hash WebCrypto calls `name` (`SHA-256`, …).
    pub fn from_web_crypto_name(name: &str) -> Option<Self> {
        [Self::Sha256, Self::Sha384, Self::Sha512].into_iter().find(|h| h.web_crypto_name() == name)
    }
}

/// Converts a DER `ECDSA-Sig-Value` to `r || s`, each left-padded to `width` bytes. Refuses what
/// the RustCrypto DER parser refuses: non-minimal lengths or integers, negative or oversized
/// values, trailing bytes.
fn der_to_p1363(der: &[u8], width: usize) -> Option<Vec<u8>> {
    let seq = crate::asn1::parse_single(der, crate::asn1::tag::SEQUENCE).ok()?;
    let mut fields = seq.reader();
    let mut out = Vec::with_capacity(width * 2);
    for _ in 0..2 {
        let int = fields.expect(crate::asn1::tag::INTEGER).ok()?;
        let value = match int.contents {
            [] => return None,
            [first, ..] if first & 0x80 != 0 => return None,
            [0, second, ..] if second & 0x80 == 0 => return None,
            [0, rest @ ..] => rest,
            all => all,
        };
        if value.len() > width || value.iter().all(|&b| b == 0) {
            return None;
        }
        out.extend(std::iter::repeat_n(0u8, width - value.len()));
        out.extend_from_slice(value);
    }
    fields.finish().ok()?;
    Some(out)
}

/// Byte vectors as arrays of numbers in JSON, and as `Uint8Array`s through serde-wasm-bindgen
/// (which turns `serialize_bytes` into a `Uint8Array`).
mod serde_bytes_as_array {
    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_signatures_convert_to_fixed_width_exactly_when_strict() {
        // r = 1, s = 0x80 (needs a sign byte).
        let der = [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80];
        let p1363 = der_to_p1363(&der, 32).unwrap();
        assert_eq!(p1363.len(), 64);
        assert_eq!(p1363[31], 1);
        assert_eq!(p1363[63], 0x80);
        for bad in [
            &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x80][..], // negative s
            &[0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01], // non-minimal r
            &[0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01],     // r = 0
            &[0x30, 0x08, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00, 0x00], // trailing bytes
            &[0x30, 0x03, 0x02, 0x01, 0x01],                       // one integer
        ] {
            assert_eq!(der_to_p1363(bad, 32), None, "{bad:02x?}");
        }
        let mut long = vec![0x30, 0x25, 0x02, 0x21];
        long.extend([0x7f; 33]);
        long.extend([0x02, 0x00]);
        assert_eq!(der_to_p1363(&long, 32), None);
    }
}
