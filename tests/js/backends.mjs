// The package's crypto backends agree: for every conformance and real-world case, in both
// modes (artifact bytes; `sha256:<hex>` digest),
//   webcrypto    verifyBundle(..)                          signature checks on crypto.subtle
//   node-crypto  (await createVerifier(..)).verify(..)     synchronous, on node:crypto (Rust for
//                what it cannot do: prehashed digests, Ed25519ph)
//   rust-only    the same on an API made without node:crypto (as browsers have it), with
//                crypto.subtle hidden while the verifier is created: every check in Rust, in the
//                crypto module (sigstore_wasm_crypto), which is all the Rust that verifies signatures
// give the same verdict and, on failure, the same error code. Any error that is not a
// VerificationError with a code is a crash and fails the case. The expected verdict is checked
// too, so that agreeing on a wrong answer does not pass.
//
// Run with the system Node (20): node tests/js/backends.mjs
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { createApi } from '../../pkg/api.js';
import { claimedDigest, createDigester, createVerifier, verifyBundle, VerificationError } from '../../pkg/node.js';
import * as glue from '../../pkg/wasm/sigstore_wasm.js';
import * as cryptoGlue from '../../pkg/wasm/sigstore_wasm_crypto.js';
import { expectVerified, loadCases } from './cases.mjs';
import { check } from './harness.mjs';

if (!globalThis.crypto?.subtle) throw new Error('this test needs WebCrypto (globalThis.crypto.subtle)');

// Count the checks run on node:crypto too: the package's binding of crypto.verify is live, and
// follows the patched export once synced.
const nodeCryptoModule = createRequire(import.meta.url)('node:crypto');
const nodeVerify = nodeCryptoModule.verify;
let nodeCryptoChecks = 0;
nodeCryptoModule.verify = function (...args) {
  nodeCryptoChecks++;
  return nodeVerify.apply(this, args);
};
syncBuiltinESMExports();

// Count the signature checks run on WebCrypto, to show each path runs where it says it does.
const subtle = globalThis.crypto.subtle;
const subtleVerify = subtle.verify;
let webCryptoChecks = 0;
subtle.verify = function (...args) {
  webCryptoChecks++;
  return subtleVerify.apply(this, args);
};

function optionsFor(c) {
  const trustedRoot = c.trustedRoot ? readFileSync(c.trustedRoot, 'utf8') : 'production';
  const policy = c.key
    ? { publicKey: readFileSync(c.key, 'utf8') }
    : { certificateIdentity: c.identity, certificateIssuer: c.issuer };
  return { trustedRoot, policy };
}

/** Runs `call` and reduces its outcome to { ok } | { code, message } | { crash }. */
async function outcome(call) {
  try {
    const result = await call();
    if (result && typeof result.verify === 'function' && typeof result.verifyAsync === 'function') return { verifier: result };
    if (!result || typeof result !== 'object' || typeof result.mediaType !== 'string') {
      return { crash: `resolved to something that is not a result: ${JSON.stringify(result)?.slice(0, 200)}` };
    }
    return { ok: true, code: undefined };
  } catch (e) {
    if (e instanceof VerificationError && typeof e.code === 'string') return { ok: false, code: e.code, message: e.message };
    return { crash: `${e?.name ?? typeof e}: ${e?.message ?? e}` };
  }
}

/** As `outcome`, for a synchronous call that must run no WebCrypto check. */
async function syncOutcome(call) {
  const before = webCryptoChecks;
  const o = await outcome(call);
  if (webCryptoChecks !== before && !o.crash) return { crash: `the synchronous verify ran ${webCryptoChecks - before} WebCrypto checks` };
  return o;
}

// The package's API as a runtime without a synchronous native verifier gets it (a browser's),
// its crypto module's checks counted.
let rustChecks = 0;
const rustApi = createApi(async (name) => {
  if (name === 'crypto') {
    cryptoGlue.initSync({ module: readFileSync(new URL('../../pkg/wasm/sigstore_wasm_crypto_bg.wasm', import.meta.url)) });
    return {
      verifySignature(...parts) {
        rustChecks++;
        return cryptoGlue.verifySignature(...parts);
      },
    };
  }
  glue.initSync({ module: readFileSync(new URL('../../pkg/wasm/sigstore_wasm_bg.wasm', import.meta.url)) });
  return glue;
});

