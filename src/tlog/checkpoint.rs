//! Checkpoints: signed notes (C2SP `signed-note`, `tlog-checkpoint`) in which a transparency log
//! commits to a tree size and root hash.
//!
//! Rekor v1 and Rekor v2 (rekor-tiles) both write them, with two differences handled here: the
//! key ID that selects the log's signature line (`log_key_id`) and the origin line
//! (`check_origin`). Everything else follows C2SP: the text is trusted only once a signature by
//! the log verifies, other signers' lines (witness cosignatures) are ignored, and any malformed
//! line rejects the whole note.

use sha2::{Digest, Sha256};

use crate::crypto::{KeyAlgorithm, Message, SignatureBackend, SignatureCheck};
use crate::encoding::{decode_base64_standard, encode_hex};
use crate::error::{fail, ErrorCode, Result, VerificationError};
use crate::limits::{at_most, MAX_CHECKPOINT_BYTES, MAX_CHECKPOINT_SIGNATURES, MAX_LOG_SIGNATURE_LINES};
use crate::trust::TransparencyLog;

/// Every signature line starts with an em dash (U+2014) and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// The body of a verified checkpoint. Extension lines (Rekor v1's `Timestamp: …`, for example)
/// are signed but carry nothing verification needs, so they are not kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root_hash: [u8; 32],
}

/// Verifies a checkpoint (signed note) of `log` and returns its parsed body. `log.origin` is the
/// expected key name (host\[:port\] of base_url).
///
/// The origin line must equal `log.origin` (C2SP). Rekor v1 signs under the host name but writes
/// `<host> - <tree ID>` as the origin (one tree per shard), so for logs with a non-Ed25519 key that
/// form is accepted too; Ed25519 keys are only used by C2SP logs (Rekor v2), which get no such
/// leeway.
pub fn verify_checkpoint(envelope: &str, log: &TransparencyLog, backend: &dyn SignatureBackend) -> Result<Checkpoint> {
    let (text, signature_lines) = split_note(envelope)?;
    let signatures = parse_signature_lines(signature_lines)?;
    verify_log_signatures(text, &signatures, log, backend)?;
    let checkpoint = parse_body(text)?;
    check_origin(&checkpoint.origin, log)?;
    Ok(checkpoint)
}

/// One parsed signature line.
struct NoteSignature<'a> {
    name: &'a str,
    hint: [u8; 4],
    signature: Vec<u8>,
}

/// Splits a note into its text (including the text's final newline) and its signature lines
/// (without the final newline). The split is at the last blank line because the text itself may
/// contain blank lines while the signature block cannot.
fn split_note(envelope: &str) -> Result<(&str, &str)> {
    at_most(envelope.len(), MAX_CHECKPOINT_BYTES, "bytes of checkpoint")?;
    // Control characters could make the signed text read differently from what was signed
    // (a carriage return hides the rest of a line), so C2SP forbids all but the newline.
    if let Some(c) = envelope.chars().find(|&c| c < ' ' && c != '\n') {
        return fail(
            ErrorCode::Checkpoint,
            format!("checkpoint contains control character U+{:04X}; only newline is allowed", u32::from(c)),
        );
    }
    let Some(blank) = envelope.rfind("\n\n") else {
        return fail(ErrorCode::Checkpoint, "checkpoint has no blank line between its text and its signatures");
    };
    // Both ends of the blank line are ASCII, so these slices cannot fail; `get` keeps it provable.
    let (Some(text), Some(block)) = (envelope.get(..=blank), envelope.get(blank + 2..)) else {
        return fail(ErrorCode::Checkpoint, "checkpoint is not split at a character boundary");
    };
    if block.is_empty() {
        return fail(ErrorCode::Checkpoint, "checkpoint has no signature lines after its blank line");
    }
    let Some(lines) = block.strip_suffix('\n') else {
        return fail(ErrorCode::Checkpoint, "checkpoint's last signature line does not end in a newline");
    };
    Ok((text, lines))
}

