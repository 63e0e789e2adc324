//! A parsed X.509 certificate with the fields verification needs, its raw bytes kept where
//! signatures are computed over them.

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName,
    SubjectKeyIdentifier,
};

use crate::asn1::{self, tag};
use crate::crypto::{HashAlgorithm, PublicKey, SignatureScheme};
use crate::error::{fail, ErrorCode, Result};
use crate::time::{TimeRange, Timestamp};

pub(crate) mod oid {
    use const_oid::ObjectIdentifier;
    pub const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
    pub const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
    pub const EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
    pub const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
    pub const SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
    pub const AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
    pub const SCT_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");
    pub const KP_CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
    pub const KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
    /// The Fulcio arc 1.3.6.1.4.1.57264.1; its children are the identity claims.
    pub const FULCIO_ARC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1");
    pub const FULCIO_USERNAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.7");
}

/// A subject alternative name of a kind Sigstore issues.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum San {
    /// An rfc822Name: an email address the OIDC issuer vouched for.
    Email(String),
    /// A uniformResourceIdentifier: a workload's identity, such as a CI workflow's URL.
    Uri(String),
    /// Fulcio's username identity (otherName 1.3.6.1.4.1.57264.1.7).
    Username(String),
}

impl San {
    /// The name itself, whatever its kind.
    pub fn value(&self) -> &str {
        match self {
            Self::Email(v) | Self::Uri(v) | Self::Username(v) => v,
        }
    }
}

/// One certificate extension, undecoded.
#[derive(Clone, Debug)]
pub struct RawExtension {
    /// The `extnID`.
    pub oid: ObjectIdentifier,
    /// Whether a verifier that does not understand the extension must refuse the certificate.
    pub critical: bool,
    /// The contents of the `extnValue` OCTET STRING: for most extensions, DER.
    pub value: Vec<u8>,
}

/// An X.509 certificate (RFC 5280), parsed, with its DER kept for the signatures and digests
/// computed over it.
#[derive(Clone, Debug)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: core::ops::Range<usize>,
    signature_algorithm: ObjectIdentifier,
    signature: Vec<u8>,
    pub(crate) version3: bool,
    pub(crate) serial: Vec<u8>,
    pub(crate) issuer: Vec<u8>,
    pub(crate) subject: Vec<u8>,
    pub(crate) validity: TimeRange,
    public_key: PublicKey,
    pub(crate) is_ca: bool,
    pub(crate) path_len: Option<u8>,
    pub(crate) key_usage: Option<KeyUsage>,
    pub(crate) ext_key_usage: Option<Vec<ObjectIdentifier>>,
    pub(crate) subject_key_id: Option<Vec<u8>>,
    pub(crate) authority_key_id: Option<Vec<u8>>,
    pub(crate) sans: Vec<San>,
    pub(crate) extensions: Vec<RawExtension>,
    /// Critical extensions this verifier does not process; such a certificate must be refused.
    pub(crate) unhandled_critical: Vec<ObjectIdentifier>,
}

