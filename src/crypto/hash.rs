use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::error::{fail, ErrorCode, Result};

/// A digest computed piece by piece, for input too large to hold at once (a file streamed in a
/// page).
#[derive(Clone, Debug)]
pub struct Hasher(State);

/// The hash function's state: private, so that no hashing crate's type is part of the API.
#[derive(Clone, Debug)]
enum State {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl Hasher {
    /// A digest under `algorithm` of no input yet.
    pub fn new(algorithm: HashAlgorithm) -> Self {
        Self(match algorithm {
            HashAlgorithm::Sha256 => State::Sha256(Sha256::new()),
            HashAlgorithm::Sha384 => State::Sha384(Sha384::new()),
            HashAlgorithm::Sha512 => State::Sha512(Sha512::new()),
        })
    }

    /// The hash being computed.
    pub fn algorithm(&self) -> HashAlgorithm {
        match self.0 {
            State::Sha256(_) => HashAlgorithm::Sha256,
            State::Sha384(_) => HashAlgorithm::Sha384,
            State::Sha512(_) => HashAlgorithm::Sha512,
        }
    }

    /// Hashes the next piece of the input.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.0 {
            State::Sha256(h) => h.update(data),
            State::Sha384(h) => h.update(data),
            State::Sha512(h) => h.update(data),
        }
    }

    /// The digest as `<algorithm>:<hex>`, the form a digest of an artifact is given in.
    pub fn finish_text(self) -> String {
        let algorithm = self.algorithm();
        algorithm.text(&self.finish())
    }

    /// The digest of all the input, as raw bytes.
    pub fn finish(self) -> Vec<u8> {
        match self.0 {
            State::Sha256(h) => h.finalize().to_vec(),
            State::Sha384(h) => h.finalize().to_vec(),
            State::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// The hash functions Sigstore uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-384 (FIPS 180-4).
    Sha384,
    /// SHA-512 (FIPS 180-4).
    Sha512,
}

impl HashAlgorithm {
    /// The digest of `data`, as raw bytes.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// Hashes the concatenation of several parts without copying them together.
    pub fn digest_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        let mut hasher = Hasher::new(self);
        for part in parts {
            hasher.update(part);
        }
        hasher.finish()
    }

    /// The length of a digest, in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// The name used in Rekor v1 bodies, in-toto digest sets and `sha256:<hex>` digests.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// `digest` as `<algorithm>:<hex>` (`sha256:…`), as artifact digests are written.
    pub fn text(self, digest: &[u8]) -> String {
        format!("{}:{}", self.name(), crate::encoding::encode_hex(digest))
    }

    /// The algorithm a caller names for an artifact's digest, or why it is not one.
    pub fn parse(name: &str) -> Result<Self> {
        match Self::from_name(name) {
            Some(algorithm) => Ok(algorithm),
            None => fail(
                ErrorCode::InvalidInput,
                format!("unsupported digest algorithm {name:?}: expected sha256, sha384 or sha512"),
            ),
        }
    }

    /// The algorithm [`name`](Self::name) calls `name`; no other spelling is accepted.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The protobuf `HashAlgorithm` enum name used in bundles and Rekor v2 bodies.
    pub const fn proto_name(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA2_256",
            Self::Sha384 => "SHA2_384",
            Self::Sha512 => "SHA2_512",
        }
    }

    /// The algorithm a protobuf `HashAlgorithm` enum name (as [`proto_name`](Self::proto_name) gives it)
    /// stands for.
    pub fn from_proto_name(name: &str) -> Option<Self> {
        match name {
            "SHA2_256" => Some(Self::Sha256),
            "SHA2_384" => Some(Self::Sha384),
            "SHA2_512" => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The algorithm an `AlgorithmIdentifier` names by its RFC 5754 OID (`id-sha256`, …), as
    /// RFC 3161 timestamps do.
    pub fn from_oid(oid: &const_oid::ObjectIdentifier) -> Option<Self> {
        use const_oid::db::rfc5912::{ID_SHA_256, ID_SHA_384, ID_SHA_512};
        match *oid {
            ID_SHA_256 => Some(Self::Sha256),
            ID_SHA_384 => Some(Self::Sha384),
            ID_SHA_512 => Some(Self::Sha512),
            _ => None,
        }
    }
}
