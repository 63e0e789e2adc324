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
  | 'PREDICATE_TYPE_MISMATCH'
  | 'ANNOTATION_MISMATCH'
  | 'DIGEST_MISMATCH'
  | 'REGISTRY'
  | 'REKOR'
  | 'NETWORK'
  | 'NO_SIGNATURES'
  | 'NO_MATCHING_SIGNATURES'
  | 'TUF';

export class VerificationError extends Error {
  readonly name: 'VerificationError';
  readonly code: VerificationErrorCode;
  /** For an image that does not verify: everything found for it, and why each failed. */
  readonly report?: ImageVerification;
  constructor(code: VerificationErrorCode, message: string, report?: ImageVerification);
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
  /**
   * The GitHub CLI's policy (`gh attestation verify`), its flags' names and meanings: the source
   * repository's owner, or the repository (`OWNER/REPO`), compared in any case; the signer by
   * repository or workflow (`[HOST/]OWNER/REPO/PATH`), by default the repository or the owner;
   * GitHub-hosted runners only; the source ref and commit. The issuer then defaults to
   * `https://token.actions.githubusercontent.com`.
   */
  owner?: string;
  repo?: string;
  signerRepo?: string;
  signerWorkflow?: string;
  denySelfHostedRunners?: boolean;
  sourceRef?: string;
  sourceDigest?: string;
}

/**
 * A trusted root: `"production"` (default), `"staging"` or `"github"` (GitHub's own instance: no
 * transparency log, so the defaults ask for a timestamp instead) (embedded in the package), JSON text, the
 * parsed object, or refreshed through TUF: `"tuf"` (Sigstore's production repository), `"tuf:staging"`,
 * or `{ tuf: TufOptions }`.
 */
export type TrustedRootInput = 'production' | 'staging' | 'github' | 'tuf' | 'tuf:staging' | 'tuf:github' | { tuf: TufOptions } | string | object;

/** Where the files of a TUF repository are kept between runs. */
export interface TufCache {
  read(): Promise<Map<string, Uint8Array>>;
  write(entries: { name: string; bytes: Uint8Array }[]): Promise<void>;
}

export interface TufOptions {
  /** The root the client pins: `"production"` (default) or `"staging"` (embedded), or a root.json of your own. */
  root?: 'production' | 'staging' | 'github' | Uint8Array | string;
  /** The repository's metadata URL (Sigstore's CDN for the embedded roots; required with your own root). */
  url?: string;
  /** Its targets URL (`${url}/targets`). */
  targetsUrl?: string;
  /**
   * The cache (the runtime's by default: a directory in Node, Deno and Bun, the Cache API in
   * browsers and workers), or a function that makes one for the repository's URL; `false` for none.
   */
  cache?: TufCache | ((url: string) => TufCache) | false;
  /** No network: the cache, re-verified from the pinned root (expiry reported, not refused). */
  offline?: boolean;
}

/** Where a verifier's trusted root came from. */
export interface TrustedRootSource {
  /** `tuf`: refreshed now; `cache`: the last one verified through TUF, re-verified offline; `embedded`, `given`. */
  source: 'tuf' | 'cache' | 'embedded' | 'given';
  rootVersion?: number;
  timestampVersion?: number;
  /** The earliest expiry of the TUF metadata it was verified with. */
  expires?: string;
  /** When it was last refreshed from the repository, if ever. */
  refreshed?: string | null;
  /** Why the repository could not be used, when it could not. */
  warning?: string;
}

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
  inclusionProof: { logIndex: number; treeSize: number; checkpointOrigin: string } | null;
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

/** How requests are made: the runtime's `fetch` unless another is given. */
export interface NetworkOptions {
  /** Used for every request (default `globalThis.fetch`). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** A prefix for every request URL (`${proxy}${url}`): a CORS proxy for pages. */
  proxy?: string;
  /** Milliseconds each request may take, its body included (default 30000). */
  timeout?: number;
}

