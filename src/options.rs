//! Verification options as JavaScript callers (and JSON configuration) write them, with the
//! names sigstore-js and cosign users know, turned into a [`Policy`]. Kept in the core so that
//! every rule about them is tested natively; the wasm boundary only deserialises.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::attestations::{Registries, PUBLIC_GITHUB_API, PUBLIC_NPM_REGISTRY, PUBLIC_PYPI};
use crate::cosign::discover::{RekorSearch, Request};
use crate::cosign::verify::ImagePolicy;
use crate::cosign::Want;
use crate::crypto::PublicKey;
use crate::error::{fail, ErrorCode, Result};
use crate::oci::{Digest, Reference};
use crate::policy::{CertificateIdentity, Policy, SignerPolicy, StringMatcher};
use crate::rekor::{Query, PUBLIC_REKOR_URL};
use crate::time::Timestamp;
use crate::trust::TrustedRoot;

/// The policy part of `verifyBundle`'s options. Unknown names are refused: a misspelt
/// `certificateIdentiy` must not silently verify nothing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyOptions {
    /// The identity (subject alternative name: email, URI or username) the certificate must
    /// name exactly, as cosign's `--certificate-identity`.
    pub certificate_identity: Option<String>,
    /// A regular expression searched for in the identity, as cosign's
    /// `--certificate-identity-regexp`; excludes `certificateIdentity`.
    #[serde(alias = "certificateIdentityRegexp")]
    pub certificate_identity_reg_exp: Option<String>,
    /// The OIDC issuer the certificate must name exactly, as cosign's
    /// `--certificate-oidc-issuer`.
    pub certificate_issuer: Option<String>,
    /// `certificateIssuer` by cosign's name for it; give one of the two.
    #[serde(alias = "certificateOidcIssuer")]
    pub certificate_oidc_issuer: Option<String>,
    /// A regular expression searched for in the OIDC issuer, as cosign's
    /// `--certificate-oidc-issuer-regexp`; excludes an exact issuer.
    #[serde(alias = "certificateIssuerRegexp", alias = "certificateOidcIssuerRegExp")]
    pub certificate_issuer_reg_exp: Option<String>,
    /// Fulcio claims by name (`githubWorkflowRepository`, `sourceRepositoryRef`, ...).
    #[serde(default)]
    pub certificate_extensions: BTreeMap<String, String>,
    /// A PEM public key: verify a managed-key bundle with it.
    pub public_key: Option<String>,
    /// Distinct transparency logs that must hold the signature (default 1).
    pub tlog_threshold: Option<usize>,
    /// Distinct CT logs whose SCTs must verify, for certificates (default 1).
    #[serde(alias = "ctLogThreshold")]
    pub ctlog_threshold: Option<usize>,
    /// Distinct verified times (log integration times and RFC 3161 timestamps) required
    /// (default 1).
    pub timestamp_threshold: Option<usize>,
    /// Require an in-toto statement of this predicate type.
    pub predicate_type: Option<String>,
    /// Milliseconds since the Unix epoch; times after it are refused.
    pub current_time: Option<f64>,
    /// Accept any certificate from a trusted CA, whoever it names. Only for inspection.
    #[serde(default)]
    pub unsafe_allow_any_identity: bool,
    /// Verify a DSSE envelope without tying it to an artifact (the artifact is then `null`).
    #[serde(default)]
    pub unsafe_skip_artifact_check: bool,
    /// The GitHub CLI's policy (`gh attestation verify`), by its flags' names and meanings: the
    /// repository's owner (`--owner`), the repository (`--repo OWNER/REPO`), the repository
    /// (`--signer-repo`) or workflow (`--signer-workflow [HOST/]OWNER/REPO/PATH`) that signed,
    /// GitHub-hosted runners only (`--deny-self-hosted-runners`), the source ref and commit
    /// (`--source-ref`, `--source-digest`). With any of them the OIDC issuer defaults to GitHub
    /// Actions'.
    pub owner: Option<String>,
    /// See [`PolicyOptions::owner`].
    pub repo: Option<String>,
    /// See [`PolicyOptions::owner`].
    pub signer_repo: Option<String>,
    /// See [`PolicyOptions::owner`].
    pub signer_workflow: Option<String>,
    /// See [`PolicyOptions::owner`].
    #[serde(default)]
    pub deny_self_hosted_runners: bool,
    /// See [`PolicyOptions::owner`].
    pub source_ref: Option<String>,
    /// See [`PolicyOptions::owner`].
    pub source_digest: Option<String>,
}

