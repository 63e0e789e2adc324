//! Certificate authorities: the Fulcio-like CA (root + intermediate), the TSA chain, and the
//! Fulcio leaf profile. Certificates are assembled field by field with [`super::der_build`].

use sha2::{Digest, Sha256};

use super::der_build::{
    bits, boolean, explicit, implicit_constructed, implicit_primitive, int, octets, oid, printable, seq, tlv, uint,
    utf8, x509_time, TAG_SEQUENCE,
};
use super::keys::KeyPair;

pub const OID_KEY_USAGE: &str = "2.5.29.15";
pub const OID_EXT_KEY_USAGE: &str = "2.5.29.37";
pub const OID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
pub const OID_SKI: &str = "2.5.29.14";
pub const OID_AKI: &str = "2.5.29.35";
pub const OID_SAN: &str = "2.5.29.17";
pub const OID_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
pub const OID_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";
pub const OID_SCT_LIST: &str = "1.3.6.1.4.1.11129.2.4.2";
/// Fulcio extension arc: `1.3.6.1.4.1.57264.1.<n>`.
pub const FULCIO_ARC: &str = "1.3.6.1.4.1.57264.1";
/// Fulcio's otherName SAN type for usernames (1.7).
pub const OID_OTHERNAME_USERNAME: &str = "1.3.6.1.4.1.57264.1.7";

/// `Name` with an organization and a common name, in that order (as Sigstore's CAs write it).
pub fn name(organization: &str, common_name: &str) -> Vec<u8> {
    let rdn = |attr: &str, value: &str| super::der_build::set_of(&[seq(&[oid(attr), printable(value)])]);
    seq(&[rdn("2.5.4.10", organization), rdn("2.5.4.3", common_name)])
}

/// One `Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }`.
pub fn extension(ext_oid: &str, critical: bool, value: &[u8]) -> Vec<u8> {
    let mut fields = vec![oid(ext_oid)];
    if critical {
        fields.push(boolean(true));
    }
    fields.push(octets(value));
    seq(&fields)
}

/// KeyUsage bits (bit 0 = digitalSignature ... bit 6 = cRLSign), DER BIT STRING with the
/// trailing zero bits declared unused.
pub fn key_usage(bit_numbers: &[u8]) -> Vec<u8> {
    let mut value: u8 = 0;
    for bit in bit_numbers {
        value |= 0x80 >> bit;
    }
    let unused = value.trailing_zeros() as u8;
    extension(OID_KEY_USAGE, true, &tlv(0x03, &[unused, value]))
}

pub const KU_DIGITAL_SIGNATURE: u8 = 0;
pub const KU_KEY_CERT_SIGN: u8 = 5;
pub const KU_CRL_SIGN: u8 = 6;

pub fn ext_key_usage(purposes: &[&str], critical: bool) -> Vec<u8> {
    let oids: Vec<Vec<u8>> = purposes.iter().map(|p| oid(p)).collect();
    extension(OID_EXT_KEY_USAGE, critical, &seq(&oids))
}

pub fn basic_constraints_ca(path_len: Option<u64>) -> Vec<u8> {
    let mut fields = vec![boolean(true)];
    fields.extend(path_len.map(int));
    extension(OID_BASIC_CONSTRAINTS, true, &seq(&fields))
}

/// Key identifier: first 20 bytes of SHA-256 over the SPKI (RFC 7093 §2 method 1 style).
pub fn key_id(spki: &[u8]) -> Vec<u8> {
    Sha256::digest(spki)[..20].to_vec()
}

pub fn subject_key_id(key_id: &[u8]) -> Vec<u8> {
    extension(OID_SKI, false, &octets(key_id))
}

pub fn authority_key_id(key_id: &[u8]) -> Vec<u8> {
    extension(OID_AKI, false, &seq(&[implicit_primitive(0, key_id)]))
}

/// Identity carried in the leaf's SubjectAltName.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum San {
    /// `uniformResourceIdentifier` [6] (workload identities).
    Uri(String),
    /// `rfc822Name` [1].
    Email(String),
    /// `otherName` [0] with Fulcio's username type 1.3.6.1.4.1.57264.1.7.
    Username(String),
}

pub fn subject_alt_name(san: &San) -> Vec<u8> {
    let general_name = match san {
        San::Uri(uri) => implicit_primitive(6, uri.as_bytes()),
        San::Email(email) => implicit_primitive(1, email.as_bytes()),
        San::Username(user) => {
            implicit_constructed(0, &[oid(OID_OTHERNAME_USERNAME), explicit(0, &utf8(user))].concat())
        }
    };
    extension(OID_SAN, true, &seq(&[general_name]))
}

/// Fulcio extension `1.3.6.1.4.1.57264.1.<n>`: 1.1-1.6 carry the raw string bytes, 1.8 and up a
/// DER UTF8String (Fulcio `docs/oid-info.md`).
pub fn fulcio_extension(n: u32, value: &str) -> Vec<u8> {
    assert!(n != 7, "1.7 lives inside the SAN (San::Username)");
    let ext_oid = format!("{FULCIO_ARC}.{n}");
    if n <= 6 {
        extension(&ext_oid, false, value.as_bytes())
    } else {
        extension(&ext_oid, false, &utf8(value))
    }
}

/// Everything in a TBSCertificate except the signature algorithm, which follows the issuer key.
#[derive(Clone, Debug)]
pub struct CertTemplate {
    pub serial: Vec<u8>,
    pub issuer: Vec<u8>,
    pub subject: Vec<u8>,
    pub not_before: i64,
    pub not_after: i64,
    pub spki: Vec<u8>,
    pub extensions: Vec<Vec<u8>>,
}

