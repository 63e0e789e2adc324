// CommonJS smoke test: `require('sigstore-wasm')` from the scratch project, on Node >= 20.19
// (require() of the package's ES module entry, node.js). The suite and helpers are ES modules.
const { verifyBundle, createVerifier, describeTrustedRoot, createDigester, VerificationError } = require('sigstore-wasm');

(async () => {
  const { assert, report, smoke } = await import('./smoke.js');
  const { exit, loadFixtures, runtimeName } = await import('./host.js');
  const checks = [];
  const started = Date.now();
  try {
    const entry = require.resolve('sigstore-wasm');
    assert(/\/node_modules\/sigstore-wasm\/node\.js$/.test(entry), `require.resolve gives node_modules/sigstore-wasm/node.js (got ${entry})`);
    assert(typeof verifyBundle === 'function' && typeof createVerifier === 'function' && typeof VerificationError === 'function', 'require() returned the three exports synchronously');
    checks.push({ name: "require('sigstore-wasm') gives the API synchronously", ok: true, ms: Date.now() - started, detail: entry });
  } catch (e) {
    checks.push({ name: "require('sigstore-wasm') gives the API synchronously", ok: false, ms: Date.now() - started, error: String(e.stack || e) });
  }
  checks.push(...(await smoke({ verifyBundle, createVerifier, describeTrustedRoot, createDigester, VerificationError }, await loadFixtures())));
  exit(report(checks, `${runtimeName()} (CommonJS)`) ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
