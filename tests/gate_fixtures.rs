//! Artifacts and bundles for the edge gate's tests (tests/js/gate), minted by the private instance
//! and written to `target/tmp/gate-fixtures/`: `files/` is what the tests' origin serves (each
//! artifact beside its bundles, by the gate's naming conventions), `fixtures.json` names the
//! signers, keys and digests the tests' policies use, and `trusted_root.json` is the instance's.
//! Every bundle that should verify is verified here first, natively.

mod support;

use base64::Engine;
use serde_json::{json, Value};
use support::instance::*;
use support::verify::*;

/// Signer A: the instance's default GitHub workflow identity, with numeric repository and owner IDs.
const REPOSITORY_ID: &str = "1234";
const OWNER_ID: &str = "5678";
const OTHER_SAN: &str = "https://github.com/other-org/other-repo/.github/workflows/release.yml@refs/heads/main";
/// The large artifact: hundreds of MB, never held by the gate. Byte i is i % 251 (the tests' origin
/// generates the same bytes as it streams).
const LARGE_BYTES: u32 = 256 << 20;
/// Larger than a mount's default `bufferBelow` (1 MiB): streamed, not buffered.
const STREAMED_BYTES: usize = 3 << 20;

fn signer_a(request: SignRequest) -> SignRequest {
    request.with_extension(15, REPOSITORY_ID).with_extension(17, OWNER_ID)
}

fn signer_b(request: SignRequest) -> SignRequest {
    request.with_san(San::Uri(OTHER_SAN.to_owned())).with_extension(15, "9001").with_extension(17, "9002")
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

struct Files(std::path::PathBuf);

impl Files {
    fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.0.join(name), bytes).unwrap();
    }

    fn bundle(&self, name: &str, signed: &Signed) {
        self.write(name, signed.bundle_json().as_bytes());
    }
}

