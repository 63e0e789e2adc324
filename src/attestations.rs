//! The attestations package registries publish for what they serve, found and verified: npm's
//! for a package version (`npm:name@version`), PyPI's PEP 740 provenance for each file of a
//! release (`pypi:project==version`), and GitHub's for an artifact digest
//! (`github:owner/repo@sha256:<hex>`). Finding is a walk over HTTP replies (see `http`): the
//! artifact's digest comes from the registry's own metadata (npm's `dist.integrity`, PyPI's
//! `digests.sha256`) or from the caller, and every attestation is a Sigstore bundle verified
//! against that digest and the caller's policy, as any other.

use serde::{Deserialize, Serialize};

use crate::artifact::Artifact;
use crate::bundle::Bundle;
use crate::crypto::{HashAlgorithm, SignatureBackend};
use crate::encoding::{decode_base64_standard, decode_hex, encode_hex};
use crate::error::{fail, ErrorCode, Result, VerificationError};
use crate::http::{expect_success, Fetch, Poll, Request};
use crate::limits;
use crate::policy::Policy;
use crate::verify::{VerificationResult, Verifier};

pub const PUBLIC_NPM_REGISTRY: &str = "https://registry.npmjs.org";
pub const PUBLIC_PYPI: &str = "https://pypi.org";
pub const PUBLIC_GITHUB_API: &str = "https://api.github.com";

/// What to look attestations up for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A version of an npm package: `npm:name@version`.
    Npm {
        /// The package's name, scoped (`@scope/name`) or not.
        name: String,
        /// The version, as published.
        version: String,
    },
    /// A release of a PyPI project, each of its files: `pypi:project==version`.
    PyPI {
        /// The project, as PyPI's JSON API names it.
        project: String,
        /// The release's version.
        version: String,
    },
    /// What GitHub holds for an artifact digest in a repository: `github:owner/repo@sha256:<hex>`.
    GitHub {
        /// The repository's owner.
        owner: String,
        /// The repository's name.
        repo: String,
        /// The artifact's digest, `sha256:<hex>` in lowercase.
        digest: String,
    },
}

