// The benchmark page (Chromium, served from 127.0.0.1 by bench/browser.mjs). window.runBench(lib)
// measures one library over the four workloads with the same loop as Node (bench/workloads.mjs):
// trust material set up once; bundle text and artifact bytes in, verdict out.
import { WORKLOADS, PRODUCTION_ROOT, bench, measurePrimitives } from '/bench/workloads.mjs';

const text = async (path) => (await fetch(`/${path}`)).text();
const bytes = async (path) => new Uint8Array(await (await fetch(`/${path}`)).arrayBuffer());

const libraries = {
  // sigstore-wasm: verifyAsync (WebCrypto) and verify (synchronous, pure-Rust crypto).
  async ours() {
    const { createVerifier } = await import('/pkg/browser.js');
    const out = {};
    for (const w of WORKLOADS) {
      const verifier = await createVerifier({
        trustedRoot: w.trustedRoot ? await text(w.trustedRoot) : 'production',
        certificateIdentity: w.identity,
        certificateIssuer: w.issuer,
      });
      const bundle = await text(w.bundle);
      const artifact = await bytes(w.artifact);
      out[w.id] = {
        async: await bench(() => verifier.verifyAsync(bundle, artifact)),
        sync: await bench(() => verifier.verify(bundle, artifact)),
      };
    }
    return out;
  },
  // @freedomofpress/sigstore-browser: loadSigstoreRoot once, verifyArtifact(identity, issuer,
  // JSON.parse(bundle text), artifact bytes) per verification.
  async sigstoreBrowser() {
    const { SigstoreVerifier } = await import('/bench/out/sigstore-browser.js');
    const out = {};
    for (const w of WORKLOADS) {
      const verifier = new SigstoreVerifier();
      await verifier.loadSigstoreRoot(JSON.parse(await text(w.trustedRoot ?? PRODUCTION_ROOT)));
      const bundle = await text(w.bundle);
      const artifact = await bytes(w.artifact);
      out[w.id] = await bench(async () => {
        if ((await verifier.verifyArtifact(w.identity, w.issuer, JSON.parse(bundle), artifact)) !== true) {
          throw new Error('verifyArtifact did not return true');
        }
      });
      if (out[w.id].na) out[w.id].na = `${explain(bundle)}${out[w.id].na}`;
    }
    return out;
  },
};

/** Why sigstore-browser cannot verify a bundle, where it is known; prefixed to its error. */
function explain(bundleText) {
  const envelope = JSON.parse(bundleText).dsseEnvelope;
  if (!envelope) return '';
  const subjects = JSON.parse(atob(envelope.payload)).subject ?? [];
  const algs = [...new Set(subjects.flatMap((s) => Object.keys(s.digest ?? {})))];
  return algs.includes('sha256') ? '' : `it matches DSSE subjects by sha256 only, this statement's are ${algs.join('/')}: `;
}

// The WebCrypto floor's primitives in Chromium, so that Chromium's ratio to the floor compares
// two figures of the same runtime (the checks counted are the same: bench/floor.mjs counts them).
libraries.floor = async () => ({ primitives: await measurePrimitives(crypto.subtle) });

window.runBench = async (lib) => ({
  runtime: navigator.userAgent.match(/Chrom(e|ium)\/[\d.]+/)?.[0] ?? navigator.userAgent,
  crossOriginIsolated: globalThis.crossOriginIsolated,
  ...(await libraries[lib]()),
});
window.pageReady = true;
