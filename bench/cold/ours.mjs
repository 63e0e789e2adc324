// Cold start, sigstore-wasm: import the package, verify W1 once (production root), exit.
import { readFileSync } from 'node:fs';
import { verifyBundle } from '../../pkg/node.js';

const root = new URL('../../', import.meta.url);
const dir = 'tests/data/conformance/bundle-verify/';
await verifyBundle(readFileSync(new URL(dir + 'happy-path-v0.3/bundle.sigstore.json', root), 'utf8'), readFileSync(new URL(dir + 'a.txt', root)), {
  certificateIdentity:
    'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  certificateIssuer: 'https://token.actions.githubusercontent.com',
});
process.stdout.write(JSON.stringify({ maxRSS: process.resourceUsage().maxRSS }));