impl PolicyOptions {
    /// The policy the options describe, for a verifier of `root`. They must name one kind of
    /// signer: a certificate identity (with its issuer), a public key, or `unsafeAllowAnyIdentity`.
    /// Without a `tlogThreshold` (`ctlogThreshold`), one log entry (SCT) is required where the root
    /// lists transparency (CT) logs, and none where it lists none (an instance of authorities
    /// alone, as GitHub's): there the verified time comes from a timestamp, which
    /// `timestampThreshold` (1) still requires.
    pub fn into_policy(self, root: &TrustedRoot) -> Result<Policy> {
        let mut policy = Policy::new(self.signer(root)?);
        policy.tlog_threshold = self.tlog_threshold.unwrap_or(usize::from(!root.tlogs.is_empty()));
        policy.ctlog_threshold = self.ctlog_threshold.unwrap_or(usize::from(!root.ctlogs.is_empty()));
        if let Some(n) = self.timestamp_threshold {
            policy.timestamp_threshold = n;
        }
        policy.predicate_type = self.predicate_type;
        if let Some(ms) = self.current_time {
            policy.current_time = Some(millis_to_timestamp(ms)?);
        }
        Ok(policy)
    }

    fn signer(&self, root: &TrustedRoot) -> Result<SignerPolicy> {
        let identity_given = self.certificate_identity.is_some()
            || self.certificate_identity_reg_exp.is_some()
            || self.issuer_given()
            || !self.certificate_extensions.is_empty()
            || self.github_given();
        match (&self.public_key, identity_given, self.unsafe_allow_any_identity) {
            (Some(pem), false, false) => Ok(SignerPolicy::PublicKey(Box::new(crate::policy::ManagedKey {
                key: PublicKey::from_pem(pem)?,
                valid_for: None,
            }))),
            (None, true, false) => Ok(SignerPolicy::Certificate(vec![self.identity(root)?])),
            (None, false, true) => Ok(SignerPolicy::UnsafeAnyCertificateIdentity),
            (None, false, false) => fail(
                ErrorCode::InvalidInput,
                "no signer policy: give certificateIdentity (or certificateIdentityRegExp) with certificateIssuer \
                 (or certificateIssuerRegExp), the GitHub CLI's owner or repo, or publicKey; unsafeAllowAnyIdentity \
                 accepts anyone",
            ),
            _ => fail(
                ErrorCode::InvalidInput,
                "publicKey, a certificate identity and unsafeAllowAnyIdentity exclude each other",
            ),
        }
    }

    fn github_given(&self) -> bool {
        self.owner.is_some()
            || self.repo.is_some()
            || self.signer_repo.is_some()
            || self.signer_workflow.is_some()
            || self.deny_self_hosted_runners
            || self.source_ref.is_some()
            || self.source_digest.is_some()
    }

    fn issuer_given(&self) -> bool {
        self.certificate_issuer.is_some()
            || self.certificate_oidc_issuer.is_some()
            || self.certificate_issuer_reg_exp.is_some()
    }

    fn identity(&self, root: &TrustedRoot) -> Result<CertificateIdentity> {
        let github = if self.github_given() { Some(GitHubCriteria::from_options(self)?) } else { None };
        let san_given = self.certificate_identity.is_some() || self.certificate_identity_reg_exp.is_some();
        let san = match &github {
            Some(github) if !san_given => github.san()?,
            _ => matcher(&self.certificate_identity, &self.certificate_identity_reg_exp, "certificateIdentity")?,
        };
        let exact_issuer = match (&self.certificate_issuer, &self.certificate_oidc_issuer) {
            (Some(_), Some(_)) => {
                return fail(
                    ErrorCode::InvalidInput,
                    "certificateIssuer and certificateOidcIssuer are the same option",
                );
            }
            (a, b) => a.clone().or_else(|| b.clone()),
        };
        let mut identity = match (&exact_issuer, &self.certificate_issuer_reg_exp) {
            (None, None) if github.is_some() => {
                CertificateIdentity::new(san, StringMatcher::exact(GITHUB_ACTIONS_ISSUER))
            }
            // GitHub's release attestations name no OIDC issuer: only under a root with GitHub's
            // authorities may a policy leave it out (and then only such certificates pass).
            (None, None) if root.certificate_authorities.iter().any(|ca| ca.is_githubs()) => {
                CertificateIdentity::without_issuer(san)
            }
            _ => CertificateIdentity::new(san, matcher(&exact_issuer, &self.certificate_issuer_reg_exp, "certificateIssuer")?),
        };
        for (name, value) in &self.certificate_extensions {
            identity = identity.with_extension(name, value.clone())?;
        }
        if let Some(github) = github {
            for (name, matcher) in github.claims()? {
                identity = identity.with_extension_matching(name, matcher)?;
            }
        }
        Ok(identity)
    }
}

