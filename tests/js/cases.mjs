// The test vectors shared by the JavaScript tests: the Sigstore conformance bundle-verify cases
// and the real-world bundles, in the layout of tests/data/conformance/README.md, each to be run
// in two modes (the artifact's bytes; only its `sha256:<hex>` digest). A case with a `digest`
// file in place of its artifact runs in the digest mode only.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CONFORMANCE = join(ROOT, 'tests/data/conformance/bundle-verify');
export const REALWORLD = join(ROOT, 'tests/data/realworld');
export const PRODUCTION_ROOT = join(ROOT, 'trust/production-trusted_root.json');

export const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
export const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

export const MODES = ['bytes', 'digest'];

// npm provenance names its tarball by SHA-512 only: a SHA-256 digest cannot match any subject,
// so in digest mode these real-world cases must be refused (cleanly) instead of verified.
// `checkDigestExemptions` confirms the reason still holds for each of them.
export const DIGEST_EXEMPT = new Set(['npm-provenance-sigstore-1.3.0', 'npm-provenance-sigstore-2.0.0']);

function optional(path) {
  return existsSync(path) ? path : undefined;
}

function text(path) {
  return path === undefined ? undefined : readFileSync(path, 'utf8').trim();
}

function load(suite, dir, defaultArtifact) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'bundle.sigstore.json')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const d = join(dir, name);
      const digest = text(optional(join(d, 'digest')));
      const artifact = digest === undefined ? optional(join(d, 'artifact')) ?? defaultArtifact : undefined;
      if (digest === undefined && (artifact === undefined || !existsSync(artifact))) throw new Error(`${suite}/${name}: no artifact`);
      const artifactBytes = artifact === undefined ? undefined : readFileSync(artifact);
      return {
        suite,
        name,
        id: `${suite}/${name}`,
        dir: d,
        bundle: join(d, 'bundle.sigstore.json'),
        key: optional(join(d, 'key.pub')),
        trustedRoot: optional(join(d, 'trusted_root.json')),
        identity: text(optional(join(d, 'identity'))) ?? DEFAULT_IDENTITY,
        issuer: text(optional(join(d, 'issuer'))) ?? DEFAULT_ISSUER,
        artifact,
        artifactBytes,
        digest: digest ?? `sha256:${createHash('sha256').update(artifactBytes).digest('hex')}`,
        modes: digest === undefined ? MODES : ['digest'],
        mustFail: name.endsWith('_fail'),
      };
    });
}

/** Every case, conformance first. Refuses to run on a truncated data set. */
export function loadCases() {
  const conformance = load('conformance', CONFORMANCE, join(CONFORMANCE, 'a.txt'));
  const realworld = load('realworld', REALWORLD, undefined);
  if (conformance.length < 50) throw new Error(`expected >= 50 conformance cases, found ${conformance.length}`);
  if (realworld.length < 5) throw new Error(`expected >= 5 real-world cases, found ${realworld.length}`);
  for (const name of DIGEST_EXEMPT) {
    if (!realworld.some((c) => c.name === name)) throw new Error(`digest exemption for missing case ${name}`);
  }
  return [...conformance, ...realworld];
}

/** Whether the case must verify in the given mode. */
export function expectVerified(c, mode) {
  if (c.mustFail) return false;
  return !(mode === 'digest' && c.suite === 'realworld' && DIGEST_EXEMPT.has(c.name));
}

/**
 * The exemption's reason, checked on the data: the bundle is a DSSE in-toto statement and no
 * subject has a sha256 digest. Returns a problem description, or undefined.
 */
export function checkDigestExemption(c) {
  try {
    const bundle = JSON.parse(readFileSync(c.bundle, 'utf8'));
    const payload = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    const subjects = payload.subject ?? [];
    if (subjects.length === 0) return 'the statement has no subjects';
    if (subjects.some((s) => s.digest && 'sha256' in s.digest)) return 'a subject has a sha256 digest: the exemption is stale';
    return undefined;
  } catch (e) {
    return `cannot read the in-toto statement: ${e.message}`;
  }
}

/** Runs `task` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Rejects after `ms` milliseconds unless `promise` settles first. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
