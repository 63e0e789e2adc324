// The gate's policy file is read strictly (worker/gate/policy.js, plain JavaScript, run here in
// Node): each malformed policy is refused with a message naming the field, and a good one is read
// with its defaults. Each check is a
// node:test test (tests/js/harness.mjs): run it with `node --test-reporter=spec`.
import { DEFAULT_BUFFER_BELOW, DEFAULT_BUNDLES, isTufRoot, PolicyError, readPolicy, rulesFor } from '../../../worker/gate/policy.js';
import { check, finish } from '../harness.mjs';


const identity = { certificateIdentity: 'https://github.com/o/r/.github/workflows/w.yml@refs/heads/main', certificateIssuer: 'https://token.actions.githubusercontent.com' };
const mount = { prefix: '/dl/', origin: 'https://origin.example/files/' };
const rule = { name: 'r', path: '/dl/**', identities: [identity] };

// [what, policy, a fragment the message must have]
const REFUSED = [
  ['not JSON', '{', 'is not JSON'],
  ['an unknown top-level field', { rulez: [] }, 'unknown field(s) rulez'],
  ['a misspelt identity field', { rules: [{ ...rule, identities: [{ ...identity, certificateIdentiy: 'x' }] }] }, 'certificateIdentiy'],
  ['an identity without an issuer', { rules: [{ ...rule, identities: [{ certificateIdentity: 'x' }] }] }, 'names its subject'],
  ['a rule with neither path nor image', { rules: [{ name: 'r', identities: [identity] }] }, 'exactly one of path and image'],
  ['a rule with both', { rules: [{ ...rule, image: 'ghcr.io/*' }] }, 'exactly one of path and image'],
  ['a rule that names no signer', { rules: [{ name: 'r', path: '/dl/**' }] }, 'who must have signed'],
  ['a static rule with identities', { rules: [{ ...rule, static: 'allow' }] }, 'a static rule checks nothing'],
  ['an unknown mode', { rules: [{ ...rule, mode: 'audit' }] }, '"enforce" or "warn"'],
  ['a threshold above the authorities', { rules: [{ ...rule, threshold: 2 }] }, 'from 1 to 1'],
  ['two rules of one name', { rules: [rule, rule] }, 'two rules have this name'],
  ['a key that is not PEM', { rules: [{ name: 'r', path: '/dl/**', keys: ['abc'] }] }, 'PEM public key'],
  ['a mount at /', { files: [{ ...mount, prefix: '/' }] }, 'expected a path like'],
  ['a mount over the registry front', { files: [{ ...mount, prefix: '/v2/' }] }, 'expected a path like'],
  ['an origin that is not a prefix', { files: [{ ...mount, origin: 'https://origin.example/files' }] }, 'ending in "/"'],
  ['a bundle location without {path}', { files: [{ ...mount, bundles: ['bundle.json'] }] }, '{path}'],
  ['bundles and attestations', { files: [{ ...mount, bundles: ['{path}.b'], attestations: 'npm' }] }, 'not both'],
  ['an unknown attestation source', { files: [{ ...mount, attestations: 'maven' }] }, '"npm", "pypi" or "github:<owner>/<repo>"'],
  ['a registry URL without attestations', { files: [{ ...mount, npmRegistry: 'https://npm.example' }] }, 'only go with attestations'],
  ['a bufferBelow above 32 MiB', { files: [{ ...mount, bufferBelow: 64 << 20 }] }, 'from 0 to 33554432'],
  ['a registry with a path', { images: { registry: 'https://ghcr.io/v2/' } }, 'registry origin'],
  ['a trusted root that is neither', { trustedRoot: 'prod' }, '"production", "staging", "github", "tuf", "tuf:staging", "tuf:github", { "tuf": {...} } or a trusted root object'],
  ['a TUF repository without its URL', { trustedRoot: { tuf: { root: 'production' } } }, 'trustedRoot.tuf.url: expected a non-empty string'],
  ['a TUF repository with a misspelt field', { trustedRoot: { tuf: { url: 'https://tuf.example', root: 'production', cache: 'kv' } } }, 'trustedRoot.tuf: unknown field(s) cache'],
  ['a TUF repository whose root is neither', { trustedRoot: { tuf: { url: 'https://tuf.example', root: 'v16' } } }, 'trustedRoot.tuf.root: expected "production", "staging" or a root.json object'],
  ['a negative cache time', { cache: { successSeconds: -1 } }, 'cache.successSeconds'],
];
for (const [what, policy, fragment] of REFUSED) {
  try {
    readPolicy(typeof policy === 'string' ? policy : JSON.stringify(policy));
    check(what, false, 'accepted');
  } catch (e) {
    check(what, e instanceof PolicyError && e.message.includes(fragment), e.message);
  }
}

const read = readPolicy({ files: [mount], rules: [rule, { name: 'images', image: 'ghcr.io/org/*', static: 'allow' }] });
const tufRead = readPolicy({ trustedRoot: { tuf: { url: 'https://tuf.example', root: { signed: {} } } } }).trustedRoot;
check('a TUF repository of your own: its pinned root kept as JSON text for the package', tufRead.tuf.url === 'https://tuf.example' && tufRead.tuf.root === '{"signed":{}}', JSON.stringify(tufRead));
check('Sigstore\'s TUF repositories by name', readPolicy({ trustedRoot: 'tuf' }).trustedRoot === 'tuf' && readPolicy({ trustedRoot: 'tuf:staging' }).trustedRoot === 'tuf:staging', 'not read');
check('GitHub\'s instance by name, embedded and through its TUF repository', ['github', 'tuf:github'].every((name) => readPolicy({ trustedRoot: name }).trustedRoot === name) && isTufRoot('tuf:github') && !isTufRoot('github'), 'not read');
check('defaults', read.trustedRoot === 'production' && read.files[0].bufferBelow === DEFAULT_BUFFER_BELOW && read.files[0].bundles.join() === DEFAULT_BUNDLES.join() && read.cache.successSeconds === 300 && read.cache.failureSeconds === 30 && read.rules[0].mode === 'enforce' && read.rules[0].threshold === 1, JSON.stringify(read));
for (const [kind, subject, names] of [
  ['file', '/dl/app/app-1.0.tgz', ['r']],
  ['file', '/other/app.tgz', []],
  ['image', 'ghcr.io/org/app', ['images']],
  ['image', 'ghcr.io/org/team/app', []],
  ['image', 'ghcr.io/orgx/app', []],
]) {
  const found = rulesFor(read, kind, subject).map((r) => r.name);
  check(`globs: ${kind} ${subject}`, found.join() === names.join(), found.join());
}

await finish();
