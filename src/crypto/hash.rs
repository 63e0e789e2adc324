use sha2::{Digest, Sha256, Sha384, Sha512};

/// The hash functions Sigstore uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// Hashes the concatenation of several parts without copying them together.
    pub fn digest_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut hasher = D::new();
            for part in parts {
                hasher.update(part);
            }
            hasher.finalize().to_vec()
        }
        match self {
            Self::Sha256 => run::<Sha256>(parts),
            Self::Sha384 => run::<Sha384>(parts),
            Self::Sha512 => run::<Sha512>(parts),
        }
    }

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

    pub fn from_proto_name(name: &str) -> Option<Self> {
        match name {
            "SHA2_256" => Some(Self::Sha256),
            "SHA2_384" => Some(Self::Sha384),
            "SHA2_512" => Some(Self::Sha512),
            _ => None,
        }
    }

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
