//! Verifies a Sigstore bundle against its artifact and the signer a policy names: the example
//! the README's "Rust API" section shows, compiled and run by the test suite.
//!
//! ```sh
//! cargo run --example verify_bundle -- BUNDLE ARTIFACT IDENTITY ISSUER
//! ```
//!
//! With no arguments it verifies the real npm provenance of sigstore 2.0.0 (`tests/data`).

use std::time::{SystemTime, UNIX_EPOCH};

use sigstore_wasm::{Artifact, Bundle, CertificateIdentity, Policy, SignerInfo, StringMatcher, Timestamp};
use sigstore_wasm::{TrustedRoot, Verifier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/realworld/npm-provenance-sigstore-2.0.0");
    let read = |name: &str| std::fs::read_to_string(format!("{sample}/{name}")).map(|text| text.trim().to_owned());
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bundle_path, artifact_path, identity, issuer] = match &args[..] {
        [bundle, artifact, identity, issuer] => [bundle.clone(), artifact.clone(), identity.clone(), issuer.clone()],
        [] => {
            [format!("{sample}/bundle.sigstore.json"), format!("{sample}/artifact"), read("identity")?, read("issuer")?]
        }
        _ => return Err("usage: verify_bundle [BUNDLE ARTIFACT IDENTITY ISSUER]".into()),
    };
    let now = Timestamp::from_unix(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs().try_into()?);
    let bundle_json = std::fs::read_to_string(bundle_path)?;
    let artifact = std::fs::read(artifact_path)?;

    // Once: trust material is parsed and the authorities' chains are checked here.
    let verifier = Verifier::new(TrustedRoot::production()?)?;

    let bundle = Bundle::from_json(&bundle_json)?;
    let identity = CertificateIdentity::new(StringMatcher::exact(identity), StringMatcher::exact(issuer));
    let policy = Policy::certificate_identity(identity).with_current_time(now);

    let result = verifier.verify(&bundle, &Artifact::Bytes(&artifact), &policy)?;
    // or Artifact::parse_digest("sha256:<hex>")?

    if let SignerInfo::Certificate { certificate, .. } = &result.signer {
        println!("Verified OK: signed by {} ({})", certificate.subject_alt_name, certificate.issuer);
    }
    for entry in &result.tlog_entries {
        println!("  logged in {} at index {}", entry.log_url, entry.log_index);
    }
    Ok(())
}
