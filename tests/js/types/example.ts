// Type-checked, not run (tests/js/runtimes/types.mjs): what a TypeScript user of sigstore-wasm
// writes, against pkg/index.d.ts, with --strict --module nodenext --moduleResolution nodenext.
import {
  cachedVerifier,
  fileCache,
  claimedDigest,
  createVerifier,
  describeTrustedRoot,
  type TrustedRootSource,
  downloadSubject,
  getLogEntry,
  searchLogEntries,
  verifyBundle,
  verifyImage,
  verifyImageAttestations,
  VerificationError,
  type ArtifactInput,
  type ImageVerification,
  type LoggedEntry,
  type BundleInput,
  type VerificationErrorCode,
  type VerificationResult,
  type Verifier,
  type VerifyOptions,
} from 'sigstore-wasm';

const options: VerifyOptions = {
  certificateIdentity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
  certificateIssuer: 'https://token.actions.githubusercontent.com',
  certificateExtensions: { githubWorkflowRepository: 'acme/app' },
  trustedRoot: 'production',
  tlogThreshold: 1,
  currentTime: Date.now(),
};

export async function check(bundle: BundleInput, artifact: Uint8Array): Promise<string> {
  const result: VerificationResult = await verifyBundle(bundle, artifact, options);
  const digest: ArtifactInput = 'sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf';
  await verifyBundle(JSON.stringify(bundle), digest, { publicKey: '-----BEGIN PUBLIC KEY-----\n...', trustedRoot: {} });

  const verifier: Verifier = await createVerifier({ trustedRoot: 'staging', certificateIdentityRegExp: '^https://github\\.com/acme/' });
  const copy = new ArrayBuffer(artifact.byteLength);
  new Uint8Array(copy).set(artifact);
  const sync: VerificationResult = verifier.verify(bundle, copy, { certificateIssuer: 'https://token.actions.githubusercontent.com' });
  const viaWebCrypto: Promise<VerificationResult> = verifier.verifyAsync(bundle, new DataView(copy));
  await viaWebCrypto;

  // The trusted root refreshed through TUF, and where it came from.
  const fresh: Verifier = await createVerifier({ trustedRoot: 'tuf' });
  const source: TrustedRootSource = fresh.trustedRootSource();
  if (source.warning) console.warn(source.warning, source.rootVersion, source.refreshed);
  // What a root holds and where it came from, without a verifier of one's own.
  const described = await describeTrustedRoot({ trustedRoot: 'tuf', timeout: 5000 });
  const authorities: number = described.summary.certificateAuthorities;
  const from: TrustedRootSource = described.source;
  void authorities;
  void from;
  await verifyBundle(bundle, artifact, { trustedRoot: { tuf: { root: 'staging', offline: true } } });
  // In Node, Deno and Bun: a TUF cache in a directory of one's own.
  await verifyBundle(bundle, artifact, { trustedRoot: { tuf: { cache: fileCache('https://tuf-repo-cdn.sigstore.dev', '/tmp/tuf') } } });
  // The verifier the package keeps for a root, refreshed now by a scheduled job.
  const shared: Verifier = await cachedVerifier({ trustedRoot: 'tuf', refresh: true });
  void shared;

  // Verify first, then fetch and hash the artifact against the digest the bundle claims.
  const claimed: string = await claimedDigest(bundle, 'app.tar.gz');
  await verifier.verifyAsync(bundle, claimed);
  const { subject, file }: { subject: string; file: string } = await downloadSubject('npm', 'sigstore/-/sigstore-2.0.0.tgz');
  void file;
  void subject;

  // The signer is a union: the certificate's fields need narrowing.
  const signer = result.signer;
  const who = signer.type === 'certificate' ? `${signer.subjectAltName} (${signer.issuer}, ${signer.subjectAltNameType})` : signer.keyId;
  const index: number = result.tlogEntries[0]?.logIndex ?? -1;
  const predicateType: string | undefined = sync.statement?.predicateType;
  const claims = signer.type === 'certificate' ? signer.extensions.map((c) => `${c.name}=${c.value}`) : [];
  return `${who} ${index} ${predicateType} ${claims.length}`;
}

export async function explain(bundle: BundleInput, artifact: ArtifactInput): Promise<VerificationErrorCode | 'OK'> {
  try {
    await verifyBundle(bundle, artifact, { unsafeAllowAnyIdentity: true });
    return 'OK';
  } catch (e) {
    if (e instanceof VerificationError) {
      const code: VerificationErrorCode = e.code;
      const message: string = e.message;
      return message.length > 0 ? code : 'SIGNATURE';
    }
    throw e;
  }
}

export async function image(reference: string): Promise<string> {
  try {
    const report: ImageVerification = await verifyImage(reference, {
      certificateIdentityRegExp: '^https://github\\.com/acme/',
      certificateIssuer: 'https://token.actions.githubusercontent.com',
      annotations: { env: 'prod' },
      proxy: 'https://proxy.example/',
      timeout: 10_000,
    });
    const first = report.signatures.find((s) => s.verified);
    const attested = await verifyImageAttestations(`${report.name}@${report.digest}`, { predicateType: 'https://slsa.dev/provenance/v1', publicKey: '...' });
    return `${first?.format} ${first?.result?.claims?.dockerManifestDigest ?? first?.result?.statement?.predicateType} ${attested.verified}`;
  } catch (e) {
    if (e instanceof VerificationError && e.report) return `${e.code}: ${e.report.signatures.map((s) => s.error?.code).join(', ')}`;
    throw e;
  }
}

export async function log(artifact: Uint8Array): Promise<number> {
  const entry: LoggedEntry = await getLogEntry({ logIndex: 12345 }, { rekorUrl: 'https://rekor.sigstore.dev' });
  const found: LoggedEntry[] = await searchLogEntries({ artifact });
  const signer = entry.signer?.type === 'certificate' ? entry.signer.subjectAltName : entry.signer?.keyId;
  return found.length + (signer ?? '').length + (entry.inclusionProof?.treeSize ?? 0);
}

export const error = new VerificationError('IDENTITY_MISMATCH', 'expected a, found b');