fn parse_signature_lines(lines: &str) -> Result<Vec<NoteSignature<'_>>> {
    let count = lines.split('\n').count();
    at_most(count, MAX_CHECKPOINT_SIGNATURES, "checkpoint signature lines")?;
    lines.split('\n').enumerate().map(|(i, line)| parse_signature_line(i + 1, line)).collect()
}

/// Parses `— <name> <base64(hint[4] || signature)>`. Lines are numbered from 1 in messages.
fn parse_signature_line(number: usize, line: &str) -> Result<NoteSignature<'_>> {
    let Some(rest) = line.strip_prefix(SIGNATURE_PREFIX) else {
        return fail(
            ErrorCode::Checkpoint,
            format!("checkpoint signature line {number} does not start with an em dash and a space"),
        );
    };
    let Some((name, encoded)) = rest.split_once(' ') else {
        return fail(
            ErrorCode::Checkpoint,
            format!("checkpoint signature line {number} has no space between key name and signature"),
        );
    };
    if name.is_empty() || name.chars().any(char::is_whitespace) || name.contains('+') {
        return fail(
            ErrorCode::Checkpoint,
            format!("checkpoint signature line {number}: key name {name:?} is empty or contains a space or '+'"),
        );
    }
    let Some(bytes) = decode_base64_standard(encoded) else {
        return fail(
            ErrorCode::Checkpoint,
            format!("checkpoint signature line {number} ({name}): signature is not standard padded base64"),
        );
    };
    match bytes.split_first_chunk::<4>() {
        Some((hint, signature)) if !signature.is_empty() => {
            Ok(NoteSignature { name, hint: *hint, signature: signature.to_vec() })
        }
        _ => fail(
            ErrorCode::Checkpoint,
            format!(
                "checkpoint signature line {number} ({name}): {} bytes; expected a 4-byte key hint and a signature",
                bytes.len()
            ),
        ),
    }
}

/// The signature lines of the log's own key (its name and key hint): the only lines whose
/// signatures are checked. A log signs a checkpoint once, so more than
/// `MAX_LOG_SIGNATURE_LINES` such lines is refused before any is checked: a forger could
/// otherwise make one checkpoint cost a hundred signature checks.
fn log_lines<'s, 'a>(
    signatures: &'s [NoteSignature<'a>],
    log: &TransparencyLog,
    hint: [u8; 4],
) -> Result<Vec<&'s NoteSignature<'a>>> {
    let lines: Vec<_> = signatures.iter().filter(|s| s.name == log.origin && s.hint == hint).collect();
    at_most(lines.len(), MAX_LOG_SIGNATURE_LINES, "checkpoint signature lines by the log's key")?;
    Ok(lines)
}

/// Applies the checkpoint limits (size, signature lines, lines of the log's key) to `envelope`
/// without checking any signature, so that a verification can refuse an oversized note before
/// it runs any cryptography. Other malformations are left to `verify_checkpoint`, which reports
/// them in their place.
pub(crate) fn check_limits(envelope: &str, log: &TransparencyLog) -> Result<()> {
    let limited = |e: VerificationError| if e.code == ErrorCode::LimitExceeded { Err(e) } else { Ok(()) };
    let (_, lines) = match split_note(envelope) {
        Ok(split) => split,
        Err(e) => return limited(e),
    };
    let signatures = match parse_signature_lines(lines) {
        Ok(signatures) => signatures,
        Err(e) => return limited(e),
    };
    match log_key_hint(log) {
        Ok(hint) => log_lines(&signatures, log, hint).map(drop),
        Err(e) => limited(e),
    }
}

