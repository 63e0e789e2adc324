// A workerd worker around the package's workerd entry (pkg/workerd.js, which imports the .wasm as
// a module: workerd refuses to compile WebAssembly bytes at run time). No file system: the test
// data comes in the requests (tests/js/runtimes/workerd.mjs sends it).
//
//   GET  /health  -> "ok"
//   POST /verify  { bundle, artifact: { base64 } | { digest }, options, path: "verifyBundle" | "verify" }
//                 -> { verified: true, result, sync } | { verified: false, error: { name, code, message, isVerificationError } }
//   POST /smoke   { happy, dsse, fail, artifactBase64 } -> { checks }: the shared suite (smoke.js) run in the worker
import { verifyBundle, createVerifier, describeTrustedRoot, createDigester, VerificationError } from '../../../../pkg/workerd.js';
import { fromBase64, smoke } from '../smoke.js';

const json = (value, status = 200) => new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

async function verify({ bundle, artifact, options = {}, path = 'verifyBundle' }) {
  const input = artifact?.base64 !== undefined ? fromBase64(artifact.base64) : (artifact?.digest ?? null);
  try {
    let result;
    let sync = false;
    if (path === 'verify') {
      const { trustedRoot, ...policy } = options;
      const verifier = await createVerifier(trustedRoot === undefined ? {} : { trustedRoot });
      result = verifier.verify(bundle, input, policy);
      sync = !(result instanceof Promise) && typeof result?.then !== 'function';
    } else {
      result = await verifyBundle(bundle, input, options);
    }
    return json({ verified: true, result, sync });
  } catch (e) {
    if (!(e instanceof VerificationError)) throw e;
    return json({ verified: false, error: { name: e.name, code: e.code, message: e.message, isVerificationError: true } });
  }
}

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      if (request.method === 'GET' && pathname === '/health') return new Response('ok');
      if (request.method === 'POST' && pathname === '/verify') return await verify(await request.json());
      if (request.method === 'POST' && pathname === '/smoke') {
        const { artifactBase64, ...bundles } = await request.json();
        const checks = await smoke({ verifyBundle, createVerifier, describeTrustedRoot, createDigester, VerificationError }, { ...bundles, artifact: fromBase64(artifactBase64) });
        return json({ checks });
      }
      return new Response('not found', { status: 404 });
    } catch (e) {
      // Anything but a VerificationError is a crash: say so, with the stack.
      return json({ crashed: true, error: String((e && e.stack) || e) }, 500);
    }
  },
};