#[test]
#[ignore = "writes fixtures for the package's tests: scripts/fixtures.sh runs it"]
fn artifacts_and_bundles_are_written_for_the_gate_tests() {
    // The instance of the image world (tests/oci.rs), so that one trusted root covers both gates.
    let instance = Instance::new(41);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("gate-fixtures");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("files")).unwrap();
    let files = Files(dir.join("files"));
    std::fs::write(dir.join("trusted_root.json"), instance.trusted_root().to_string()).unwrap();
    let a = || identity_with(|p| p.signer = signer_policy(DEFAULT_SAN));
    let b = || identity_with(|p| p.signer = signer_policy(OTHER_SAN));

    // Signed by A, by B, by A with a signature that no longer verifies, and not at all.
    let app = b"app 1.0: the release a workflow of test-org/test-repo built\n";
    let signed = instance.sign(&signer_a(SignRequest::message(app)));
    ok(check_artifact(&instance, &signed.bundle, app, &a()));
    files.write("app.tar.gz", app);
    files.bundle("app.tar.gz.sigstore.json", &signed);

    let other = b"other 1.0: built by another organisation\n";
    let signed_b = instance.sign(&signer_b(SignRequest::message(other)));
    ok(check_artifact(&instance, &signed_b.bundle, other, &b()));
    files.write("other.tar.gz", other);
    files.bundle("other.tar.gz.sigstore.json", &signed_b);

    let tampered = b"tampered 1.0: its bundle's signature was changed\n";
    let mut bundle = instance.sign(&signer_a(SignRequest::message(tampered))).bundle;
    flip_signature(&mut bundle);
    files.write("tampered.tar.gz", tampered);
    files.write("tampered.tar.gz.sigstore.json", bundle.to_string().as_bytes());

    files.write("unbundled.tar.gz", b"unbundled 1.0: nobody signed it\n");

    // An SLSA provenance attestation (DSSE, in-toto) about the artifact, by A.
    let built = b"provenance 1.0: attested by its build\n";
    let attested = instance.sign(&signer_a(SignRequest::in_toto("provenance.tar.gz", built)));
    ok(check_artifact(&instance, &attested.bundle, built, &a()));
    files.write("provenance.tar.gz", built);
    files.bundle("provenance.tar.gz.sigstore.json", &attested);

    // A managed key's signature, and another key that did not sign it.
    let tool = b"tool 1.0: signed with a managed key\n";
    let keyed = instance.sign(&SignRequest::message(tool).with_managed_key());
    files.write("keyed.bin", tool);
    files.bundle("keyed.bin.sigstore.json", &keyed);
    let stranger = instance.sign(&SignRequest::message(tool).with_managed_key().with_key(LeafKey::P384));

    // Two signers, one bundle each, at the two default locations.
    let two = b"two 1.0: signed by A and by B\n";
    files.write("two.tar.gz", two);
    files.bundle("two.tar.gz.sigstore.json", &instance.sign(&signer_a(SignRequest::message(two))));
    files.bundle("two.tar.gz.sigstore", &instance.sign(&signer_b(SignRequest::message(two))));

    // Found only at the second default location, or only at a configured one.
    let alt = b"alt 1.0: its bundle is <path>.sigstore\n";
    files.write("alt.tar.gz", alt);
    files.bundle("alt.tar.gz.sigstore", &instance.sign(&signer_a(SignRequest::message(alt))));
    let custom = b"custom 1.0: its bundle is <path>.bundle\n";
    files.write("custom.tar.gz", custom);
    files.bundle("custom.tar.gz.bundle", &instance.sign(&signer_a(SignRequest::message(custom))));

    // Bundles for bytes other than the ones the origin serves: small (checked whole before the
    // first byte) and streamed (the download must fail). The same length, one byte differs.
    for (name, len) in [("mismatch-small.bin", 4096), ("mismatch-large.bin", STREAMED_BYTES)] {
        let signed_bytes = pattern(len);
        let mut served = signed_bytes.clone();
        served[len - 1] ^= 1;
        files.bundle(&format!("{name}.sigstore.json"), &instance.sign(&signer_a(SignRequest::message(&signed_bytes))));
        files.write(name, &served);
    }
    // The same, streamed and intact, as the control.
    let streamed = pattern(STREAMED_BYTES);
    files.write("streamed.bin", &streamed);
    files.bundle("streamed.bin.sigstore.json", &instance.sign(&signer_a(SignRequest::message(&streamed))));

    // The large artifact's bundle only: the tests' origin generates its bytes.
    let large = pattern(LARGE_BYTES as usize);
    let signed_large = instance.sign(&signer_a(SignRequest::message(&large)));
    files.bundle("large.bin.sigstore.json", &signed_large);
    files.bundle("large-tampered.bin.sigstore.json", &signed_large);

    let fixtures = json!({
        "a": { "certificateIdentity": DEFAULT_SAN, "certificateIssuer": DEFAULT_ISSUER, "repositoryId": REPOSITORY_ID, "ownerId": OWNER_ID },
        "b": { "certificateIdentity": OTHER_SAN, "certificateIssuer": DEFAULT_ISSUER },
        "managedKey": keyed.public_key_pem,
        "otherKey": stranger.public_key_pem,
        "large": { "bytes": LARGE_BYTES, "digest": format!("sha256:{}", sha256_hex(&large)) },
        "streamedBytes": STREAMED_BYTES,
    });
    std::fs::write(dir.join("fixtures.json"), serde_json::to_string_pretty(&fixtures).unwrap()).unwrap();
}

fn signer_policy(san: &str) -> sigstore_wasm::policy::SignerPolicy {
    use sigstore_wasm::policy::{CertificateIdentity, SignerPolicy, StringMatcher};
    SignerPolicy::Certificate(vec![CertificateIdentity::new(
        StringMatcher::exact(san),
        StringMatcher::exact(DEFAULT_ISSUER),
    )])
}

fn flip_signature(bundle: &mut Value) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let signature = &mut bundle["messageSignature"]["signature"];
    let mut bytes = b64.decode(signature.as_str().unwrap()).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    *signature = Value::String(b64.encode(bytes));
}