impl Subject {
    /// Parses `npm:name@version` (scoped names too), `pypi:project==version` or
    /// `github:owner/repo@sha256:<hex>`. Every part is checked against what the registry allows,
    /// so that nothing else can reach a URL.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| fail(ErrorCode::InvalidInput, format!("{text:?}: {why}"));
        if let Some(rest) = text.strip_prefix("npm:") {
            let Some((name, version)) = rest.rsplit_once('@').filter(|(name, _)| !name.is_empty()) else {
                return bad("expected npm:<name>@<version>");
            };
            let scoped = name.strip_prefix('@').and_then(|n| n.split_once('/'));
            // npm's rules: no leading "." or "_" (which also keeps "." and ".." out of URLs).
            let valid = |part: &str| {
                !part.is_empty()
                    && !part.starts_with(['.', '_'])
                    && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._~".contains(c))
            };
            let name_ok = match scoped {
                Some((scope, bare)) => valid(scope) && valid(bare),
                None => valid(name),
            };
            if !name_ok || !is_version(version) {
                return bad("not an npm package name and version");
            }
            return Ok(Self::Npm { name: name.to_owned(), version: version.to_owned() });
        }
        if let Some(rest) = text.strip_prefix("pypi:") {
            let Some((project, version)) = rest.split_once("==") else {
                return bad("expected pypi:<project>==<version>");
            };
            if !is_path_part(project) || !is_version(version) {
                return bad("not a PyPI project and version");
            }
            return Ok(Self::PyPI { project: project.to_owned(), version: version.to_owned() });
        }
        if let Some(rest) = text.strip_prefix("github:") {
            let Some((repository, digest)) = rest.split_once('@') else {
                return bad("expected github:<owner>/<repo>@sha256:<hex>");
            };
            let Some((owner, repo)) = repository.split_once('/') else { return bad("expected <owner>/<repo>") };
            let hex = digest.strip_prefix("sha256:").filter(|h| h.len() == 64 && decode_hex(h).is_some());
            if !is_path_part(owner) || !is_path_part(repo) || hex.is_none() {
                return bad("not a GitHub repository and sha256 digest");
            }
            return Ok(Self::GitHub {
                owner: owner.to_owned(),
                repo: repo.to_owned(),
                digest: digest.to_ascii_lowercase(),
            });
        }
        bad("expected npm:<name>@<version>, pypi:<project>==<version> or github:<owner>/<repo>@sha256:<hex>")
    }

    /// The subject whose attestations cover a file downloaded from a package registry at `path`
    /// (`registry` `"npm"` or `"pypi"`), and the name the registry's metadata lists the file
    /// under: npm's `<name>/-/<bare name>-<version>.tgz` (the name may be scoped), or a PyPI file
    /// (a wheel `{project}-{version}(-{build})-{python}-{abi}-{platform}.whl`, or an sdist
    /// `{project}-{version}.tar.gz` or `.zip`) under any directory.
    pub fn for_download(registry: &str, path: &str) -> Result<(Self, String)> {
        let bad = |why: &str| fail(ErrorCode::InvalidInput, format!("{path:?}: {why}"));
        let path = path.trim_start_matches('/');
        match registry {
            "npm" => {
                let Some((name, file)) = path.split_once("/-/") else {
                    return bad("expected an npm tarball path, <name>/-/<name>-<version>.tgz");
                };
                let bare = name.rsplit('/').next().unwrap_or(name);
                let Some(version) =
                    file.strip_prefix(bare).and_then(|r| r.strip_prefix('-')).and_then(|r| r.strip_suffix(".tgz"))
                else {
                    return bad(&format!("expected the tarball of {name} to be {bare}-<version>.tgz"));
                };
                Ok((Self::parse(&format!("npm:{name}@{version}"))?, file.to_owned()))
            }
            "pypi" => {
                let file = path.rsplit('/').next().unwrap_or(path);
                let (project, version) = if let Some(stem) = file.strip_suffix(".whl") {
                    let parts: Vec<&str> = stem.split('-').collect();
                    match parts.as_slice() {
                        [project, version, _, _, _] | [project, version, _, _, _, _] => (*project, *version),
                        _ => return bad("not a wheel's file name"),
                    }
                } else if let Some(stem) = file.strip_suffix(".tar.gz").or_else(|| file.strip_suffix(".zip")) {
                    match stem.rsplit_once('-') {
                        Some(parts) => parts,
                        None => return bad("not an sdist's file name, <project>-<version>.tar.gz"),
                    }
                } else {
                    return bad("expected a wheel (.whl) or an sdist (.tar.gz, .zip)");
                };
                // The project as PyPI's API names it (PEP 503): file names write it with "_" for "-".
                let mut normalized = String::with_capacity(project.len());
                for c in project.chars() {
                    let c = if "-_.".contains(c) { '-' } else { c.to_ascii_lowercase() };
                    if !(c == '-' && normalized.ends_with('-')) {
                        normalized.push(c);
                    }
                }
                Ok((Self::parse(&format!("pypi:{normalized}=={version}"))?, file.to_owned()))
            }
            _ => fail(ErrorCode::InvalidInput, format!("expected the registry npm or pypi, found {registry:?}")),
        }
    }

    /// The subject as `parse` reads it.
    pub fn text(&self) -> String {
        match self {
            Self::Npm { name, version } => format!("npm:{name}@{version}"),
            Self::PyPI { project, version } => format!("pypi:{project}=={version}"),
            Self::GitHub { owner, repo, digest } => format!("github:{owner}/{repo}@{digest}"),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Npm { .. } => "npm",
            Self::PyPI { .. } => "pypi",
            Self::GitHub { .. } => "github",
        }
    }
}

fn is_version(text: &str) -> bool {
    !text.is_empty() && text.len() <= 128 && text.chars().all(|c| c.is_ascii_alphanumeric() || ".+-_!".contains(c))
}

/// A name that is one path segment: letters, digits, `-`, `_`, `.`, and not `.` or `..`.
fn is_path_part(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 200
        && text != "."
        && text != ".."
        && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// Where the registries are (the public ones unless tests or mirrors say otherwise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registries {
    /// The npm registry's base URL.
    pub npm: String,
    /// PyPI's base URL, under which its JSON API and its PEP 740 integrity API answer.
    pub pypi: String,
    /// The base URL of GitHub's REST API.
    pub github_api: String,
}

impl Default for Registries {
    fn default() -> Self {
        Self {
            npm: PUBLIC_NPM_REGISTRY.to_owned(),
            pypi: PUBLIC_PYPI.to_owned(),
            github_api: PUBLIC_GITHUB_API.to_owned(),
        }
    }
}

