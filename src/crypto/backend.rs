use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::hazmat::PrehashVerifier;

use super::{HashAlgorithm, KeyAlgorithm, Message, PublicKey, SignatureBackend, SignatureCheck, SignatureScheme};

/// Answers signature checks synchronously with the RustCrypto crates. Handles prehashed
/// messages (digest-only verification), which platform APIs cannot.
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCrypto;

/// A key as the RustCrypto crates take it, built from a [`PublicKey`]'s bytes for each check:
/// this is where an EC point is checked against its curve and an Ed25519 point decompressed.
enum KeyMaterial {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

impl KeyMaterial {
    /// `None` for a key no RustCrypto crate accepts (a point off its curve, say): such a key
    /// verifies nothing.
    fn of(key: &PublicKey) -> Option<Self> {
        use rsa::pkcs1::DecodeRsaPublicKey;
        let bytes = key.subject_public_key();
        match key.algorithm() {
            KeyAlgorithm::EcdsaP256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes).ok().map(Self::P256),
            KeyAlgorithm::EcdsaP384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(bytes).ok().map(Self::P384),
            KeyAlgorithm::Ed25519 => {
                let bytes = <[u8; 32]>::try_from(bytes).ok()?;
                ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok().map(Self::Ed25519)
            }
            KeyAlgorithm::Rsa | KeyAlgorithm::RsaPss => rsa::RsaPublicKey::from_pkcs1_der(bytes).ok().map(Self::Rsa),
        }
    }
}

