// wasm linear memory around 10,000 synchronous verifications of W1 (Node 20). The glue module
// (pkg/wasm/sigstore_wasm.js) is the one pkg/node.js initialised; once initialised its
// initSync() returns the instance's exports, whose `memory` is the linear memory.
// Prints one JSON object with byte lengths at: after createVerifier, after 1, after the
// warm-up (200), every 1,000, and at the end; `grew` compares the end with the warm-up.
import { readFileSync } from 'node:fs';
import { createVerifier } from '../pkg/node.js';
import * as glue from '../pkg/wasm/sigstore_wasm.js';
import { WORKLOADS } from './workloads.mjs';

const TOTAL = 10_000;
const WARMUP = 200;
const MAX_MS = 300_000; // bound: stop early (and say so) if the machine is very slow
const root = new URL('..', import.meta.url);
const read = (path) => readFileSync(new URL(path, root));
const w = WORKLOADS[0];

const verifier = await createVerifier({ certificateIdentity: w.identity, certificateIssuer: w.issuer });
const memory = glue.initSync().memory;
const bytes = () => memory.buffer.byteLength;
const bundle = read(w.bundle).toString();
const artifact = new Uint8Array(read(w.artifact));

const out = { runtime: `node ${process.version}`, afterCreate: bytes(), samples: [] };
const start = performance.now();
let done = 0;
while (done < TOTAL && performance.now() - start < MAX_MS) {
  verifier.verify(bundle, artifact);
  done++;
  if (done === 1) out.afterFirst = bytes();
  if (done === WARMUP) out.afterWarmup = bytes();
  if (done % 1000 === 0) out.samples.push([done, bytes()]);
}
out.done = done;
out.seconds = (performance.now() - start) / 1000;
out.end = bytes();
out.warmup = WARMUP;
out.grew = out.end > (out.afterWarmup ?? out.afterFirst);
console.log(JSON.stringify(out));
