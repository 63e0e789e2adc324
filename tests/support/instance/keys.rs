//! Deterministic key pairs and the signature conventions Sigstore uses for each key type.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::{RandomizedSigner, SignatureEncoding, Signer};

use super::der_build::{bits, null, oid, seq, uint};

/// Key types a signing leaf (or managed key) can have. (Names follow the project brief.)
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LeafKey {
    P256,
    P384,
    Ed25519,
    RsaPkcs1_2048,
    RsaPss_2048,
}

/// Hash functions named by Sigstore data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlg {
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha256 => Sha256::digest(data).to_vec(),
            HashAlg::Sha384 => Sha384::digest(data).to_vec(),
            HashAlg::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// protobuf-specs `HashAlgorithm` enum name (bundle `messageDigest`, Rekor v2 bodies).
    pub fn proto_name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "SHA2_256",
            HashAlg::Sha384 => "SHA2_384",
            HashAlg::Sha512 => "SHA2_512",
        }
    }

    /// Rekor v1 body spelling (`data.hash.algorithm`).
    pub fn rekor_name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha256",
            HashAlg::Sha384 => "sha384",
            HashAlg::Sha512 => "sha512",
        }
    }
}

/// A private key plus everything needed to publish it.
#[derive(Clone)]
pub enum KeyPair {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
    /// `pss` selects RSASSA-PSS (MGF1-SHA256, salt 32) instead of PKCS#1 v1.5; `salt_seed` makes the
    /// otherwise random PSS salt reproducible.
    Rsa {
        key: RsaPrivateKey,
        pss: bool,
        salt_seed: [u8; 32],
    },
}

/// A reproducible RNG for one (seed, purpose) pair: same inputs, same keys, on every machine.
pub fn rng_for(seed: u64, label: &str) -> ChaCha20Rng {
    let mut hasher = Sha256::new();
    hasher.update(seed.to_be_bytes());
    hasher.update(label.as_bytes());
    ChaCha20Rng::from_seed(hasher.finalize().into())
}

impl KeyPair {
    /// Derives a key of `kind` from `(seed, label)`. RSA generation is slow in debug builds, so
    /// generated RSA keys are cached for the life of the test process.
    pub fn generate(kind: LeafKey, seed: u64, label: &str) -> KeyPair {
        let mut rng = rng_for(seed, label);
        match kind {
            LeafKey::P256 => KeyPair::P256(p256::ecdsa::SigningKey::random(&mut rng)),
            LeafKey::P384 => KeyPair::P384(p384::ecdsa::SigningKey::random(&mut rng)),
            LeafKey::Ed25519 => KeyPair::Ed25519(ed25519_dalek::SigningKey::generate(&mut rng)),
            LeafKey::RsaPkcs1_2048 | LeafKey::RsaPss_2048 => KeyPair::Rsa {
                key: cached_rsa_key(seed, label),
                pss: kind == LeafKey::RsaPss_2048,
                salt_seed: Sha256::digest(label.as_bytes()).into(),
            },
        }
    }

    pub fn kind(&self) -> LeafKey {
        match self {
            KeyPair::P256(_) => LeafKey::P256,
            KeyPair::P384(_) => LeafKey::P384,
            KeyPair::Ed25519(_) => LeafKey::Ed25519,
            KeyPair::Rsa { pss: false, .. } => LeafKey::RsaPkcs1_2048,
            KeyPair::Rsa { pss: true, .. } => LeafKey::RsaPss_2048,
        }
    }

    /// DER SubjectPublicKeyInfo, built by hand (RFC 5480, RFC 8410, RFC 3279).
    pub fn spki_der(&self) -> Vec<u8> {
        const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
        match self {
            KeyPair::P256(k) => seq(&[
                seq(&[oid(EC_PUBLIC_KEY), oid("1.2.840.10045.3.1.7")]),
                bits(k.verifying_key().to_encoded_point(false).as_bytes()),
            ]),
            KeyPair::P384(k) => seq(&[
                seq(&[oid(EC_PUBLIC_KEY), oid("1.3.132.0.34")]),
                bits(k.verifying_key().to_encoded_point(false).as_bytes()),
            ]),
            KeyPair::Ed25519(k) => seq(&[seq(&[oid("1.3.101.112")]), bits(k.verifying_key().as_bytes())]),
            KeyPair::Rsa { key, .. } => {
                let rsa_public_key = seq(&[uint(&key.n().to_bytes_be()), uint(&key.e().to_bytes_be())]);
                seq(&[seq(&[oid("1.2.840.113549.1.1.1"), null()]), bits(&rsa_public_key)])
            }
        }
    }

    /// Raw 32-byte Ed25519 public key (C2SP key IDs hash it).
    pub fn ed25519_raw(&self) -> [u8; 32] {
        match self {
            KeyPair::Ed25519(k) => k.verifying_key().to_bytes(),
            _ => panic!("not an Ed25519 key"),
        }
    }

    /// The hash a message signature (hashedrekord) uses with this key: P-384 -> SHA-384,
    /// Ed25519(ph) -> SHA-512, everything else SHA-256 (Sigstore algorithm registry).
    pub fn message_hash(&self) -> HashAlg {
        match self.kind() {
            LeafKey::P384 => HashAlg::Sha384,
            LeafKey::Ed25519 => HashAlg::Sha512,
            _ => HashAlg::Sha256,
        }
    }