/// An artifact the registry serves, known by its digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FoundArtifact {
    /// The file name the registry lists it under (npm's tarball, a PyPI wheel or sdist), or
    /// `owner/repo@<digest>` for GitHub.
    pub name: String,
    /// `<algorithm>:<hex>`.
    pub digest: String,
}

/// One attestation found, or what kept it from being read.
#[derive(Clone, Debug)]
pub struct FoundAttestation {
    /// Index into the artifacts.
    pub artifact: usize,
    /// The URL it came from.
    pub source: String,
    pub bundle: Result<Bundle>,
}

#[derive(Clone, Debug)]
pub struct Found {
    pub artifacts: Vec<FoundArtifact>,
    pub attestations: Vec<FoundAttestation>,
}

/// Finds the attestations of `subject`.
pub fn discover(fetch: &mut Fetch<'_>, subject: &Subject, registries: &Registries) -> Result<Poll<Found>> {
    match subject {
        Subject::Npm { name, version } => npm(fetch, name, version, &registries.npm),
        Subject::PyPI { project, version } => pypi(fetch, project, version, &registries.pypi),
        Subject::GitHub { owner, repo, digest } => github(fetch, owner, repo, digest, &registries.github_api),
    }
}

/// The JSON answer to `url`; `Ok(None)` for a 404 (nothing published).
fn read<T: for<'de> Deserialize<'de>>(
    fetch: &mut Fetch<'_>,
    url: &str,
    accept: &str,
    what: &str,
) -> Result<Poll<Option<T>>> {
    let Some(reply) = fetch.get(Request::get(url.to_owned(), accept, limits::MAX_ATTESTATION_RESPONSE_BYTES)) else {
        return Ok(Poll::Pending);
    };
    let response = reply.response(what)?;
    if response.status == 404 {
        return Ok(Poll::Ready(None));
    }
    let response = expect_success(response, ErrorCode::Registry, what)?;
    match serde_json::from_slice(&response.body) {
        Ok(value) => Ok(Poll::Ready(Some(value))),
        Err(e) => fail(ErrorCode::Registry, format!("{what}: the answer is not what the registry's API returns: {e}")),
    }
}

#[derive(Deserialize)]
struct NpmVersion {
    dist: NpmDist,
}

#[derive(Deserialize)]
struct NpmDist {
    integrity: Option<String>,
    tarball: Option<String>,
}

#[derive(Deserialize)]
struct NpmAttestations {
    attestations: Vec<NpmAttestation>,
}

#[derive(Deserialize)]
struct NpmAttestation {
    bundle: serde_json::Value,
}

fn npm(fetch: &mut Fetch<'_>, name: &str, version: &str, base: &str) -> Result<Poll<Found>> {
    let base = base.trim_end_matches('/');
    // A scoped name's slash is part of the name: escaped, it stays one path segment.
    let escaped = name.replace('/', "%2f");
    let version_url = format!("{base}/{escaped}/{version}");
    let attestations_url = format!("{base}/-/npm/v1/attestations/{escaped}@{version}");
    // Both requests in one round: neither depends on the other.
    let metadata = read::<NpmVersion>(fetch, &version_url, "application/json", "the npm version metadata")?;
    let listed = read::<NpmAttestations>(fetch, &attestations_url, "application/json", "the npm attestations")?;
    let (Poll::Ready(metadata), Poll::Ready(listed)) = (metadata, listed) else { return Ok(Poll::Pending) };
    let Some(metadata) = metadata else {
        return fail(ErrorCode::Registry, format!("npm has no version {version} of {name}"));
    };
    let Some(integrity) = metadata.dist.integrity.as_deref().and_then(|i| i.strip_prefix("sha512-")) else {
        return fail(ErrorCode::Registry, format!("npm names no sha512 integrity for {name}@{version}"));
    };
    let Some(digest) = decode_base64_standard(integrity).filter(|d| d.len() == HashAlgorithm::Sha512.output_len())
    else {
        return fail(ErrorCode::Registry, format!("npm's integrity for {name}@{version} is not a sha512 digest"));
    };
    let tarball = metadata.dist.tarball.as_deref().and_then(|t| t.rsplit('/').next()).unwrap_or(name);
    let artifact = FoundArtifact { name: tarball.to_owned(), digest: format!("sha512:{}", encode_hex(&digest)) };
    let listed = listed.map(|l| l.attestations).unwrap_or_default();
    limits::at_most(listed.len(), limits::MAX_SIGNATURES, "attestations of one package version")?;
    let attestations = listed
        .into_iter()
        .map(|a| FoundAttestation { artifact: 0, source: attestations_url.clone(), bundle: bundle_of(&a.bundle) })
        .collect();
    Ok(Poll::Ready(Found { artifacts: vec![artifact], attestations }))
}

