// Cold start, @sigstore/verify (Node 22): load it, build the trust material from the production
// root, verify W1 once, exit.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');

const root = path.join(__dirname, '../..');
const dir = path.join(root, 'tests/data/conformance/bundle-verify');
const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(readFileSync(path.join(root, 'trust/production-trusted_root.json'), 'utf8'))));
const bundle = bundleFromJSON(JSON.parse(readFileSync(path.join(dir, 'happy-path-v0.3/bundle.sigstore.json'), 'utf8')));
new Verifier(trust).verify(toSignedEntity(bundle, readFileSync(path.join(dir, 'a.txt'))), {
  subjectAlternativeName:
    'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  extensions: { issuer: 'https://token.actions.githubusercontent.com' },
});
process.stdout.write(JSON.stringify({ maxRSS: process.resourceUsage().maxRSS }));
