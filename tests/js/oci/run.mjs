// End-to-end tests of image verification and Rekor lookups through the built package (pkg/),
// against real servers on 127.0.0.1: Debian's docker-registry with the world of tests/oci.rs
// pushed into it, a bearer-token proxy in front of it (which sends blobs to another origin, as
// Docker Hub's and GHCR's CDNs do), a hostile registry, a CORS proxy, and a
// Rekor v1 API over the world's log (and one over a lying copy of it). Every case of world.json
// runs in Node, in workerd and in a Chromium page on an origin of its own (the servers send CORS
// headers); then the proxy, an injected fetch and the CLI are checked.
//
//   node tests/js/oci/run.mjs [WORLD_DIR]     (default target/tmp/oci-world; $WORKERD, $CHROMIUM set)
//
// Each check is a node:test test (tests/js/harness.mjs): run it with `node --test-reporter=spec`.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVerifier, VerificationError } from '../../../pkg/node.js';
import { launchChromium, openPage, serveFiles } from '../chromium.mjs';
import { check, failures, finish, runProcess } from '../harness.mjs';
import { startWorkerd } from '../worker.mjs';
import { meets, runCase } from './cases.mjs';
import { startCorsProxy, startWorld } from './servers.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const WORLD = resolve(process.argv[2] ?? join(ROOT, 'target/tmp/oci-world'));
const WORKER_CONFIG = join(ROOT, 'tests/js/oci/worker/config.capnp');
const CLI = join(ROOT, 'pkg/cli.js');
/// The hostile registry's delay: longer than the cases' 1 s timeout.
const HOSTILE_DELAY_MS = 3_000;

if (!existsSync(join(WORLD, 'world.json'))) {
  console.error(`oci: ${WORLD}/world.json is missing: scripts/fixtures.sh writes it`);
  process.exit(1);
}
const world = JSON.parse(readFileSync(join(WORLD, 'world.json'), 'utf8'));
const host = (url) => new URL(url).host;

