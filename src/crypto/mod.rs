//! Every signature check of the verifier goes through one interface: a [`SignatureCheck`] (key,
//! scheme, message, signature) answered by a [`SignatureBackend`].
//!
//! Keeping checks as plain data lets a caller gather all the checks a bundle needs and run them
//! elsewhere (natively and concurrently on a platform's WebCrypto, for example), while
//! [`RustCrypto`] answers them synchronously in pure Rust.

mod backend;
pub mod deferred;
mod hash;
mod key;

pub use backend::RustCrypto;
pub use hash::{HashAlgorithm, Hasher};
pub use key::{KeyAlgorithm, PublicKey};

/// How a signature is computed over a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureScheme {
    /// ECDSA on the key's curve, over the message hashed with the given hash; DER-encoded.
    Ecdsa(HashAlgorithm),
    /// Pure Ed25519 (RFC 8032), over the message itself.
    Ed25519,
    /// Ed25519ph (RFC 8032 §5.1): Ed25519 over SHA-512 of the message, empty context.
    Ed25519ph,
    /// RSASSA-PKCS1-v1_5 with the given hash.
    RsaPkcs1v15(HashAlgorithm),
    /// RSASSA-PSS with MGF1 and salt length equal to the hash length.
    RsaPss(HashAlgorithm),
}

impl SignatureScheme {
    /// The hash the scheme applies to the message, if it is a hash-then-sign scheme.
    pub const fn hash(self) -> Option<HashAlgorithm> {
        match self {
            Self::Ecdsa(h) | Self::RsaPkcs1v15(h) | Self::RsaPss(h) => Some(h),
            Self::Ed25519ph => Some(HashAlgorithm::Sha512),
            Self::Ed25519 => None,
        }
    }
}

/// What was signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Message<'a> {
    /// The message bytes themselves.
    Raw(&'a [u8]),
    /// Only the message's digest under the scheme's hash (a prehash). Platform APIs such as
    /// WebCrypto cannot verify these; the pure-Rust backend can, except for pure Ed25519.
    Digest(&'a [u8]),
}

/// One signature to verify.
#[derive(Clone, Copy, Debug)]
pub struct SignatureCheck<'a> {
    /// The key the signature must verify under.
    pub key: &'a PublicKey,
    /// How the signature was computed.
    pub scheme: SignatureScheme,
    /// What was signed.
    pub message: Message<'a>,
    /// The signature, encoded as the scheme encodes it.
    pub signature: &'a [u8],
}

/// Answers signature checks. Implementations must return `false` for every malformed input
/// (wrong signature encoding, scheme not matching the key) and never panic.
pub trait SignatureBackend {
    /// Whether `check`'s signature is valid.
    fn verify(&self, check: &SignatureCheck<'_>) -> bool;
}
