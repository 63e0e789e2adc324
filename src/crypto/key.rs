use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoRef;

use super::{HashAlgorithm, SignatureScheme};
use crate::error::{fail, ErrorCode, Result};

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const ID_RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// Smallest and largest RSA moduli accepted, in bits.
const RSA_BITS: core::ops::RangeInclusive<usize> = 2048..=4096;

/// The kind of a public key, which fixes the signature schemes it may be used with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// An ECDSA key on NIST P-256 (`secp256r1`).
    EcdsaP256,
    /// An ECDSA key on NIST P-384 (`secp384r1`).
    EcdsaP384,
    /// An Ed25519 key: pure Ed25519 or Ed25519ph.
    Ed25519,
    /// An `rsaEncryption` key: PKCS#1 v1.5 or PSS.
    Rsa,
    /// An `id-RSASSA-PSS` key: PSS only.
    RsaPss,
}

impl KeyAlgorithm {
    /// How error messages name the key type.
    pub const fn name(self) -> &'static str {
        match self {
            Self::EcdsaP256 => "ECDSA P-256",
            Self::EcdsaP384 => "ECDSA P-384",
            Self::Ed25519 => "Ed25519",
            Self::Rsa => "RSA",
            Self::RsaPss => "RSA-PSS",
        }
    }

    /// The digests a message signature by such a key may be over, in words.
    const fn message_hashes(self) -> &'static str {
        match self {
            Self::EcdsaP256 | Self::EcdsaP384 => "sha256 or sha384",
            Self::Ed25519 => "any (Ed25519ph hashes with sha512)",
            Self::Rsa | Self::RsaPss => "sha256",
        }
    }
}