/** `verifyImage` options: the policy, the network, and cosign's image options. */
export interface ImageOptions extends PolicyOptions, NetworkOptions {
  /** Annotations the signature must carry with these values (`cosign verify -a key=value`). */
  annotations?: Record<string, string>;
  /** Rekor v1 API, for legacy signatures that carry no Rekor bundle (default https://rekor.sigstore.dev). */
  rekorUrl?: string;
  /** Never ask Rekor: legacy signatures must carry their Rekor bundle. */
  offline?: boolean;
  /** Plain HTTP to a registry that is not on loopback. */
  allowHttpRegistry?: boolean;
  /** The repository holding the legacy signature tags (cosign's `COSIGN_REPOSITORY`). */
  signatureRepository?: string;
}

/** `verifyImageAttestations` options: `predicateType` is required. */
export interface AttestationOptions extends Omit<ImageOptions, 'annotations' | 'predicateType'> {
  /** A URI, or one of cosign's `--type` names (`custom`, `slsaprovenance1`, `spdx`, ...). */
  predicateType: string;
}

export type SignatureFormat = 'cosign-signature' | 'cosign-attestation' | 'sigstore-bundle';

/** One signature or attestation found for an image, and what became of it. */
export interface SignatureReport {
  format: SignatureFormat;
  /** The manifest that holds it (a legacy tag's, or a referrer's). */
  manifest: string;
  layer: string | null;
  /** The legacy tag (`sha256-<hex>.sig`, `.att`). */
  tag: string | null;
  /** How a referrer was listed. */
  via: 'referrers-api' | 'referrers-tag' | null;
  verified: boolean;
  result:
    | (VerificationResult & {
        claims: SimpleSigningClaims | null;
        /** A legacy layer's annotations as written; empty for a bundle. */
        annotations: Record<string, string>;
        /** An attestation's DSSE envelope as stored. */
        envelope: { payloadType: string; payload: string; signatures: { sig: string; keyid?: string }[] } | null;
      })
    | null;
  error: { code: VerificationErrorCode; message: string } | null;
}

/** What a legacy signature's payload claims. */
export interface SimpleSigningClaims {
  type: string;
  dockerReference: string;
  dockerManifestDigest: string;
  optional: Record<string, unknown>;
}

export interface ImageVerification {
  /** The reference as given, normalised. */
  reference: string;
  /** `registry/repository`. */
  name: string;
  /** The digest everything was verified against. */
  digest: string;
  mediaType: string;
  kind: 'signatures' | 'attestations';
  predicateType: string;
  signatures: SignatureReport[];
  /** Places that could not be looked in. */
  problems: { source: string; error: { code: VerificationErrorCode; message: string } }[];
  /** How many satisfy the policy (at least one, when the promise resolves). */
  verified: number;
  error: { code: VerificationErrorCode; message: string } | null;
}

export interface LogOptions extends NetworkOptions {
  /** Rekor v1 API (default https://rekor.sigstore.dev). */
  rekorUrl?: string;
}

export interface LogEntryOptions extends LogOptions {
  trustedRoot?: TrustedRootInput;
}

/** A Rekor entry, verified (SET, inclusion proof against a signed checkpoint, the one asked for). */
export interface LoggedEntry extends VerifiedEntry {
  uuid: string;
  /** The digest the entry is about (`sha256:<hex>`). */
  digest: string | null;
  /** The signer the body names, decoded but not verified. */
  signer:
    | ({ type: 'certificate' } & Omit<Extract<Signer, { type: 'certificate' }>, 'type' | 'certificateAuthority'>)
    | { type: 'publicKey'; keyId: string }
    | null;
  body: unknown;
}

export interface Verifier {
  /** Synchronous verification, for hot paths: on node:crypto in Node, Deno and Bun, on the pure-Rust crypto module elsewhere. */
  verify(bundle: BundleInput, artifact: ArtifactInput, policy?: PolicyOptions): VerificationResult;
  /** Verification with the signature checks on the platform's WebCrypto. */
  verifyAsync(bundle: BundleInput, artifact: ArtifactInput, policy?: PolicyOptions): Promise<VerificationResult>;
  verifyImage(reference: string, options?: ImageOptions): Promise<ImageVerification>;
  verifyImageAttestations(reference: string, options: AttestationOptions): Promise<ImageVerification>;
  verifyAttestations(subject: string, options?: PolicyOptions & NetworkOptions & RegistryOptions): Promise<AttestationsVerification>;
  /** What the trusted root holds; `newest` is the latest start of validity in it, which dates it. */
  trustedRootSummary(): { transparencyLogs: number; certificateAuthorities: number; ctLogs: number; timestampAuthorities: number; newest: string | null };
  /** Where the trusted root came from (TUF, its cache, the package, the caller). */
  trustedRootSource(): TrustedRootSource;
  getLogEntry(query: { logIndex: number } | { uuid: string }, options?: LogOptions): Promise<LoggedEntry>;
  searchLogEntries(query: { digest: string } | { artifact: Uint8Array | ArrayBuffer | ArrayBufferView | string }, options?: LogOptions): Promise<LoggedEntry[]>;
}

