//! RFC 3161 timestamps: parses a DER `TimeStampResp`, checks that its token covers the bundle's
//! signature, and finds the trusted timestamp authority that signed it.
//!
//! Everything signed is read with the strict DER reader of [`crate::asn1`], so the bytes checked
//! are exactly the bytes on the wire. The CMS signature is always verified with the trusted TSA
//! certificate's key (CVE-2025-52556: checking only an embedded chain accepts forged tokens), and
//! each authority is judged on its own chain and window, never on certificates pooled from several
//! authorities or from the token (TOB-SIGSTORE-11).

use const_oid::ObjectIdentifier;

use crate::asn1::{self, tag, Reader, Tlv};
use crate::crypto::{HashAlgorithm, Message, SignatureBackend, SignatureCheck, SignatureScheme};
use crate::encoding::encode_hex;
use crate::error::{fail, Context, ErrorCode, Result};
use crate::limits;
use crate::time::Timestamp;
use crate::trust::CertificateAuthority;
use crate::x509::certificate::{self, oid as x509_oid};
use crate::x509::chain::{self, Usage};
use crate::x509::Certificate;

const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ATTR_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ATTR_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A timestamp whose signature and authority were verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedTimestamp {
    /// The token's `genTime`.
    pub time: Timestamp,
    /// Index of the authority that signed it, into the `authorities` slice.
    pub authority: usize,
    pub authority_uri: String,
}

/// Verifies one RFC 3161 timestamp.
///
/// `response_der` is the bundle's `rfc3161Timestamps[].signedTimestamp` (a DER `TimeStampResp`:
/// status and token); `signature` is the bytes the imprint must cover (the bundle's message
/// signature or DSSE signature). The first authority that satisfies every check wins.
pub fn verify_timestamp(
    response_der: &[u8],
    signature: &[u8],
    authorities: &[CertificateAuthority],
    backend: &dyn SignatureBackend,
) -> Result<VerifiedTimestamp> {
    limits::at_most(response_der.len(), limits::MAX_TIMESTAMP_RESPONSE_BYTES, "bytes of timestamp response")?;
    let token = parse_response(response_der)?;
    check_imprint(&token.info, signature)?;
    check_message_digest(&token)?;
    let time = token.info.gen_time;
    let mut rejections = Vec::new();
    for (index, authority) in authorities.iter().enumerate() {
        match check_authority(&token, authority, backend) {
            Ok(()) => return Ok(VerifiedTimestamp { time, authority: index, authority_uri: authority.uri.clone() }),
            Err(reason) => rejections.push(format!("{}: {reason}", authority.uri)),
        }
    }
    let details = if rejections.is_empty() { String::new() } else { format!(": {}", rejections.join("; ")) };
    fail(
        ErrorCode::Timestamp,
        format!(
            "no trusted timestamp authority accepts this timestamp of {time} (tried {}){details}",
            authorities.len()
        ),
    )
}

/// The parts of a timestamp token that verification uses.
struct Token<'a> {
    /// The DER `TSTInfo`, which the `messageDigest` attribute hashes.
    tst_info_der: &'a [u8],
    info: TstInfo<'a>,
    signer: Signer<'a>,
    /// Embedded certificates that carry the signer's issuer and serial number.
    embedded_signer_certs: Vec<&'a [u8]>,
}

struct TstInfo<'a> {
    imprint_algorithm: HashAlgorithm,
    hashed_message: &'a [u8],
    gen_time: Timestamp,
}

struct Signer<'a> {
    /// DER `Name` of the signing certificate's issuer.
    issuer: &'a [u8],
    /// The signing certificate's serial number, without a sign byte (as `Certificate::serial`).
    serial: &'a [u8],
    digest_algorithm: HashAlgorithm,
    message_digest: &'a [u8],
    /// What the signature covers: the signed attributes tagged as a SET (RFC 5652 §5.4).
    signed_message: Vec<u8>,
    scheme: SignatureScheme,
    signature: &'a [u8],
}

fn malformed<T>(what: impl Into<String>) -> Result<T> {
    fail(ErrorCode::Timestamp, format!("malformed timestamp: {}", what.into()))
}

fn parse_response(der: &[u8]) -> Result<Token<'_>> {
    let response = asn1::parse_single(der, tag::SEQUENCE).context(ErrorCode::Timestamp, "malformed TimeStampResp")?;
    let mut fields = response.reader();
    let status = fields.expect(tag::SEQUENCE).context(ErrorCode::Timestamp, "malformed PKIStatusInfo")?;
    check_status(status)?;
    let Some(content_info) = fields.optional(tag::SEQUENCE).context(ErrorCode::Timestamp, "malformed TimeStampResp")?
    else {
        return malformed("the response carries no timeStampToken");
    };
    fields.finish().context(ErrorCode::Timestamp, "malformed TimeStampResp")?;
    parse_token(content_info)
}

