// @sigstore/verify (sigstore-js) on Node 22: Verifier.verify(toSignedEntity(bundle, artifact), policy)
// with the bundle text parsed every time and the trust material built once.
// Prints one JSON object: { W1: {...}, ... }.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { WORKLOADS, PRODUCTION_ROOT, bench } from './workloads.mjs';

const require = createRequire(import.meta.url);
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');

const root = new URL('..', import.meta.url);
const read = (path) => readFileSync(new URL(path, root));

// @sigstore/verify checks a DSSE envelope but leaves the artifact to the caller. To do the same
// work as the other verifiers, the harness matches the artifact's digest against the in-toto
// statement's subjects (sha256 or sha512, whichever the subject names) for DSSE bundles.
function checkSubject(bundle, artifact) {
  if (bundle.content.$case !== 'dsseEnvelope') return;
  const statement = JSON.parse(bundle.content.dsseEnvelope.payload.toString());
  for (const subject of statement.subject ?? []) {
    for (const alg of ['sha512', 'sha256']) {
      const want = subject.digest?.[alg];
      if (want && createHash(alg).update(artifact).digest('hex') === want.toLowerCase()) return;
    }
  }
  throw new Error('artifact matches no subject of the statement');
}

const out = { runtime: `node ${process.version}` };
for (const w of WORKLOADS) {
  const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(read(w.trustedRoot ?? PRODUCTION_ROOT))));
  const verifier = new Verifier(trust);
  const policy = { subjectAlternativeName: w.identity, extensions: { issuer: w.issuer } };
  const text = read(w.bundle).toString();
  const artifact = read(w.artifact);
  out[w.id] = await bench(() => {
    const bundle = bundleFromJSON(JSON.parse(text));
    verifier.verify(toSignedEntity(bundle, artifact), policy);
    checkSubject(bundle, artifact);
  });
}
console.log(JSON.stringify(out));