#[derive(Deserialize)]
struct PyPIRelease {
    urls: Vec<PyPIFile>,
}

#[derive(Deserialize)]
struct PyPIFile {
    filename: String,
    digests: PyPIDigests,
}

#[derive(Deserialize)]
struct PyPIDigests {
    sha256: String,
}

/// PEP 740's provenance object.
#[derive(Deserialize)]
struct Provenance {
    attestation_bundles: Vec<AttestationBundle>,
}

#[derive(Deserialize)]
struct AttestationBundle {
    attestations: Vec<Pep740Attestation>,
}

#[derive(Deserialize)]
struct Pep740Attestation {
    verification_material: Pep740Material,
    envelope: Pep740Envelope,
}

#[derive(Deserialize)]
struct Pep740Material {
    certificate: String,
    transparency_entries: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Pep740Envelope {
    statement: String,
    signature: String,
}

fn pypi(fetch: &mut Fetch<'_>, project: &str, version: &str, base: &str) -> Result<Poll<Found>> {
    let base = base.trim_end_matches('/');
    let release_url = format!("{base}/pypi/{project}/{version}/json");
    let release = match read::<PyPIRelease>(fetch, &release_url, "application/json", "the PyPI release")? {
        Poll::Ready(release) => release,
        Poll::Pending => return Ok(Poll::Pending),
    };
    let Some(release) = release else {
        return fail(ErrorCode::Registry, format!("PyPI has no release {version} of {project}"));
    };
    limits::at_most(release.urls.len(), limits::MAX_SIGNATURES, "files of one PyPI release")?;
    let mut artifacts = Vec::with_capacity(release.urls.len());
    let mut attestations = Vec::new();
    let mut pending = false;
    for (index, file) in release.urls.iter().enumerate() {
        if !is_path_part(&file.filename) || decode_hex(&file.digests.sha256).is_none_or(|d| d.len() != 32) {
            return fail(
                ErrorCode::Registry,
                format!("PyPI lists a file {:?} that is not a file name with a sha256 digest", file.filename),
            );
        }
        artifacts.push(FoundArtifact {
            name: file.filename.clone(),
            digest: format!("sha256:{}", file.digests.sha256.to_ascii_lowercase()),
        });
        let url = format!("{base}/integrity/{project}/{version}/{}/provenance", file.filename);
        match read::<Provenance>(fetch, &url, "application/vnd.pypi.integrity.v1+json", "the PyPI provenance")? {
            Poll::Pending => pending = true,
            Poll::Ready(None) => {}
            Poll::Ready(Some(provenance)) => {
                for attestation in provenance.attestation_bundles.into_iter().flat_map(|b| b.attestations) {
                    limits::at_most(
                        attestations.len() + 1,
                        limits::MAX_SIGNATURES,
                        "attestations of one PyPI release",
                    )?;
                    attestations.push(FoundAttestation {
                        artifact: index,
                        source: url.clone(),
                        bundle: pep740_bundle(attestation),
                    });
                }
            }
        }
    }
    if pending {
        return Ok(Poll::Pending);
    }
    Ok(Poll::Ready(Found { artifacts, attestations }))
}

/// A PEP 740 attestation is a Sigstore bundle in other words: the certificate, the log
/// entries as the bundle has them, and a DSSE envelope over an in-toto statement.
fn pep740_bundle(attestation: Pep740Attestation) -> Result<Bundle> {
    let bundle = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": { "rawBytes": attestation.verification_material.certificate },
            "tlogEntries": attestation.verification_material.transparency_entries,
        },
        "dsseEnvelope": {
            "payload": attestation.envelope.statement,
            "payloadType": crate::dsse::IN_TOTO_PAYLOAD_TYPE,
            "signatures": [{ "sig": attestation.envelope.signature }],
        },
    });
    bundle_of(&bundle)
}