impl Certificate {
    /// Parses a DER certificate. Its signature, validity and profile are not checked here.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        parse(der).map_err(|e| crate::error::VerificationError::new(e.code, format!("certificate: {}", e.message)))
    }

    /// Parses a certificate from text holding exactly one PEM block labelled `CERTIFICATE`.
    pub fn from_pem(pem: &str) -> Result<Self> {
        match crate::encoding::decode_pem(pem, "CERTIFICATE") {
            Some(der) => Self::from_der(&der),
            None => fail(ErrorCode::InvalidInput, "expected exactly one PEM block labelled CERTIFICATE"),
        }
    }

    /// The whole certificate's DER, as parsed.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The DER `TBSCertificate`, exactly as signed.
    pub fn tbs_der(&self) -> &[u8] {
        self.der.get(self.tbs.clone()).unwrap_or_default()
    }

    /// The issuer's signature over [`tbs_der`](Self::tbs_der), as the BIT STRING holds it.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The subject's public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The first moment of the validity period.
    pub fn not_before(&self) -> Timestamp {
        self.validity.start
    }

    /// The last moment of the validity period (included).
    pub fn not_after(&self) -> Timestamp {
        // Every parsed certificate has an end; `start` is a safe stand-in that cannot be reached.
        self.validity.end.unwrap_or(self.validity.start)
    }

    /// Whether `t` falls within the validity period, both ends included.
    pub fn is_valid_at(&self, t: Timestamp) -> bool {
        self.validity.contains(t)
    }

    /// The subject alternative names of the kinds Sigstore issues, in certificate order; names of
    /// other kinds are left out.
    pub fn subject_alt_names(&self) -> &[San] {
        &self.sans
    }

    /// Every extension, in certificate order.
    pub fn extensions(&self) -> &[RawExtension] {
        &self.extensions
    }

    /// The extension `oid`, if present (parsing refuses duplicates, so there is at most one).
    pub fn extension(&self, oid: &ObjectIdentifier) -> Option<&RawExtension> {
        self.extensions.iter().find(|e| &e.oid == oid)
    }

    /// Whether the certificate has an extended key usage extension that lists `usage`.
    pub fn has_eku(&self, usage: &ObjectIdentifier) -> bool {
        self.ext_key_usage.as_ref().is_some_and(|ekus| ekus.contains(usage))
    }

    /// Whether the certificate has a key usage extension with `digitalSignature` set.
    pub fn allows_digital_signature(&self) -> bool {
        self.key_usage.is_some_and(|ku| ku.0.contains(KeyUsages::DigitalSignature))
    }

    /// Whether the certificate has a key usage extension with `keyCertSign` set.
    pub fn allows_cert_sign(&self) -> bool {
        self.key_usage.is_some_and(|ku| ku.0.contains(KeyUsages::KeyCertSign))
    }

    /// The scheme of the signature this certificate carries (made by its issuer).
    pub fn signature_scheme(&self) -> Result<SignatureScheme> {
        signature_scheme(&self.signature_algorithm)
    }

    /// Whether `issuer` names and identifies the key that should have signed this certificate
    /// (the signature itself is checked separately).
    pub fn names_issuer(&self, issuer: &Certificate) -> bool {
        if self.issuer != issuer.subject {
            return false;
        }
        match (&self.authority_key_id, &issuer.subject_key_id) {
            (Some(aki), Some(ski)) => aki == ski,
            _ => true,
        }
    }
}

/// Maps a signature AlgorithmIdentifier OID of a certificate or CMS signature to a scheme.
pub(crate) fn signature_scheme(oid: &ObjectIdentifier) -> Result<SignatureScheme> {
    use HashAlgorithm::*;
    let scheme = match oid.to_string().as_str() {
        "1.2.840.10045.4.3.2" => SignatureScheme::Ecdsa(Sha256),
        "1.2.840.10045.4.3.3" => SignatureScheme::Ecdsa(Sha384),
        "1.2.840.10045.4.3.4" => SignatureScheme::Ecdsa(Sha512),
        "1.3.101.112" => SignatureScheme::Ed25519,
        "1.2.840.113549.1.1.11" => SignatureScheme::RsaPkcs1v15(Sha256),
        "1.2.840.113549.1.1.12" => SignatureScheme::RsaPkcs1v15(Sha384),
        "1.2.840.113549.1.1.13" => SignatureScheme::RsaPkcs1v15(Sha512),
        other => return fail(ErrorCode::UnsupportedAlgorithm, format!("unsupported signature algorithm {other}")),
    };
    Ok(scheme)
}

