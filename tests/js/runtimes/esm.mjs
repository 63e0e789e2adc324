// ESM smoke test, by package name: Node 20, Node 22, Deno and Bun run this file from the scratch
// project where the packed tarball is installed (see tests/js/runtimes.sh).
import { verifyBundle, createVerifier, describeTrustedRoot, createDigester, VerificationError } from 'sigstore-wasm';
import { assert, report, smoke } from './smoke.js';
import { exit, loadFixtures, runtimeName } from './host.js';

const checks = await smoke({ verifyBundle, createVerifier, describeTrustedRoot, createDigester, VerificationError }, await loadFixtures());

// Which of the package's entry points the runtime's conditions chose: node.js for all three.
const started = Date.now();
try {
  const entry = String(await import.meta.resolve('sigstore-wasm'));
  assert(/\/node_modules\/sigstore-wasm\/node\.js$/.test(entry), `resolved to node_modules/sigstore-wasm/node.js (got ${entry})`);
  checks.unshift({ name: "'sigstore-wasm' resolves to the installed package's node.js", ok: true, ms: Date.now() - started, detail: entry });
} catch (e) {
  checks.unshift({ name: "'sigstore-wasm' resolves to the installed package's node.js", ok: false, ms: Date.now() - started, error: String(e.stack || e) });
}

exit(report(checks, runtimeName()) ? 0 : 1);
