//! OCI content digests (`sha256:<hex>`, `sha512:<hex>`): what every manifest and blob is fetched
//! by, and checked against.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::crypto::HashAlgorithm;
use crate::encoding::{decode_hex, encode_hex};
use crate::error::{fail, ErrorCode, Result};

/// A content digest, SHA-256 or SHA-512, written `<algorithm>:<hex>` as the OCI image spec
/// names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest {
    algorithm: HashAlgorithm,
    bytes: Vec<u8>,
}

impl Digest {
    /// Parses `sha256:<64 lowercase hex>` or `sha512:<128 lowercase hex>`, as the OCI image
    /// spec registers them.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = || fail(ErrorCode::InvalidInput, format!("{text:?} is not a sha256 or sha512 digest"));
        let Some((name, hex)) = text.split_once(':') else { return invalid() };
        let algorithm = match name {
            "sha256" => HashAlgorithm::Sha256,
            "sha512" => HashAlgorithm::Sha512,
            _ => return invalid(),
        };
        if hex.bytes().any(|c| c.is_ascii_uppercase()) {
            return invalid();
        }
        match decode_hex(hex) {
            Some(bytes) if bytes.len() == algorithm.output_len() => Ok(Self { algorithm, bytes }),
            _ => invalid(),
        }
    }

    /// The SHA-256 digest of `content`.
    pub fn sha256(content: &[u8]) -> Self {
        Self { algorithm: HashAlgorithm::Sha256, bytes: HashAlgorithm::Sha256.digest(content) }
    }

    /// The hash algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The digest itself.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The digest in lowercase hex, without the algorithm.
    pub fn hex(&self) -> String {
        encode_hex(&self.bytes)
    }

    /// The digest of a fetched body under `algorithm`, hashed once for all replays of a walk.
    pub fn of_response(response: &crate::http::Response, algorithm: HashAlgorithm) -> Self {
        Self { algorithm, bytes: response.digest(algorithm).to_vec() }
    }

    /// Fails with `DigestMismatch` unless `content` hashes to this digest.
    pub fn check(&self, content: &[u8], what: &str) -> Result<()> {
        self.check_digest(&self.algorithm.digest(content), what)
    }

    /// [`Digest::check`] of a fetched body, hashed once for all replays of a walk.
    pub fn check_response(&self, response: &crate::http::Response, what: &str) -> Result<()> {
        self.check_digest(response.digest(self.algorithm), what)
    }

    fn check_digest(&self, actual: &[u8], what: &str) -> Result<()> {
        if actual == self.bytes.as_slice() {
            return Ok(());
        }
        let actual = Self { algorithm: self.algorithm, bytes: actual.to_vec() };
        fail(ErrorCode::DigestMismatch, format!("{what} was fetched as {self} but its content is {actual}"))
    }

    /// The tag cosign derives from a digest: `sha256-<hex>`, plus a suffix for its attachments.
    pub fn tag(&self, suffix: &str) -> String {
        format!("{}-{}{suffix}", self.algorithm.name(), self.hex())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex())
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_parse_strictly_and_check_content() {
        let d = Digest::sha256(b"{}");
        assert_eq!(d.to_string(), "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
        assert_eq!(Digest::parse(&d.to_string()).unwrap(), d);
        assert_eq!(d.tag(".sig"), "sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a.sig");
        assert!(d.check(b"{}", "config").is_ok());
        assert_eq!(d.check(b"{ }", "config").unwrap_err().code, ErrorCode::DigestMismatch);
        let upper = d.to_string().to_uppercase().replacen("SHA256", "sha256", 1);
        for bad in ["", "sha256", "sha256:", "sha256:abc", "md5:00", "sha384:00", &upper, &format!("{d}0")] {
            assert_eq!(Digest::parse(bad).unwrap_err().code, ErrorCode::InvalidInput, "{bad}");
        }
        assert!(Digest::parse(&format!("sha512:{}", "ab".repeat(64))).is_ok());
    }
}