/**
 * Parses the trust material once; `options` other than `trustedRoot` become defaults. In a browser
 * it also fetches the crypto module (the pure-Rust signature backend, about 116 KB gzip), which its
 * synchronous `verify()` runs on; `verifyBundle`, the lookups and `describeTrustedRoot` do not.
 */
export function createVerifier(options?: VerifyOptions & Omit<ImageOptions, keyof PolicyOptions>): Promise<Verifier>;

/**
 * The verifier the package keeps for `options.trustedRoot`, the one `verifyBundle`, the lookups and
 * `describeTrustedRoot` share: an embedded root's for good; a TUF root's for an hour (five minutes
 * when its refresh fell back), after which the next call refreshes it; the last eight roots of
 * your own. Calls at the same time share one refresh; `refresh: true` makes a new one now and keeps
 * it (what a scheduled job does). A worker that keeps state per verifier can compare the object.
 */
export function cachedVerifier(options?: NetworkOptions & { trustedRoot?: TrustedRootInput; refresh?: boolean }): Promise<Verifier>;

/**
 * The `sigstore-wasm` CLI flags that state `options`, a policy in this package's option names and
 * its `trustedRoot` (a root of your own as `--trusted-root <trustedRootFile>`): how a page prints
 * the command that repeats its check. Throws a `TypeError` for an option that has no flag.
 */
export function cliArgs(options: VerifyOptions, files?: { trustedRootFile?: string }): string[];

/**
 * A response's body, or `null` as soon as it is longer than `maxBytes` (the rest is not read): how
 * the package reads every answer it fetches.
 */
export function readBody(response: Response, maxBytes: number): Promise<Uint8Array | null>;

/**
 * What a trusted root holds and where it came from, from the verifier `verifyBundle` and the
 * lookups share for it: nothing is parsed twice, and no crypto module is loaded.
 */
export function describeTrustedRoot(options?: NetworkOptions & { trustedRoot?: TrustedRootInput }): Promise<{
  summary: ReturnType<Verifier['trustedRootSummary']>;
  source: TrustedRootSource;
}>;

/** A TUF cache in memory, for one process or isolate. */
export function memoryCache(): TufCache;
/** A TUF cache in the Cache API (browsers, service workers, Cloudflare Workers), for the repository at `url`. */
export function cacheStorageCache(url: string, caches?: CacheStorage): TufCache;
/** A TUF cache in a Workers KV namespace (`binding`), for the repository at `url`. */
export function kvCache(binding: { get(key: string, type: 'arrayBuffer'): Promise<ArrayBuffer | null>; put(key: string, value: Uint8Array): Promise<void>; list(options: { prefix: string; cursor?: string }): Promise<{ keys: { name: string }[]; list_complete: boolean; cursor?: string }> }, url: string): TufCache;

/** The outcome of one TUF update (`tufUpdate`). */
export interface TufUpdateOutcome {
  /** Files to keep, under these names, in this order: what was verified, even before a failure. */
  persist: { name: string; bytes: Uint8Array }[];
  updated?: { rootVersion: number; timestampVersion: number; snapshotVersion: number; targetsVersion: number; expires: string; expired: boolean };
  error?: { code: VerificationErrorCode; message: string };
  target?: Uint8Array;
  fromCache?: boolean;
}

/** One TUF update of any repository, from `root` and the client's `files`; the caller keeps what it says to persist. */
export function tufUpdate(options: {
  metadataUrl: string;
  targetsUrl?: string;
  root: Uint8Array;
  files: [string, Uint8Array][];
  offline?: boolean;
  target?: string;
  cachedTarget?: Uint8Array;
  fetch?: typeof fetch;
  timeout?: number;
}): Promise<TufUpdateOutcome>;