/// Requires at least one signature line of the log, and that every such line verifies. Lines of
/// other signers, and lines under the log's name with another key hint (a second key, a
/// cosigner), are ignored: trusting only the log's key makes them irrelevant.
fn verify_log_signatures(
    text: &str,
    signatures: &[NoteSignature<'_>],
    log: &TransparencyLog,
    backend: &dyn SignatureBackend,
) -> Result<()> {
    let hint = log_key_hint(log)?;
    let mut verified = 0usize;
    for sig in log_lines(signatures, log, hint)? {
        if !verifies(text, &sig.signature, log, backend) {
            return fail(
                ErrorCode::Checkpoint,
                format!(
                    "checkpoint signature by {} (key hint {}) does not verify under the log's key",
                    sig.name,
                    encode_hex(&hint)
                ),
            );
        }
        verified += 1;
    }
    if verified == 0 {
        let found: Vec<String> = signatures.iter().map(|s| format!("{} ({})", s.name, encode_hex(&s.hint))).collect();
        return fail(
            ErrorCode::Checkpoint,
            format!(
                "checkpoint has no signature by {} with key hint {}; found: {}",
                log.origin,
                encode_hex(&hint),
                found.join(", ")
            ),
        );
    }
    Ok(())
}

/// Signed notes are signed over the full text, so the key's envelope schemes apply: pure Ed25519,
/// or ECDSA over the text hashed with the key's hash (SHA-256 for P-256).
fn verifies(text: &str, signature: &[u8], log: &TransparencyLog, backend: &dyn SignatureBackend) -> bool {
    log.key.envelope_schemes().iter().any(|&scheme| {
        backend.verify(&SignatureCheck { key: &log.key, scheme, message: Message::Raw(text.as_bytes()), signature })
    })
}

/// The first four bytes of the log's key ID, which its signature lines carry as a hint.
fn log_key_hint(log: &TransparencyLog) -> Result<[u8; 4]> {
    // A trusted root may state the checkpoint key ID outright (protobuf-specs
    // `checkpoint_key_id`); otherwise it follows from the key.
    let id = match &log.checkpoint_key_id {
        Some(id) => id.clone(),
        None => log_key_id(log)?.to_vec(),
    };
    match id.first_chunk::<4>() {
        Some(hint) => Ok(*hint),
        None => fail(
            ErrorCode::Checkpoint,
            format!("log {}: checkpoint key ID is {} bytes; expected at least 4", log.origin, id.len()),
        ),
    }
}

/// The signed-note key ID of a log's key. ECDSA and RSA keys (Rekor v1, and C2SP type 0x02 for
/// ECDSA) use SHA-256 of the DER SubjectPublicKeyInfo, which is also the Rekor v1 log ID. Ed25519
/// keys (C2SP type 0x01, Rekor v2) use `SHA-256(name || "\n" || 0x01 || raw key)`, which binds
/// the key to the log's name and is the Rekor v2 log ID.
fn log_key_id(log: &TransparencyLog) -> Result<[u8; 32]> {
    if log.key.algorithm() != KeyAlgorithm::Ed25519 {
        return Ok(log.key.key_id());
    }
    // An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte header followed by the raw key.
    let Some(raw) = log.key.spki_der().last_chunk::<32>() else {
        return fail(ErrorCode::Checkpoint, format!("log {}: Ed25519 key is shorter than 32 bytes", log.origin));
    };
    Ok(Sha256::new()
        .chain_update(log.origin.as_bytes())
        .chain_update([b'\n', 0x01])
        .chain_update(raw)
        .finalize()
        .into())
}

/// Parses the verified text: origin, tree size, root hash, then extension lines (ignored).
fn parse_body(text: &str) -> Result<Checkpoint> {
    // The text ends in the newline that preceded the blank line.
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut lines = body.splitn(4, '\n');
    let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next()) else {
        return fail(
            ErrorCode::Checkpoint,
            format!("checkpoint text has {} lines; expected origin, tree size and root hash", body.split('\n').count()),
        );
    };
    if origin.is_empty() {
        return fail(ErrorCode::Checkpoint, "checkpoint origin line is empty");
    }
    Ok(Checkpoint { origin: origin.to_owned(), size: parse_size(size)?, root_hash: parse_root(root)? })
}

/// A tree size in canonical decimal: digits only (no sign, no spaces), no leading zeros.
fn parse_size(line: &str) -> Result<u64> {
    let canonical =
        !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) && (line == "0" || !line.starts_with('0'));
    match line.parse::<u64>() {
        Ok(size) if canonical => Ok(size),
        _ => fail(
            ErrorCode::Checkpoint,
            format!("checkpoint tree size {line:?} is not a decimal number below 2^64 without sign or leading zeros"),
        ),
    }
}

