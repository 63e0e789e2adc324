// The gate's test servers, on 127.0.0.1 only: the origin the file gate serves from, and the worker
// itself in workerd with a policy of the test's own. Both have an idempotent stop().
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { startWorker } from '../worker.mjs';
/** The large artifact's bytes are generated in pieces of this many periods of 251 bytes. */
const PERIODS_PER_CHUNK = 256;

/**
 * The origin: `GET /<case>/<file>` (or `/<file>`) serves `dir/<file>` with its Content-Length;
 * `large.bin` and `large-tampered.bin` (its last byte flipped) are generated as they stream
 * (byte i is i % 251, `largeBytes` long). `requests` counts requests per path.
 */
export async function startOrigin(dir, largeBytes) {
  const requests = new Map();
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://origin').pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const name = path.slice(path.lastIndexOf('/') + 1);
    const generated = name === 'large.bin' || name === 'large-tampered.bin';
    const file = join(dir, name);
    if (!generated && (!name || !existsSync(file))) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const total = generated ? largeBytes : statSync(file).size;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total, etag: `"${name}"` });
    if (req.method === 'HEAD') res.end();
    else if (generated) generate(res, total, name === 'large-tampered.bin');
    else createReadStream(file).pipe(res);
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${server.address().port}`, requests, stop: () => new Promise((done) => server.close(done)) };
}

/** The generated artifact: byte i is i % 251, the last one flipped if tampered. */
function generate(res, total, tampered) {
  const chunk = Buffer.alloc(251 * PERIODS_PER_CHUNK);
  for (let i = 0; i < chunk.length; i++) chunk[i] = i % 251;
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const length = Math.min(chunk.length, total - sent);
      let piece = chunk.subarray(0, length);
      if (tampered && sent + length === total) {
        piece = Buffer.from(piece);
        piece[length - 1] ^= 1;
      }
      sent += length;
      if (!res.write(piece)) return res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

/** The worker in workerd with `policy` as its gate policy, its proxy allowed to reach loopback. */
export function startGate(policy, env = {}) {
  return startWorker({ SIGSTORE_WASM_ALLOW_LOOPBACK: 'true', SIGSTORE_WASM_GATE_POLICY: JSON.stringify(policy), ...env });
}