/** A verifier of that API, made with crypto.subtle out of sight (restored after). */
async function createRustOnlyVerifier(options) {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
  try {
    return await rustApi.createVerifier(options);
  } finally {
    Object.defineProperty(globalThis, 'crypto', descriptor);
  }
}

const show = (o) => (o.crash ? `CRASH ${o.crash}` : o.ok ? 'verified' : `refused ${o.code}`);

let webCryptoUsed = 0;
let nodeCryptoUsed = 0;
const cases = loadCases();
for (const c of cases) {
  const { trustedRoot, policy } = optionsFor(c);
  const bundle = readFileSync(c.bundle);
  for (const mode of c.modes) {
    const artifact = mode === 'digest' ? c.digest : new Uint8Array(c.artifactBytes);
    const label = `${c.id} (${mode})`;
    const before = webCryptoChecks;
    const webcrypto = await outcome(() => verifyBundle(bundle, artifact, { trustedRoot, ...policy }));
    webCryptoUsed += webCryptoChecks - before;
    // The synchronous verify() must not touch WebCrypto (createVerifier may, for the root's chains).
    const nodeVerifier = await outcome(() => createVerifier({ trustedRoot }));
    const beforeNode = nodeCryptoChecks;
    const nodeCrypto = nodeVerifier.verifier ? await syncOutcome(() => nodeVerifier.verifier.verify(bundle, artifact, policy)) : nodeVerifier;
    nodeCryptoUsed += nodeCryptoChecks - beforeNode;
    const rustOnlyVerifier = await outcome(() => createRustOnlyVerifier({ trustedRoot }));
    const beforeRust = nodeCryptoChecks;
    const rustOnly = rustOnlyVerifier.verifier
      ? await syncOutcome(() => rustOnlyVerifier.verifier.verify(bundle, artifact, policy))
      : rustOnlyVerifier;
    if (nodeCryptoChecks !== beforeRust) rustOnly.crash = `the Rust-only path ran ${nodeCryptoChecks - beforeRust} checks on node:crypto`;
    const paths = { webcrypto, 'node-crypto': nodeCrypto, 'rust-only': rustOnly };
    if (!globalThis.crypto?.subtle) throw new Error('crypto.subtle was not restored');
    const problems = [];
    for (const [name, o] of Object.entries(paths)) if (o.crash) problems.push(`${name} crashed: ${o.crash}`);
    const [first, ...rest] = Object.values(paths);
    if (!problems.length && rest.some((o) => o.ok !== first.ok || o.code !== first.code)) {
      problems.push(`backends disagree: ${Object.entries(paths).map(([n, o]) => `${n} ${show(o)}`).join(', ')}`);
    }
    const want = expectVerified(c, mode);
    if (!problems.length && first.ok !== want) problems.push(`all ${show(first)} but the case must be ${want ? 'verified' : 'refused'}`);
    check(label, !problems.length, problems.join('; '));
  }
}

// W1 (happy-path-v0.3) forged to ask for many signature checks: 99 more well-formed, false
// checkpoint lines under the log's name and key hint, or 32 copies of its entry. Both paths refuse
// it with LIMIT_EXCEEDED, and WebCrypto is handed no check at all.
{
  const w1 = loadCases().find((c) => c.id === 'conformance/happy-path-v0.3');
  const bundle = JSON.parse(readFileSync(w1.bundle, 'utf8'));
  const entry = bundle.verificationMaterial.tlogEntries[0];
  const envelope = entry.inclusionProof.checkpoint.envelope;
  const line = envelope.trimEnd().split('\n').at(-1);
  const [prefix, signature] = [line.slice(0, line.lastIndexOf(' ')), line.slice(line.lastIndexOf(' ') + 1)];
  const bytes = Buffer.from(signature, 'base64');
  const forgedLines = Array.from({ length: 99 }, (_, i) => {
    bytes[bytes.length - 1] = i;
    return `${prefix} ${bytes.toString('base64')}\n`;
  }).join('');
  const manyLines = structuredClone(bundle);
  manyLines.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint.envelope = envelope + forgedLines;
  const manyEntries = structuredClone(bundle);
  manyEntries.verificationMaterial.tlogEntries = Array.from({ length: 32 }, (_, i) => ({ ...entry, logIndex: String(1000 + i) }));
  const { policy } = optionsFor(w1);
  const verifier = await createVerifier({ trustedRoot: 'production' });
  for (const [label, forged] of [['99 forged checkpoint lines', manyLines], ['32 entries', manyEntries]]) {
    const before = webCryptoChecks;
    const started = performance.now();
    const paths = {
      webcrypto: await outcome(() => verifyBundle(forged, new Uint8Array(w1.artifactBytes), policy)),
      'node-crypto': await syncOutcome(() => verifier.verify(forged, new Uint8Array(w1.artifactBytes), policy)),
    };
    const elapsed = performance.now() - started;
    const problems = Object.entries(paths)
      .filter(([, o]) => o.code !== 'LIMIT_EXCEEDED')
      .map(([name, o]) => `${name} ${show(o)}, want LIMIT_EXCEEDED`);
    if (webCryptoChecks !== before) problems.push(`WebCrypto ran ${webCryptoChecks - before} checks`);
    if (check(`W1 with ${label}`, !problems.length, problems.join('; '))) {
      console.log(`  W1 with ${label}: LIMIT_EXCEEDED on both paths, 0 WebCrypto checks, ${elapsed.toFixed(1)} ms`);
    }
  }
}