fn parse_root(line: &str) -> Result<[u8; 32]> {
    let Some(bytes) = decode_base64_standard(line) else {
        return fail(ErrorCode::Checkpoint, format!("checkpoint root hash {line:?} is not standard padded base64"));
    };
    match <[u8; 32]>::try_from(bytes.as_slice()) {
        Ok(root) => Ok(root),
        Err(_) => fail(ErrorCode::Checkpoint, format!("checkpoint root hash is {} bytes; expected 32", bytes.len())),
    }
}

fn check_origin(origin: &str, log: &TransparencyLog) -> Result<()> {
    if origin == log.origin || (log.key.algorithm() != KeyAlgorithm::Ed25519 && is_rekor_v1_origin(origin, &log.origin))
    {
        return Ok(());
    }
    let expected = match log.key.algorithm() {
        KeyAlgorithm::Ed25519 => format!("{:?}", log.origin),
        _ => format!("{:?} or \"{} - <tree ID>\"", log.origin, log.origin),
    };
    fail(ErrorCode::Checkpoint, format!("checkpoint origin {origin:?} is not this log's: expected {expected}"))
}

/// `<host> - <tree ID>`: Rekor v1 names each shard's tree by its decimal Trillian tree ID.
fn is_rekor_v1_origin(origin: &str, name: &str) -> bool {
    origin
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix(" - "))
        .is_some_and(|tree| !tree.is_empty() && tree.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{PublicKey, RustCrypto};
    use crate::encoding::encode_base64;
    use crate::trust::TrustedRoot;

    const REKOR2_ROOT: &str =
        include_str!("../../tests/data/conformance/bundle-verify/rekor2-happy-path/trusted_root.json");

    macro_rules! fixture {
        ($case:literal) => {
            (
                $case,
                include_str!(concat!("../../tests/data/conformance/bundle-verify/", $case, "/bundle.sigstore.json")),
            )
        };
    }

    const V1_PASS: [(&str, &str); 2] = [fixture!("happy-path-v0.1"), fixture!("happy-path-v0.3")];
    const V2_PASS: [(&str, &str); 5] = [
        fixture!("rekor2-happy-path"),
        fixture!("rekor2-checkpoint-cosigned"),
        fixture!("rekor2-checkpoint-multiple-cosigs"),
        fixture!("rekor2-checkpoint-origin-not-first"),
        fixture!("rekor2-checkpoint-two-sigs-cosigned"),
    ];
    /// Failing cases, with the part of the message that says why.
    const V2_FAIL: [((&str, &str), &str); 4] = [
        (fixture!("rekor2-checkpoint-missing-log-signature_fail"), "no signature lines"),
        (fixture!("rekor2-checkpoint-missing-origin_fail"), "does not verify"),
        (fixture!("rekor2-checkpoint-missing-size_fail"), "does not verify"),
        (fixture!("rekor2-checkpoint-no-matching-signature_fail"), "no signature by log2025-alpha1.rekor.sigstage.dev"),
    ];
    const V1_FAIL: (&str, &str) = fixture!("invalid-checkpoint-signature_fail");
    /// The witness cosignature of `rekor2-checkpoint-cosigned`: another signer's line to ignore.
    const WITNESS: &str = "\u{2014} witness.example O8PH5AAAAABopO8+4O9uzScQrNEnGdKLYXSPoUjH1Se4n92W+wT/j5Kel/4J2XWE4bEe9bpIVUD6EGOeUDFkSWz/rbDhvVcJ/2OrDw==\n";

    /// The checkpoint, tree size and root hash of a bundle's first log entry.
    fn entry(bundle: &str) -> (String, u64, [u8; 32]) {
        let json: serde_json::Value = serde_json::from_str(bundle).unwrap();
        let proof = &json["verificationMaterial"]["tlogEntries"][0]["inclusionProof"];
        let envelope = proof["checkpoint"]["envelope"].as_str().unwrap().to_owned();
        let size = proof["treeSize"].as_str().unwrap().parse().unwrap();
        let root = decode_base64_standard(proof["rootHash"].as_str().unwrap()).unwrap().try_into().unwrap();
        (envelope, size, root)
    }

    fn log_of(root: &TrustedRoot, base_url: &str) -> TransparencyLog {
        root.tlogs.iter().find(|log| log.base_url == base_url).unwrap().clone()
    }

    fn v1_log() -> TransparencyLog {
        log_of(&TrustedRoot::production().unwrap(), "https://rekor.sigstore.dev")
    }

    fn v2_log() -> TransparencyLog {
        log_of(&TrustedRoot::from_json(REKOR2_ROOT).unwrap(), "https://log2025-alpha1.rekor.sigstage.dev")
    }

    fn verify(envelope: &str, log: &TransparencyLog) -> Result<Checkpoint> {
        verify_checkpoint(envelope, log, &RustCrypto)
    }

    fn rejects(envelope: &str, log: &TransparencyLog, code: ErrorCode, needle: &str) {
        let err = verify(envelope, log).unwrap_err();
        assert_eq!(err.code, code, "{err}");
        assert!(err.message.contains(needle), "expected {needle:?} in {:?}", err.message);
    }

    #[test]
    fn conformance_checkpoints_verify() {
        for (log, cases) in [(v1_log(), &V1_PASS[..]), (v2_log(), &V2_PASS[..])] {
            for (case, bundle) in cases {
                let (envelope, size, root) = entry(bundle);
                let checkpoint = verify(&envelope, &log).unwrap_or_else(|e| panic!("{case}: {e}"));
                assert_eq!((checkpoint.size, checkpoint.root_hash), (size, root), "{case}");
                assert!(checkpoint.origin.starts_with(&log.origin), "{case}");
            }
        }
    }

    #[test]
    fn rekor_v1_origin_and_timestamp_extension_line() {
        let (envelope, _, _) = entry(V1_PASS[0].1);
        assert!(envelope.contains("\nTimestamp: 1689177396617352539\n\n"), "fixture lost its extension line");
        let checkpoint = verify(&envelope, &v1_log()).unwrap();
        assert_eq!(checkpoint.origin, "rekor.sigstore.dev - 2605736670972794746");
        assert_eq!(checkpoint.size, 23083062);
    }

    #[test]
    fn conformance_failures_are_rejected() {
        let log = v2_log();
        for ((case, bundle), needle) in V2_FAIL {
            let err = verify(&entry(bundle).0, &log).unwrap_err();
            assert_eq!(err.code, ErrorCode::Checkpoint, "{case}: {err}");
            assert!(err.message.contains(needle), "{case}: expected {needle:?} in {:?}", err.message);
        }
        let (case, bundle) = V1_FAIL;
        let err = verify(&entry(bundle).0, &v1_log()).unwrap_err();
        assert_eq!(err.code, ErrorCode::Checkpoint, "{case}: {err}");
        assert!(err.message.contains("does not verify"), "{case}: {}", err.message);
    }

    #[test]
    fn a_checkpoint_is_only_good_for_its_own_log() {
        rejects(&entry(V1_PASS[1].1).0, &v2_log(), ErrorCode::Checkpoint, "no signature by log2025-alpha1");
        rejects(&entry(V2_PASS[0].1).0, &v1_log(), ErrorCode::Checkpoint, "no signature by rekor.sigstore.dev");
    }

    #[test]
    fn key_ids_match_the_trusted_roots_log_ids() {
        let roots = [
            TrustedRoot::production().unwrap(),
            TrustedRoot::staging().unwrap(),
            TrustedRoot::from_json(REKOR2_ROOT).unwrap(),
        ];
        for log in roots.iter().flat_map(|root| &root.tlogs) {
            assert_eq!(log_key_id(log).unwrap().as_slice(), log.log_id.as_slice(), "{}", log.base_url);
        }
    }

    #[test]
    fn checkpoint_key_id_of_the_trusted_root_selects_the_line() {
        let (envelope, _, _) = entry(V2_PASS[0].1);
        let mut log = v2_log();
        log.checkpoint_key_id = Some(vec![1, 2, 3, 4]);
        rejects(&envelope, &log, ErrorCode::Checkpoint, "key hint 01020304");
        log.checkpoint_key_id = Some(log.log_id.clone());
        verify(&envelope, &log).unwrap();
        log.checkpoint_key_id = Some(vec![1, 2]);
        rejects(&envelope, &log, ErrorCode::Checkpoint, "expected at least 4");
    }

    #[test]
    fn signer_names_are_compared_literally() {
        let (envelope, _, _) = entry(V1_PASS[1].1);
        for name in [
            ".*",
            "rekor.sigstore.dev|.*",
            "rekor[.]sigstore[.]dev",
            "^rekor.sigstore.dev$",
            "rekorXsigstore.dev",
            "(a|b)[\\",
        ] {
            let renamed = envelope.replace("\u{2014} rekor.sigstore.dev ", &format!("\u{2014} {name} "));
            assert_ne!(renamed, envelope);
            rejects(&renamed, &v1_log(), ErrorCode::Checkpoint, "no signature by rekor.sigstore.dev");
        }
        // A log whose own name is full of metacharacters matches only itself.
        let mut log = v1_log();
        log.origin = "rekor.sigstore.de.".into();
        rejects(&envelope, &log, ErrorCode::Checkpoint, "no signature by rekor.sigstore.de.");
    }

    #[test]
    fn malformed_signature_lines_reject_the_note() {
        let (envelope, _, _) = entry(V2_PASS[1].1);
        let log = v2_log();
        assert!(envelope.ends_with(WITNESS));
        for (bad, needle) in [
            ("- witness.example O8PH5AAAAABo\n", "does not start with an em dash"),
            ("\u{2014} witness.example\n", "no space"),
            ("\u{2014}  O8PH5AAAAABo\n", "is empty"),
            ("\u{2014} wit+ness O8PH5AAAAABo\n", "contains a space or '+'"),
            ("\u{2014} witness\u{a0}example O8PH5AAAAABo\n", "contains a space or '+'"),
            ("\u{2014} witness.example O8PH5AAAAABo=\n", "not standard padded base64"),
            ("\u{2014} witness.example O8PH5AAAAAB\n", "not standard padded base64"),
            ("\u{2014} witness.example O8PH5A==\n", "4 bytes; expected a 4-byte key hint and a signature"),
            ("\u{2014} witness.example O8PH5AAAAABo \n", "not standard padded base64"),
            (" \n", "does not start with an em dash"),
        ] {
            // A broken witness line rejects the note although the log's own line is fine.
            let broken = envelope.replace(WITNESS, bad);
            rejects(&broken, &log, ErrorCode::Checkpoint, needle);
        }
        rejects(envelope.trim_end_matches('\n'), &log, ErrorCode::Checkpoint, "does not end in a newline");
    }

    #[test]
    fn a_second_line_by_the_log_key_rejects_the_note_unchecked() {
        let (envelope, _, _) = entry(V2_PASS[0].1);
        let log = v2_log();
        let line = envelope.rsplit_once("\n\n").unwrap().1;
        let sig = decode_base64_standard(line.trim_end().rsplit_once(' ').unwrap().1).unwrap();
        let mut bad = sig.clone();
        *bad.last_mut().unwrap() ^= 1;
        let bad_line = format!("\u{2014} {} {}\n", log.origin, encode_base64(&bad));
        // A forged line beside the good one, or the good one twice: a log signs once, so the
        // note is refused before either line is checked.
        for second in [bad_line.as_str(), line] {
            let note = format!("{envelope}{second}");
            rejects(&note, &log, ErrorCode::LimitExceeded, "2 checkpoint signature lines by the log's key");
            assert_eq!(check_limits(&note, &log).unwrap_err().code, ErrorCode::LimitExceeded);
            let counted = Counted::default();
            let _ = verify_checkpoint(&note, &log, &counted);
            assert_eq!(counted.0.get(), 0, "a signature was checked");
        }
        // Alone, the forged line fails its check.
        let forged = envelope.replace(line, &bad_line);
        rejects(&forged, &log, ErrorCode::Checkpoint, "does not verify");
        check_limits(&forged, &log).unwrap();
    }

    /// Counts the checks it is asked, answering each yes.
    #[derive(Default)]
    struct Counted(std::cell::Cell<usize>);

    impl SignatureBackend for Counted {
        fn verify(&self, _: &crate::crypto::SignatureCheck<'_>) -> bool {
            self.0.set(self.0.get() + 1);
            true
        }
    }

    #[test]
    fn signature_line_count_is_limited() {
        let (envelope, _, _) = entry(V2_PASS[0].1);
        let log = v2_log();
        let at_limit = format!("{envelope}{}", WITNESS.repeat(MAX_CHECKPOINT_SIGNATURES - 1));
        verify(&at_limit, &log).unwrap();
        rejects(&format!("{at_limit}{WITNESS}"), &log, ErrorCode::LimitExceeded, "101 checkpoint signature lines");
    }

    #[test]
    fn envelope_size_is_limited() {
        let (envelope, _, _) = entry(V2_PASS[0].1);
        let padded = format!("{}{envelope}", "x".repeat(MAX_CHECKPOINT_BYTES));
        rejects(&padded, &v2_log(), ErrorCode::LimitExceeded, "the limit is 65536");
    }

    #[test]
    fn control_characters_and_missing_blank_line_are_rejected() {
        let (envelope, _, _) = entry(V1_PASS[1].1);
        let log = v1_log();
        rejects(&envelope.replace('\n', "\r\n"), &log, ErrorCode::Checkpoint, "U+000D");
        rejects(&envelope.replacen("rekor", "re\0kor", 1), &log, ErrorCode::Checkpoint, "U+0000");
        rejects(&envelope.replacen(" - ", "\t-\t", 1), &log, ErrorCode::Checkpoint, "U+0009");
        rejects(&envelope.replace("\n\n", "\n"), &log, ErrorCode::Checkpoint, "no blank line");
        rejects("", &log, ErrorCode::Checkpoint, "no blank line");
        rejects("\n\n", &log, ErrorCode::Checkpoint, "no signature lines");
        // Non-UTF-8 input cannot reach this function: the envelope is a `&str`, and the bundle
        // parser has already rejected invalid UTF-8 in the JSON.
    }

    type Signer = Box<dyn Fn(&[u8]) -> Vec<u8>>;

    /// A log with a fresh key, for notes whose text the fixtures cannot provide.
    struct TestLog {
        log: TransparencyLog,
        sign: Signer,
    }

    impl TestLog {
        fn ed25519(origin: &str) -> Self {
            use ed25519_dalek::Signer;
            use rand_chacha::rand_core::SeedableRng;
            let key = ed25519_dalek::SigningKey::generate(&mut rand_chacha::ChaCha20Rng::seed_from_u64(1));
            let mut spki = vec![0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
            spki.extend_from_slice(key.verifying_key().as_bytes());
            Self::new(origin, &spki, Box::new(move |msg: &[u8]| key.sign(msg).to_bytes().to_vec()))
        }

        fn p256(origin: &str) -> Self {
            use p256::pkcs8::EncodePublicKey;
            use rand_chacha::rand_core::SeedableRng;
            use signature::Signer;
            let key = p256::ecdsa::SigningKey::random(&mut rand_chacha::ChaCha20Rng::seed_from_u64(2));
            let spki = key.verifying_key().to_public_key_der().unwrap().as_bytes().to_vec();
            Self::new(
                origin,
                &spki,
                Box::new(move |msg: &[u8]| {
                    let sig: p256::ecdsa::DerSignature = key.sign(msg);
                    sig.as_bytes().to_vec()
                }),
            )
        }

        fn new(origin: &str, spki: &[u8], sign: Signer) -> Self {
            let mut log = v2_log();
            log.origin = origin.to_owned();
            log.base_url = format!("https://{origin}");
            log.key = PublicKey::from_spki_der(spki).unwrap();
            log.log_id = log_key_id(&log).unwrap().to_vec();
            Self { log, sign }
        }

        /// Signs `text` as the log and adds a witness line.
        fn note(&self, text: &str) -> String {
            let mut sig = self.log.log_id[..4].to_vec();
            sig.extend((self.sign)(text.as_bytes()));
            format!("{text}\n\u{2014} {} {}\n{WITNESS}", self.log.origin, encode_base64(&sig))
        }
    }

    const ROOT: &str = "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=";

    #[test]
    fn signed_text_is_parsed_strictly() {
        let t = TestLog::ed25519("log.example:8080");
        let ok = verify(&t.note(&format!("log.example:8080\n0\n{ROOT}\n")), &t.log).unwrap();
        assert_eq!((ok.origin.as_str(), ok.size), ("log.example:8080", 0));
        let ok =
            verify(&t.note(&format!("log.example:8080\n18446744073709551615\n{ROOT}\next one\n\next two\n")), &t.log)
                .unwrap();
        assert_eq!(ok.size, u64::MAX);
        for (text, needle) in [
            (format!("log.example:8080\n+5\n{ROOT}\n"), "\"+5\" is not a decimal"),
            (format!("log.example:8080\n-5\n{ROOT}\n"), "\"-5\" is not a decimal"),
            (format!("log.example:8080\n05\n{ROOT}\n"), "\"05\" is not a decimal"),
            (format!("log.example:8080\n 5\n{ROOT}\n"), "\" 5\" is not a decimal"),
            (format!("log.example:8080\n\n{ROOT}\n"), "\"\" is not a decimal"),
            (format!("log.example:8080\n18446744073709551616\n{ROOT}\n"), "below 2^64"),
            ("log.example:8080\n5\nAAAA\n".to_owned(), "root hash is 3 bytes; expected 32"),
            (
                "log.example:8080\n5\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5-eGUTDI=\n".to_owned(),
                "not standard padded base64",
            ),
            (
                "log.example:8080\n5\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI\n".to_owned(),
                "not standard padded base64",
            ),
            ("log.example:8080\n5\n".to_owned(), "has 2 lines; expected origin, tree size and root hash"),
            (format!("\n5\n{ROOT}\n"), "origin line is empty"),
            (
                format!("log.example\n5\n{ROOT}\n"),
                "origin \"log.example\" is not this log's: expected \"log.example:8080\"",
            ),
            (format!("log.example:8080 - 1\n5\n{ROOT}\n"), "is not this log's"),
        ] {
            rejects(&t.note(&text), &t.log, ErrorCode::Checkpoint, needle);
        }
    }

    #[test]
    fn ecdsa_logs_accept_rekor_v1_and_c2sp_origins() {
        let t = TestLog::p256("rekor.example");
        for origin in ["rekor.example", "rekor.example - 2605736670972794746"] {
            let checkpoint = verify(&t.note(&format!("{origin}\n7\n{ROOT}\nTimestamp: 1\n")), &t.log).unwrap();
            assert_eq!(checkpoint.origin, origin);
        }
        for origin in
            ["rekor.example - ", "rekor.example - 12x", "rekor.example-1", "rekor.example.evil - 1", "other - 1"]
        {
            rejects(
                &t.note(&format!("{origin}\n7\n{ROOT}\n")),
                &t.log,
                ErrorCode::Checkpoint,
                "or \"rekor.example - <tree ID>\"",
            );
        }
    }

    #[test]
    fn text_is_not_trusted_before_the_signature() {
        // An unsigned note with a malformed body fails on the signature, not on the body: the
        // text is never parsed before a log signature verified.
        let t = TestLog::ed25519("log.example");
        let note = t
            .note(&format!("log.example\nbogus\n{ROOT}\n"))
            .replace("\u{2014} log.example ", "\u{2014} other.example ");
        rejects(&note, &t.log, ErrorCode::Checkpoint, "no signature by log.example");
    }
}
