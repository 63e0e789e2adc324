// The four workloads, shared by every script (Node and the browser page). Paths are relative to
// the repository root; `trustedRoot: null` means Sigstore's production root (embedded in
// sigstore-wasm, trust/production-trusted_root.json for the other libraries).
const CONFORMANCE = 'tests/data/conformance/bundle-verify';
// The conformance suite's defaults (tests/data/conformance/README.md): a.txt, this identity and issuer.
const BEACON =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const GITHUB = 'https://token.actions.githubusercontent.com';

export const PRODUCTION_ROOT = 'trust/production-trusted_root.json';

/**
 * Our verifier for workload `w` (trust material set up once) and its inputs as the timed loops
 * take them: bundle text and artifact bytes. `read(path)` returns a file's bytes.
 */
export async function prepareOurs(w, createVerifier, read) {
  const text = (path) => new TextDecoder().decode(read(path));
  const verifier = await createVerifier({
    trustedRoot: w.trustedRoot ? text(w.trustedRoot) : 'production',
    certificateIdentity: w.identity,
    certificateIssuer: w.issuer,
  });
  return { verifier, bundle: text(w.bundle), artifact: new Uint8Array(read(w.artifact)) };
}

export const WORKLOADS = [
  {
    id: 'W1',
    name: 'hashedrekord v0.3',
    bundle: `${CONFORMANCE}/happy-path-v0.3/bundle.sigstore.json`,
    artifact: `${CONFORMANCE}/a.txt`,
    trustedRoot: null,
    identity: BEACON,
    issuer: GITHUB,
  },
  {
    id: 'W2',
    name: 'DSSE in-toto v0.3',
    bundle: `${CONFORMANCE}/happy-path-intoto-in-dsse-v3/bundle.sigstore.json`,
    artifact: `${CONFORMANCE}/a.txt`,
    trustedRoot: null,
    identity: BEACON,
    issuer: GITHUB,
  },
  {
    id: 'W3',
    name: 'Rekor v2 + TSA',
    bundle: `${CONFORMANCE}/rekor2-happy-path/bundle.sigstore.json`,
    artifact: `${CONFORMANCE}/a.txt`,
    trustedRoot: `${CONFORMANCE}/rekor2-happy-path/trusted_root.json`,
    identity: BEACON,
    issuer: GITHUB,
  },
  {
    id: 'W4',
    name: 'npm provenance (sha512)',
    bundle: 'tests/data/realworld/npm-provenance-sigstore-2.0.0/bundle.sigstore.json',
    artifact: 'tests/data/realworld/npm-provenance-sigstore-2.0.0/artifact',
    trustedRoot: null,
    // tests/data/realworld/npm-provenance-sigstore-2.0.0/{identity,issuer}
    identity: 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main',
    issuer: GITHUB,
  },
];

/** Per-measurement bounds: warm-up, then samples until `maxIters` or `maxMs`, whichever first. */
export const BOUNDS = { warmupIters: 30, warmupMs: 300, minIters: 20, maxIters: 3000, maxMs: 2500 };

function quantile(sorted, q) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/**
 * Warm latency and sequential throughput of `fn` (sync or async). Latencies in ms.
 * Throughput is samples / wall time of the measured loop (one verification at a time).
 */
export async function measure(fn, bounds = BOUNDS) {
  const now = () => performance.now();
  const call = async () => {
    const r = fn();
    if (r && typeof r.then === 'function') await r;
  };
  let t0 = now();
  for (let n = 0; n < bounds.warmupIters || (now() - t0 < bounds.warmupMs && n < bounds.warmupIters * 20); n++) {
    await call();
  }
  const samples = [];
  const start = now();
  while (samples.length < bounds.maxIters && (samples.length < bounds.minIters || now() - start < bounds.maxMs)) {
    const a = now();
    await call();
    samples.push(now() - a);
  }
  const wall = now() - start;
  const sorted = samples.slice().sort((x, y) => x - y);
  return {
    n: samples.length,
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    throughput: samples.length / (wall / 1000),
  };
}

/** Runs `verifyOnce` once to prove it verifies, then measures it; errors become `{ na: reason }`. */
export async function bench(verifyOnce, bounds = BOUNDS) {
  try {
    await verifyOnce();
  } catch (e) {
    return { na: String(e && e.message ? `${e.code ? e.code + ': ' : ''}${e.message}` : e).slice(0, 160) };
  }
  return measure(verifyOnce, bounds);
}

/**
 * Median of one WebCrypto verify for P-256/SHA-256, P-384/SHA-384 and Ed25519 on `subtle`: keys
 * imported once, as sigstore-wasm's key cache does; a 1 KiB message, about a TBSCertificate.
 * A workload's floor is the sum over its checks of count x the primitive's median.
 */
export async function measurePrimitives(subtle) {
  const message = new Uint8Array(1024).map((_, i) => (i * 131) & 0xff);
  const kinds = {
    'P-256': { gen: { name: 'ECDSA', namedCurve: 'P-256' }, sig: { name: 'ECDSA', hash: 'SHA-256' } },
    'P-384': { gen: { name: 'ECDSA', namedCurve: 'P-384' }, sig: { name: 'ECDSA', hash: 'SHA-384' } },
    Ed25519: { gen: { name: 'Ed25519' }, sig: { name: 'Ed25519' } },
  };
  const bounds = { warmupIters: 50, warmupMs: 300, minIters: 50, maxIters: 3000, maxMs: 1500 };
  const primitives = {};
  for (const [kind, { gen, sig }] of Object.entries(kinds)) {
    const pair = await subtle.generateKey(gen, true, ['sign', 'verify']);
    const spki = await subtle.exportKey('spki', pair.publicKey);
    const key = await subtle.importKey('spki', spki, gen, false, ['verify']);
    const signature = await subtle.sign(sig, pair.privateKey, message);
    if (!(await subtle.verify(sig, key, signature, message))) throw new Error(`${kind} self-check failed`);
    primitives[kind] = (await measure(() => subtle.verify(sig, key, signature, message), bounds)).median;
  }
  return primitives;
}
