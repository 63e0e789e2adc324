//! What a bundle says it is about, unauthenticated until it verifies: the digest of its artifact
//! (its message signature's, its hashedrekord entry's, or its in-toto statement's subject) and
//! the hash it names. One owner for the question, asked by the verifier, by a page that hashes a
//! large file before verifying, and by the edge gate that verifies before it fetches.

use crate::artifact::Artifact;
use crate::bundle::{Bundle, Content, MessageSignature};
use crate::crypto::HashAlgorithm;
use crate::dsse::{Statement, Subject, IN_TOTO_PAYLOAD_TYPE};
use crate::error::{fail, ErrorCode, Result};
use crate::tlog::body::hashedrekord_digest;

/// The algorithm to digest the artifact with when only its digest will be given (a page hashing
/// a large file as it streams): the one the bundle's message signature names, or the first of
/// sha256, sha512 and sha384 that its in-toto statement's subjects use; sha256 otherwise.
pub fn digest_algorithm_for(bundle: &Bundle) -> HashAlgorithm {
    match &bundle.content {
        Content::MessageSignature(msg) => named_message_hash(msg, bundle),
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
            let claimed =
                msg.message_digest.clone().or_else(|| bundle.tlog_entries.iter().find_map(hashedrekord_digest));
            match claimed {
                Some((algorithm, digest)) => Artifact::from_digest(algorithm, digest),
                None => fail(ErrorCode::InvalidInput, "the bundle names no digest of the artifact it signs"),
            }
        }
        Content::Dsse(envelope) if envelope.payload_type == IN_TOTO_PAYLOAD_TYPE => {
            let statement = Statement::parse(&envelope.payload)?;
            let usable = |subject: &Subject| {
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

/// The hash the bundle says its message signature is over: its `messageDigest`'s, else its
/// hashedrekord entries' (the hash Rekor verified the signature with when it logged it).
pub fn named_message_hash(msg: &MessageSignature, bundle: &Bundle) -> Option<HashAlgorithm> {
    match &msg.message_digest {
        Some((algorithm, _)) => Some(*algorithm),
        None => bundle.tlog_entries.iter().find_map(hashedrekord_digest).map(|(algorithm, _)| algorithm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsse::IN_TOTO_PAYLOAD_TYPE;

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
}
