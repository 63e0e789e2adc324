/** Stable codes naming the check that failed (see the README's table). */
export type VerificationErrorCode =
  | 'BUNDLE_PARSE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TRUSTED_ROOT'
  | 'INVALID_INPUT'
  | 'LIMIT_EXCEEDED'
  | 'UNSUPPORTED_ALGORITHM'
  | 'CERTIFICATE_CHAIN'
  | 'CERTIFICATE_PROFILE'
  | 'SCT'
  | 'TLOG_BODY_MISMATCH'
  | 'TLOG_ENTRY'
  | 'INCLUSION_PROOF'
  | 'CHECKPOINT'
  | 'SET'
  | 'TLOG_THRESHOLD'
  | 'TIMESTAMP'
  | 'TIMESTAMP_THRESHOLD'
  | 'SIGNATURE'
  | 'IDENTITY_MISMATCH'
  | 'ISSUER_MISMATCH'
  | 'EXTENSION_MISMATCH'
  | 'KEY_MISMATCH'
  | 'ARTIFACT_MISMATCH'
  | 'PREDICATE_TYPE_MISMATCH';

export class VerificationError extends Error {
  readonly name: 'VerificationError';
  readonly code: VerificationErrorCode;
  constructor(code: VerificationErrorCode, message: string);
}

/** Fulcio certificate claims (OIDs 1.3.6.1.4.1.57264.1.x) by their sigstore-go/-js names. */
export type CertificateExtensionName =
  | 'issuerV1'
  | 'githubWorkflowTrigger'
  | 'githubWorkflowSha'
  | 'githubWorkflowName'
  | 'githubWorkflowRepository'
  | 'githubWorkflowRef'
  | 'issuer'
  | 'buildSignerUri'
  | 'buildSignerDigest'
  | 'runnerEnvironment'
  | 'sourceRepositoryUri'
  | 'sourceRepositoryDigest'
  | 'sourceRepositoryRef'
  | 'sourceRepositoryIdentifier'
  | 'sourceRepositoryOwnerUri'
  | 'sourceRepositoryOwnerIdentifier'
  | 'buildConfigUri'
  | 'buildConfigDigest'
  | 'buildTrigger'
  | 'runInvocationUri'
  | 'sourceRepositoryVisibilityAtSigning'
  | 'deploymentEnvironment';

/**
 * Who must have signed, and how many independent witnesses must agree. Give a certificate
 * identity (`certificateIdentity` or `certificateIdentityRegExp`, with `certificateIssuer` or
 * `certificateIssuerRegExp`), or a `publicKey`. Regular expressions search anywhere in the value,
 * as cosign's do: anchor them with `^...$`. Unknown option names are refused.
 */
export interface PolicyOptions {
  certificateIdentity?: string;
  certificateIdentityRegExp?: string;
  certificateIssuer?: string;
  /** The same as `certificateIssuer`, under the conformance CLI's name. */
  certificateOidcIssuer?: string;
  certificateIssuerRegExp?: string;
  certificateExtensions?: Partial<Record<CertificateExtensionName, string>>;
  /** PEM `PUBLIC KEY` of a managed key. */
  publicKey?: string;
  /** Distinct transparency logs required (default 1). */
  tlogThreshold?: number;
  /** Distinct CT logs required (default 1). */
  ctlogThreshold?: number;
  /** Distinct verified time sources required (default 1). */
  timestampThreshold?: number;
  /** Require an in-toto statement of exactly this predicate type. */
  predicateType?: string;
  /** Milliseconds since the epoch; default `Date.now()`. Later times are refused. */
  currentTime?: number;
  /** UNSAFE: accept any certificate from a trusted CA, whoever it names. */
  unsafeAllowAnyIdentity?: boolean;
  /** UNSAFE: verify a DSSE envelope without an artifact (pass `null` as the artifact). */
  unsafeSkipArtifactCheck?: boolean;
}

/** A trusted root: `"production"` (default), `"staging"`, JSON text, or the parsed object. */
export type TrustedRootInput = 'production' | 'staging' | string | object;

export interface VerifyOptions extends PolicyOptions {
  trustedRoot?: TrustedRootInput;
}

/** The bundle as a parsed object, JSON text, or bytes. */
export type BundleInput = object | string | Uint8Array | ArrayBuffer;
/** The artifact's bytes, or its digest as `"sha256:<hex>"` (also sha384, sha512). */
export type ArtifactInput = Uint8Array | ArrayBuffer | ArrayBufferView | string | null;

export interface FulcioClaim {
  name: CertificateExtensionName;
  oid: string;
  value: string;
}

export type Signer =
  | {
      type: 'certificate';
      subjectAltName: string;
      subjectAltNameType: 'email' | 'uri' | 'username';
      issuer: string;
      extensions: FulcioClaim[];
      certificateAuthority: string;
      notBefore: string;
      notAfter: string;
      fingerprint: string;
    }
  | { type: 'publicKey'; keyId: string; hint: string | null };

export type VerifiedTime =
  | { source: 'transparencyLog'; time: string; logUrl: string }
  | { source: 'timestampAuthority'; time: string; uri: string };

export interface VerifiedEntry {
  logIndex: number;
  logId: string;
  logUrl: string;
  kind: string;
  version: string;
  integratedTime: string | null;
  promise: boolean;
  inclusionProof: { logIndex: number; treeSize: number; checkpointOrigin: string | null } | null;
}

export interface VerificationResult {
  mediaType: string;
  signer: Signer;
  verifiedTimes: VerifiedTime[];
  tlogEntries: VerifiedEntry[];
  scts: { logId: string; logUrl: string; time: string }[];
  payloadType: string | null;
  statement: {
    statementType: string;
    predicateType: string;
    subjects: { name: string | null; digests: Record<string, string> }[];
    predicate: unknown;
  } | null;
}

export interface Verifier {
  /** Synchronous verification (pure-Rust crypto), for hot paths. */
  verify(bundle: BundleInput, artifact: ArtifactInput, policy?: PolicyOptions): VerificationResult;
  /** Verification with the signature checks on the platform's WebCrypto. */
  verifyAsync(bundle: BundleInput, artifact: ArtifactInput, policy?: PolicyOptions): Promise<VerificationResult>;
}

/** Parses the trust material once; `options` other than `trustedRoot` become policy defaults. */
export function createVerifier(options?: VerifyOptions): Promise<Verifier>;

/** Verifies a bundle; resolves to what was verified, or rejects with a `VerificationError`. */
export function verifyBundle(bundle: BundleInput, artifact: ArtifactInput, options?: VerifyOptions): Promise<VerificationResult>;