#[derive(Deserialize)]
struct GitHubAttestations {
    attestations: Vec<GitHubAttestation>,
}

#[derive(Deserialize)]
struct GitHubAttestation {
    bundle: serde_json::Value,
}

fn github(fetch: &mut Fetch<'_>, owner: &str, repo: &str, digest: &str, base: &str) -> Result<Poll<Found>> {
    let url = format!("{}/repos/{owner}/{repo}/attestations/{digest}", base.trim_end_matches('/'));
    let listed =
        match read::<GitHubAttestations>(fetch, &url, "application/vnd.github+json", "the GitHub attestations")? {
            Poll::Ready(listed) => listed,
            Poll::Pending => return Ok(Poll::Pending),
        };
    let listed = listed.map(|l| l.attestations).unwrap_or_default();
    limits::at_most(listed.len(), limits::MAX_SIGNATURES, "attestations of one digest")?;
    let artifact = FoundArtifact { name: format!("{owner}/{repo}@{digest}"), digest: digest.to_owned() };
    let attestations = listed
        .into_iter()
        .map(|a| FoundAttestation { artifact: 0, source: url.clone(), bundle: bundle_of(&a.bundle) })
        .collect();
    Ok(Poll::Ready(Found { artifacts: vec![artifact], attestations }))
}

fn bundle_of(value: &serde_json::Value) -> Result<Bundle> {
    Bundle::from_json(&value.to_string())
}

/// One attestation and what became of it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationReport {
    /// Index into the verification's `artifacts`: the artifact it was verified against.
    pub artifact: usize,
    /// The URL it came from.
    pub source: String,
    /// Whether it satisfies the policy.
    pub verified: bool,
    /// What its verification established, when it verified.
    pub result: Option<VerificationResult>,
    /// Why it did not verify: it could not be read, or failed verification.
    pub error: Option<VerificationError>,
}

/// Everything found for a subject, each attestation with its own verdict. The subject verifies
/// when at least one attestation of one of its artifacts satisfies the policy.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationsVerification {
    /// The subject, as the caller wrote it.
    pub subject: String,
    /// `npm`, `pypi` or `github`.
    pub kind: &'static str,
    /// What the registry serves for the subject, each artifact with the digest it lists.
    pub artifacts: Vec<FoundArtifact>,
    /// Each attestation found, with its verdict.
    pub attestations: Vec<AttestationReport>,
    /// How many satisfy the policy.
    pub verified: usize,
    /// Why the subject does not verify; `None` when it does.
    pub error: Option<VerificationError>,
}