/// What `verifyImage` and `verifyImageAttestations` take besides the policy.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageOptions {
    /// Annotations a signature must carry, as cosign's `-a key=value` (signatures only).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// The Rekor v1 API to find the entries of legacy signatures that carry none (default the
    /// public instance).
    pub rekor_url: Option<String>,
    /// Never ask Rekor: every legacy signature must carry its Rekor bundle.
    #[serde(default)]
    pub offline: bool,
    /// Plain HTTP to registries that are not on loopback.
    #[serde(default)]
    pub allow_http_registry: bool,
    /// The repository that holds the legacy signature tags, as cosign's `COSIGN_REPOSITORY`.
    pub signature_repository: Option<String>,
}

impl ImageOptions {
    /// The lookup and the policy for `reference`. Attestations need the policy's
    /// `predicateType`; signatures refuse one (their type is cosign's).
    pub fn into_request(
        self,
        reference: &str,
        policy: PolicyOptions,
        root: &TrustedRoot,
        attestations: bool,
    ) -> Result<(Request, ImagePolicy)> {
        let reference = Reference::parse(reference)?;
        let mut policy = policy.into_policy(root)?;
        let want = match (attestations, policy.predicate_type.take()) {
            (true, Some(name)) => match crate::cosign::predicate_type(&name) {
                Some(uri) => Want::Attestations(uri.to_owned()),
                None => {
                    return fail(
                        ErrorCode::InvalidInput,
                        format!("predicate type {name:?} is neither a URI nor one of cosign's names"),
                    )
                }
            },
            (true, None) => {
                return fail(ErrorCode::InvalidInput, "predicateType is required: the type of attestation to verify")
            }
            (false, None) => Want::Signatures,
            (false, Some(_)) => {
                return fail(ErrorCode::InvalidInput, "predicateType is for attestations (verifyImageAttestations)")
            }
        };
        if attestations && !self.annotations.is_empty() {
            return fail(ErrorCode::InvalidInput, "annotations are checked on signatures, not attestations");
        }
        let key = match &policy.signer {
            SignerPolicy::PublicKey(managed) => Some(managed.key.clone()),
            _ => None,
        };
        let rekor = match (self.offline, policy.tlog_threshold) {
            (true, _) | (_, 0) => None,
            _ => Some(RekorSearch { base_url: rekor_url(self.rekor_url)?, key }),
        };
        let signature_repository = match &self.signature_repository {
            Some(text) => match Reference::parse(text)? {
                r if r.tag.is_none() && r.digest.is_none() => Some(r),
                _ => {
                    return fail(ErrorCode::InvalidInput, format!("signatureRepository {text:?} names a tag or digest"))
                }
            },
            None => None,
        };
        let request = Request { reference, signature_repository, want, allow_http: self.allow_http_registry, rekor };
        Ok((request, ImagePolicy { policy, annotations: self.annotations }))
    }
}

/// A Rekor log lookup: exactly one of a log index, an entry UUID or an artifact digest.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogQueryOptions {
    /// The entry's index in the log.
    pub log_index: Option<u64>,
    /// The entry's UUID: its leaf hash, 64 hex digits, or 80 with a 16-digit tree ID first.
    pub uuid: Option<String>,
    /// `sha256:<hex>`.
    pub digest: Option<String>,
    /// The Rekor v1 API (default the public instance).
    pub rekor_url: Option<String>,
}

