// Differential test against the reference JavaScript verifier, @sigstore/verify (sigstore-js):
// on every conformance and real-world case our verdict (verifyBundle) must equal sigstore-js's,
// except where sigstore-js is known to be wrong or limited. Each such exception is listed below
// with the documented sigstore-js bug or limitation that explains it, and must match exactly
// (case, mode, both verdicts); an exception that no longer occurs fails the test, so the list
// stays true.
//
// Modes: artifact bytes for every case; the `sha256:<hex>` digest only where @sigstore/verify
// can take it. Its message-signature check is `crypto.verify(artifact, key, sig)` over the
// artifact's bytes, and Node's crypto cannot verify a prehashed digest (sigstore-js GH#1326,
// anchors.md §4): digest mode is skipped for message-signature bundles. For DSSE bundles
// @sigstore/verify never looks at the artifact (anchors.md §1a "In-toto subject <-> artifact
// matching: N in library"), so it is driven without one in both modes.
//
// Run with Node 22 (@sigstore/verify 4.x needs it): $NODE22 tests/js/differential.mjs
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { verifyBundle, VerificationError } from '../../pkg/node.js';
import { expectVerified, loadCases, PRODUCTION_ROOT, ROOT } from './cases.mjs';
import { check } from './harness.mjs';

const require = createRequire(`${ROOT}/package.json`);
const { Verifier, toSignedEntity, toTrustMaterial, VerificationError: JsVerificationError, PolicyError } = require('@sigstore/verify');
const { bundleFromJSON, ValidationError } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const sigstoreJsVersion = require('@sigstore/verify/package.json').version;

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** @sigstore/verify's verdict: { ok } or { ok: false, code, message }. */
function sigstoreJs(c, mode) {
  try {
    const bundle = bundleFromJSON(JSON.parse(readFileSync(c.bundle, 'utf8')));
    const root = TrustedRoot.fromJSON(JSON.parse(readFileSync(c.trustedRoot ?? PRODUCTION_ROOT, 'utf8')));
    const isDsse = bundle.content.$case === 'dsseEnvelope';
    if (mode === 'digest' && !isDsse) return { skipped: 'message signature: @sigstore/verify cannot verify a prehashed digest' };
    // A managed key comes from the caller, whatever the bundle's hint (as the conformance
    // harnesses do); without key.pub no key is known, and a key bundle must fail.
    const keys = c.key
      ? () => ({ publicKey: createPublicKey(readFileSync(c.key, 'utf8')), validFor: () => true })
      : (hint) => {
          throw new JsVerificationError({ code: 'PUBLIC_KEY_ERROR', message: `no managed key for hint ${hint}` });
        };
    const trust = toTrustMaterial(root, keys);
    const entity = toSignedEntity(bundle, isDsse ? undefined : c.artifactBytes);
    // sigstore-js treats subjectAlternativeName as an unanchored RegExp: anchor and escape it
    // for the exact match the conformance protocol asks for.
    const policy = c.key
      ? undefined
      : { subjectAlternativeName: new RegExp(`^${escapeRegExp(c.identity)}$`), extensions: { issuer: c.issuer } };
    new Verifier(trust).verify(entity, policy);
    return { ok: true };
  } catch (e) {
    // A refusal is one of sigstore-js's own errors (or the JSON parser's); anything else, say a
    // TypeError, is sigstore-js crashing: still "not verified", but reported.
    const clean = e instanceof JsVerificationError || e instanceof PolicyError || e instanceof ValidationError || e instanceof SyntaxError;
    return { ok: false, code: e?.code ?? e?.constructor?.name ?? 'Error', message: e?.message ?? String(e), crashed: !clean };
  }
}