/** An artifact's digest, computed piece by piece. */
export interface Digester {
  /** `sha256`, `sha384` or `sha512`. */
  readonly algorithm: string;
  update(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): void;
  /** `"<algorithm>:<hex>"`, as `verifyBundle` takes it; once only. */
  digest(): string;
}

/**
 * Digests an artifact too large to hold in memory, piece by piece, under `algorithm` or under
 * the one `bundle` needs (the hash its message signature names, or its in-toto subjects use).
 */
export function createDigester(what: 'sha256' | 'sha384' | 'sha512' | { bundle: BundleInput }): Promise<Digester>;

/**
 * The digest (`"<algorithm>:<hex>"`) of the artifact `bundle` says it is about: its message
 * signature's, or its in-toto subject's (the only one, or the one called `name`). Unauthenticated
 * until the bundle verifies against it: for verifying first and hashing the artifact as it arrives.
 */
export function claimedDigest(bundle: BundleInput, name?: string): Promise<string>;

/**
 * The `verifyAttestations` subject of a file downloaded from a package registry at `path` (npm's
 * `<name>/-/<name>-<version>.tgz`, or a PyPI wheel or sdist file name), and the name the
 * registry's metadata lists the file under.
 */
export function downloadSubject(registry: 'npm' | 'pypi', path: string): Promise<{ subject: string; file: string }>;

/** Verifies a bundle; resolves to what was verified, or rejects with a `VerificationError`. */
export function verifyBundle(bundle: BundleInput, artifact: ArtifactInput, options?: VerifyOptions): Promise<VerificationResult>;

/**
 * Finds an image's cosign signatures (legacy `.sig` layers and v3 bundle referrers) and verifies
 * each against its digest and the policy (`cosign verify`). Resolves when at least one
 * satisfies it; otherwise rejects with a `VerificationError` (`NO_SIGNATURES`,
 * `NO_MATCHING_SIGNATURES`, or what stopped the search) whose `report` says what was found.
 */
export function verifyImage(reference: string, options?: ImageOptions & { trustedRoot?: TrustedRootInput }): Promise<ImageVerification>;

/** The same for attestations of exactly `predicateType` (`cosign verify-attestation --type`). */
export function verifyImageAttestations(reference: string, options: AttestationOptions & { trustedRoot?: TrustedRootInput }): Promise<ImageVerification>;

/** Where `verifyAttestations` looks: the public registries unless these say otherwise. */
export interface RegistryOptions {
  npmRegistry?: string;
  pypiUrl?: string;
  githubApiUrl?: string;
}

/** What a package registry publishes for a subject, each attestation with its own verdict. */
export interface AttestationsVerification {
  subject: string;
  kind: 'npm' | 'pypi' | 'github';
  /** The artifacts, by the digests the registry itself gives (npm's integrity, PyPI's sha256). */
  artifacts: { name: string; digest: string }[];
  attestations: {
    /** Index into `artifacts`. */
    artifact: number;
    source: string;
    verified: boolean;
    result: VerificationResult | null;
    error: { code: VerificationErrorCode; message: string } | null;
  }[];
  verified: number;
  error: { code: VerificationErrorCode; message: string } | null;
}

/**
 * The attestations a package registry publishes for `subject` (`npm:name@version`,
 * `pypi:project==version`, `github:owner/repo@sha256:<hex>`), each verified against the digest
 * of its artifact and the policy. Resolves when one holds; else rejects with a
 * `VerificationError` (`NO_SIGNATURES`, `NO_MATCHING_SIGNATURES`, ...) whose `report` says what was found.
 */
export function verifyAttestations(subject: string, options?: PolicyOptions & NetworkOptions & RegistryOptions & { trustedRoot?: TrustedRootInput }): Promise<AttestationsVerification>;

/** A Rekor entry by log index or UUID (`rekor-cli get`), verified before it is returned. */
export function getLogEntry(query: { logIndex: number } | { uuid: string }, options?: LogEntryOptions): Promise<LoggedEntry>;

/** The Rekor entries about an artifact or digest (`rekor-cli search`), each verified. */
export function searchLogEntries(query: { digest: string } | { artifact: Uint8Array | ArrayBuffer | ArrayBufferView | string }, options?: LogEntryOptions): Promise<LoggedEntry[]>;