/// A parsed public key, kept with its DER SubjectPublicKeyInfo (which identifies it: log IDs and
/// key hints are hashes of it, and bodies are compared against it).
///
/// Parsing checks the key's form (its algorithm, curve, encoding and size), not its arithmetic:
/// whether an EC point lies on its curve or an Ed25519 point decompresses is checked by the
/// backend that verifies with the key, the platform when it imports it, the pure-Rust backend
/// when it builds its own (`backend.rs`). A key that fails there verifies nothing. So a verifier
/// that hands its checks to the platform carries no curve arithmetic.
#[derive(Clone, Debug)]
pub struct PublicKey {
    spki: Vec<u8>,
    algorithm: KeyAlgorithm,
    /// The subjectPublicKey's bytes: a SEC1 point, an Ed25519 point, a PKCS#1 `RSAPublicKey`.
    key: Vec<u8>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki == other.spki
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let spki = match SubjectPublicKeyInfoRef::from_der(der) {
            Ok(spki) => spki,
            Err(e) => return fail(ErrorCode::InvalidInput, format!("malformed SubjectPublicKeyInfo: {e}")),
        };
        let Some(point) = spki.subject_public_key.as_bytes() else {
            return fail(ErrorCode::InvalidInput, "public key bit string has unused bits");
        };
        let oid = spki.algorithm.oid;
        let algorithm = if oid == ID_EC_PUBLIC_KEY {
            let curve = spki.algorithm.parameters.and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            match curve {
                Some(SECP256R1) => check_sec1_point(point, 32, KeyAlgorithm::EcdsaP256)?,
                Some(SECP384R1) => check_sec1_point(point, 48, KeyAlgorithm::EcdsaP384)?,
                other => {
                    return fail(
                        ErrorCode::UnsupportedAlgorithm,
                        format!("unsupported elliptic curve {other:?}: expected P-256 or P-384"),
                    )
                }
            }
        } else if oid == ID_ED25519 {
            if spki.algorithm.parameters.is_some() {
                return fail(ErrorCode::InvalidInput, "Ed25519 key with algorithm parameters");
            }
            if point.len() != 32 {
                return fail(ErrorCode::InvalidInput, format!("Ed25519 key of {} bytes: expected 32", point.len()));
            }
            KeyAlgorithm::Ed25519
        } else if oid == RSA_ENCRYPTION || oid == ID_RSASSA_PSS {
            check_rsa(point)?;
            if oid == RSA_ENCRYPTION {
                KeyAlgorithm::Rsa
            } else {
                KeyAlgorithm::RsaPss
            }
        } else {
            return fail(ErrorCode::UnsupportedAlgorithm, format!("unsupported public key algorithm {oid}"));
        };
        Ok(Self { spki: der.to_vec(), algorithm, key: point.to_vec() })
    }

    /// Parses a bare PKCS#1 `RSAPublicKey`, as trusted roots ship for `PKCS1_RSA_*` keys. The key
    /// is identified by its re-encoding as an `rsaEncryption` SubjectPublicKeyInfo.
    pub fn from_pkcs1_rsa_der(der: &[u8]) -> Result<Self> {
        check_rsa(der)?;
        let spki = spki::SubjectPublicKeyInfoRef {
            algorithm: spki::AlgorithmIdentifierRef { oid: RSA_ENCRYPTION, parameters: Some(der::asn1::AnyRef::NULL) },
            subject_public_key: match der::asn1::BitStringRef::from_bytes(der) {
                Ok(bits) => bits,
                Err(e) => return fail(ErrorCode::InvalidInput, format!("RSA key: {e}")),
            },
        };
        let spki = match spki.to_der() {
            Ok(bytes) => bytes,
            Err(e) => return fail(ErrorCode::InvalidInput, format!("RSA key: {e}")),
        };
        Ok(Self { spki, algorithm: KeyAlgorithm::Rsa, key: der.to_vec() })
    }

    /// Parses a PEM `PUBLIC KEY` block.
    pub fn from_pem(pem: &str) -> Result<Self> {
        match crate::encoding::decode_pem(pem, "PUBLIC KEY") {
            Some(der) => Self::from_spki_der(&der),
            None => fail(ErrorCode::InvalidInput, "expected exactly one PEM block labelled PUBLIC KEY"),
        }
    }

    /// The DER SubjectPublicKeyInfo the key was parsed from (or, for a PKCS#1 key, re-encoded to).
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The subjectPublicKey's bytes: the SEC1 point of an ECDSA key, the 32 bytes of an Ed25519
    /// key, the PKCS#1 `RSAPublicKey` of an RSA key. Not checked against the curve (see above).
    pub(super) fn subject_public_key(&self) -> &[u8] {
        &self.key
    }

    /// The kind of key, which fixes the schemes it may sign with.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// SHA-256 of the SubjectPublicKeyInfo: the RFC 6962 key ID that Rekor v1 and CT logs use as
    /// log ID and that Sigstore uses as the hint of managed keys.
    pub fn key_id(&self) -> [u8; 32] {
        let digest = HashAlgorithm::Sha256.digest(&self.spki);
        let mut id = [0u8; 32];
        id.copy_from_slice(digest.get(..32).unwrap_or(&[0u8; 32]));
        id
    }

    /// Schemes an artifact (hashedrekord) signature by this key may use, given the hash the
    /// bundle names for it (`None`: it names none, and the key's usual hash applies).
    ///
    /// The named hash decides, not the curve: early sigstore-python signed with P-384 keys over
    /// SHA-256, and every reference client accepts that. The pairs are those the reference
    /// clients accept for message signatures; any other is refused rather than guessed at.
    pub fn message_schemes(&self, named: Option<HashAlgorithm>) -> Result<&'static [SignatureScheme]> {
        use HashAlgorithm::*;
        use SignatureScheme::{Ecdsa, Ed25519ph, RsaPkcs1v15, RsaPss};
        let schemes: &'static [SignatureScheme] = match (self.algorithm, named) {
            (KeyAlgorithm::EcdsaP256, None | Some(Sha256)) | (KeyAlgorithm::EcdsaP384, Some(Sha256)) => {
                &[Ecdsa(Sha256)]
            }
            (KeyAlgorithm::EcdsaP256, Some(Sha384)) | (KeyAlgorithm::EcdsaP384, None | Some(Sha384)) => {
                &[Ecdsa(Sha384)]
            }
            // Ed25519 keys sign artifacts with Ed25519ph (Rekor's hashedrekord convention), whose
            // prehash is SHA-512 by definition: a digest named under another hash only
            // identifies the artifact, as sigstore-go reads it.
            (KeyAlgorithm::Ed25519, _) => &[Ed25519ph],
            (KeyAlgorithm::Rsa, None | Some(Sha256)) => &[RsaPkcs1v15(Sha256), RsaPss(Sha256)],
            (KeyAlgorithm::RsaPss, None | Some(Sha256)) => &[RsaPss(Sha256)],
            (algorithm, Some(hash)) => {
                return fail(
                    ErrorCode::UnsupportedAlgorithm,
                    format!(
                        "a message signature by a {} key over a {} digest is not supported: expected {}",
                        algorithm.name(),
                        hash.name(),
                        algorithm.message_hashes()
                    ),
                )
            }
        };
        Ok(schemes)
    }

    /// Schemes a signature over bytes the signer holds in full (DSSE PAE, signed notes) may use.
    pub fn envelope_schemes(&self) -> &'static [SignatureScheme] {
        use HashAlgorithm::*;
        match self.algorithm {
            KeyAlgorithm::EcdsaP256 => &[SignatureScheme::Ecdsa(Sha256)],
            KeyAlgorithm::EcdsaP384 => &[SignatureScheme::Ecdsa(Sha384)],
            KeyAlgorithm::Ed25519 => &[SignatureScheme::Ed25519],
            KeyAlgorithm::Rsa => &[SignatureScheme::RsaPkcs1v15(Sha256), SignatureScheme::RsaPss(Sha256)],
            KeyAlgorithm::RsaPss => &[SignatureScheme::RsaPss(Sha256)],
        }
    }

    /// Whether `scheme` can be used with this key at all.
    pub fn accepts(&self, scheme: SignatureScheme) -> bool {
        matches!(
            (self.algorithm, scheme),
            (KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384, SignatureScheme::Ecdsa(_))
                | (KeyAlgorithm::Ed25519, SignatureScheme::Ed25519 | SignatureScheme::Ed25519ph)
                | (KeyAlgorithm::Rsa, SignatureScheme::RsaPkcs1v15(_) | SignatureScheme::RsaPss(_))
                | (KeyAlgorithm::RsaPss, SignatureScheme::RsaPss(_))
        )
    }
}

