//! The signed entry timestamp (inclusion promise) of a Rekor v1 entry: the log's signature over
//! the entry's body, integration time, log ID and index.

use crate::bundle::TlogEntry;
use crate::crypto::{Message, SignatureBackend, SignatureCheck};
use crate::encoding::{encode_base64, encode_hex};
use crate::error::{fail, ErrorCode, Result};
use crate::time::Timestamp;
use crate::trust::TransparencyLog;

/// The RFC 8785 canonical JSON Rekor signs. The members are already in sorted order, integers
/// are plain decimals and the strings (base64, hex) need no escaping, so formatting is exact.
fn payload(entry: &TlogEntry, integrated_time: i64) -> String {
    format!(
        r#"{{"body":"{}","integratedTime":{},"logID":"{}","logIndex":{}}}"#,
        encode_base64(&entry.canonicalized_body),
        integrated_time,
        encode_hex(&entry.log_id),
        entry.log_index
    )
}

/// Verifies the entry's SET with `log`'s key, which must be valid at the integrated time.
/// Returns the integrated time, which is then a verified time.
pub fn verify_set(
    entry: &TlogEntry,
    set: &[u8],
    log: &TransparencyLog,
    backend: &dyn SignatureBackend,
) -> Result<Timestamp> {
    let Some(integrated) = entry.integrated_time else {
        return fail(ErrorCode::Set, "entry has an inclusion promise but no integratedTime");
    };
    let time = Timestamp::from_unix(integrated);
    if !log.valid_for.contains(time) {
        return fail(
            ErrorCode::Set,
            format!("integratedTime {time} is outside the validity {} of log {}'s key", log.valid_for, log.base_url),
        );
    }
    let message = payload(entry, integrated);
    let verified = log.key.envelope_schemes().iter().any(|&scheme| {
        backend.verify(&SignatureCheck {
            key: &log.key,
            scheme,
            message: Message::Raw(message.as_bytes()),
            signature: set,
        })
    });
    if !verified {
        return fail(
            ErrorCode::Set,
            format!("signed entry timestamp of log {} does not verify for entry {}", log.base_url, entry.log_index),
        );
    }
    Ok(time)
}
