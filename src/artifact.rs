//! The artifact a bundle is checked against: its bytes, or only a digest of them.

use std::cell::OnceCell;

use crate::bundle::{Bundle, Content};
use crate::crypto::HashAlgorithm;
use crate::dsse::{Statement, IN_TOTO_PAYLOAD_TYPE};
use crate::encoding::{decode_hex, encode_hex};
use crate::error::{fail, ErrorCode, Result};

/// What the caller knows of the artifact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Artifact<'a> {
    /// The artifact itself.
    Bytes(&'a [u8]),
    /// Only its digest, for example from `sha256:<hex>`. The verifier then cannot hash the
    /// artifact under another algorithm, so some bundles cannot be checked this way.
    Digest { algorithm: HashAlgorithm, digest: Vec<u8> },
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
        let Some(algorithm) = HashAlgorithm::from_name(name) else {
            return fail(
                ErrorCode::InvalidInput,
                format!("unsupported digest algorithm {name:?}: expected sha256, sha384 or sha512"),
            );
        };
        Artifact::from_digest(algorithm, decode_hex(hex).unwrap_or_default())
    }

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
            Artifact::Digest { algorithm, digest } => Some(format!("{}:{}", algorithm.name(), encode_hex(digest))),
            _ => None,
        }
    }
}

/// The algorithm to digest the artifact with when only its digest will be given (a page hashing
/// a large file as it streams): the one the bundle's message signature names, or the first of
/// sha256, sha512 and sha384 that its in-toto statement's subjects use; sha256 otherwise.
pub fn digest_algorithm_for(bundle: &Bundle) -> HashAlgorithm {
    match &bundle.content {
        Content::MessageSignature(msg) => crate::verify::named_message_hash(msg, bundle),
        Content::Dsse(envelope) if envelope.payload_type == IN_TOTO_PAYLOAD_TYPE => {
            Statement::parse(&envelope.payload).ok().and_then(|statement| {
                let used = |algorithm: HashAlgorithm| {
                    statement.subjects.iter().flat_map(|s| &s.digests).any(|(name, _)| name == algorithm.name())
                };
                [HashAlgorithm::Sha256, HashAlgorithm::Sha512, HashAlgorithm::Sha384].into_iter().find(|&a| used(a))
            })
        }
        Content::Dsse(_) => None,
    }
    .unwrap_or(HashAlgorithm::Sha256)
}