/// Checks that `point` is a SEC1 point on a curve whose coordinates are `width` bytes, compressed
/// or not, as WebCrypto and the RustCrypto crates import it: its form, not whether it is on the curve.
fn check_sec1_point(point: &[u8], width: usize, algorithm: KeyAlgorithm) -> Result<KeyAlgorithm> {
    let expected = match point.first() {
        Some(0x04) => 1 + 2 * width,
        Some(0x02 | 0x03) => 1 + width,
        _ => 0,
    };
    if point.len() != expected {
        return fail(
            ErrorCode::InvalidInput,
            format!(
                "invalid {} public key point: expected a SEC1 point of {} or {} bytes, found {} bytes",
                algorithm.name(),
                1 + width,
                1 + 2 * width,
                point.len()
            ),
        );
    }
    Ok(algorithm)
}

/// Checks a PKCS#1 `RSAPublicKey`: well-formed DER, a modulus of an accepted size, and an
/// exponent the RSA backends accept (odd, at least 3, below 2^33).
fn check_rsa(pkcs1: &[u8]) -> Result<()> {
    let key = match pkcs1::RsaPublicKey::from_der(pkcs1) {
        Ok(key) => key,
        Err(e) => return fail(ErrorCode::InvalidInput, format!("malformed RSA public key: {e}")),
    };
    let bits = bit_length(key.modulus.as_bytes());
    if !RSA_BITS.contains(&bits) {
        return fail(ErrorCode::UnsupportedAlgorithm, format!("RSA modulus of {bits} bits: expected 2048 to 4096"));
    }
    let exponent = key.public_exponent.as_bytes();
    let odd = exponent.last().is_some_and(|b| b & 1 == 1);
    if !odd || bit_length(exponent) < 2 || bit_length(exponent) > 33 {
        return fail(ErrorCode::InvalidInput, "malformed RSA public key: the exponent must be odd, from 3 to 2^33 - 1");
    }
    Ok(())
}

/// The bit length of a big-endian unsigned integer.
fn bit_length(bytes: &[u8]) -> usize {
    let mut significant = bytes.iter().skip_while(|&&b| b == 0);
    match significant.next() {
        Some(top) => 8 - top.leading_zeros() as usize + 8 * significant.count(),
        None => 0,
    }
}
