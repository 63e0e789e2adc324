// Cold start, sigstore-wasm: import the package, verify W1 once (production root), exit; what
// verifyBundle does, in its parts, each timed: the import (the glue and api.js), loading the wasm
// module (read, compile, instantiate: the first call that needs it), the trusted root (parsed, its
// chains checked on WebCrypto: createVerifier) and the first verification.
import { readFileSync } from 'node:fs';

const marks = { start: performance.now() };
const { createDigester, createVerifier } = await import('../../pkg/node.js');
marks.imported = performance.now();
await createDigester('sha256');
marks.wasm = performance.now();
const verifier = await createVerifier({ trustedRoot: 'production' });
marks.root = performance.now();
const root = new URL('../../', import.meta.url);
const dir = 'tests/data/conformance/bundle-verify/';
await verifier.verifyAsync(readFileSync(new URL(dir + 'happy-path-v0.3/bundle.sigstore.json', root), 'utf8'), readFileSync(new URL(dir + 'a.txt', root)), {
  certificateIdentity:
    'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  certificateIssuer: 'https://token.actions.githubusercontent.com',
});
marks.verified = performance.now();
const parts = { import: marks.imported - marks.start, wasm: marks.wasm - marks.imported, root: marks.root - marks.wasm, verify: marks.verified - marks.root };
process.stdout.write(JSON.stringify({ maxRSS: process.resourceUsage().maxRSS, parts }));
