// The page's hashing worker (a dedicated Web Worker): digests one artifact file with the npm
// package's digester, the core's hasher, reading it in pieces, so that the page's main thread only
// renders while a file of gigabytes is hashed. The page stops a hash by terminating the worker.
//
// In: { file, bundle }, the File and the bundle's text (it names the digest algorithm).
// Out: { algorithm }, then { hashed } (bytes so far) at most every PROGRESS_EVERY_MS, then
// { digest } ("<algorithm>:<hex>") or { error: { code, message } }.
import { createDigester } from 'sigstore-wasm';

const PROGRESS_EVERY_MS = 50;

self.onmessage = async ({ data: { file, bundle } }) => {
  try {
    const digester = await createDigester({ bundle });
    self.postMessage({ algorithm: digester.algorithm });
    const reader = file.stream().getReader();
    let hashed = 0;
    let posted = performance.now();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      digester.update(value);
      hashed += value.byteLength;
      if (performance.now() - posted >= PROGRESS_EVERY_MS) {
        self.postMessage({ hashed });
        posted = performance.now();
      }
    }
    self.postMessage({ digest: digester.digest() });
  } catch (e) {
    // The package's errors carry their code; a file the browser can no longer read (moved or
    // changed on disk since it was picked) is named, with the browser's reason.
    const error = typeof e?.code === 'string' ? { code: e.code, message: e.message } : { code: 'INVALID_INPUT', message: `${file.name} could not be read: ${e?.message ?? e}` };
    self.postMessage({ error });
  }
};