impl CertTemplate {
    /// DER TBSCertificate (v3).
    pub fn tbs(&self, signature_algorithm: &[u8]) -> Vec<u8> {
        seq(&[
            explicit(0, &int(2)),
            uint(&self.serial),
            signature_algorithm.to_vec(),
            self.issuer.clone(),
            seq(&[x509_time(self.not_before), x509_time(self.not_after)]),
            self.subject.clone(),
            self.spki.clone(),
            explicit(3, &seq(&self.extensions)),
        ])
    }
}

/// Signs a TBSCertificate: `Certificate ::= SEQUENCE { tbs, signatureAlgorithm, signature }`.
pub fn sign_tbs(tbs: &[u8], issuer_key: &KeyPair) -> Vec<u8> {
    let signature = issuer_key.sign(tbs);
    seq(&[tbs.to_vec(), issuer_key.x509_signature_algorithm(), bits(&signature)])
}

/// A deterministic positive 20-byte serial number.
pub fn serial(label: &str) -> Vec<u8> {
    let mut bytes = Sha256::digest(label.as_bytes())[..20].to_vec();
    bytes[0] &= 0x7F;
    bytes[0] |= 0x01; // keep it exactly 20 bytes long
    bytes
}

/// A certificate together with its key: anything that can issue certificates or sign.
#[derive(Clone)]
pub struct Authority {
    pub key: KeyPair,
    pub cert_der: Vec<u8>,
    pub subject: Vec<u8>,
    pub serial: Vec<u8>,
    pub key_id: Vec<u8>,
    pub not_before: i64,
    pub not_after: i64,
}

/// Parameters of one CA/TSA certificate.
pub struct AuthoritySpec<'a> {
    pub label: &'a str,
    pub organization: &'a str,
    pub common_name: &'a str,
    pub validity: (i64, i64),
    /// Extensions that come before SKI/AKI (KU, EKU, basicConstraints ...).
    pub extensions: Vec<Vec<u8>>,
}

impl Authority {
    /// Self-signed certificate.
    pub fn self_signed(key: KeyPair, spec: AuthoritySpec<'_>) -> Authority {
        Self::issue(key, spec, None)
    }

    /// Certificate for `key` signed by `issuer` (or self-signed when `issuer` is None). SKI is
    /// always present, AKI whenever there is an issuer distinct from the subject.
    pub fn issue(key: KeyPair, spec: AuthoritySpec<'_>, issuer: Option<&Authority>) -> Authority {
        let spki = key.spki_der();
        let key_id = key_id(&spki);
        let subject = name(spec.organization, spec.common_name);
        let mut extensions = spec.extensions;
        extensions.push(subject_key_id(&key_id));
        let (issuer_name, signer, issuer_key_id) = match issuer {
            Some(ca) => (ca.subject.clone(), &ca.key, ca.key_id.clone()),
            None => (subject.clone(), &key, key_id.clone()),
        };
        extensions.push(authority_key_id(&issuer_key_id));
        let template = CertTemplate {
            serial: serial(spec.label),
            issuer: issuer_name,
            subject: subject.clone(),
            not_before: spec.validity.0,
            not_after: spec.validity.1,
            spki,
            extensions,
        };
        let cert_der = sign_tbs(&template.tbs(&signer.x509_signature_algorithm()), signer);
        Authority {
            key,
            cert_der,
            subject,
            serial: template.serial,
            key_id,
            not_before: spec.validity.0,
            not_after: spec.validity.1,
        }
    }

    pub fn spki_der(&self) -> Vec<u8> {
        self.key.spki_der()
    }
}

/// What goes into a Fulcio-style leaf, besides its key and the SCT.
#[derive(Clone, Debug)]
pub struct LeafProfile {
    pub san: San,
    pub issuer: String,
    /// Extra Fulcio extensions `(n, value)` for `1.3.6.1.4.1.57264.1.n`.
    pub extensions: Vec<(u32, String)>,
    pub not_before: i64,
    pub not_after: i64,
}

/// Fulcio leaf template in Fulcio's extension order: KU (critical), EKU codeSigning, SKI, AKI,
/// SAN (critical), Fulcio OIDs (1.1, then 1.2..., 1.8, ... by number). The SCT list extension, if
/// any, is appended last by the caller, which is what makes `tbs` without it the precert TBS.
pub fn fulcio_leaf_template(
    profile: &LeafProfile,
    leaf_spki: &[u8],
    intermediate: &Authority,
    label: &str,
) -> CertTemplate {
    let mut fulcio: Vec<(u32, &str)> = vec![(1, profile.issuer.as_str()), (8, profile.issuer.as_str())];
    fulcio.extend(profile.extensions.iter().map(|(n, v)| (*n, v.as_str())));
    fulcio.sort_by_key(|(n, _)| *n);

    let mut extensions = vec![
        key_usage(&[KU_DIGITAL_SIGNATURE]),
        ext_key_usage(&[OID_CODE_SIGNING], false),
        subject_key_id(&key_id(leaf_spki)),
        authority_key_id(&intermediate.key_id),
        subject_alt_name(&profile.san),
    ];
    extensions.extend(fulcio.into_iter().map(|(n, v)| fulcio_extension(n, v)));
    CertTemplate {
        serial: serial(label),
        issuer: intermediate.subject.clone(),
        subject: tlv(TAG_SEQUENCE, &[]), // Fulcio leaves have an empty subject
        not_before: profile.not_before,
        not_after: profile.not_after,
        spki: leaf_spki.to_vec(),
        extensions,
    }
}