/// The digest of the artifact that `bundle` says it is about, for a caller that fetches the
/// artifact only after verifying the bundle against this digest (the edge gate, which then hashes
/// the artifact as it streams and fails the download when the two differ). It is the message
/// signature's digest (or its hashedrekord entry's), or that of the in-toto statement's subject:
/// the only one, or else the one called `name`. Unauthenticated until the bundle verifies.
pub fn claimed_digest(bundle: &Bundle, name: Option<&str>) -> Result<Artifact<'static>> {
    match &bundle.content {
        Content::MessageSignature(msg) => {
            let claimed = msg
                .message_digest
                .clone()
                .or_else(|| bundle.tlog_entries.iter().find_map(crate::tlog::body::hashedrekord_digest));
            match claimed {
                Some((algorithm, digest)) => Artifact::from_digest(algorithm, digest),
                None => fail(ErrorCode::InvalidInput, "the bundle names no digest of the artifact it signs"),
            }
        }
        Content::Dsse(envelope) if envelope.payload_type == IN_TOTO_PAYLOAD_TYPE => {
            let statement = Statement::parse(&envelope.payload)?;
            let usable = |subject: &crate::dsse::Subject| {
                [HashAlgorithm::Sha256, HashAlgorithm::Sha512, HashAlgorithm::Sha384].into_iter().find_map(
                    |algorithm| {
                        subject.digests.iter().find(|(n, _)| n == algorithm.name()).map(|(_, d)| (algorithm, d.clone()))
                    },
                )
            };
            let subjects: Vec<_> =
                statement.subjects.iter().filter_map(|s| Some((s.name.as_deref(), usable(s)?))).collect();
            let chosen = match (subjects.as_slice(), name) {
                ([(_, only)], _) => Some(only.clone()),
                (_, Some(name)) => subjects.iter().find(|(n, _)| *n == Some(name)).map(|(_, d)| d.clone()),
                (_, None) => None,
            };
            match chosen {
                Some((algorithm, digest)) => Artifact::from_digest(algorithm, digest),
                None => fail(
                    ErrorCode::ArtifactMismatch,
                    format!(
                        "expected one in-toto subject{}, found {} with a sha256, sha384 or sha512 digest",
                        name.map(|n| format!(" or one named {n:?}")).unwrap_or_default(),
                        subjects.len()
                    ),
                ),
            }
        }
        Content::Dsse(envelope) => fail(
            ErrorCode::InvalidInput,
            format!(
                "expected an in-toto statement to name the artifact, found payload type {:?}",
                envelope.payload_type
            ),
        ),
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
    fn the_digest_algorithm_is_the_one_the_bundle_needs() {
        let bundle = |path: &str| Bundle::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
        for (path, expected) in [
            ("conformance/bundle-verify/happy-path-v0.3", HashAlgorithm::Sha256),
            ("conformance/bundle-verify/happy-path-intoto-in-dsse-v3", HashAlgorithm::Sha256),
            ("realworld/npm-provenance-sigstore-2.0.0", HashAlgorithm::Sha512),
            ("realworld/cpython-3.10.1-embed-win32", HashAlgorithm::Sha256),
        ] {
            let found = digest_algorithm_for(&bundle(&format!("{data}/{path}/bundle.sigstore.json")));
            assert_eq!(found, expected, "{path}");
        }
    }

    #[test]
    fn the_claimed_digest_is_the_artifacts() {
        let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
        let a_txt = std::fs::read(format!("{data}/conformance/bundle-verify/a.txt")).unwrap();
        let npm = std::fs::read(format!("{data}/realworld/npm-provenance-sigstore-2.0.0/artifact")).unwrap();
        for (path, artifact) in [
            ("conformance/bundle-verify/happy-path-v0.3", &a_txt),
            ("conformance/bundle-verify/happy-path-intoto-in-dsse-v3", &a_txt),
            ("realworld/npm-provenance-sigstore-2.0.0", &npm),
        ] {
            let bundle =
                Bundle::from_slice(&std::fs::read(format!("{data}/{path}/bundle.sigstore.json")).unwrap()).unwrap();
            let Artifact::Digest { algorithm, digest } = claimed_digest(&bundle, None).unwrap() else {
                panic!("{path}")
            };
            assert_eq!(digest, algorithm.digest(artifact), "{path}");
        }
    }

    /// A bundle of `happy-path-intoto-in-dsse-v3` whose payload is replaced (its signature no
    /// longer verifies, which `claimed_digest` does not look at).
    fn with_payload(payload_type: &str, payload: &serde_json::Value) -> Bundle {
        use base64::Engine;
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/conformance/bundle-verify/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"
        );
        let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let text = base64::engine::general_purpose::STANDARD.encode(payload.to_string());
        json["dsseEnvelope"]["payload"] = text.into();
        json["dsseEnvelope"]["payloadType"] = payload_type.into();
        Bundle::from_slice(json.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn among_several_subjects_the_claimed_digest_is_the_named_ones() {
        let (one, two) = ("11".repeat(32), "22".repeat(48));
        let statement = serde_json::json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{ "name": "one.tgz", "digest": { "sha256": one } }, { "name": "two.tgz", "digest": { "sha384": two } }],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {},
        });
        let bundle = with_payload(IN_TOTO_PAYLOAD_TYPE, &statement);
        let named = |name| claimed_digest(&bundle, name).map(|a| a.digest_text().unwrap());
        assert_eq!(named(Some("two.tgz")).unwrap(), format!("sha384:{two}"));
        assert_eq!(named(Some("one.tgz")).unwrap(), format!("sha256:{one}"));
        assert_eq!(named(Some("three.tgz")).unwrap_err().code, ErrorCode::ArtifactMismatch);
        assert_eq!(named(None).unwrap_err().code, ErrorCode::ArtifactMismatch);
        let other = with_payload("application/vnd.example+json", &statement);
        assert_eq!(claimed_digest(&other, None).unwrap_err().code, ErrorCode::InvalidInput);
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