/// Verifies every attestation found against its artifact's digest.
pub fn verify_found(
    text: &str,
    subject: &Subject,
    found: &Found,
    verifier: &Verifier,
    policy: &Policy,
    backend: &dyn SignatureBackend,
) -> AttestationsVerification {
    let attestations: Vec<AttestationReport> = found
        .attestations
        .iter()
        .map(|a| {
            let outcome = a.bundle.clone().and_then(|bundle| {
                let Some(artifact) = found.artifacts.get(a.artifact) else {
                    return fail(ErrorCode::InvalidInput, "an attestation of no artifact");
                };
                verifier.verify_with(&bundle, &Artifact::parse_digest(&artifact.digest)?, policy, backend)
            });
            match outcome {
                Ok(result) => AttestationReport {
                    artifact: a.artifact,
                    source: a.source.clone(),
                    verified: true,
                    result: Some(result),
                    error: None,
                },
                Err(error) => AttestationReport {
                    artifact: a.artifact,
                    source: a.source.clone(),
                    verified: false,
                    result: None,
                    error: Some(error),
                },
            }
        })
        .collect();
    let verified = attestations.iter().filter(|a| a.verified).count();
    let error = if attestations.is_empty() {
        Some(VerificationError::new(ErrorCode::NoSignatures, format!("no attestations are published for {text}")))
    } else if verified == 0 {
        let first = attestations.iter().find_map(|a| a.error.as_ref()).map(|e| format!(": {e}")).unwrap_or_default();
        Some(VerificationError::new(
            ErrorCode::NoMatchingSignatures,
            format!("none of the {} attestations of {text} satisfies the policy{first}", attestations.len()),
        ))
    } else {
        None
    };
    AttestationsVerification {
        subject: text.to_owned(),
        kind: subject.kind(),
        artifacts: found.artifacts.clone(),
        attestations,
        verified,
        error,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_download_path_names_its_subject() {
        for (registry, path, subject, file) in [
            ("npm", "sigstore/-/sigstore-2.0.0.tgz", "npm:sigstore@2.0.0", "sigstore-2.0.0.tgz"),
            ("npm", "/@sigstore/core/-/core-1.0.0-rc.1.tgz", "npm:@sigstore/core@1.0.0-rc.1", "core-1.0.0-rc.1.tgz"),
            (
                "pypi",
                "packages/ab/cd/ef/sigstore-3.0.0-py3-none-any.whl",
                "pypi:sigstore==3.0.0",
                "sigstore-3.0.0-py3-none-any.whl",
            ),
            (
                "pypi",
                "cryptography-42.0.0-1-cp39-abi3-manylinux_2_28_x86_64.whl",
                "pypi:cryptography==42.0.0",
                "cryptography-42.0.0-1-cp39-abi3-manylinux_2_28_x86_64.whl",
            ),
            (
                "pypi",
                "x/pypi_attestation_models-0.0.4a2.tar.gz",
                "pypi:pypi-attestation-models==0.0.4a2",
                "pypi_attestation_models-0.0.4a2.tar.gz",
            ),
            ("pypi", "Foo__Bar.baz-2.0.tar.gz", "pypi:foo-bar-baz==2.0", "Foo__Bar.baz-2.0.tar.gz"),
            ("pypi", "old-style-name-1.0.zip", "pypi:old-style-name==1.0", "old-style-name-1.0.zip"),
        ] {
            let (found, named) = Subject::for_download(registry, path).unwrap();
            assert_eq!((found.text().as_str(), named.as_str()), (subject, file), "{path}");
            assert_eq!(Subject::parse(subject).unwrap(), found);
        }
        for (registry, path) in [
            ("npm", "sigstore/-/other-2.0.0.tgz"),
            ("npm", "sigstore/sigstore-2.0.0.tgz"),
            ("npm", "../-/..-1.tgz"),
            ("npm", "sigstore/-/sigstore-2.0.0.tgz?x"),
            ("pypi", "sigstore-3.0.0.whl"),
            ("pypi", "sigstore.tar.gz"),
            ("pypi", "sigstore-3.0.0.exe"),
            ("pypi", "a/b/../c-1.0-py3-none-any-x-y.whl"),
            ("github", "anything"),
        ] {
            assert_eq!(Subject::for_download(registry, path).unwrap_err().code, ErrorCode::InvalidInput, "{path}");
        }
    }

    use std::collections::BTreeMap;

    use super::*;
    use crate::crypto::RustCrypto;
    use crate::http::{Exchange, Reply, Response};
    use crate::policy::{CertificateIdentity, StringMatcher};
    use crate::trust::TrustedRoot;

    const NPM_BUNDLE: &str = include_str!("../tests/data/realworld/npm-provenance-sigstore-2.0.0/bundle.sigstore.json");
    const NPM_TARBALL: &[u8] = include_bytes!("../tests/data/realworld/npm-provenance-sigstore-2.0.0/artifact");
    const PYPI_BUNDLE: &str =
        include_str!("../tests/data/realworld/pypi-attestation-models-0.0.4a2/bundle.sigstore.json");
    const PYPI_SDIST: &[u8] = include_bytes!("../tests/data/realworld/pypi-attestation-models-0.0.4a2/artifact");
    const PYPI_FILE: &str = "pypi_attestation_models-0.0.4a2.tar.gz";

    fn policy(identity: &str, issuer: &str) -> Policy {
        Policy::certificate_identity(CertificateIdentity::new(
            StringMatcher::exact(identity),
            StringMatcher::exact(issuer),
        ))
    }

    fn npm_policy() -> Policy {
        policy(
            "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
            "https://token.actions.githubusercontent.com",
        )
    }

    fn pypi_policy() -> Policy {
        policy(
            "https://github.com/trailofbits/pypi-attestation-models/.github/workflows/release.yml@refs/tags/v0.0.4a2",
            "https://token.actions.githubusercontent.com",
        )
    }

    fn json(value: serde_json::Value) -> (u16, Vec<u8>) {
        (200, value.to_string().into_bytes())
    }

    /// The bundle in PEP 740's words, as PyPI serves it.
    fn pep740(bundle: &str) -> serde_json::Value {
        let b: serde_json::Value = serde_json::from_str(bundle).unwrap();
        serde_json::json!({
            "version": 1,
            "attestation_bundles": [{
                "publisher": { "kind": "GitHub", "repository": "trailofbits/pypi-attestation-models" },
                "attestations": [{
                    "version": 1,
                    "verification_material": {
                        "certificate": b["verificationMaterial"]["certificate"]["rawBytes"],
                        "transparency_entries": b["verificationMaterial"]["tlogEntries"],
                    },
                    "envelope": { "statement": b["dsseEnvelope"]["payload"], "signature": b["dsseEnvelope"]["signatures"][0]["sig"] },
                }],
            }],
        })
    }

    fn run(text: &str, policy: &Policy, served: &BTreeMap<String, (u16, Vec<u8>)>) -> AttestationsVerification {
        let subject = Subject::parse(text).unwrap();
        let registries = Registries {
            npm: "https://npm.test".into(),
            pypi: "https://pypi.test".into(),
            github_api: "https://gh.test".into(),
        };
        let found = Exchange::default()
            .complete_walk(
                |fetch| discover(fetch, &subject, &registries),
                |request| match served.get(&request.url) {
                    Some((status, body)) => Reply::Response(Response::new(*status, Vec::new(), body.clone())),
                    None => Reply::Response(Response::new(404, Vec::new(), b"{}".to_vec())),
                },
            )
            .unwrap();
        let verifier = Verifier::new(TrustedRoot::production().unwrap()).unwrap();
        verify_found(text, &subject, &found, &verifier, policy, &RustCrypto)
    }

    fn npm_served(bundle: &str) -> BTreeMap<String, (u16, Vec<u8>)> {
        use base64::Engine;
        let integrity = base64::engine::general_purpose::STANDARD.encode(HashAlgorithm::Sha512.digest(NPM_TARBALL));
        let bundle: serde_json::Value = serde_json::from_str(bundle).unwrap();
        BTreeMap::from([
            (
                "https://npm.test/sigstore/2.0.0".into(),
                json(
                    serde_json::json!({ "dist": { "integrity": format!("sha512-{integrity}"), "tarball": "https://npm.test/sigstore/-/sigstore-2.0.0.tgz" } }),
                ),
            ),
            (
                "https://npm.test/-/npm/v1/attestations/sigstore@2.0.0".into(),
                json(
                    serde_json::json!({ "attestations": [{ "predicateType": "https://slsa.dev/provenance/v1", "bundle": bundle }] }),
                ),
            ),
        ])
    }

    #[test]
    fn npm_provenance_verifies_against_the_registrys_own_digest() {
        let report = run("npm:sigstore@2.0.0", &npm_policy(), &npm_served(NPM_BUNDLE));
        assert_eq!((report.verified, report.error.as_ref()), (1, None), "{report:?}");
        assert_eq!(report.artifacts[0].name, "sigstore-2.0.0.tgz");
        assert!(report.artifacts[0].digest.starts_with("sha512:"));
        // Another identity: found, and refused.
        let other = run(
            "npm:sigstore@2.0.0",
            &policy(
                "https://github.com/x/y/.github/workflows/z.yml@refs/heads/main",
                "https://token.actions.githubusercontent.com",
            ),
            &npm_served(NPM_BUNDLE),
        );
        assert_eq!(other.error.unwrap().code, ErrorCode::NoMatchingSignatures);
        assert_eq!(other.attestations[0].error.as_ref().unwrap().code, ErrorCode::IdentityMismatch);
        // Another version's tarball (the registry's digest is what the attestation is checked against).
        let mut served = npm_served(NPM_BUNDLE);
        served.insert(
            "https://npm.test/sigstore/2.0.0".into(),
            json(serde_json::json!({ "dist": { "integrity": format!("sha512-{}", "A".repeat(86) + "==") } })),
        );
        let report = run("npm:sigstore@2.0.0", &npm_policy(), &served);
        assert_eq!(report.attestations[0].error.as_ref().unwrap().code, ErrorCode::ArtifactMismatch, "{report:?}");
        // Nothing published.
        let mut served = npm_served(NPM_BUNDLE);
        served.remove("https://npm.test/-/npm/v1/attestations/sigstore@2.0.0");
        assert_eq!(run("npm:sigstore@2.0.0", &npm_policy(), &served).error.unwrap().code, ErrorCode::NoSignatures);
    }

    #[test]
    fn pypi_provenance_is_read_from_pep_740_and_verified_per_file() {
        let served = BTreeMap::from([
            (
                "https://pypi.test/pypi/pypi-attestation-models/0.0.4a2/json".into(),
                json(
                    serde_json::json!({ "urls": [{ "filename": PYPI_FILE, "digests": { "sha256": encode_hex(&HashAlgorithm::Sha256.digest(PYPI_SDIST)) } }] }),
                ),
            ),
            (
                format!("https://pypi.test/integrity/pypi-attestation-models/0.0.4a2/{PYPI_FILE}/provenance"),
                json(pep740(PYPI_BUNDLE)),
            ),
        ]);
        let report = run("pypi:pypi-attestation-models==0.0.4a2", &pypi_policy(), &served);
        assert_eq!((report.verified, report.error.as_ref()), (1, None), "{report:?}");
        // A file name that could leave its path segment is refused, not requested.
        let mut hostile = served.clone();
        hostile.insert(
            "https://pypi.test/pypi/pypi-attestation-models/0.0.4a2/json".into(),
            json(serde_json::json!({ "urls": [{ "filename": "../../admin", "digests": { "sha256": "00".repeat(32) } }] })),
        );
        let subject = Subject::parse("pypi:pypi-attestation-models==0.0.4a2").unwrap();
        let err = Exchange::default()
            .complete_walk(
                |fetch| {
                    discover(fetch, &subject, &Registries { pypi: "https://pypi.test".into(), ..Registries::default() })
                },
                |request| match hostile.get(&request.url) {
                    Some((status, body)) => Reply::Response(Response::new(*status, Vec::new(), body.clone())),
                    None => panic!("requested {}", request.url),
                },
            )
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Registry, "{err}");
    }

    #[test]
    fn github_attestations_of_a_digest_verify() {
        let digest = format!("sha256:{}", encode_hex(&HashAlgorithm::Sha256.digest(PYPI_SDIST)));
        let bundle: serde_json::Value = serde_json::from_str(PYPI_BUNDLE).unwrap();
        let served = BTreeMap::from([(
            format!("https://gh.test/repos/trailofbits/pypi-attestation-models/attestations/{digest}"),
            json(serde_json::json!({ "attestations": [{ "bundle": bundle, "repository_id": 1 }] })),
        )]);
        let report = run(&format!("github:trailofbits/pypi-attestation-models@{digest}"), &pypi_policy(), &served);
        assert_eq!((report.verified, report.error.as_ref()), (1, None), "{report:?}");
        // The same attestation for another digest is not about it.
        let other = format!("sha256:{}", "00".repeat(32));
        let served = BTreeMap::from([(
            format!("https://gh.test/repos/trailofbits/pypi-attestation-models/attestations/{other}"),
            json(
                serde_json::json!({ "attestations": [{ "bundle": serde_json::from_str::<serde_json::Value>(PYPI_BUNDLE).unwrap() }] }),
            ),
        )]);
        let report = run(&format!("github:trailofbits/pypi-attestation-models@{other}"), &pypi_policy(), &served);
        assert_eq!(report.attestations[0].error.as_ref().unwrap().code, ErrorCode::ArtifactMismatch);
    }

    #[test]
    fn subjects_are_parsed_strictly() {
        assert_eq!(
            Subject::parse("npm:@sigstore/core@1.0.0").unwrap(),
            Subject::Npm { name: "@sigstore/core".into(), version: "1.0.0".into() }
        );
        assert!(matches!(Subject::parse("pypi:sigstore==3.0.0"), Ok(Subject::PyPI { .. })));
        for bad in [
            "npm:sigstore",
            "npm:@2.0.0",
            "npm:Sigstore@2.0.0",
            "npm:../x@1",
            "npm:a@1/../../x",
            "pypi:sigstore",
            "pypi:../x==1",
            "pypi:x==1/..",
            "github:owner@sha256:00",
            "github:o/r@sha512:00",
            "github:o/..@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "ghcr.io/x/y:v1",
        ] {
            assert_eq!(Subject::parse(bad).unwrap_err().code, ErrorCode::InvalidInput, "{bad}");
        }
    }
}