fn parse(der: &[u8]) -> Result<Certificate> {
    let malformed = |what: &dyn core::fmt::Display| {
        crate::error::VerificationError::new(ErrorCode::InvalidInput, format!("malformed: {what}"))
    };
    // The raw TBS bytes are taken from the input, not re-encoded, because they are what was signed.
    let outer = asn1::parse_single(der, tag::SEQUENCE).map_err(|e| malformed(&e))?;
    let tbs_tlv = outer.reader().expect(tag::SEQUENCE).map_err(|e| malformed(&e))?;
    let tbs_start = tbs_tlv.raw.as_ptr() as usize - der.as_ptr() as usize;
    let tbs = tbs_start..tbs_start + tbs_tlv.raw.len();

    let cert = x509_cert::Certificate::from_der(der).map_err(|e| malformed(&e))?;
    let tbs_cert = &cert.tbs_certificate;
    if tbs_cert.signature != cert.signature_algorithm {
        return fail(ErrorCode::InvalidInput, "inner and outer signature algorithms differ");
    }
    let Some(signature) = cert.signature.as_bytes() else {
        return fail(ErrorCode::InvalidInput, "signature bit string has unused bits");
    };
    let spki = tbs_cert.subject_public_key_info.to_der().map_err(|e| malformed(&e))?;
    let validity = TimeRange {
        start: Timestamp::from_der_datetime(&tbs_cert.validity.not_before.to_date_time()),
        end: Some(Timestamp::from_der_datetime(&tbs_cert.validity.not_after.to_date_time())),
    };
    let mut out = Certificate {
        der: der.to_vec(),
        tbs,
        signature_algorithm: cert.signature_algorithm.oid,
        signature: signature.to_vec(),
        version3: tbs_cert.version == x509_cert::Version::V3,
        serial: asn1::unsigned_integer(tbs_cert.serial_number.as_bytes()).to_vec(),
        issuer: tbs_cert.issuer.to_der().map_err(|e| malformed(&e))?,
        subject: tbs_cert.subject.to_der().map_err(|e| malformed(&e))?,
        validity,
        public_key: PublicKey::from_spki_der(&spki)?,
        is_ca: false,
        path_len: None,
        key_usage: None,
        ext_key_usage: None,
        subject_key_id: None,
        authority_key_id: None,
        sans: Vec::new(),
        extensions: Vec::new(),
        unhandled_critical: Vec::new(),
    };
    for ext in tbs_cert.extensions.iter().flatten() {
        if out.extensions.iter().any(|seen| seen.oid == ext.extn_id) {
            return fail(ErrorCode::InvalidInput, format!("duplicate extension {}", ext.extn_id));
        }
        let value = ext.extn_value.as_bytes();
        let handled = apply_extension(&mut out, &ext.extn_id, value).map_err(|e| malformed(&e))?;
        if ext.critical && !handled {
            out.unhandled_critical.push(ext.extn_id);
        }
        out.extensions.push(RawExtension { oid: ext.extn_id, critical: ext.critical, value: value.to_vec() });
    }
    Ok(out)
}

/// Decodes the extensions verification relies on; returns whether the extension is understood.
fn apply_extension(cert: &mut Certificate, id: &ObjectIdentifier, value: &[u8]) -> der::Result<bool> {
    match *id {
        oid::BASIC_CONSTRAINTS => {
            let bc = BasicConstraints::from_der(value)?;
            cert.is_ca = bc.ca;
            cert.path_len = bc.path_len_constraint;
        }
        oid::KEY_USAGE => cert.key_usage = Some(KeyUsage::from_der(value)?),
        oid::EXT_KEY_USAGE => cert.ext_key_usage = Some(ExtendedKeyUsage::from_der(value)?.0),
        oid::SUBJECT_KEY_ID => cert.subject_key_id = Some(SubjectKeyIdentifier::from_der(value)?.0.as_bytes().to_vec()),
        oid::AUTHORITY_KEY_ID => {
            let aki = AuthorityKeyIdentifier::from_der(value)?;
            cert.authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
        }
        oid::SUBJECT_ALT_NAME => cert.sans = parse_sans(value)?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn parse_sans(value: &[u8]) -> der::Result<Vec<San>> {
    let names = SubjectAltName::from_der(value)?.0;
    let mut sans = Vec::new();
    for name in names {
        match name {
            GeneralName::Rfc822Name(email) => sans.push(San::Email(email.to_string())),
            GeneralName::UniformResourceIdentifier(uri) => sans.push(San::Uri(uri.to_string())),
            GeneralName::OtherName(other) if other.type_id == oid::FULCIO_USERNAME => {
                let name = other.value.decode_as::<der::asn1::Utf8StringRef<'_>>()?;
                sans.push(San::Username(name.as_str().to_owned()));
            }
            // Other name forms carry no Sigstore identity; the policy can never match them.
            _ => {}
        }
    }
    Ok(sans)
}
