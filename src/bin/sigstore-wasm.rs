//! `sigstore-wasm verify-bundle`: the Sigstore conformance CLI protocol, with cosign's identity
//! flags, over the pure-Rust core.
//!
//! ```text
//! sigstore-wasm verify-bundle --bundle FILE
//!     (--certificate-identity ID | --certificate-identity-regexp RE)
//!     (--certificate-oidc-issuer ISS | --certificate-oidc-issuer-regexp RE)
//!     [--certificate-github-workflow-repository V] [...-ref V] [...-sha V] [...-trigger V] [...-name V]
//!     | --key KEY.pub
//!     [--trusted-root FILE | --staging] [--output json|text]
//!     FILE_OR_DIGEST
//! ```
//! Exit status: 0 verified, 1 not verified, 2 usage error.

use std::process::ExitCode;

use sigstore_wasm::artifact::Artifact;
use sigstore_wasm::bundle::Bundle;
use sigstore_wasm::crypto::PublicKey;
use sigstore_wasm::error::VerificationError;
use sigstore_wasm::policy::{CertificateIdentity, Policy, StringMatcher};
use sigstore_wasm::time::Timestamp;
use sigstore_wasm::trust::TrustedRoot;
use sigstore_wasm::verify::{SignerInfo, VerificationResult, VerifiedTime, Verifier};

const USAGE: &str = "\
usage: sigstore-wasm verify-bundle --bundle FILE POLICY [TRUST] [--output text|json] FILE_OR_DIGEST

POLICY, a certificate identity:
  --certificate-identity ID | --certificate-identity-regexp RE        the signer (SAN)
  --certificate-oidc-issuer ISS | --certificate-oidc-issuer-regexp RE the OIDC issuer
  --certificate-github-workflow-{repository,ref,sha,trigger,name} V    optional claims
or a managed key:
  --key KEY.pub
TRUST (default: the embedded Sigstore production root):
  --trusted-root FILE | --staging
FILE_OR_DIGEST: the artifact, or its digest as sha256:<hex>
Regular expressions search (cosign semantics): anchor them with ^...$.
Exit status: 0 verified, 1 not verified, 2 usage error.";

/// cosign's GitHub workflow flags and the Fulcio claims they check.
const WORKFLOW_FLAGS: [(&str, &str); 5] = [
    ("--certificate-github-workflow-repository", "githubWorkflowRepository"),
    ("--certificate-github-workflow-ref", "githubWorkflowRef"),
    ("--certificate-github-workflow-sha", "githubWorkflowSha"),
    ("--certificate-github-workflow-trigger", "githubWorkflowTrigger"),
    ("--certificate-github-workflow-name", "githubWorkflowName"),
];

#[derive(Default)]
struct Args {
    bundle: Option<String>,
    identity: Option<String>,
    identity_regexp: Option<String>,
    issuer: Option<String>,
    issuer_regexp: Option<String>,
    extensions: Vec<(&'static str, String)>,
    key: Option<String>,
    trusted_root: Option<String>,
    staging: bool,
    json: bool,
    artifact: Option<String>,
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(&argv) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let json = args.json;
    match run(args) {
        Ok(result) => {
            if json {
                println!("{}", serde_json::to_string_pretty(&result).unwrap_or_default());
            } else {
                print_report(&result);
            }
            ExitCode::SUCCESS
        }
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Verification(e)) => {
            if json {
                let report = serde_json::json!({ "verified": false, "code": e.code.as_str(), "message": e.message });
                println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
            } else {
                eprintln!("Verification FAILED\n  check:  {}\n  reason: {}", e.code, e.message);
            }
            ExitCode::from(1)
        }
    }
}

enum Failure {
    Usage(String),
    Verification(VerificationError),
}

impl From<VerificationError> for Failure {
    fn from(e: VerificationError) -> Self {
        Self::Verification(e)
    }
}

fn parse_args(argv: &[String]) -> Result<Args, String> {
    let mut it = argv.iter();
    match it.next().map(String::as_str) {
        Some("verify-bundle") => {}
        Some(other) => return Err(format!("unknown command {other:?}")),
        None => return Err("missing command".into()),
    }
    let mut args = Args::default();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| format!("{flag} needs a value"));
        match flag {
            "--bundle" => args.bundle = Some(value()?),
            "--certificate-identity" => args.identity = Some(value()?),
            "--certificate-identity-regexp" => args.identity_regexp = Some(value()?),
            "--certificate-oidc-issuer" => args.issuer = Some(value()?),
            "--certificate-oidc-issuer-regexp" => args.issuer_regexp = Some(value()?),
            "--key" => args.key = Some(value()?),
            "--trusted-root" => args.trusted_root = Some(value()?),
            "--staging" => args.staging = true,
            "--output" => {
                args.json = match value()?.as_str() {
                    "json" => true,
                    "text" => false,
                    other => return Err(format!("--output must be text or json, not {other:?}")),
                }
            }
            _ => match WORKFLOW_FLAGS.iter().find(|(f, _)| *f == flag) {
                Some((_, claim)) => args.extensions.push((claim, value()?)),
                None if flag.starts_with("--") => return Err(format!("unknown flag {flag}")),
                None if args.artifact.is_none() => args.artifact = Some(arg.clone()),
                None => return Err(format!("unexpected argument {arg:?}")),
            },
        }
    }
    Ok(args)
}