    /// protobuf-specs `PublicKeyDetails` name. `prehash` distinguishes Ed25519ph (message
    /// signatures) from pure Ed25519 (DSSE).
    pub fn key_details(&self, prehash: bool) -> &'static str {
        match self.kind() {
            LeafKey::P256 => "PKIX_ECDSA_P256_SHA_256",
            LeafKey::P384 => "PKIX_ECDSA_P384_SHA_384",
            LeafKey::Ed25519 if prehash => "PKIX_ED25519_PH",
            LeafKey::Ed25519 => "PKIX_ED25519",
            LeafKey::RsaPkcs1_2048 => "PKIX_RSA_PKCS1V15_2048_SHA256",
            LeafKey::RsaPss_2048 => "PKIX_RSA_PSS_2048_SHA256",
        }
    }

    /// Signature over an artifact as hashedrekord expects it: ECDSA/RSA with the key's hash,
    /// Ed25519 as Ed25519ph (RFC 8032 §5.1, SHA-512 prehash, empty context).
    pub fn sign_message(&self, message: &[u8]) -> Vec<u8> {
        self.sign_message_with(message, self.message_hash())
    }

    /// Signature over an artifact hashed with `hash`, whatever the key's usual hash (early
    /// sigstore-python signed SHA-256 digests with P-384 keys). Ed25519ph always hashes with
    /// SHA-512.
    pub fn sign_message_with(&self, message: &[u8], hash: HashAlg) -> Vec<u8> {
        match self {
            KeyPair::Ed25519(k) => {
                let prehash = Sha512::new_with_prefix(message);
                k.sign_prehashed(prehash, None).expect("ed25519ph").to_bytes().to_vec()
            }
            KeyPair::P256(_) | KeyPair::P384(_) => self.sign_ecdsa(message, hash),
            KeyPair::Rsa { key, pss: false, .. } => match hash {
                HashAlg::Sha256 => rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone()).sign(message).to_vec(),
                HashAlg::Sha384 => rsa::pkcs1v15::SigningKey::<Sha384>::new(key.clone()).sign(message).to_vec(),
                HashAlg::Sha512 => rsa::pkcs1v15::SigningKey::<Sha512>::new(key.clone()).sign(message).to_vec(),
            },
            KeyPair::Rsa { pss: true, .. } if hash == HashAlg::Sha256 => self.sign(message),
            KeyPair::Rsa { .. } => panic!("the instance signs RSA-PSS with SHA-256 only"),
        }
    }

    /// Plain signature over `message` (DSSE PAE, certificates, notes, SETs): ECDSA DER with the
    /// curve's hash, pure Ed25519, RSA with SHA-256.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            KeyPair::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            KeyPair::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            KeyPair::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
            KeyPair::Rsa { key, pss: false, .. } => {
                rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone()).sign(message).to_vec()
            }
            KeyPair::Rsa { key, pss: true, salt_seed } => {
                let mut rng = ChaCha20Rng::from_seed(*salt_seed);
                rsa::pss::SigningKey::<Sha256>::new_with_salt_len(key.clone(), 32)
                    .sign_with_rng(&mut rng, message)
                    .to_vec()
            }
        }
    }

    /// ECDSA over `SHA-256(message)` whatever the curve: the Sigstore TSA signs with a P-384 key
    /// and `ecdsa-with-SHA256`, and verifiers must not infer the hash from the curve.
    pub fn sign_ecdsa_sha256(&self, message: &[u8]) -> Vec<u8> {
        self.sign_ecdsa(message, HashAlg::Sha256)
    }

    /// ECDSA over `hash(message)` on the key's curve.
    fn sign_ecdsa(&self, message: &[u8], hash: HashAlg) -> Vec<u8> {
        use signature::hazmat::PrehashSigner;
        let digest = hash.digest(message);
        match self {
            KeyPair::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign_prehash(&digest).expect("sign");
                sig.to_der().as_bytes().to_vec()
            }
            KeyPair::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign_prehash(&digest).expect("sign");
                sig.to_der().as_bytes().to_vec()
            }
            _ => panic!("ECDSA signing needs an ECDSA key"),
        }
    }

    /// X.509 AlgorithmIdentifier for certificates signed by this key with [`KeyPair::sign`].
    pub fn x509_signature_algorithm(&self) -> Vec<u8> {
        match self {
            KeyPair::P256(_) => seq(&[oid(ECDSA_WITH_SHA256)]),
            KeyPair::P384(_) => seq(&[oid("1.2.840.10045.4.3.3")]),
            KeyPair::Ed25519(_) => seq(&[oid("1.3.101.112")]),
            KeyPair::Rsa { pss: false, .. } => seq(&[oid("1.2.840.113549.1.1.11"), null()]),
            KeyPair::Rsa { pss: true, .. } => {
                panic!("the instance never issues certificates with PSS")
            }
        }
    }
}

pub const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";

fn cached_rsa_key(seed: u64, label: &str) -> RsaPrivateKey {
    static CACHE: OnceLock<Mutex<HashMap<(u64, String), RsaPrivateKey>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    map.entry((seed, label.to_string()))
        .or_insert_with(|| RsaPrivateKey::new(&mut rng_for(seed, label), 2048).expect("RSA key generation"))
        .clone()
}
