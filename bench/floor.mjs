// The crypto floor (Node 20): what the signature checks alone cost on WebCrypto.
// 1. Median of one WebCrypto verify for P-256/SHA-256, P-384/SHA-384 and Ed25519
//    (measurePrimitives in workloads.mjs; the browser step measures them in Chromium the same way).
// 2. The checks each workload needs, counted by instrumenting crypto.subtle.verify during a warm
//    verifyAsync of sigstore-wasm (checks answered inside wasm, e.g. prehashed ones, are not seen
//    and are listed as such).
// Floor of a workload = sum over check kinds of count x median.
// Prints one JSON object: { primitives: {...}, W1: { checks: {...}, floor }, ... }.
import { readFileSync } from 'node:fs';
import { createVerifier } from '../pkg/node.js';
import { WORKLOADS, measurePrimitives, prepareOurs } from './workloads.mjs';

const subtle = globalThis.crypto.subtle;
const root = new URL('..', import.meta.url);
const read = (path) => readFileSync(new URL(path, root));

const primitives = await measurePrimitives(subtle);

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
