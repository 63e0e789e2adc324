//! A certificate transparency log that issues embedded SCTs (RFC 6962 §3.2-3.3).

use sha2::{Digest, Sha256};

use super::ca::{extension, OID_SCT_LIST};
use super::der_build::octets;
use super::keys::{KeyPair, LeafKey};

pub struct CtLog {
    pub key: KeyPair,
    /// SHA-256 of the DER SPKI; also the trusted root's `logId.keyId`.
    pub log_id: [u8; 32],
}

/// TLS `digitally-signed` codes (RFC 5246 §7.4.1.4.1).
const HASH_SHA256: u8 = 4;
const SIG_ECDSA: u8 = 3;

impl CtLog {
    pub fn new(seed: u64) -> CtLog {
        let key = KeyPair::generate(LeafKey::P256, seed, "ct-log");
        let log_id = Sha256::digest(key.spki_der()).into();
        CtLog { key, log_id }
    }

    /// Serialized v1 SCT over a precertificate entry.
    ///
    /// `precert_tbs` is the leaf TBSCertificate without the SCT list extension, `issuer_spki` the
    /// DER SPKI of the certificate that issues the leaf, `extensions` the SCT's CtExtensions
    /// (empty for classic logs, a `leaf_index` for Static CT logs).
    pub fn sct(&self, precert_tbs: &[u8], issuer_spki: &[u8], timestamp_ms: u64, extensions: &[u8]) -> Vec<u8> {
        let signed = precert_signed_data(precert_tbs, issuer_spki, timestamp_ms, extensions);
        let signature = self.key.sign(&signed);

        let mut sct = vec![0u8]; // v1
        sct.extend_from_slice(&self.log_id);
        sct.extend_from_slice(&timestamp_ms.to_be_bytes());
        push_u16_prefixed(&mut sct, extensions);
        sct.extend_from_slice(&[HASH_SHA256, SIG_ECDSA]);
        push_u16_prefixed(&mut sct, &signature);
        sct
    }
}

/// The bytes a CT log signs for a precert entry (RFC 6962 §3.2 `digitally-signed struct`).
pub fn precert_signed_data(precert_tbs: &[u8], issuer_spki: &[u8], timestamp_ms: u64, extensions: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8, 0u8]; // sct_version v1, signature_type certificate_timestamp
    out.extend_from_slice(&timestamp_ms.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes()); // entry_type precert_entry
    out.extend_from_slice(&Sha256::digest(issuer_spki));
    let tbs_len = u32::try_from(precert_tbs.len()).expect("tbs length");
    out.extend_from_slice(&tbs_len.to_be_bytes()[1..]); // uint24
    out.extend_from_slice(precert_tbs);
    push_u16_prefixed(&mut out, extensions);
    out
}

/// Static CT `leaf_index` CtExtension: type 0, u16 length 5, u40 index (C2SP static-ct-api).
pub fn leaf_index_extension(index: u64) -> Vec<u8> {
    assert!(index < (1 << 40), "leaf_index is 40 bits");
    let mut out = vec![0u8, 0, 5];
    out.extend_from_slice(&index.to_be_bytes()[3..]);
    out
}

/// X.509 extension 1.3.6.1.4.1.11129.2.4.2: extnValue = OCTET STRING(SignedCertificateTimestampList).
pub fn sct_list_extension(scts: &[Vec<u8>]) -> Vec<u8> {
    let mut list = Vec::new();
    for sct in scts {
        push_u16_prefixed(&mut list, sct);
    }
    let mut tls = Vec::new();
    push_u16_prefixed(&mut tls, &list);
    extension(OID_SCT_LIST, false, &octets(&tls))
}

fn push_u16_prefixed(out: &mut Vec<u8>, data: &[u8]) {
    let len = u16::try_from(data.len()).expect("TLS vector too long");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(data);
}
