//! DSSE envelopes and the in-toto statements they usually carry.

use serde::Deserialize;

use crate::artifact::{Artifact, ArtifactDigests};
use crate::crypto::HashAlgorithm;
use crate::encoding::decode_hex;
use crate::error::{fail, ErrorCode, Result};
use crate::limits;

pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
const STATEMENT_TYPES: [&str; 2] = ["https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1"];

/// The pre-authentication encoding DSSE signs:
/// `"DSSEv1" SP len(type) SP type SP len(body) SP body`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let header = format!("DSSEv1 {} {} {} ", payload_type.len(), payload_type, payload.len());
    let mut out = Vec::with_capacity(header.len() + payload.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(payload);
    out
}

/// An in-toto statement subject.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Subject {
    /// The subject's name, such as a file name or a package URL; optional, and not used to match
    /// the artifact.
    pub name: Option<String>,
    /// Algorithm name (as written, for example `sha256` or `gitCommit`) and digest bytes.
    #[serde(serialize_with = "serialize_digests")]
    pub digests: Vec<(String, Vec<u8>)>,
    /// What the signer said about the subject (cosign writes `-a key=value` here).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub annotations: std::collections::BTreeMap<String, serde_json::Value>,
}

/// An in-toto statement, parsed strictly from a DSSE payload: trusted only as part of a bundle that verifies.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    /// The `_type`: `https://in-toto.io/Statement/v1` or `https://in-toto.io/Statement/v0.1`.
    pub statement_type: String,
    /// The `predicateType`: a URI naming what the predicate says, such as
    /// `https://slsa.dev/provenance/v1`.
    pub predicate_type: String,
    /// What the statement is about; never empty.
    pub subjects: Vec<Subject>,
    /// The predicate, as JSON; `None` when the statement has none.
    pub predicate: Option<serde_json::Value>,
}

impl Statement {
    /// Parses an in-toto statement from a DSSE payload: a supported `_type` and at least one
    /// subject, with digests of known algorithms valid hex of the right length.
    pub fn parse(payload: &[u8]) -> Result<Self> {
        let raw: RawStatement = match serde_json::from_slice(payload) {
            Ok(raw) => raw,
            Err(e) => return fail(ErrorCode::BundleParse, format!("in-toto statement is not valid: {e}")),
        };
        if !STATEMENT_TYPES.contains(&raw.statement_type.as_str()) {
            return fail(
                ErrorCode::BundleParse,
                format!("unsupported in-toto statement _type {:?}", raw.statement_type),
            );
        }
        if raw.subject.is_empty() {
            return fail(ErrorCode::BundleParse, "in-toto statement has no subjects");
        }
        limits::at_most(raw.subject.len(), limits::MAX_SUBJECTS, "subjects in the in-toto statement")?;
        let subjects = raw.subject.into_iter().map(parse_subject).collect::<Result<_>>()?;
        Ok(Self {
            statement_type: raw.statement_type,
            predicate_type: raw.predicate_type,
            subjects,
            predicate: raw.predicate,
        })
    }

    /// Whether the artifact is one of the subjects, matched by digest under any algorithm both
    /// sides know.
    pub(crate) fn matches(&self, artifact: &ArtifactDigests<'_>) -> bool {
        self.subjects.iter().flat_map(|s| &s.digests).any(|(name, digest)| {
            HashAlgorithm::from_name(name).and_then(|alg| artifact.get(alg)).is_some_and(|d| d == digest.as_slice())
        })
    }
}

fn parse_subject(raw: RawSubject) -> Result<Subject> {
    limits::at_most(raw.digest.len(), limits::MAX_DIGESTS_PER_SUBJECT, "digests in an in-toto subject")?;
    let mut digests = Vec::with_capacity(raw.digest.len());
    for (alg, hex) in raw.digest {
        // Only the algorithms we can compare are decoded; others (gitCommit, ...) stay as text.
        let bytes = match HashAlgorithm::from_name(&alg) {
            Some(known) => match decode_hex(&hex).filter(|d| d.len() == known.output_len()) {
                Some(bytes) => bytes,
                None => {
                    return fail(
                        ErrorCode::BundleParse,
                        format!("in-toto subject {alg} digest {hex:?} is not valid hex of the right length"),
                    )
                }
            },
            None => hex.into_bytes(),
        };
        digests.push((alg, bytes));
    }
    Ok(Subject { name: raw.name, digests, annotations: raw.annotations })
}