// The incremental digester (node:crypto's hash, in Node) gives the digest, in pieces of any size, under the algorithm
// the bundle needs (npm provenance names its tarball by sha512 only).
{
  const npm = loadCases().find((c) => c.id === 'realworld/npm-provenance-sigstore-2.0.0');
  const problems = [];
  for (const algorithm of ['sha256', 'sha384', 'sha512']) {
    const digester = await createDigester(algorithm);
    for (let at = 0; at < npm.artifactBytes.length; at += 1000 + at) digester.update(npm.artifactBytes.subarray(at, at + 1000 + at));
    const want = `${algorithm}:${createHash(algorithm).update(npm.artifactBytes).digest('hex')}`;
    const got = digester.digest();
    if (got !== want) problems.push(`${algorithm}: ${got}, want ${want}`);
  }
  const forBundle = await createDigester({ bundle: readFileSync(npm.bundle) });
  forBundle.update(npm.artifactBytes);
  const digest = forBundle.digest();
  if (forBundle.algorithm !== 'sha512') problems.push(`the npm bundle needs sha512, got ${forBundle.algorithm}`);
  const verified = await outcome(() => verifyBundle(readFileSync(npm.bundle), digest, optionsFor(npm).policy));
  if (!verified.ok) problems.push(`the bundle does not verify by that digest: ${show(verified)}`);
  const bad = await outcome(() => createDigester('md5'));
  if (bad.code !== 'INVALID_INPUT') problems.push(`md5: ${show(bad)}`);
  check('digester', !problems.length, problems.join('; '));
}

// The digest a bundle claims is its artifact's, for every case with an artifact and a bundle that
// names one (a message signature, or an in-toto statement): what the edge gate verifies before it
// fetches the artifact.
{
  const problems = [];
  let checked = 0;
  for (const c of loadCases().filter((c) => !c.mustFail && c.artifactBytes)) {
    let claimed;
    try {
      claimed = await claimedDigest(readFileSync(c.bundle));
    } catch (e) {
      if (e.code !== 'INVALID_INPUT') problems.push(`${c.id}: ${e.code} ${e.message}`);
      continue;
    }
    const [algorithm, hex] = claimed.split(':');
    if (createHash(algorithm).update(c.artifactBytes).digest('hex') !== hex) problems.push(`${c.id}: claims ${claimed}`);
    checked++;
  }
  if (checked < 20) problems.push(`only ${checked} cases claim a digest`);
  check('claimedDigest', !problems.length, problems.join('; '));
}

// The node:crypto path did run node:crypto (else it compared Rust with itself).
check(`verify() ran ${nodeCryptoUsed} signature checks on node:crypto (100 at least)`, nodeCryptoUsed >= 100, 'too few');

// The Rust-only path did run the crypto module.
check(`the Rust-only path ran ${rustChecks} signature checks in the crypto module (100 at least)`, rustChecks >= 100, 'too few');

// The WebCrypto path did run WebCrypto (else the comparison above compared Rust with itself).
check(`verifyBundle ran ${webCryptoUsed} signature checks on WebCrypto (100 at least)`, webCryptoUsed >= 100, 'too few');