fn run(args: Args) -> Result<VerificationResult, Failure> {
    let bundle_path = args.bundle.ok_or_else(|| Failure::Usage("--bundle is required".into()))?;
    let artifact_arg =
        args.artifact.ok_or_else(|| Failure::Usage("the artifact (FILE or sha256:<hex>) is required".into()))?;
    let root = match (&args.trusted_root, args.staging) {
        (Some(_), true) => return Err(Failure::Usage("--trusted-root and --staging exclude each other".into())),
        (Some(path), false) => TrustedRoot::from_json(&read_text(path)?)?,
        (None, true) => TrustedRoot::staging()?,
        (None, false) => TrustedRoot::production()?,
    };
    let signer = match (&args.key, &args.identity, &args.identity_regexp, &args.issuer, &args.issuer_regexp) {
        (Some(key), None, None, None, None) if args.extensions.is_empty() => {
            Policy::public_key(PublicKey::from_pem(&read_text(key)?)?)
        }
        (Some(_), ..) => return Err(Failure::Usage("--key excludes the certificate identity flags".into())),
        (None, id, id_re, iss, iss_re) => {
            let identity = matcher(id, id_re, "--certificate-identity")?;
            let issuer = matcher(iss, iss_re, "--certificate-oidc-issuer")?;
            let mut policy = CertificateIdentity::new(identity, issuer);
            for (claim, value) in &args.extensions {
                policy = policy.with_extension(claim, value.clone())?;
            }
            Policy::certificate_identity(policy)
        }
    };
    let policy = signer.with_current_time(now());
    let verifier = Verifier::new(root)?;
    let bundle = Bundle::from_slice(&read(&bundle_path)?)?;
    let bytes;
    let artifact = if artifact_arg.contains(':') && !std::path::Path::new(&artifact_arg).exists() {
        Artifact::parse_digest(&artifact_arg)?
    } else {
        bytes = read(&artifact_arg)?;
        Artifact::Bytes(&bytes)
    };
    Ok(verifier.verify(&bundle, &artifact, &policy)?)
}

fn matcher(exact: &Option<String>, regexp: &Option<String>, flag: &str) -> Result<StringMatcher, Failure> {
    match (exact, regexp) {
        (Some(v), None) => Ok(StringMatcher::exact(v.clone())),
        (None, Some(re)) => Ok(StringMatcher::regex(re)?),
        (Some(_), Some(_)) => Err(Failure::Usage(format!("{flag} and {flag}-regexp exclude each other"))),
        (None, None) => Err(Failure::Usage(format!("{flag} (or {flag}-regexp) is required, or --key"))),
    }
}

fn read(path: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {path}: {e}")))
}

fn read_text(path: &str) -> Result<String, Failure> {
    String::from_utf8(read(path)?).map_err(|_| Failure::Usage(format!("{path} is not UTF-8 text")))
}

fn now() -> Timestamp {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Timestamp::from_unix(i64::try_from(secs).unwrap_or(i64::MAX))
}

fn print_report(result: &VerificationResult) {
    println!("Verified OK");
    println!("  bundle:      {}", result.media_type);
    match &result.signer {
        SignerInfo::Certificate {
            subject_alt_name,
            subject_alt_name_type,
            issuer,
            certificate_authority,
            not_before,
            not_after,
            extensions,
            ..
        } => {
            println!("  signer:      {subject_alt_name} ({subject_alt_name_type})");
            println!("  issuer:      {issuer}");
            println!("  certificate: issued by {certificate_authority}, valid {not_before} to {not_after}");
            for claim in extensions.iter().filter(|c| c.name != "issuer" && c.name != "issuerV1") {
                println!("    {:<36} {}", claim.name, claim.value);
            }
            for sct in &result.scts {
                println!("  SCT:         {} at {}", sct.log_url, sct.time);
            }
        }
        SignerInfo::PublicKey { key_id, .. } => println!("  signer:      public key {key_id}"),
    }
    for entry in &result.tlog_entries {
        let mut proofs = Vec::new();
        if entry.promise {
            proofs.push("signed entry timestamp".to_owned());
        }
        if let Some(p) = &entry.inclusion_proof {
            match &p.checkpoint_origin {
                Some(origin) => {
                    proofs.push(format!("inclusion proof in tree of {} (checkpoint {origin:?})", p.tree_size))
                }
                None => proofs.push(format!("inclusion proof in tree of {} (no checkpoint)", p.tree_size)),
            }
        }
        println!(
            "  tlog:        {} entry {} ({}/{}): {}",
            entry.log_url,
            entry.log_index,
            entry.kind,
            entry.version,
            proofs.join(", ")
        );
    }
    for t in &result.verified_times {
        match t {
            VerifiedTime::TransparencyLog { time, log_url } => {
                println!("  time:        {time} (integrated in {log_url})")
            }
            VerifiedTime::TimestampAuthority { time, uri } => println!("  time:        {time} (timestamp by {uri})"),
        }
    }
    if let Some(statement) = &result.statement {
        println!("  statement:   {} with {} subject(s)", statement.predicate_type, statement.subjects.len());
    } else if let Some(payload_type) = &result.payload_type {
        println!("  payload:     {payload_type}");
    }
}
