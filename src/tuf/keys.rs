//! TUF keys and signature thresholds. Signatures are checked through the crate's one signature
//! interface, so a caller's backend (WebCrypto, node:crypto, RustCrypto) runs them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::crypto::{HashAlgorithm, Message, PublicKey, SignatureBackend, SignatureCheck, SignatureScheme};
use crate::encoding::decode_hex;
use crate::error::{fail, ErrorCode, Result};

/// A key as a role lists it: usable, or kept with the reason it cannot verify anything (an
/// unknown key type or scheme is no reason to refuse the file that lists it; it only never counts
/// towards a threshold).
#[derive(Clone, Debug)]
pub enum KeyEntry {
    Usable(Box<Key>),
    Unusable(String),
}

#[derive(Clone, Debug)]
pub struct Key {
    pub key: PublicKey,
    pub scheme: SignatureScheme,
}

/// A key object as metadata lists it: its type, scheme and public value are required of every
/// key; what they hold is read later, and may make the key unusable without refusing the file.
#[derive(Deserialize)]
pub struct RawKey {
    keytype: String,
    scheme: String,
    keyval: RawKeyValue,
}

#[derive(Deserialize)]
struct RawKeyValue {
    public: Option<String>,
}

impl Key {
    /// Reads a key object (`keytype`, `scheme`, `keyval.public`) of the schemes the specification
    /// names: ECDSA on P-256 or P-384 (PEM), Ed25519 (hex), RSA with PSS or PKCS#1 v1.5 (PEM).
    pub fn parse(raw: RawKey) -> KeyEntry {
        match Self::try_parse(raw) {
            Ok(key) => KeyEntry::Usable(Box::new(key)),
            Err(reason) => KeyEntry::Unusable(reason),
        }
    }

    fn try_parse(raw: RawKey) -> std::result::Result<Self, String> {
        let scheme = match (raw.keytype.as_str(), raw.scheme.as_str()) {
            ("ecdsa" | "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256") => SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
            ("ecdsa" | "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384") => SignatureScheme::Ecdsa(HashAlgorithm::Sha384),
            ("ed25519", "ed25519") => SignatureScheme::Ed25519,
            ("rsa", "rsassa-pss-sha256") => SignatureScheme::RsaPss(HashAlgorithm::Sha256),
            ("rsa", "rsassa-pss-sha384") => SignatureScheme::RsaPss(HashAlgorithm::Sha384),
            ("rsa", "rsassa-pss-sha512") => SignatureScheme::RsaPss(HashAlgorithm::Sha512),
            ("rsa", "rsa-pkcs1v15-sha256") => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha256),
            ("rsa", "rsa-pkcs1v15-sha384") => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha384),
            ("rsa", "rsa-pkcs1v15-sha512") => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha512),
            (keytype, scheme) => return Err(format!("unsupported key type {keytype:?} with scheme {scheme:?}")),
        };
        let public = raw.keyval.public.as_deref().ok_or("the key has no public value")?;
        // Ed25519 keys are hex; the others PEM, except in Sigstore's first roots, whose ECDSA keys
        // are hex SEC1 points.
        let hex_prefix = match scheme {
            SignatureScheme::Ed25519 => Some(&ED25519_SPKI_PREFIX[..]),
            SignatureScheme::Ecdsa(HashAlgorithm::Sha256) => Some(&P256_SPKI_PREFIX[..]),
            SignatureScheme::Ecdsa(HashAlgorithm::Sha384) => Some(&P384_SPKI_PREFIX[..]),
            _ => None,
        };
        let key = match (hex_prefix, decode_hex(public)) {
            (Some(prefix), Some(bytes)) => PublicKey::from_spki_der(&[prefix, &bytes].concat()),
            _ => PublicKey::from_pem(public),
        }
        .map_err(|e| e.message)?;
        if !key.accepts(scheme) {
            return Err(format!("a {:?} key cannot verify {scheme:?}", key.algorithm()));
        }
        Ok(Self { key, scheme })
    }
}

/// The DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410), before its 32 bytes.
const ED25519_SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
/// The DER SubjectPublicKeyInfo header of an uncompressed P-256 point (RFC 5480).
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// The same for P-384.
const P384_SPKI_PREFIX: [u8; 23] = [
    0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00,
    0x22, 0x03, 0x62, 0x00,
];

/// A role's keys and how many of them must sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Threshold {
    pub keyids: Vec<String>,
    pub threshold: usize,
}

/// Checks that at least `role.threshold` of the role's keys signed `canonical`. Only key IDs the
/// role lists count, each once, and one key listed under two IDs counts once.
pub fn check_threshold(
    canonical: &[u8],
    signatures: &BTreeMap<String, Vec<u8>>,
    role: &Threshold,
    keys: &BTreeMap<String, KeyEntry>,
    backend: &dyn SignatureBackend,
    what: &str,
) -> Result<()> {
    let mut signers: BTreeSet<&[u8]> = BTreeSet::new();
    for keyid in &role.keyids {
        let (Some(KeyEntry::Usable(key)), Some(signature)) = (keys.get(keyid), signatures.get(keyid)) else {
            continue;
        };
        if signature.is_empty() || signers.contains(key.key.spki_der()) {
            continue;
        }
        let check = SignatureCheck { key: &key.key, scheme: key.scheme, message: Message::Raw(canonical), signature };
        if backend.verify(&check) {
            signers.insert(key.key.spki_der());
        }
    }
    if signers.len() < role.threshold {
        // Keys this client could not read may be why: say which, and why.
        let unusable: Vec<String> = role
            .keyids
            .iter()
            .filter_map(|keyid| match keys.get(keyid) {
                Some(KeyEntry::Unusable(reason)) => Some(format!("{keyid}: {reason}")),
                _ => None,
            })
            .collect();
        let unusable = if unusable.is_empty() { String::new() } else { format!("; keys not usable here: {}", unusable.join("; ")) };
        return fail(
            ErrorCode::Tuf,
            format!(
                "{what}: signed by {} of the keys it needs, where the threshold is {}{unusable}",
                signers.len(),
                role.threshold
            ),
        );
    }
    Ok(())
}