impl LogQueryOptions {
    /// The query, and the base URL of the Rekor API to ask.
    pub fn into_query(self) -> Result<(Query, String)> {
        let query = match (self.log_index, self.uuid, self.digest) {
            (Some(index), None, None) => Query::LogIndex(index),
            (None, Some(uuid), None) => Query::uuid(&uuid)?,
            // Rekor's index takes sha256 and sha512 digests (sha1 too, which is not trusted here).
            (None, None, Some(digest)) => Query::Digest(Digest::parse(&digest)?),
            _ => return fail(ErrorCode::InvalidInput, "give exactly one of logIndex, uuid and digest"),
        };
        Ok((query, rekor_url(self.rekor_url)?))
    }
}

/// Where `verifyAttestations` looks: the package registries' APIs (the public ones by default).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegistryOptions {
    /// The npm registry (default `https://registry.npmjs.org`).
    pub npm_registry: Option<String>,
    /// PyPI (default `https://pypi.org`).
    pub pypi_url: Option<String>,
    /// GitHub's REST API (default `https://api.github.com`).
    pub github_api_url: Option<String>,
}

impl RegistryOptions {
    /// The registries to ask: each URL must be http(s), and loses any trailing slash.
    pub fn into_registries(self) -> Result<Registries> {
        Ok(Registries {
            npm: base_url(self.npm_registry, PUBLIC_NPM_REGISTRY, "npmRegistry")?,
            pypi: base_url(self.pypi_url, PUBLIC_PYPI, "pypiUrl")?,
            github_api: base_url(self.github_api_url, PUBLIC_GITHUB_API, "githubApiUrl")?,
        })
    }
}

/// The names a struct of options takes, as serde reads them (its derive's field list): the one
/// list by which the JavaScript API routes a caller's options (`optionNames` in the package), so
/// that an option added to a struct here is routed there too.
pub fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut names: &'static [&'static str] = &[];
    // The struct's Deserialize hands its field list to deserialize_struct, which then stops.
    let _ = T::deserialize(FieldNames(&mut names));
    names
}

struct FieldNames<'a>(&'a mut &'static [&'static str]);