/** Our verdict, through the package's public API. */
async function ours(c, mode) {
  const options = { trustedRoot: c.trustedRoot ? readFileSync(c.trustedRoot, 'utf8') : 'production' };
  if (c.key) options.publicKey = readFileSync(c.key, 'utf8');
  else Object.assign(options, { certificateIdentity: c.identity, certificateIssuer: c.issuer });
  try {
    await verifyBundle(readFileSync(c.bundle), mode === 'digest' ? c.digest : new Uint8Array(c.artifactBytes), options);
    return { ok: true };
  } catch (e) {
    if (e instanceof VerificationError) return { ok: false, code: e.code, message: e.message };
    return { crash: `${e?.name}: ${e?.message}` };
  }
}

// Where sigstore-js is wrong or limited, and we are right (each entry is checked: the case must
// disagree exactly so, and our verdict must be the case's expected one).
const EXCEPTIONS = [
  {
    id: 'conformance/trust-root-tlog-missing-validity-start_fail',
    mode: 'bytes',
    js: 'verified',
    ours: 'TRUSTED_ROOT',
    reason:
      'sigstore-js bug: toTrustMaterial turns a missing tlog publicKey.validFor.start into BEGINNING_OF_TIME ' +
      '(packages/verify/src/trust/index.ts createTLogAuthority), so a trusted root whose Rekor key has ' +
      '"validFor": {} is accepted; the case must fail (verification-algorithm.md §2.2, sigstore-go ' +
      'ParseTransparencyLogs refuses the root; anchors.md §1c trusted-root validFor row). ' +
      '(Digest mode is skipped: message signature.)',
  },
  ...['npm-provenance-sigstore-1.3.0', 'npm-provenance-sigstore-2.0.0'].map((name) => ({
    id: `realworld/${name}`,
    mode: 'digest',
    js: 'verified',
    ours: 'ARTIFACT_MISMATCH',
    reason:
      'sigstore-js limitation: @sigstore/verify never compares a DSSE in-toto statement\'s subjects with the ' +
      'artifact (anchors.md §1a "In-toto subject <-> artifact matching: N in library"; DSSESignatureContent ' +
      'has no artifact), so it verifies the envelope whatever digest is given. The npm tarball subject has a ' +
      'sha512 digest only, so a sha256 digest matches no subject and must be refused (as tests/conformance.rs).',
  })),
];

const show = (v) => (v.ok ? 'verified' : `refused (${v.code}: ${v.message})`);
const short = (v) => (v.ok ? 'verified' : v.code);

let skipped = 0;
const jsCrashes = [];
const used = new Set();

console.log(`differential against @sigstore/verify ${sigstoreJsVersion} (Node ${process.versions.node})`);
for (const c of loadCases()) {
  for (const mode of c.modes) {
    const label = `${c.id} (${mode})`;
    const js = sigstoreJs(c, mode);
    const us = await ours(c, mode);
    if (us.crash) {
      check(label, false, `our verifier crashed: ${us.crash}`);
      continue;
    }
    if (js.skipped) {
      skipped++;
      continue;
    }
    if (js.crashed) jsCrashes.push(`${label}: sigstore-js threw ${js.code}: ${js.message} (we: ${short(us)})`);
    const exception = EXCEPTIONS.find((x) => x.id === c.id && x.mode === mode);
    const wanted = expectVerified(c, mode);
    if (js.ok !== us.ok && exception && short(js) === exception.js && short(us) === exception.ours && us.ok === wanted) {
      used.add(exception);
      console.log(`  exception ${label}: sigstore-js ${short(js)}, we ${short(us)}\n      ${exception.reason}`);
    }
    check(label, js.ok === us.ok || used.has(exception), `sigstore-js ${show(js)}; we ${show(us)}; the case must be ${wanted ? 'verified' : 'refused'}`);
  }
}
for (const x of EXCEPTIONS) {
  check(`${x.id} (${x.mode}): the listed exception occurs as listed (sigstore-js ${x.js}, we ${x.ours})`, used.has(x), 'it did not: remove or fix it');
}
if (skipped) console.log(`  skipped ${skipped} digest-mode runs of message-signature bundles (@sigstore/verify cannot verify a prehashed digest)`);
for (const n of jsCrashes) console.log(`  note: ${n}`);
