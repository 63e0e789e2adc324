//! The artifact a bundle is checked against: its bytes, or only a digest of them.

use std::cell::OnceCell;

use crate::crypto::HashAlgorithm;
use crate::encoding::decode_hex;
use crate::error::{fail, ErrorCode, Result};

/// What the caller knows of the artifact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Artifact<'a> {
    /// The artifact itself.
    Bytes(&'a [u8]),
    /// Only its digest, for example from `sha256:<hex>`. The verifier then cannot hash the
    /// artifact under another algorithm, so some bundles cannot be checked this way.
    Digest {
        /// The algorithm of the digest.
        algorithm: HashAlgorithm,
        /// The digest bytes: as many as the algorithm's output.
        digest: Vec<u8>,
    },
    /// Skips the artifact check: an envelope's signature and log entries are verified, but not
    /// that it is about any particular artifact. Message signatures cannot be verified this way.
    UnsafeUnchecked,
}

impl<'a> Artifact<'a> {
    /// Parses `sha256:<hex>`, `sha384:<hex>` or `sha512:<hex>`.
    pub fn parse_digest(text: &str) -> Result<Artifact<'static>> {
        let Some((name, hex)) = text.split_once(':') else {
            return fail(
                ErrorCode::InvalidInput,
                format!("artifact digest {text:?} is not of the form <algorithm>:<hex>"),
            );
        };
        let algorithm = HashAlgorithm::parse(name)?;
        Artifact::from_digest(algorithm, decode_hex(hex).unwrap_or_default())
    }

    /// An artifact known by its digest under `algorithm`; fails when the length does not fit it.
    pub fn from_digest(algorithm: HashAlgorithm, digest: Vec<u8>) -> Result<Artifact<'static>> {
        if digest.len() != algorithm.output_len() {
            return fail(
                ErrorCode::InvalidInput,
                format!(
                    "a {} digest is {} bytes of hex; got {} bytes",
                    algorithm.name(),
                    algorithm.output_len(),
                    digest.len()
                ),
            );
        }
        Ok(Artifact::Digest { algorithm, digest })
    }

    /// `<algorithm>:<hex>` for a digest, the form `parse_digest` reads.
    pub fn digest_text(&self) -> Option<String> {
        match self {
            Artifact::Digest { algorithm, digest } => Some(algorithm.text(digest)),
            _ => None,
        }
    }
}

/// Digests of the artifact, each computed at most once.
pub(crate) struct ArtifactDigests<'a> {
    artifact: &'a Artifact<'a>,
    cache: [OnceCell<Vec<u8>>; 3],
}

impl<'a> ArtifactDigests<'a> {
    pub fn new(artifact: &'a Artifact<'a>) -> Self {
        Self { artifact, cache: Default::default() }
    }

    pub fn artifact(&self) -> &'a Artifact<'a> {
        self.artifact
    }

    /// The artifact's digest under `algorithm`, or `None` when only a digest under another
    /// algorithm is known.
    pub fn get(&self, algorithm: HashAlgorithm) -> Option<&[u8]> {
        match self.artifact {
            Artifact::Bytes(bytes) => {
                let slot = match algorithm {
                    HashAlgorithm::Sha256 => &self.cache[0],
                    HashAlgorithm::Sha384 => &self.cache[1],
                    HashAlgorithm::Sha512 => &self.cache[2],
                };
                Some(slot.get_or_init(|| algorithm.digest(bytes)))
            }
            Artifact::Digest { algorithm: known, digest } => (*known == algorithm).then_some(digest.as_slice()),
            Artifact::UnsafeUnchecked => None,
        }
    }

    /// Describes what is known, for error messages.
    pub fn describe(&self) -> String {
        match self.artifact {
            Artifact::Bytes(bytes) => format!("artifact of {} bytes", bytes.len()),
            Artifact::Digest { .. } => format!("artifact digest {}", self.artifact.digest_text().unwrap_or_default()),
            Artifact::UnsafeUnchecked => "unchecked artifact".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_digests_strictly() {
        let hex = "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
        let a = Artifact::parse_digest(&format!("sha256:{hex}")).unwrap();
        assert!(matches!(a, Artifact::Digest { algorithm: HashAlgorithm::Sha256, .. }));
        for bad in ["", hex, "sha256:", "md5:00", "sha256:abcd", &format!("sha512:{hex}"), &format!("sha256:{hex}zz")] {
            assert_eq!(Artifact::parse_digest(bad).unwrap_err().code, ErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn a_digest_only_answers_for_its_own_algorithm() {
        let artifact = Artifact::from_digest(HashAlgorithm::Sha256, vec![7; 32]).unwrap();
        let digests = ArtifactDigests::new(&artifact);
        assert_eq!(digests.get(HashAlgorithm::Sha256), Some(&[7u8; 32][..]));
        assert_eq!(digests.get(HashAlgorithm::Sha512), None);
        let bytes = Artifact::Bytes(b"abc");
        let digests = ArtifactDigests::new(&bytes);
        assert_eq!(digests.get(HashAlgorithm::Sha512).map(<[u8]>::len), Some(64));
    }
}