fn check_status(status_info: Tlv<'_>) -> Result<()> {
    let status = status_info.reader().expect(tag::INTEGER).context(ErrorCode::Timestamp, "malformed PKIStatusInfo")?;
    // statusString and failInfo only explain a refusal, so a granted response needs neither.
    match status.contents {
        [0] | [1] => Ok(()),
        [n] => fail(
            ErrorCode::Timestamp,
            format!("timestamp response status is {n}: expected granted (0) or grantedWithMods (1)"),
        ),
        other => malformed(format!("status INTEGER 0x{}", encode_hex(other))),
    }
}

/// Parses the `ContentInfo` that wraps `SignedData`.
fn parse_token(content_info: Tlv<'_>) -> Result<Token<'_>> {
    let what = "malformed timestamp ContentInfo";
    let mut fields = content_info.reader();
    expect_oid(&mut fields, &SIGNED_DATA, "timestamp token content type", "signedData")?;
    let explicit = fields.expect(tag::context(0)).context(ErrorCode::Timestamp, what)?;
    fields.finish().context(ErrorCode::Timestamp, what)?;
    let signed_data = asn1::parse_single(explicit.contents, tag::SEQUENCE).context(ErrorCode::Timestamp, what)?;
    parse_signed_data(signed_data)
}

fn parse_signed_data(signed_data: Tlv<'_>) -> Result<Token<'_>> {
    let what = "malformed timestamp SignedData";
    let mut fields = signed_data.reader();
    // The version follows from the other fields, and the SET of digestAlgorithms is only a hint
    // for streaming: the SignerInfo's own digestAlgorithm is what the signature uses.
    fields.expect(tag::INTEGER).context(ErrorCode::Timestamp, what)?;
    fields.expect(tag::SET).context(ErrorCode::Timestamp, what)?;
    let encapsulated = fields.expect(tag::SEQUENCE).context(ErrorCode::Timestamp, what)?;
    let certificates = fields.optional(tag::context(0)).context(ErrorCode::Timestamp, what)?;
    // Revocation lists are not consulted (no Sigstore client does): the trusted root's validity
    // windows are the revocation mechanism.
    fields.optional(tag::context(1)).context(ErrorCode::Timestamp, what)?;
    let signer_infos = fields.expect(tag::SET).context(ErrorCode::Timestamp, what)?;
    fields.finish().context(ErrorCode::Timestamp, what)?;

    let tst_info_der = parse_encapsulated_content(encapsulated)?;
    let signer = parse_signer_infos(signer_infos)?;
    let embedded_signer_certs = embedded_signer_certificates(certificates, &signer)?;
    Ok(Token { tst_info_der, info: parse_tst_info(tst_info_der)?, signer, embedded_signer_certs })
}

/// Returns the DER `TSTInfo` inside `encapContentInfo`.
fn parse_encapsulated_content(encapsulated: Tlv<'_>) -> Result<&[u8]> {
    let what = "malformed timestamp encapContentInfo";
    let mut fields = encapsulated.reader();
    expect_oid(&mut fields, &TST_INFO, "timestamp eContentType", "id-ct-TSTInfo")?;
    let Some(explicit) = fields.optional(tag::context(0)).context(ErrorCode::Timestamp, what)? else {
        return malformed("the token has no encapsulated TSTInfo");
    };
    fields.finish().context(ErrorCode::Timestamp, what)?;
    let octets = asn1::parse_single(explicit.contents, tag::OCTET_STRING).context(ErrorCode::Timestamp, what)?;
    Ok(octets.contents)
}

fn parse_signer_infos(set: Tlv<'_>) -> Result<Signer<'_>> {
    let mut infos = set.reader();
    if infos.is_empty() {
        return malformed("the token has no SignerInfo: expected exactly one");
    }
    let info = infos.expect(tag::SEQUENCE).context(ErrorCode::Timestamp, "malformed timestamp SignerInfo")?;
    if !infos.is_empty() {
        return malformed("the token has several SignerInfos: expected exactly one");
    }
    parse_signer(info)
}

fn parse_signer(info: Tlv<'_>) -> Result<Signer<'_>> {
    let what = "malformed timestamp SignerInfo";
    let mut fields = info.reader();
    // The version only mirrors the kind of sid, which is checked directly.
    fields.expect(tag::INTEGER).context(ErrorCode::Timestamp, what)?;
    let sid = fields.read().context(ErrorCode::Timestamp, what)?;
    let (issuer, serial) = match sid.tag {
        tag::SEQUENCE => parse_issuer_and_serial(sid)?,
        t if t == tag::context_primitive(0) => {
            return fail(
                ErrorCode::Timestamp,
                "timestamp signer is identified by subject key identifier: only issuerAndSerialNumber is supported",
            )
        }
        t => return malformed(format!("SignerInfo sid has tag 0x{t:02x}: expected issuerAndSerialNumber")),
    };
    let digest_algorithm = hash_algorithm(&read_algorithm(&mut fields, "SignerInfo digestAlgorithm")?)?;
    let Some(signed_attrs) = fields.optional(tag::context(0)).context(ErrorCode::Timestamp, what)? else {
        return malformed("SignerInfo has no signed attributes (required for TSTInfo content)");
    };
    let signature_algorithm = read_algorithm(&mut fields, "SignerInfo signatureAlgorithm")?;
    let signature = fields.expect(tag::OCTET_STRING).context(ErrorCode::Timestamp, what)?;
    // Unsigned attributes are not covered by the signature, so nothing may be drawn from them.
    fields.optional(tag::context(1)).context(ErrorCode::Timestamp, what)?;
    fields.finish().context(ErrorCode::Timestamp, what)?;

    Ok(Signer {
        issuer,
        serial,
        digest_algorithm,
        message_digest: parse_signed_attributes(signed_attrs)?,
        // What was signed is the attributes' DER encoding as a SET (RFC 5652 §5.4): the same
        // bytes with the [0] tag replaced (DER has one length encoding, which the reader required).
        signed_message: retagged(signed_attrs.raw, tag::SET),
        scheme: signature_scheme(&signature_algorithm, digest_algorithm)?,
        signature: signature.contents,
    })
}

/// An element's bytes under another single-byte tag.
fn retagged(raw: &[u8], tag: u8) -> Vec<u8> {
    let mut bytes = raw.to_vec();
    if let Some(first) = bytes.first_mut() {
        *first = tag;
    }
    bytes
}

fn parse_issuer_and_serial(sid: Tlv<'_>) -> Result<(&[u8], &[u8])> {
    let what = "malformed timestamp issuerAndSerialNumber";
    let mut fields = sid.reader();
    let issuer = fields.expect(tag::SEQUENCE).context(ErrorCode::Timestamp, what)?;
    let serial = fields.expect(tag::INTEGER).context(ErrorCode::Timestamp, what)?;
    fields.finish().context(ErrorCode::Timestamp, what)?;
    Ok((issuer.raw, asn1::unsigned_integer(serial.contents)))
}

/// Checks the `contentType` attribute and returns the `messageDigest` attribute's value.
fn parse_signed_attributes(attrs: Tlv<'_>) -> Result<&[u8]> {
    let what = "malformed timestamp signed attribute";
    let mut content_type = None;
    let mut message_digest = None;
    let mut reader = attrs.reader();
    while !reader.is_empty() {
        let attribute = reader.expect(tag::SEQUENCE).context(ErrorCode::Timestamp, what)?;
        let mut fields = attribute.reader();
        let oid = fields.expect(tag::OID).context(ErrorCode::Timestamp, what)?;
        let values = fields.expect(tag::SET).context(ErrorCode::Timestamp, what)?;
        fields.finish().context(ErrorCode::Timestamp, what)?;
        let (slot, name, value_tag) = if oid.contents == ATTR_CONTENT_TYPE.as_bytes() {
            (&mut content_type, "contentType", tag::OID)
        } else if oid.contents == ATTR_MESSAGE_DIGEST.as_bytes() {
            (&mut message_digest, "messageDigest", tag::OCTET_STRING)
        } else {
            continue;
        };
        // RFC 5652 §11.1–11.2: each of these attributes occurs once, with exactly one value.
        if slot.is_some() {
            return malformed(format!("duplicate {name} signed attribute"));
        }
        let value = asn1::parse_single(values.contents, value_tag)
            .context(ErrorCode::Timestamp, &format!("malformed timestamp {name} attribute (expected one value)"))?;
        *slot = Some(value.contents);
    }
    match content_type {
        None => return malformed("no contentType signed attribute"),
        Some(found) if found != TST_INFO.as_bytes() => {
            return fail(
                ErrorCode::Timestamp,
                format!("timestamp contentType attribute is {}: expected id-ct-TSTInfo", describe_oid(found)),
            )
        }
        Some(_) => {}
    }
    match message_digest {
        Some(digest) => Ok(digest),
        None => malformed("no messageDigest signed attribute"),
    }
}

/// Certificates embedded in the token that claim to be the signer's (same issuer and serial).
/// They are never trusted; they are only compared with the trusted TSA certificate.
fn embedded_signer_certificates<'a>(certificates: Option<Tlv<'a>>, signer: &Signer<'_>) -> Result<Vec<&'a [u8]>> {
    let mut claimed = Vec::new();
    let Some(set) = certificates else { return Ok(claimed) };
    let what = "malformed certificate embedded in timestamp";
    let mut reader = set.reader();
    while !reader.is_empty() {
        let choice = reader.read().context(ErrorCode::Timestamp, what)?;
        // Only plain X.509 certificates can name the signer; the other CertificateChoices
        // (attribute and extended certificates) are obsolete and cannot.
        if choice.tag != tag::SEQUENCE {
            continue;
        }
        let (issuer, serial) = certificate_issuer_and_serial(choice).context(ErrorCode::Timestamp, what)?;
        if issuer == signer.issuer && serial == signer.serial {
            claimed.push(choice.raw);
        }
    }
    Ok(claimed)
}

/// Reads only as far into a certificate as its issuer, so that unusual embedded certificates
/// (which are never trusted anyway) cannot make the token unreadable.
fn certificate_issuer_and_serial(cert: Tlv<'_>) -> std::result::Result<(&[u8], &[u8]), asn1::DerError> {
    let tbs = cert.reader().expect(tag::SEQUENCE)?;
    let mut fields = tbs.reader();
    fields.optional(tag::context(0))?;
    let serial = fields.expect(tag::INTEGER)?;
    fields.expect(tag::SEQUENCE)?;
    let issuer = fields.expect(tag::SEQUENCE)?;
    Ok((issuer.raw, asn1::unsigned_integer(serial.contents)))
}

fn parse_tst_info(der: &[u8]) -> Result<TstInfo<'_>> {
    let what = "malformed TSTInfo";
    let info = asn1::parse_single(der, tag::SEQUENCE).context(ErrorCode::Timestamp, what)?;
    let mut fields = info.reader();
    let version = fields.expect(tag::INTEGER).context(ErrorCode::Timestamp, what)?;
    if version.contents != [1] {
        return malformed(format!("TSTInfo version 0x{}: expected 1", encode_hex(version.contents)));
    }
    // Sigstore does not constrain the TSA's policy.
    fields.expect(tag::OID).context(ErrorCode::Timestamp, what)?;
    let imprint = fields.expect(tag::SEQUENCE).context(ErrorCode::Timestamp, what)?;
    let mut imprint_fields = imprint.reader();
    let imprint_algorithm = hash_algorithm(&read_algorithm(&mut imprint_fields, "messageImprint hashAlgorithm")?)?;
    let hashed_message = imprint_fields.expect(tag::OCTET_STRING).context(ErrorCode::Timestamp, what)?;
    imprint_fields.finish().context(ErrorCode::Timestamp, what)?;
    fields.expect(tag::INTEGER).context(ErrorCode::Timestamp, what)?;
    let gen_time = fields.expect(tag::GENERALIZED_TIME).context(ErrorCode::Timestamp, what)?;
    let Some(gen_time) = Timestamp::parse_generalized_time(gen_time.contents) else {
        return malformed(format!(
            "genTime {:?} is not a UTC GeneralizedTime",
            String::from_utf8_lossy(gen_time.contents)
        ));
    };
    // accuracy, ordering, nonce, tsa and extensions do not change what is verified, but the
    // signed structure must still be well-formed DER to the end.
    while !fields.is_empty() {
        fields.read().context(ErrorCode::Timestamp, what)?;
    }
    Ok(TstInfo { imprint_algorithm, hashed_message: hashed_message.contents, gen_time })
}

/// Reads an AlgorithmIdentifier whose parameters are absent or NULL, as for every hash and for
/// the ECDSA and RSA PKCS#1 v1.5 signature algorithms.
fn read_algorithm(fields: &mut Reader<'_>, name: &str) -> Result<ObjectIdentifier> {
    let what = format!("malformed timestamp {name}");
    let algorithm = fields.expect(tag::SEQUENCE).context(ErrorCode::Timestamp, &what)?;
    let mut parts = algorithm.reader();
    let oid = parts.expect(tag::OID).context(ErrorCode::Timestamp, &what)?;
    let Ok(oid) = ObjectIdentifier::from_bytes(oid.contents) else {
        return malformed(format!("{name} is not a valid OID"));
    };
    let null = parts.optional(tag::NULL).context(ErrorCode::Timestamp, &what)?;
    if null.is_some_and(|n| !n.contents.is_empty()) || !parts.is_empty() {
        return fail(
            ErrorCode::UnsupportedAlgorithm,
            format!("timestamp {name} {oid} with parameters is not supported"),
        );
    }
    Ok(oid)
}

fn hash_algorithm(oid: &ObjectIdentifier) -> Result<HashAlgorithm> {
    match HashAlgorithm::from_oid(oid) {
        Some(hash) => Ok(hash),
        None => fail(
            ErrorCode::UnsupportedAlgorithm,
            format!("timestamp uses hash algorithm {oid}: expected SHA-256, SHA-384 or SHA-512"),
        ),
    }
}

/// The scheme of the SignerInfo signature. The hash comes from the algorithm identifiers, never
/// from the key: the Sigstore TSA signs with ecdsa-with-SHA256 on a P-384 key.
fn signature_scheme(oid: &ObjectIdentifier, digest: HashAlgorithm) -> Result<SignatureScheme> {
    // A bare rsaEncryption (FreeTSA) names no hash; RFC 5652 §5.4 then uses the digestAlgorithm.
    if *oid == RSA_ENCRYPTION {
        return Ok(SignatureScheme::RsaPkcs1v15(digest));
    }
    let scheme = certificate::signature_scheme(oid)?;
    match scheme.hash() {
        // A signature hash other than the digestAlgorithm leaves the signed bytes ambiguous.
        Some(hash) if hash != digest => fail(
            ErrorCode::Timestamp,
            format!(
                "timestamp signatureAlgorithm {oid} hashes with {}, but the digestAlgorithm is {}",
                hash.name(),
                digest.name()
            ),
        ),
        _ => Ok(scheme),
    }
}

fn expect_oid(fields: &mut Reader<'_>, expected: &ObjectIdentifier, what: &str, expected_name: &str) -> Result<()> {
    let oid = fields.expect(tag::OID).context(ErrorCode::Timestamp, &format!("malformed {what}"))?;
    if oid.contents == expected.as_bytes() {
        Ok(())
    } else {
        fail(ErrorCode::Timestamp, format!("{what} is {}: expected {expected_name}", describe_oid(oid.contents)))
    }
}

fn describe_oid(contents: &[u8]) -> String {
    ObjectIdentifier::from_bytes(contents).map_or_else(|_| "an invalid OID".to_owned(), |oid| oid.to_string())
}

/// The token must timestamp this signature and nothing else.
fn check_imprint(info: &TstInfo<'_>, signature: &[u8]) -> Result<()> {
    let expected = info.imprint_algorithm.digest(signature);
    if expected == info.hashed_message {
        Ok(())
    } else {
        fail(
            ErrorCode::Timestamp,
            format!(
                "timestamp imprint covers a different signature: expected {} {}, found {}",
                info.imprint_algorithm.name(),
                encode_hex(&expected),
                encode_hex(info.hashed_message)
            ),
        )
    }
}

/// The signed attributes must bind the TSTInfo, or the signature says nothing about its time.
fn check_message_digest(token: &Token<'_>) -> Result<()> {
    let signer = &token.signer;
    let expected = signer.digest_algorithm.digest(token.tst_info_der);
    if expected == signer.message_digest {
        Ok(())
    } else {
        fail(
            ErrorCode::Timestamp,
            format!(
                "timestamp messageDigest attribute does not match the TSTInfo: expected {} {}, found {}",
                signer.digest_algorithm.name(),
                encode_hex(&expected),
                encode_hex(signer.message_digest)
            ),
        )
    }
}

/// Whether `authority` vouches for the token; the error says why not.
fn check_authority(
    token: &Token<'_>,
    authority: &CertificateAuthority,
    backend: &dyn SignatureBackend,
) -> std::result::Result<(), String> {
    let Some(leaf) = authority.first() else {
        return Err("the authority has no certificates".to_owned());
    };
    let signer = &token.signer;
    // Matching the signer first keeps signature checks to the authorities that could have signed.
    if signer.serial != leaf.serial.as_slice() {
        return Err(format!(
            "the token's signer has serial 0x{}, the authority's TSA certificate 0x{}",
            encode_hex(signer.serial),
            encode_hex(&leaf.serial)
        ));
    }
    if signer.issuer != leaf.issuer.as_slice() {
        return Err("the token's signer has the TSA certificate's serial but another issuer".to_owned());
    }
    if token.embedded_signer_certs.iter().any(|der| *der != leaf.der()) {
        return Err("the token embeds a certificate for its signer that differs from the authority's TSA certificate"
            .to_owned());
    }
    let verified = backend.verify(&SignatureCheck {
        key: leaf.public_key(),
        scheme: signer.scheme,
        message: Message::Raw(&signer.signed_message),
        signature: signer.signature,
    });
    if !verified {
        return Err(format!(
            "the token's signature ({:?}) does not verify with the TSA certificate's key",
            signer.scheme
        ));
    }
    check_tsa_certificate(leaf)?;
    // TSA chains expire while their timestamps stay good: the path must hold at genTime.
    let issuers = authority.chain.get(1..).unwrap_or_default();
    chain::check_path(leaf, issuers, authority, &[token.info.gen_time], Usage::TimeStamping).map_err(|e| e.message)
}

/// RFC 3161 §2.3: the TSA certificate's only extended key usage is timeStamping, marked critical.
fn check_tsa_certificate(leaf: &Certificate) -> std::result::Result<(), String> {
    let only_time_stamping = leaf.ext_key_usage.as_deref() == Some(&[x509_oid::KP_TIME_STAMPING][..]);
    let critical = leaf.extension(&x509_oid::EXT_KEY_USAGE).is_some_and(|ext| ext.critical);
    if !(only_time_stamping && critical) {
        return Err("the TSA certificate's extended key usage is not exactly timeStamping, marked critical".to_owned());
    }
    // An absent keyUsage leaves the key unrestricted (RFC 5280 §4.2.1.3).
    if leaf.key_usage.is_some() && !leaf.allows_digital_signature() {
        return Err("the TSA certificate's key usage does not include digitalSignature".to_owned());
    }
    if let Some(oid) = leaf.unhandled_critical.first() {
        return Err(format!("the TSA certificate has an unhandled critical extension {oid}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::RustCrypto;
    use crate::encoding::decode_base64;
    use crate::trust::TrustedRoot;

    // The six rekor2 staging cases ship byte-identical trusted roots; one copy serves them all.
    const STAGING_ROOT: &str =
        include_str!("../tests/data/conformance/bundle-verify/rekor2-happy-path/trusted_root.json");
    const HAPPY_PATH: &str =
        include_str!("../tests/data/conformance/bundle-verify/rekor2-happy-path/bundle.sigstore.json");
    const WITH_EMBEDDED_CERT: &str = include_str!(
        "../tests/data/conformance/bundle-verify/rekor2-timestamp-with-embedded-cert/bundle.sigstore.json"
    );
    const WITHOUT_EMBEDDED_CERT: &str = include_str!(
        "../tests/data/conformance/bundle-verify/rekor2-timestamp-without-embedded-cert/bundle.sigstore.json"
    );
    const PAYLOAD_MISMATCH: &str = include_str!(
        "../tests/data/conformance/bundle-verify/rekor2-timestamp-payload-mismatch_fail/bundle.sigstore.json"
    );
    const UNTRUSTED_TSA: &str =
        include_str!("../tests/data/conformance/bundle-verify/rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail/bundle.sigstore.json");
    const INCORRECT_TIME: &str = include_str!(
        "../tests/data/conformance/bundle-verify/rekor2-timestamp-with-incorrect-time_fail/bundle.sigstore.json"
    );
    const OUTSIDE_WINDOW: &str =
        include_str!("../tests/data/conformance/bundle-verify/rekor2-timestamp-outside-trust-root-tsa-validity_fail/bundle.sigstore.json");
    const OUTSIDE_WINDOW_ROOT: &str =
        include_str!("../tests/data/conformance/bundle-verify/rekor2-timestamp-outside-trust-root-tsa-validity_fail/trusted_root.json");
    const OUTSIDE_CERT: &str = include_str!(
        "../tests/data/conformance/bundle-verify/rekor2-timestamp-outside-tsa-cert-validity_fail/bundle.sigstore.json"
    );
    const OUTSIDE_CERT_ROOT: &str = include_str!(
        "../tests/data/conformance/bundle-verify/rekor2-timestamp-outside-tsa-cert-validity_fail/trusted_root.json"
    );
    const CUSTOM_ROOT_BUNDLE: &str =
        include_str!("../tests/data/conformance/bundle-verify/intoto-with-custom-trust-root/bundle.sigstore.json");
    const CUSTOM_ROOT: &str =
        include_str!("../tests/data/conformance/bundle-verify/intoto-with-custom-trust-root/trusted_root.json");

    struct Case {
        response: Vec<u8>,
        signature: Vec<u8>,
        root: TrustedRoot,
    }

    impl Case {
        fn load(bundle: &str, root: &str) -> Self {
            let bundle: serde_json::Value = serde_json::from_str(bundle).unwrap();
            let timestamp = bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
                ["signedTimestamp"]
                .as_str()
                .unwrap();
            let signature = bundle["messageSignature"]["signature"]
                .as_str()
                .or_else(|| bundle["dsseEnvelope"]["signatures"][0]["sig"].as_str())
                .unwrap();
            let root = TrustedRoot::from_json(root).unwrap();
            root.check_chains(&RustCrypto).unwrap();
            // The incorrect-time case wraps its base64 in newlines (as Go's decoder tolerates);
            // decoding bundle fields is not this module's concern.
            let timestamp: String = timestamp.split_whitespace().collect();
            Self { response: decode_base64(&timestamp).unwrap(), signature: decode_base64(signature).unwrap(), root }
        }

        fn verify(&self) -> Result<VerifiedTimestamp> {
            self.verify_response(&self.response)
        }

        fn verify_response(&self, response: &[u8]) -> Result<VerifiedTimestamp> {
            verify_timestamp(response, &self.signature, &self.root.timestamp_authorities, &RustCrypto)
        }
    }

    fn time(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    fn assert_fails(result: Result<VerifiedTimestamp>, code: ErrorCode, fragments: &[&str]) {
        let err = result.unwrap_err();
        assert_eq!(err.code, code, "{err}");
        for fragment in fragments {
            assert!(err.message.contains(fragment), "expected {fragment:?} in: {}", err.message);
        }
    }

    /// Returns `bytes` with the byte at `at` changed.
    fn flipped(bytes: &[u8], at: usize) -> Vec<u8> {
        let mut out = bytes.to_vec();
        out[at] ^= 0x01;
        out
    }

    fn position(haystack: &[u8], needle: &[u8]) -> usize {
        haystack.windows(needle.len()).position(|w| w == needle).unwrap()
    }

    const STAGING_TSA: &str = "https://timestamp.sigstage.dev/api/v1/timestamp";

    #[test]
    fn happy_path_verifies_with_the_staging_tsa() {
        let case = Case::load(HAPPY_PATH, STAGING_ROOT);
        let verified = case.verify().unwrap();
        assert_eq!(verified.time, time("2025-06-12T12:02:20Z"));
        assert_eq!(verified.authority, 0);
        assert_eq!(verified.authority_uri, STAGING_TSA);
    }

    #[test]
    fn tokens_with_and_without_embedded_certificates_verify() {
        let with = Case::load(WITH_EMBEDDED_CERT, STAGING_ROOT).verify().unwrap();
        assert_eq!(with.time, time("2025-08-06T18:51:36Z"));
        let without = Case::load(WITHOUT_EMBEDDED_CERT, STAGING_ROOT).verify().unwrap();
        assert_eq!(without.time, time("2025-08-06T19:03:51Z"));
    }

    #[test]
    fn a_valid_token_outside_the_signing_certificate_lifetime_still_verifies_here() {
        // Its failure (leaf not valid at genTime) belongs to the caller that knows the leaf.
        let verified = Case::load(INCORRECT_TIME, STAGING_ROOT).verify().unwrap();
        assert_eq!(verified.time, time("2025-07-15T10:33:31Z"));
    }

    #[test]
    fn mock_tsa_with_an_expired_chain_verifies_at_gen_time() {
        // P-256 mock TSA whose chain expired on 2024-01-01; the token of 2023-02-01 stays good.
        let case = Case::load(CUSTOM_ROOT_BUNDLE, CUSTOM_ROOT);
        let verified = case.verify().unwrap();
        assert_eq!(verified.time, time("2023-02-01T00:00:00Z"));
        assert_eq!(verified.authority_uri, "http://localhost:8000");
    }

    #[test]
    fn imprint_of_another_signature_is_refused() {
        let case = Case::load(PAYLOAD_MISMATCH, STAGING_ROOT);
        assert_fails(
            case.verify(),
            ErrorCode::Timestamp,
            &["timestamp imprint covers a different signature", "sha256"],
        );
    }

    #[test]
    fn untrusted_tsa_with_embedded_chain_is_refused() {
        // FreeTSA embeds its own chain; embedded certificates must never make it trusted.
        let case = Case::load(UNTRUSTED_TSA, STAGING_ROOT);
        assert_fails(
            case.verify(),
            ErrorCode::Timestamp,
            &["no trusted timestamp authority accepts this timestamp", "(tried 1)", "serial 0xc1e986160da8e982"],
        );
    }

    #[test]
    fn gen_time_outside_the_authority_window_is_refused() {
        let case = Case::load(OUTSIDE_WINDOW, OUTSIDE_WINDOW_ROOT);
        assert_fails(
            case.verify(),
            ErrorCode::Timestamp,
            &["verified time 2025-06-12T12:02:20Z is outside the validity [2025-04-09T00:00:00Z, 2025-06-01T00:00:00Z]"],
        );
    }

    #[test]
    fn chain_expired_at_gen_time_is_refused() {
        let case = Case::load(OUTSIDE_CERT, OUTSIDE_CERT_ROOT);
        assert_fails(
            case.verify(),
            ErrorCode::Timestamp,
            &[
                "https://localhost:3000/api/v1/timestamp",
                "the TSA certificate is valid from",
                "not at verified time 2025-08-07T15:38:32Z",
            ],
        );
    }

    #[test]
    fn authorities_are_judged_separately_and_the_first_match_wins() {
        let happy = Case::load(HAPPY_PATH, STAGING_ROOT);
        let mock = TrustedRoot::from_json(CUSTOM_ROOT).unwrap().timestamp_authorities;
        let expired_window = TrustedRoot::from_json(OUTSIDE_WINDOW_ROOT).unwrap().timestamp_authorities;

        // The right signer whose window has ended, next to an authority with an open window that
        // did not sign: pooling them would accept the token.
        let pooled: Vec<_> = expired_window.iter().chain(&mock).cloned().collect();
        let result = verify_timestamp(&happy.response, &happy.signature, &pooled, &RustCrypto);
        assert_fails(
            result,
            ErrorCode::Timestamp,
            &[
                "(tried 2)",
                "is outside the validity [2025-04-09T00:00:00Z, 2025-06-01T00:00:00Z] of authority",
                "http://localhost:8000: ",
            ],
        );

        let both: Vec<_> = mock.iter().chain(&happy.root.timestamp_authorities).cloned().collect();
        let verified = verify_timestamp(&happy.response, &happy.signature, &both, &RustCrypto).unwrap();
        assert_eq!((verified.authority, verified.authority_uri.as_str()), (1, STAGING_TSA));

        let none = verify_timestamp(&happy.response, &happy.signature, &[], &RustCrypto);
        assert_fails(none, ErrorCode::Timestamp, &["(tried 0)"]);
    }

    #[test]
    fn tampered_cms_signature_is_refused() {
        let case = Case::load(HAPPY_PATH, STAGING_ROOT);
        let token = parse_response(&case.response).unwrap();
        let signature = token.signer.signature;
        assert!(case.response.ends_with(signature), "the signature ends the happy-path response");
        let tampered = flipped(&case.response, case.response.len() - 1);
        assert_fails(
            case.verify_response(&tampered),
            ErrorCode::Timestamp,
            &["does not verify with the TSA certificate's key"],
        );
    }

    #[test]
    fn tampered_signed_attribute_is_refused() {
        // signingTime is a signed attribute that nothing else checks: only the signature covers it.
        let case = Case::load(HAPPY_PATH, STAGING_ROOT);
        let signing_time = position(&case.response, b"\x17\x0d250612120220Z");
        let tampered = flipped(&case.response, signing_time + 14);
        assert_fails(case.verify_response(&tampered), ErrorCode::Timestamp, &["does not verify"]);
    }

    #[test]
    fn tampered_tst_info_breaks_the_message_digest() {
        let case = Case::load(HAPPY_PATH, STAGING_ROOT);
        let gen_time = position(&case.response, b"\x18\x0f20250612120220Z");
        let tampered = flipped(&case.response, gen_time + 15);
        assert_fails(
            case.verify_response(&tampered),
            ErrorCode::Timestamp,
            &["messageDigest attribute does not match"],
        );
    }

    #[test]
    fn embedded_signer_certificate_must_equal_the_trusted_one() {
        // The certificates field is outside the signature, so the token still verifies otherwise.
        let case = Case::load(WITH_EMBEDDED_CERT, STAGING_ROOT);
        let leaf = case.root.timestamp_authorities[0].chain[0].der().to_vec();
        let end = position(&case.response, &leaf) + leaf.len();
        let tampered = flipped(&case.response, end - 1);
        assert_fails(
            case.verify_response(&tampered),
            ErrorCode::Timestamp,
            &["embeds a certificate for its signer that differs"],
        );
    }

    #[test]
    fn garbage_truncated_and_refused_responses_fail_cleanly() {
        let case = Case::load(HAPPY_PATH, STAGING_ROOT);
        assert_fails(case.verify_response(b""), ErrorCode::Timestamp, &["malformed TimeStampResp"]);
        assert_fails(case.verify_response(b"not a timestamp"), ErrorCode::Timestamp, &["malformed"]);
        for cut in [1, 10, 100, case.response.len() / 2, case.response.len() - 1] {
            let truncated = &case.response[..cut];
            assert_eq!(case.verify_response(truncated).unwrap_err().code, ErrorCode::Timestamp, "cut at {cut}");
        }
        // status rejection (2), no token
        let rejected = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02];
        assert_fails(case.verify_response(&rejected), ErrorCode::Timestamp, &["status is 2: expected granted"]);
        let granted_without_token = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00];
        assert_fails(case.verify_response(&granted_without_token), ErrorCode::Timestamp, &["no timeStampToken"]);
        // Every single-byte corruption inside the signed TSTInfo is refused.
        let tst_info = parse_response(&case.response).unwrap().tst_info_der;
        let start = position(&case.response, tst_info);
        for at in start..start + tst_info.len() {
            assert!(case.verify_response(&flipped(&case.response, at)).is_err(), "flip at {at}");
        }
        // No corruption anywhere panics. Signature checks are stubbed out because they dominate
        // the run time and the parsing paths are what is exercised here.
        struct Accept;
        impl SignatureBackend for Accept {
            fn verify(&self, _: &SignatureCheck<'_>) -> bool {
                true
            }
        }
        let authorities = &case.root.timestamp_authorities;
        for at in 0..case.response.len() {
            let _ = verify_timestamp(&flipped(&case.response, at), &case.signature, authorities, &Accept);
        }
    }

    #[test]
    fn oversized_response_is_refused_before_parsing() {
        let case = Case::load(HAPPY_PATH, STAGING_ROOT);
        let huge = vec![0u8; limits::MAX_TIMESTAMP_RESPONSE_BYTES + 1];
        assert_fails(case.verify_response(&huge), ErrorCode::LimitExceeded, &["65537 bytes", "limit is 65536"]);
    }
}
