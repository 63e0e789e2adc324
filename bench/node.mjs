// sigstore-wasm in Node (run with the system Node 20): warm latency and throughput of
// verifyAsync (signature checks on WebCrypto) and verify (synchronous, pure-Rust crypto).
// Prints one JSON object: { W1: { async: {...}, sync: {...} }, ... }.
import { readFileSync } from 'node:fs';
import { createVerifier } from '../pkg/node.js';
import { WORKLOADS, bench, prepareOurs } from './workloads.mjs';

const root = new URL('..', import.meta.url);
const read = (path) => readFileSync(new URL(path, root));

const out = { runtime: `node ${process.version}` };
for (const w of WORKLOADS) {
  // Trust material once; bundle text and artifact bytes in, verdict out, on every iteration.
  const { verifier, bundle, artifact } = await prepareOurs(w, createVerifier, read);
  out[w.id] = {
    async: await bench(() => verifier.verifyAsync(bundle, artifact)),
    sync: await bench(() => verifier.verify(bundle, artifact)),
  };
}
console.log(JSON.stringify(out));
