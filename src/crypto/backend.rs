use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::hazmat::PrehashVerifier;

use super::key::KeyMaterial;
use super::{HashAlgorithm, Message, SignatureBackend, SignatureCheck, SignatureScheme};

/// Answers signature checks synchronously with the RustCrypto crates. Handles prehashed
/// messages (digest-only verification), which platform APIs cannot.
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCrypto;

impl SignatureBackend for RustCrypto {
    fn verify(&self, check: &SignatureCheck<'_>) -> bool {
        if !check.key.accepts(check.scheme) {
            return false;
        }
        match (&check.key.material, check.scheme) {
            (KeyMaterial::P256(key), SignatureScheme::Ecdsa(hash)) => {
                let Ok(sig) = p256::ecdsa::Signature::from_der(check.signature) else { return false };
                prehash(check.message, hash).is_some_and(|d| key.verify_prehash(&d, &sig).is_ok())
            }
            (KeyMaterial::P384(key), SignatureScheme::Ecdsa(hash)) => {
                let Ok(sig) = p384::ecdsa::Signature::from_der(check.signature) else { return false };
                prehash(check.message, hash).is_some_and(|d| key.verify_prehash(&d, &sig).is_ok())
            }
            (KeyMaterial::Ed25519(key), SignatureScheme::Ed25519) => {
                let Ok(sig) = ed25519_dalek::Signature::from_slice(check.signature) else { return false };
                // Pure Ed25519 needs the whole message: a digest alone cannot be verified.
                match check.message {
                    Message::Raw(msg) => key.verify_strict(msg, &sig).is_ok(),
                    Message::Digest(_) => false,
                }
            }
            (KeyMaterial::Ed25519(key), SignatureScheme::Ed25519ph) => {
                let Ok(sig) = ed25519_dalek::Signature::from_slice(check.signature) else { return false };
                // ed25519-dalek takes the prehash as a running SHA-512 state, so only the whole
                // message can be verified.
                match check.message {
                    Message::Raw(msg) => {
                        key.verify_prehashed_strict(Sha512::new().chain_update(msg), None, &sig).is_ok()
                    }
                    Message::Digest(_) => false,
                }
            }
            (KeyMaterial::Rsa(key), SignatureScheme::RsaPkcs1v15(hash)) => {
                let Some(digest) = prehash(check.message, hash) else { return false };
                let padding = match hash {
                    HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                    HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                    HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
                };
                key.verify(padding, &digest, check.signature).is_ok()
            }
            (KeyMaterial::Rsa(key), SignatureScheme::RsaPss(hash)) => {
                let Some(digest) = prehash(check.message, hash) else { return false };
                let padding = match hash {
                    HashAlgorithm::Sha256 => rsa::Pss::new::<Sha256>(),
                    HashAlgorithm::Sha384 => rsa::Pss::new::<Sha384>(),
                    HashAlgorithm::Sha512 => rsa::Pss::new::<Sha512>(),
                };
                key.verify(padding, &digest, check.signature).is_ok()
            }
            _ => false,
        }
    }
}

/// The message's digest under `hash`: computed from raw bytes, or taken as given when it has the
/// right length.
fn prehash(message: Message<'_>, hash: HashAlgorithm) -> Option<Vec<u8>> {
    match message {
        Message::Raw(bytes) => Some(hash.digest(bytes)),
        Message::Digest(digest) => (digest.len() == hash.output_len()).then(|| digest.to_vec()),
    }
}