const stops = [];
const browserLog = [];
try {
  const { pushed, registry, token, hostile, rekor, liar, stop } = await startWorld(WORLD, { hostile: { delayMs: HOSTILE_DELAY_MS } });
  stops.push(stop);
  const cors = await startCorsProxy();
  stops.push(cors.stop);
  console.log(`pushed ${Object.keys(world.repositories).length} repositories (${pushed.manifests} manifests, ${pushed.blobsUploaded} blobs) to ${registry.url}`);
  const where = {
    registries: { registry: host(registry.url), token: host(token.url), hostile: host(hostile.url) },
    rekor: rekor.url,
    rekorLiar: liar.url,
  };
  // A real registry has no referrers API to offer: those cases run natively only.
  const cases = world.cases.filter((c) => c.server in where.registries || c.server === 'rekor');

  const verifier = await createVerifier({ trustedRoot: world.trustedRoot });
  for (const c of cases) {
    const actual = await runCase(verifier, VerificationError, c, where);
    check(`node: ${c.name}`, meets(actual, c.expect), `expected ${JSON.stringify(c.expect)}, got ${JSON.stringify(actual)}`);
  }

  // The network layer: a proxy, an injected fetch, the token flow, Rekor asked.
  const keyless = cases.find((c) => c.name === 'legacy keyless signature with its Rekor bundle');
  const forwarded = cors.forwarded;
  const viaProxy = await runCase(verifier, VerificationError, keyless, where, { proxy: `${cors.url}/` });
  check('node: through a CORS proxy', meets(viaProxy, keyless.expect) && cors.forwarded > forwarded, `${JSON.stringify(viaProxy)}, ${cors.forwarded - forwarded} forwarded`);
  let fetched = 0;
  const counting = (url, init) => (fetched++, fetch(url, init));
  const viaFetch = await runCase(verifier, VerificationError, keyless, where, { fetch: counting });
  check('node: with an injected fetch', meets(viaFetch, keyless.expect) && fetched >= 3, `${JSON.stringify(viaFetch)}, ${fetched} requests`);
  check('node: anonymous bearer tokens were asked for', token.tokenRequests > 0, `${token.tokenRequests} token requests`);
  check('node: blobs redirected to another origin were followed', token.redirects > 0, `${token.redirects} redirects`);
  check('node: Rekor was searched for signatures without a Rekor bundle', rekor.requests.entriesRetrieve > 0, JSON.stringify(rekor.requests));

  await checkCli(where, cases);

  // The same cases inside workerd.
  const workerd = await startWorkerd(WORKER_CONFIG, { readyPath: '/health' });
  stops.push(workerd.stop);
  const base = workerd.url;
  for (const c of cases) {
    const response = await fetch(`${base}/case`, {
      method: 'POST',
      body: JSON.stringify({ testCase: c, where, trustedRoot: world.trustedRoot }),
      signal: AbortSignal.timeout(60_000),
    });
    const actual = await response.json();
    check(`workerd: ${c.name}`, meets(actual, c.expect), `expected ${JSON.stringify(c.expect)}, got ${JSON.stringify(actual)}`);
  }

  // And in Chromium.
  const files = await serveFiles([['/pkg/', join(ROOT, 'pkg')], ['/tests/js/oci/', join(ROOT, 'tests/js/oci')]]);
  const profile = mkdtempSync(join(tmpdir(), 'sigstore-wasm-oci-chromium-'));
  const context = await launchChromium(profile);
  stops.push(async () => {
    await context.close().catch(() => {});
    files.close();
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });
  const page = await openPage(context, (url) => new URL(url).hostname === '127.0.0.1', browserLog);
  await page.goto(`${files.origin}/`);
  const inPage = await page.evaluate(
    async ({ cases, where, trustedRoot, origin }) => {
      const { createVerifier, VerificationError } = await import(`${origin}/pkg/browser.js`);
      const { runCase } = await import(`${origin}/tests/js/oci/cases.mjs`);
      const verifier = await createVerifier({ trustedRoot });
      const out = [];
      for (const c of cases) out.push(await runCase(verifier, VerificationError, c, where));
      return { out, secureContext: window.isSecureContext };
    },
    { cases, where, trustedRoot: world.trustedRoot, origin: files.origin },
  );
  check('chromium: the page is a secure context (WebCrypto)', inPage.secureContext, 'not a secure context');
  inPage.out.forEach((actual, i) => {
    check(`chromium: ${cases[i].name}`, meets(actual, cases[i].expect), `expected ${JSON.stringify(cases[i].expect)}, got ${JSON.stringify(actual)}`);
  });
  console.log(`ran ${cases.length} cases in Node, workerd and Chromium (${world.cases.length - cases.length} need the referrers API and run natively)`);
} catch (e) {
  check('the runner runs to its end', false, String(e?.stack ?? e));
} finally {
  for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => {});
}

if (failures() && browserLog.length) console.log(`browser log:\n  ${browserLog.slice(-40).join('\n  ')}`);
await finish();