impl<'de> serde::Deserializer<'de> for FieldNames<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> std::result::Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("only a struct's field names are read"))
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> std::result::Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(serde::de::Error::custom("only a struct's field names are read"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

fn rekor_url(url: Option<String>) -> Result<String> {
    base_url(url, PUBLIC_REKOR_URL, "rekorUrl")
}

/// An API's base URL: `url` if given, else `default`; http(s), without a trailing slash.
fn base_url(url: Option<String>, default: &str, name: &str) -> Result<String> {
    let url = url.unwrap_or_else(|| default.to_owned());
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(char::is_whitespace) {
        return fail(ErrorCode::InvalidInput, format!("{name} {url:?} is not an http(s) URL"));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// GitHub Actions' OIDC issuer: the default where the policy is stated with the GitHub CLI's options.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The GitHub CLI's policy options, checked and expanded as `gh attestation verify` expands them:
/// the SAN must fall under the signer workflow, the signer repository, the repository or the owner
/// (the first given, case-insensitively but the workflow); the certificate's source repository
/// owner (and repository) URI must be the owner's (repository's), case-insensitively, as GitHub's
/// names are; runner environment, source ref and digest exactly. Names are checked against
/// GitHub's rules and matched literally, never as patterns.
#[derive(Clone, Debug)]
struct GitHubCriteria {
    owner: String,
    repo: Option<String>,
    signer_repo: Option<String>,
    signer_workflow: Option<String>,
    deny_self_hosted_runners: bool,
    source_ref: Option<String>,
    source_digest: Option<String>,
}

impl GitHubCriteria {
    fn from_options(options: &PolicyOptions) -> Result<Self> {
        let repo = options.repo.as_deref().map(owner_and_repo).transpose()?;
        let owner = match (&options.owner, &repo) {
            (Some(owner), Some((of_repo, _))) if !owner.eq_ignore_ascii_case(of_repo) => {
                return fail(ErrorCode::InvalidInput, format!("owner {owner:?} is not the owner of repo {of_repo:?}"));
            }
            (_, Some((of_repo, _))) => of_repo.clone(),
            (Some(owner), None) => github_name(owner, "owner")?,
            (None, None) => {
                return fail(ErrorCode::InvalidInput, "the GitHub CLI's options need owner or repo (OWNER/REPO)");
            }
        };
        let signer_repo = options.signer_repo.as_deref().map(owner_and_repo).transpose()?;
        Ok(Self {
            owner,
            repo: repo.map(|(owner, name)| format!("{owner}/{name}")),
            signer_repo: signer_repo.map(|(owner, name)| format!("{owner}/{name}")),
            signer_workflow: options.signer_workflow.as_deref().map(signer_workflow).transpose()?,
            deny_self_hosted_runners: options.deny_self_hosted_runners,
            source_ref: options.source_ref.clone(),
            source_digest: options.source_digest.clone(),
        })
    }

    /// The SAN's matcher: under the signer workflow, the signer repository, the repository or the owner.
    fn san(&self) -> Result<StringMatcher> {
        let under = |path: &str| StringMatcher::regex(&format!("(?i)^https://github\\.com/{}/", regex_lite::escape(path)));
        match (&self.signer_workflow, &self.signer_repo, &self.repo) {
            (Some(workflow), _, _) => StringMatcher::regex(&format!("^https://{}", regex_lite::escape(workflow))),
            (None, Some(signer_repo), _) => under(signer_repo),
            (None, None, Some(repo)) => under(repo),
            (None, None, None) => under(&self.owner),
        }
    }

    /// The claims required, by name.
    fn claims(&self) -> Result<Vec<(&'static str, StringMatcher)>> {
        let any_case = |value: String| StringMatcher::regex(&format!("(?i)^{}$", regex_lite::escape(&value)));
        let mut claims = vec![("sourceRepositoryOwnerUri", any_case(format!("https://github.com/{}", self.owner))?)];
        if let Some(repo) = &self.repo {
            claims.push(("sourceRepositoryUri", any_case(format!("https://github.com/{repo}"))?));
        }
        if self.deny_self_hosted_runners {
            claims.push(("runnerEnvironment", StringMatcher::exact("github-hosted")));
        }
        if let Some(reference) = &self.source_ref {
            claims.push(("sourceRepositoryRef", StringMatcher::exact(reference.clone())));
        }
        if let Some(digest) = &self.source_digest {
            claims.push(("sourceRepositoryDigest", StringMatcher::exact(digest.clone())));
        }
        Ok(claims)
    }
}

/// A GitHub user or organisation name (letters, digits and hyphens, at most 39) or repository name
/// (letters, digits, `.`, `-`, `_`, at most 100, not `.` or `..`), as `what`.
fn github_name(name: &str, what: &str) -> Result<String> {
    let owner = what == "owner";
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || (!owner && (c == '.' || c == '_'));
    let longest = if owner { 39 } else { 100 };
    if name.is_empty() || name.len() > longest || !name.chars().all(allowed) || name == "." || name == ".." {
        return fail(ErrorCode::InvalidInput, format!("{what} {name:?} is not a GitHub {what} name"));
    }
    Ok(name.to_owned())
}

/// `OWNER/REPO`, each checked.
fn owner_and_repo(text: &str) -> Result<(String, String)> {
    match text.split_once('/') {
        Some((owner, repo)) => Ok((github_name(owner, "owner")?, github_name(repo, "repository")?)),
        None => fail(ErrorCode::InvalidInput, format!("expected OWNER/REPO, found {text:?}")),
    }
}

/// `[HOST/]OWNER/REPO/PATH`: a workflow's path, its host github.com unless it starts with one
/// (a first segment with a dot, as gh tells them apart).
fn signer_workflow(text: &str) -> Result<String> {
    let (host, rest) = match text.split_once('/') {
        Some((first, rest)) if first.contains('.') => (first, rest),
        _ => ("github.com", text),
    };
    let mut parts = rest.splitn(3, '/');
    let (Some(owner), Some(repo), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
        return fail(ErrorCode::InvalidInput, format!("expected signerWorkflow [HOST/]OWNER/REPO/PATH, found {text:?}"));
    };
    if path.is_empty() || !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
        return fail(ErrorCode::InvalidInput, format!("expected signerWorkflow [HOST/]OWNER/REPO/PATH, found {text:?}"));
    }
    Ok(format!("{host}/{}/{}/{path}", github_name(owner, "owner")?, github_name(repo, "repository")?))
}

fn matcher(exact: &Option<String>, regexp: &Option<String>, name: &str) -> Result<StringMatcher> {
    match (exact, regexp) {
        (Some(value), None) => Ok(StringMatcher::exact(value.clone())),
        (None, Some(pattern)) => StringMatcher::regex(pattern),
        (Some(_), Some(_)) => fail(ErrorCode::InvalidInput, format!("{name} and {name}RegExp exclude each other")),
        (None, None) => fail(ErrorCode::InvalidInput, format!("{name} (or {name}RegExp) is required")),
    }
}

fn millis_to_timestamp(ms: f64) -> Result<Timestamp> {
    // Only whole milliseconds within the range Date can represent are meaningful.
    if !ms.is_finite() || ms.fract() != 0.0 || ms.abs() > 8.64e15 {
        return fail(ErrorCode::InvalidInput, format!("currentTime {ms} is not a time in milliseconds"));
    }
    let ms = ms as i64;
    let nanos = (ms.rem_euclid(1000) * 1_000_000) as u32;
    match Timestamp::from_unix_nanos(ms.div_euclid(1000), nanos) {
        Some(t) => Ok(t),
        None => fail(ErrorCode::InvalidInput, "currentTime out of range"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn option_names_are_the_structs_fields_and_route_one_way() {
        assert_eq!(
            field_names::<ImageOptions>(),
            ["annotations", "rekorUrl", "offline", "allowHttpRegistry", "signatureRepository"]
        );
        assert_eq!(field_names::<RegistryOptions>(), ["npmRegistry", "pypiUrl", "githubApiUrl"]);
        let policy = field_names::<PolicyOptions>();
        assert!(policy.contains(&"certificateIdentity") && policy.contains(&"predicateType"), "{policy:?}");
        // Each name belongs to one struct, which takes it: routing by name is never ambiguous.
        for name in field_names::<ImageOptions>().iter().chain(field_names::<RegistryOptions>()) {
            assert!(!policy.contains(name), "{name} is a policy option too");
            let one = serde_json::json!({ *name: null });
            let unknown = |e: serde_json::Error| e.to_string().contains("unknown field");
            assert!(serde_json::from_value::<PolicyOptions>(one.clone()).is_err_and(unknown), "{name}");
            let image = serde_json::from_value::<ImageOptions>(one.clone()).map(drop);
            let registry = serde_json::from_value::<RegistryOptions>(one).map(drop);
            assert!(!(image.is_err_and(unknown) && registry.is_err_and(unknown)), "{name} is taken by neither");
        }
    }

    use super::*;

    fn options(json: &str) -> Result<Policy> {
        let options: PolicyOptions = serde_json::from_str(json)
            .map_err(|e| crate::error::VerificationError::new(ErrorCode::InvalidInput, e.to_string()))?;
        options.into_policy(&TrustedRoot::production()?)
    }

    /// gh's options expand as `gh attestation verify` expands them, names matched literally.
    #[test]
    fn the_github_clis_options_build_its_policy() {
        use crate::x509::fulcio::Claim;
        use crate::x509::San;
        let identity = |json: &str| match options(json).unwrap().signer {
            SignerPolicy::Certificate(ids) => ids.into_iter().next().unwrap(),
            other => panic!("{other:?}"),
        };
        let claim = |arc: u32, name: &'static str, value: &str| Claim {
            arc,
            name,
            oid: format!("1.3.6.1.4.1.57264.1.{arc}"),
            value: value.to_owned(),
        };
        let signed_by = |san: &str, owner: &str, repo: &str, runner: &str| {
            (
                [San::Uri(san.to_owned())],
                vec![
                    claim(8, "issuer", GITHUB_ACTIONS_ISSUER),
                    claim(11, "runnerEnvironment", runner),
                    claim(12, "sourceRepositoryUri", &format!("https://github.com/{owner}/{repo}")),
                    claim(16, "sourceRepositoryOwnerUri", &format!("https://github.com/{owner}")),
                ],
            )
        };
        let workflow = "https://github.com/Sigstore/cosign/.github/workflows/release.yml@refs/tags/v1";
        let (sans, claims) = signed_by(workflow, "Sigstore", "cosign", "self-hosted");
        let passes = |json: &str| identity(json).check(&sans, &claims, false).map_err(|e| e.code);

        // Owner and repository are GitHub's names: any case; the issuer defaults to Actions'.
        assert_eq!(passes(r#"{"owner":"sigstore"}"#), Ok(()));
        assert_eq!(passes(r#"{"repo":"sigstore/COSIGN"}"#), Ok(()));
        assert_eq!(passes(r#"{"owner":"sigstor"}"#), Err(ErrorCode::IdentityMismatch), "a prefix of the owner");
        assert_eq!(passes(r#"{"repo":"sigstore/cosig"}"#), Err(ErrorCode::IdentityMismatch));
        assert_eq!(passes(r#"{"owner":"sigstore","certificateIssuer":"https://other"}"#), Err(ErrorCode::IssuerMismatch));
        // The signer: a workflow (its host github.com unless given) or a repository.
        assert_eq!(passes(r#"{"owner":"sigstore","signerWorkflow":"Sigstore/cosign/.github/workflows/release.yml"}"#), Ok(()));
        assert_eq!(
            passes(r#"{"owner":"sigstore","signerWorkflow":"github.com/Sigstore/cosign/.github/workflows/release.yml"}"#),
            Ok(())
        );
        assert_eq!(
            passes(r#"{"owner":"sigstore","signerWorkflow":"Sigstore/cosign/.github/workflows/other.yml"}"#),
            Err(ErrorCode::IdentityMismatch)
        );
        assert_eq!(passes(r#"{"owner":"sigstore","signerRepo":"sigstore/other"}"#), Err(ErrorCode::IdentityMismatch));
        // Runners, ref and digest are claims, exactly.
        assert_eq!(passes(r#"{"owner":"sigstore","denySelfHostedRunners":true}"#), Err(ErrorCode::ExtensionMismatch));
        assert_eq!(passes(r#"{"owner":"sigstore","sourceRef":"refs/tags/v1"}"#), Err(ErrorCode::ExtensionMismatch));
        // The certificate's source repository must be the owner's, whatever the SAN says.
        let (sans, claims) = signed_by(workflow, "evil", "cosign", "github-hosted");
        assert_eq!(
            identity(r#"{"owner":"sigstore"}"#).check(&sans, &claims, false).map_err(|e| e.code),
            Err(ErrorCode::ExtensionMismatch)
        );
        // Names are names, never patterns; owner and repo must agree.
        for bad in [
            r#"{"owner":"sig.*"}"#,
            r#"{"repo":"sigstore"}"#,
            r#"{"repo":"sigstore/.."}"#,
            r#"{"owner":"other","repo":"sigstore/cosign"}"#,
            r#"{"owner":"sigstore","signerWorkflow":"sigstore/cosign"}"#,
            r#"{"denySelfHostedRunners":true}"#,
        ] {
            assert_eq!(options(bad).map(drop).unwrap_err().code, ErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn identity_options_build_an_identity_policy() {
        let policy = options(
            r#"{"certificateIdentity":"a@b.c","certificateIssuer":"https://i","tlogThreshold":2,
                "certificateExtensions":{"githubWorkflowRepository":"o/r"},"currentTime":1700000000123}"#,
        )
        .unwrap();
        assert_eq!(policy.tlog_threshold, 2);
        assert_eq!(policy.current_time, Timestamp::from_unix_nanos(1_700_000_000, 123_000_000));
        let SignerPolicy::Certificate(ids) = &policy.signer else { panic!("not an identity policy") };
        assert!(ids[0].subject_alt_name.matches("a@b.c"));
        let [(name, value)] = ids[0].extensions.as_slice() else { panic!("{:?}", ids[0].extensions) };
        assert!(name == "githubWorkflowRepository" && value.matches("o/r") && !value.matches("o/R"));
        assert!(options(r#"{"certificateIdentityRegExp":"^a@","certificateOidcIssuer":"https://i"}"#).is_ok());
    }

    fn image(options: &str, policy: &str, attestations: bool) -> Result<(Request, ImagePolicy)> {
        let invalid =
            |e: serde_json::Error| crate::error::VerificationError::new(ErrorCode::InvalidInput, e.to_string());
        let options: ImageOptions = serde_json::from_str(options).map_err(invalid)?;
        let policy: PolicyOptions = serde_json::from_str(policy).map_err(invalid)?;
        options.into_request("ghcr.io/o/a:v1", policy, &TrustedRoot::production()?, attestations)
    }

    #[test]
    fn image_options_build_the_lookup_and_refuse_what_does_not_apply() {
        let who = r#""certificateIdentity":"a","certificateIssuer":"i""#;
        let (request, policy) = image(r#"{"annotations":{"env":"prod"}}"#, &format!("{{{who}}}"), false).unwrap();
        assert_eq!(request.want, Want::Signatures);
        assert_eq!(request.rekor.unwrap().base_url, PUBLIC_REKOR_URL);
        assert_eq!(policy.annotations["env"], "prod");
        let (request, _) =
            image(r#"{"offline":true}"#, &format!(r#"{{{who},"predicateType":"https://p"}}"#), true).unwrap();
        assert_eq!(request.want, Want::Attestations("https://p".into()));
        assert!(request.rekor.is_none());
        let (request, _) = image("{}", &format!(r#"{{{who},"predicateType":"slsaprovenance1"}}"#), true).unwrap();
        assert_eq!(request.want, Want::Attestations("https://slsa.dev/provenance/v1".into()), "cosign's names");
        let typo = image("{}", &format!(r#"{{{who},"predicateType":"slsa provenance"}}"#), true);
        assert_eq!(typo.unwrap_err().code, ErrorCode::InvalidInput);
        let (request, _) =
            image(r#"{"rekorUrl":"http://127.0.0.1:3000/"}"#, &format!(r#"{{{who},"tlogThreshold":0}}"#), false)
                .unwrap();
        assert!(request.rekor.is_none(), "no log required, none asked");
        for (options, policy, attestations) in [
            ("{}", format!("{{{who}}}"), true),
            ("{}", format!(r#"{{{who},"predicateType":"https://p"}}"#), false),
            (r#"{"annotations":{"a":"b"}}"#, format!(r#"{{{who},"predicateType":"https://p"}}"#), true),
            (r#"{"rekorUrl":"ftp://x"}"#, format!("{{{who}}}"), false),
            (r#"{"proxy":"x"}"#, format!("{{{who}}}"), false),
            (r#"{"signatureRepository":"ghcr.io/o/sigs:v1"}"#, format!("{{{who}}}"), false),
            ("{}", "{}".to_owned(), false),
        ] {
            assert_eq!(
                image(options, &policy, attestations).unwrap_err().code,
                ErrorCode::InvalidInput,
                "{options} {policy}"
            );
        }
    }

    #[test]
    fn a_log_query_names_exactly_one_entry_or_digest() {
        let query = |json: &str| serde_json::from_str::<LogQueryOptions>(json).unwrap().into_query();
        assert_eq!(query(r#"{"logIndex":7}"#).unwrap(), (Query::LogIndex(7), PUBLIC_REKOR_URL.to_owned()));
        let uuid = "AB".repeat(32);
        assert_eq!(query(&format!(r#"{{"uuid":"{uuid}"}}"#)).unwrap().0, Query::Uuid(uuid.to_lowercase()));
        // Rekor's index takes sha256 and sha512 digests.
        for digest in [format!("sha256:{}", "0a".repeat(32)), format!("sha512:{}", "0b".repeat(64))] {
            let (found, _) = query(&format!(r#"{{"digest":"{digest}"}}"#)).unwrap();
            assert_eq!(found, Query::Digest(Digest::parse(&digest).unwrap()));
        }
        for bad in [
            "{}",
            r#"{"logIndex":1,"uuid":"00"}"#,
            r#"{"uuid":"00"}"#,
            r#"{"digest":"sha512:00"}"#,
            r#"{"digest":"sha1:00"}"#,
        ] {
            assert_eq!(query(bad).unwrap_err().code, ErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn no_policy_or_a_muddled_one_is_refused() {
        for bad in [
            "{}",
            r#"{"certificateIdentity":"a"}"#,
            r#"{"certificateIssuer":"i"}"#,
            r#"{"certificateIdentity":"a","certificateIdentityRegExp":"a","certificateIssuer":"i"}"#,
            r#"{"certificateIdentity":"a","certificateIssuer":"i","unsafeAllowAnyIdentity":true}"#,
            r#"{"certificateIdentity":"a","certificateIssuer":"i","certificateExtensions":{"repo":"x"}}"#,
            r#"{"certificateIdentiy":"a","certificateIssuer":"i"}"#,
            r#"{"certificateIdentity":"a","certificateIssuer":"i","currentTime":1.5}"#,
        ] {
            assert_eq!(options(bad).unwrap_err().code, ErrorCode::InvalidInput, "{bad}");
        }
        assert!(matches!(
            options(r#"{"unsafeAllowAnyIdentity":true}"#).unwrap().signer,
            SignerPolicy::UnsafeAnyCertificateIdentity
        ));
    }
}
