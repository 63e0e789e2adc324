//! An RFC 3161 timestamp authority shaped like Sigstore's: P-384 root and leaf, the leaf with a
//! critical `timeStamping` EKU, tokens signed with `ecdsa-with-SHA256` over CMS signed attributes.

use sha2::{Digest, Sha256};

use super::ca::{
    basic_constraints_ca, ext_key_usage, key_usage, Authority, AuthoritySpec, KU_CRL_SIGN, KU_DIGITAL_SIGNATURE,
    KU_KEY_CERT_SIGN, OID_TIME_STAMPING,
};
use super::der_build::{
    explicit, generalized_time, implicit_constructed, int, null, octets, oid, seq, set_of, uint, utc_time,
};
use super::keys::{KeyPair, LeafKey, ECDSA_WITH_SHA256};

pub const OID_SHA256: &str = "2.16.840.1.101.3.4.2.1";
pub const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
pub const OID_CT_TSTINFO: &str = "1.2.840.113549.1.9.16.1.4";
pub const OID_ATTR_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
pub const OID_ATTR_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
pub const OID_ATTR_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
pub const OID_ATTR_SIGNING_CERT_V2: &str = "1.2.840.113549.1.9.16.2.47";
/// Sigstore TSA policy OID (appears in TSTInfo).
pub const OID_SIGSTORE_TSA_POLICY: &str = "1.3.6.1.4.1.57264.2";

pub struct Tsa {
    pub root: Authority,
    pub leaf: Authority,
}

/// Options for one token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimestampRequest {
    pub gen_time: i64,
    /// Put the TSA leaf into SignedData `certificates`.
    pub embed_cert: bool,
}

impl Tsa {
    pub fn new(seed: u64, root_validity: (i64, i64), leaf_validity: (i64, i64)) -> Tsa {
        let root = Authority::self_signed(
            KeyPair::generate(LeafKey::P384, seed, "tsa-root"),
            AuthoritySpec {
                label: &format!("tsa-root-{seed}"),
                organization: "test.example",
                common_name: "test-tsa-root",
                validity: root_validity,
                extensions: vec![key_usage(&[KU_KEY_CERT_SIGN, KU_CRL_SIGN]), basic_constraints_ca(None)],
            },
        );
        let leaf = Authority::issue(
            KeyPair::generate(LeafKey::P384, seed, "tsa-leaf"),
            AuthoritySpec {
                label: &format!("tsa-leaf-{seed}"),
                organization: "test.example",
                common_name: "test-tsa",
                validity: leaf_validity,
                extensions: vec![key_usage(&[KU_DIGITAL_SIGNATURE]), ext_key_usage(&[OID_TIME_STAMPING], true)],
            },
            Some(&root),
        );
        Tsa { root, leaf }
    }

    /// DER `TimeStampResp` (status granted + token) whose messageImprint is SHA-256(`signed`).
    pub fn timestamp(&self, signed: &[u8], request: TimestampRequest) -> Vec<u8> {
        let tst_info = self.tst_info(signed, request.gen_time);
        let signer_info = self.signer_info(&tst_info, request.gen_time);

        let mut signed_data = vec![
            int(3),
            set_of(&[seq(&[oid(OID_SHA256)])]),
            seq(&[oid(OID_CT_TSTINFO), explicit(0, &octets(&tst_info))]),
        ];
        if request.embed_cert {
            signed_data.push(implicit_constructed(0, &self.leaf.cert_der));
        }
        signed_data.push(set_of(&[signer_info]));

        let content_info = seq(&[oid(OID_SIGNED_DATA), explicit(0, &seq(&signed_data))]);
        seq(&[seq(&[int(0)]), content_info])
    }

    fn tst_info(&self, signed: &[u8], gen_time: i64) -> Vec<u8> {
        let unique = Sha256::digest([signed, &gen_time.to_be_bytes()].concat());
        seq(&[
            int(1),
            oid(OID_SIGSTORE_TSA_POLICY),
            seq(&[seq(&[oid(OID_SHA256), null()]), octets(&Sha256::digest(signed))]),
            uint(&unique[..20]), // serialNumber
            generalized_time(gen_time),
            seq(&[int(1)]),                                // accuracy: 1 second
            uint(&unique[20..28]),                         // nonce
            explicit(0, &explicit(4, &self.leaf.subject)), // tsa: directoryName
        ])
    }

    /// SignerInfo v1 identified by issuer+serial; signature over the DER SET OF signed attributes.
    fn signer_info(&self, tst_info: &[u8], gen_time: i64) -> Vec<u8> {
        let attribute = |attr_oid: &str, value: Vec<u8>| seq(&[oid(attr_oid), set_of(&[value])]);
        let signed_attrs = set_of(&[
            attribute(OID_ATTR_CONTENT_TYPE, oid(OID_CT_TSTINFO)),
            attribute(OID_ATTR_SIGNING_TIME, utc_time(gen_time)),
            attribute(OID_ATTR_MESSAGE_DIGEST, octets(&Sha256::digest(tst_info))),
            attribute(OID_ATTR_SIGNING_CERT_V2, self.signing_certificate_v2()),
        ]);
        let signature = self.leaf.key.sign_ecdsa_sha256(&signed_attrs);
        // In the SignerInfo the SET is written as `[0] IMPLICIT`: same content, tag A0.
        let mut signed_attrs_implicit = signed_attrs.clone();
        signed_attrs_implicit[0] = 0xA0;
        seq(&[
            int(1),
            seq(&[self.root.subject.clone(), uint(&self.leaf.serial)]),
            seq(&[oid(OID_SHA256)]),
            signed_attrs_implicit,
            seq(&[oid(ECDSA_WITH_SHA256)]),
            octets(&signature),
        ])
    }

    /// `SigningCertificateV2 { certs: [ESSCertIDv2 { certHash (SHA-256 default), issuerSerial }] }`.
    fn signing_certificate_v2(&self) -> Vec<u8> {
        let issuer_serial = seq(&[seq(&[explicit(4, &self.root.subject)]), uint(&self.leaf.serial)]);
        let cert_id = seq(&[octets(&Sha256::digest(&self.leaf.cert_der)), issuer_serial]);
        seq(&[seq(&[cert_id])])
    }
}