/** The CLI as cosign and rekor-cli users run it. */
async function checkCli(where, cases) {
  const dir = mkdtempSync(join(tmpdir(), 'sigstore-wasm-oci-'));
  try {
    const root = join(dir, 'trusted_root.json');
    writeFileSync(root, JSON.stringify(world.trustedRoot));
    const key = join(dir, 'cosign.pub');
    writeFileSync(key, cases.find((c) => c.options.publicKey).options.publicKey);
    const registry = where.registries.registry;
    const identity = ['--certificate-identity', cases[0].options.certificateIdentity, '--certificate-oidc-issuer', cases[0].options.certificateOidcIssuer];
    const cli = async (name, args, expect, env = {}) => {
      const r = await runProcess(process.execPath, [CLI, ...args, '--trusted-root', root], { cwd: ROOT, env: { ...process.env, ...env } });
      const problem = expect(r);
      check(`cli: ${name}`, !problem, `${problem} (exit ${r.status}; stdout ${r.stdout.slice(0, 300)}; stderr ${r.stderr.slice(0, 300)})`);
    };
    const image = `${registry}/legacy/keyless:v1`;
    await cli('verify-image prints the verified payloads as cosign does', ['verify-image', ...identity, image], (r) => {
      if (r.status !== 0) return 'not verified';
      const [payload] = JSON.parse(r.stdout);
      if (!payload?.critical?.image?.['docker-manifest-digest']?.startsWith('sha256:')) return 'no docker-manifest-digest';
      if (payload.optional.Subject !== identity[1]) return 'no Subject';
      if (!Number.isInteger(payload.optional.Bundle?.Payload?.logIndex)) return 'no Bundle';
      if (!r.stderr.includes('The following checks were performed')) return 'no checks on stderr';
    });
    await cli('verify-image with a key', ['verify-image', '--key', key, `${registry}/legacy/keyed:v1`], (r) => (r.status === 0 ? undefined : 'not verified'));
    await cli('verify-image with -a', ['verify-image', ...identity, '-a', 'env=dev', `${registry}/legacy/annotated:v1`], (r) =>
      r.status === 1 && r.stderr.includes('Error: no matching signatures') && r.stderr.includes('ANNOTATION_MISMATCH') ? undefined : 'not refused as it should be',
    );
    await cli('an unsigned image', ['verify-image', ...identity, `${registry}/unsigned/app:v1`], (r) =>
      r.status === 1 && r.stderr.startsWith('Error: no signatures found') ? undefined : 'no "no signatures found"',
    );
    await cli('--output text names each signature', ['verify-image', ...identity, '--output', 'text', `${registry}/neg/one-of-two:v1`], (r) =>
      r.status === 0 && r.stdout.includes('refused ') && r.stdout.includes('ARTIFACT_MISMATCH') && r.stdout.includes('verified ') ? undefined : 'report incomplete',
    );
    await cli('verify-attestation --type', ['verify-attestation', ...identity, '--type', 'slsaprovenance1', `${registry}/attest/legacy:v1`], (r) => {
      if (r.status !== 0) return 'not verified';
      const statement = JSON.parse(Buffer.from(JSON.parse(r.stdout.split('\n')[0]).payload, 'base64'));
      return statement.predicateType === 'https://slsa.dev/provenance/v1' ? undefined : 'wrong statement';
    });
    await cli('verify-attestation without an attestation of the type', ['verify-attestation', ...identity, `${registry}/attest/legacy:v1`], (r) =>
      r.status === 1 && r.stderr.startsWith('Error: no attestations of type https://cosign.sigstore.dev/attestation/v1 found') ? undefined : 'not refused',
    );
    const entry = world.rekor.entries[0];
    await cli('rekor get --log-index', ['rekor', 'get', '--log-index', String(entry.logIndex), '--rekor-url', where.rekor], (r) =>
      r.status === 0 && JSON.parse(r.stdout).UUID === entry.uuid ? undefined : 'wrong entry',
    );
    const badSet = world.cases.find((c) => c.name === 'an entry with a bad SET').target.logIndex;
    await cli('rekor get from a lying Rekor', ['rekor', 'get', '--log-index', String(badSet), '--rekor-url', where.rekorLiar], (r) =>
      r.status === 1 && r.stderr.includes('check:  SET') ? undefined : 'not refused',
    );
    await cli('a bad flag', ['verify-image', '--no-such-flag', image], (r) => (r.status === 2 ? undefined : 'not a usage error'));
    await cli(
      'COSIGN_REPOSITORY',
      ['verify-image', ...identity, `${registry}/split/app:v1`],
      (r) => (r.status === 0 ? undefined : 'not verified'),
      { COSIGN_REPOSITORY: `${registry}/split/signatures` },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