impl SignatureBackend for RustCrypto {
    fn verify(&self, check: &SignatureCheck<'_>) -> bool {
        if !check.key.accepts(check.scheme) {
            return false;
        }
        let Some(material) = KeyMaterial::of(check.key) else { return false };
        match (&material, check.scheme) {
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
                match check.message {
                    Message::Raw(msg) => {
                        key.verify_prehashed_strict(Sha512::new().chain_update(msg), None, &sig).is_ok()
                    }
                    Message::Digest(digest) => match KnownSha512::new(digest) {
                        Some(prehash) => key.verify_prehashed_strict(prehash, None, &sig).is_ok(),
                        None => false,
                    },
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

impl RustCrypto {
    /// Answers a check handed to JavaScript ([`super::deferred::WebCryptoCheck`]) and given back
    /// by its parts: the package's crypto module runs this for what the platform cannot (prehashed
    /// messages, Ed25519ph, a platform without the algorithm) and, in browsers, for the
    /// synchronous `verify()`. Parts that name no check are "not verified".
    pub fn verify_web_crypto(
        &self,
        name: &str,
        hash: Option<&str>,
        prehashed: bool,
        spki: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        let (Some(scheme), Ok(key)) = (SignatureScheme::from_web_crypto(name, hash), PublicKey::from_spki_der(spki))
        else {
            return false;
        };
        // ECDSA comes as WebCrypto's fixed-width `r || s`; the check takes DER.
        let der: Vec<u8>;
        let signature = match key.algorithm() {
            KeyAlgorithm::EcdsaP256 => match p256::ecdsa::Signature::from_slice(signature) {
                Ok(sig) => {
                    der = sig.to_der().as_bytes().to_vec();
                    &der
                }
                Err(_) => return false,
            },
            KeyAlgorithm::EcdsaP384 => match p384::ecdsa::Signature::from_slice(signature) {
                Ok(sig) => {
                    der = sig.to_der().as_bytes().to_vec();
                    &der
                }
                Err(_) => return false,
            },
            KeyAlgorithm::Ed25519 | KeyAlgorithm::Rsa | KeyAlgorithm::RsaPss => signature,
        };
        let message = if prehashed { Message::Digest(message) } else { Message::Raw(message) };
        self.verify(&SignatureCheck { key: &key, scheme, message, signature })
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

/// A SHA-512 whose output is already known. ed25519-dalek takes Ed25519ph's prehash as a hasher
/// to finalize; when only the message's SHA-512 digest is given, this hands that digest over.
#[derive(Clone)]
struct KnownSha512([u8; 64]);

impl KnownSha512 {
    fn new(digest: &[u8]) -> Option<Self> {
        digest.try_into().ok().map(Self)
    }
}

impl Default for KnownSha512 {
    fn default() -> Self {
        Self([0; 64])
    }
}

impl sha2::digest::HashMarker for KnownSha512 {}

impl sha2::digest::OutputSizeUser for KnownSha512 {
    type OutputSize = sha2::digest::consts::U64;
}

impl sha2::digest::Update for KnownSha512 {
    /// The digest is fixed: nothing more is hashed.
    fn update(&mut self, _: &[u8]) {}
}

impl sha2::digest::FixedOutput for KnownSha512 {
    fn finalize_into(self, out: &mut sha2::digest::Output<Self>) {
        out.copy_from_slice(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::PublicKey;

    #[test]
    fn checks_from_malformed_parts_are_not_verified() {
        let signing = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let spki = [
            &[0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00][..],
            signing.verifying_key().as_bytes(),
        ]
        .concat();
        let signature = signature::Signer::sign(&signing, b"m").to_bytes();
        let verify = |name, hash, spki: &[u8], signature: &[u8]| {
            RustCrypto.verify_web_crypto(name, hash, false, spki, b"m", signature)
        };
        assert!(verify("Ed25519", None, &spki, &signature), "the well-formed check verifies");
        assert!(!verify("Ed25519", Some("SHA-256"), &spki, &signature), "a hash Ed25519 does not take");
        assert!(!verify("ECDSA", Some("SHA-256"), &spki, &signature), "a scheme the key cannot use");
        assert!(!verify("NOPE", None, &spki, &signature), "an unknown name");
        assert!(!verify("Ed25519", None, b"not DER", &signature), "a malformed key");
        assert!(!verify("Ed25519", None, &spki, &signature[..10]), "a short signature");
        assert!(!verify("ECDSA", Some("SHA-9"), &spki, &[]), "an unknown hash, an empty signature");
    }

    /// Parsing checks a key's form; its point is checked by the backend that verifies with it.
    #[test]
    fn a_point_off_its_curve_parses_but_verifies_nothing() {
        let p256_prefix = [
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
            0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        let signing = p256::ecdsa::SigningKey::from_bytes(&[9u8; 32].into()).unwrap();
        let point = signing.verifying_key().to_encoded_point(false);
        let on_curve = [&p256_prefix[..], point.as_bytes()].concat();
        let mut off_curve = on_curve.clone();
        *off_curve.last_mut().unwrap() ^= 1;
        let signature: p256::ecdsa::Signature = signature::Signer::sign(&signing, b"m");
        let check = |spki: &[u8]| {
            let key = PublicKey::from_spki_der(spki).expect("a point of the right form parses");
            RustCrypto.verify(&SignatureCheck {
                key: &key,
                scheme: SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
                message: Message::Raw(b"m"),
                signature: signature.to_der().as_bytes(),
            })
        };
        assert!(check(&on_curve), "the key on its curve verifies");
        assert!(!check(&off_curve), "the same point moved off the curve verifies nothing");

        let mut short = on_curve[..on_curve.len() - 1].to_vec();
        short[24] = 0x41; // the BIT STRING's length, so the DER stays well-formed
        short[1] = 0x58;
        let err = PublicKey::from_spki_der(&short).unwrap_err();
        assert!(err.to_string().contains("expected a SEC1 point of 33 or 65 bytes, found 64 bytes"), "{err}");
    }

    #[test]
    fn ed25519ph_verifies_from_the_message_or_its_sha512_digest() {
        let signing = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let message = b"artifact";
        let signature = signing.sign_prehashed(Sha512::new().chain_update(message), None).unwrap().to_bytes();
        let spki = [
            &[0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00][..],
            signing.verifying_key().as_bytes(),
        ]
        .concat();
        let key = PublicKey::from_spki_der(&spki).unwrap();
        let digest = HashAlgorithm::Sha512.digest(message);
        let check = |message: Message<'_>| {
            RustCrypto.verify(&SignatureCheck {
                key: &key,
                scheme: SignatureScheme::Ed25519ph,
                message,
                signature: &signature,
            })
        };
        assert!(check(Message::Raw(message)));
        assert!(check(Message::Digest(&digest)));
        let other = HashAlgorithm::Sha512.digest(b"other");
        assert!(!check(Message::Digest(&other)));
        assert!(!check(Message::Digest(&digest[..32])));
        assert!(!check(Message::Raw(b"other")));
    }
}
