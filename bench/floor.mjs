// The crypto floor (Node 20): what the signature checks alone cost on WebCrypto.
// 1. Median of one WebCrypto verify for P-256/SHA-256, P-384/SHA-384 and Ed25519 (keys imported
//    once, as sigstore-wasm's key cache does; a 1 KiB message, about a TBSCertificate).
// 2. The checks each workload needs, counted by instrumenting crypto.subtle.verify during a warm
//    verifyAsync of sigstore-wasm (checks answered inside wasm, e.g. prehashed ones, are not seen
//    and are listed as such).
// Floor of a workload = sum over check kinds of count x median.
// Prints one JSON object: { primitives: {...}, W1: { checks: {...}, floor }, ... }.
import { readFileSync } from 'node:fs';
import { createVerifier } from '../pkg/node.js';
import { WORKLOADS, measure, prepareOurs } from './workloads.mjs';

const subtle = globalThis.crypto.subtle;
const root = new URL('..', import.meta.url);
const read = (path) => readFileSync(new URL(path, root));

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

/** e.g. "ECDSA P-384/SHA-384" -> "P-384" for the floor; other kinds keep their full name. */
function kindOf(algorithm, key) {
  const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
  if (name === 'ECDSA') return `${key.algorithm.namedCurve}`;
  return name === 'Ed25519' ? 'Ed25519' : `${name}${key.algorithm.hash ? '/' + key.algorithm.hash.name : ''}`;
}

const out = { runtime: `node ${process.version}`, primitives };
const realVerify = subtle.verify.bind(subtle);
for (const w of WORKLOADS) {
  const { verifier, bundle, artifact } = await prepareOurs(w, createVerifier, read);
  await verifier.verifyAsync(bundle, artifact); // cold: key imports and any caches
  const checks = {};
  subtle.verify = (algorithm, key, signature, data) => {
    const kind = kindOf(algorithm, key);
    checks[kind] = (checks[kind] ?? 0) + 1;
    return realVerify(algorithm, key, signature, data);
  };
  try {
    await verifier.verifyAsync(bundle, artifact);
  } finally {
    subtle.verify = realVerify;
  }
  let floor = 0;
  let unknown = [];
  for (const [kind, count] of Object.entries(checks)) {
    if (kind in primitives) floor += count * primitives[kind];
    else unknown.push(kind);
  }
  out[w.id] = { checks, floor, unknown };
}
console.log(JSON.stringify(out));