/// Checks that the envelope's payload is (or names) the artifact; returns the statement when the
/// payload is an in-toto statement.
pub(crate) fn check_artifact(
    payload_type: &str,
    payload: &[u8],
    artifact: &ArtifactDigests<'_>,
) -> Result<Option<Statement>> {
    if payload_type == IN_TOTO_PAYLOAD_TYPE {
        let statement = Statement::parse(payload)?;
        let unchecked = matches!(artifact.artifact(), Artifact::UnsafeUnchecked);
        if !unchecked && !statement.matches(artifact) {
            return fail(
                ErrorCode::ArtifactMismatch,
                format!(
                    "the {} matches none of the statement's {} subject(s)",
                    artifact.describe(),
                    statement.subjects.len()
                ),
            );
        }
        return Ok(Some(statement));
    }
    // For any other payload type the payload is the artifact itself.
    let matches = match artifact.artifact() {
        Artifact::Bytes(bytes) => *bytes == payload,
        Artifact::Digest { algorithm, digest } => algorithm.digest(payload) == *digest,
        Artifact::UnsafeUnchecked => true,
    };
    if !matches {
        return fail(
            ErrorCode::ArtifactMismatch,
            format!("the {} is not the envelope's {payload_type} payload", artifact.describe()),
        );
    }
    Ok(None)
}

/// Digests as in-toto writes them: a map from algorithm to lowercase hex.
fn serialize_digests<S: serde::Serializer>(digests: &[(String, Vec<u8>)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(digests.len()))?;
    for (alg, bytes) in digests {
        let text = match HashAlgorithm::from_name(alg) {
            Some(_) => crate::encoding::encode_hex(bytes),
            None => String::from_utf8_lossy(bytes).into_owned(),
        };
        map.serialize_entry(alg, &text)?;
    }
    map.end()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStatement {
    #[serde(rename = "_type")]
    statement_type: String,
    #[serde(default)]
    subject: Vec<RawSubject>,
    predicate_type: String,
    predicate: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawSubject {
    name: Option<String>,
    digest: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_counts_bytes() {
        assert_eq!(pae("text/plain", b"hello, world!"), b"DSSEv1 10 text/plain 13 hello, world!");
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }

    fn statement(subjects: &str) -> Vec<u8> {
        format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":{subjects},"predicateType":"p","predicate":{{}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn matches_any_subject_by_digest() {
        let a = HashAlgorithm::Sha256.digest(b"a");
        let b = HashAlgorithm::Sha512.digest(b"b");
        let payload = statement(&format!(
            r#"[{{"name":"x","digest":{{"sha256":"{}","gitCommit":"abc"}}}},{{"digest":{{"sha512":"{}"}}}}]"#,
            crate::encoding::encode_hex(&a),
            crate::encoding::encode_hex(&b)
        ));
        for (artifact, ok) in [(&b"a"[..], true), (b"b", true), (b"c", false)] {
            let artifact = Artifact::Bytes(artifact);
            let result = check_artifact(IN_TOTO_PAYLOAD_TYPE, &payload, &ArtifactDigests::new(&artifact));
            assert_eq!(result.is_ok(), ok);
        }
        let by_digest = Artifact::from_digest(HashAlgorithm::Sha256, HashAlgorithm::Sha256.digest(b"b")).unwrap();
        let err = check_artifact(IN_TOTO_PAYLOAD_TYPE, &payload, &ArtifactDigests::new(&by_digest)).unwrap_err();
        assert_eq!(err.code, ErrorCode::ArtifactMismatch);
    }

    #[test]
    fn refuses_bad_statements() {
        let artifact = Artifact::Bytes(b"a");
        let digests = ArtifactDigests::new(&artifact);
        for payload in [statement("[]"), b"{}".to_vec(), statement(r#"[{"digest":{"sha256":"zz"}}]"#),
            br#"{"_type":"https://in-toto.io/Statement/v9","subject":[{"digest":{"sha256":"00"}}],"predicateType":"p"}"#.to_vec()] {
            assert_eq!(check_artifact(IN_TOTO_PAYLOAD_TYPE, &payload, &digests).unwrap_err().code, ErrorCode::BundleParse);
        }
        let many = format!("[{}]", vec![r#"{"digest":{}}"#; limits::MAX_SUBJECTS + 1].join(","));
        assert_eq!(
            check_artifact(IN_TOTO_PAYLOAD_TYPE, &statement(&many), &digests).unwrap_err().code,
            ErrorCode::LimitExceeded
        );
    }

    #[test]
    fn other_payload_types_are_the_artifact() {
        let artifact = Artifact::Bytes(b"hello");
        assert!(check_artifact("text/plain", b"hello", &ArtifactDigests::new(&artifact)).is_ok());
        assert_eq!(
            check_artifact("text/plain", b"bye", &ArtifactDigests::new(&artifact)).unwrap_err().code,
            ErrorCode::ArtifactMismatch
        );
    }
}
