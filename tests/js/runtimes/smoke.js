// The smoke suite every runtime runs against the sigstore-wasm package: no imports, no file
// system, no Node APIs, so the same file runs in Node (ESM and CommonJS), Deno, Bun, workerd and a
// browser page. Each runtime passes in the package's exports and the test data
// (`{ happy, dsse, fail }`: bundle JSON texts; `artifact`: the bytes of a.txt), and reports the
// checks it gets back with `report`.

/** Conformance defaults (tests/data/conformance/README.md). */
export const IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
export const ISSUER = 'https://token.actions.githubusercontent.com';

/** The test data, relative to tests/data/conformance/bundle-verify/. */
export const FIXTURE_FILES = {
  happy: 'happy-path-v0.3/bundle.sigstore.json',
  dsse: 'happy-path-intoto-in-dsse-v3/bundle.sigstore.json',
  fail: 'signature-mismatch_fail/bundle.sigstore.json',
  artifact: 'a.txt',
};

/**
 * What the library answers for signature-mismatch_fail: its Rekor entry records another
 * signature than the bundle's, and the entry is checked against the bundle before any signature.
 */
export const FAIL_CODE = 'TLOG_BODY_MISMATCH';

/** sha256 of a.txt (the subject of the DSSE bundle's in-toto statement). */
export const ARTIFACT_SHA256 = 'a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf';

export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Base64 to bytes, where there is no Buffer (workers, browsers). */
export function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** A verified result names the expected signer and issuer. */
export function expectSigner(result, what = 'result') {
  assert(result && typeof result === 'object', `${what} is an object (got ${typeof result})`);
  const { signer } = result;
  assert(signer?.type === 'certificate', `${what}.signer.type is "certificate" (got ${JSON.stringify(signer?.type)})`);
  assert(signer.subjectAltName === IDENTITY, `${what}.signer.subjectAltName is the identity (got ${JSON.stringify(signer.subjectAltName)})`);
  assert(signer.issuer === ISSUER, `${what}.signer.issuer is the issuer (got ${JSON.stringify(signer.issuer)})`);
  assert(Array.isArray(result.tlogEntries) && result.tlogEntries.length >= 1, `${what} has a tlog entry`);
}

/** The error is the package's VerificationError with the given code. */
export function expectVerificationError(error, code, VerificationError, what = 'error') {
  assert(error !== undefined, `${what}: verification did not fail`);
  if (VerificationError) assert(error instanceof VerificationError, `${what} is a VerificationError (got ${error?.name}: ${error?.message})`);
  assert(error instanceof Error || typeof error === 'object', `${what} is an Error`);
  assert(error.name === 'VerificationError', `${what}.name is "VerificationError" (got ${JSON.stringify(error.name)})`);
  assert(error.code === code, `${what}.code is ${code} (got ${JSON.stringify(error.code)}: ${error.message})`);
  assert(typeof error.message === 'string' && error.message.length > 0, `${what} has a message`);
}

/** What `promise` rejected with, or undefined. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  return undefined;
}

function thrown(call) {
  try {
    call();
  } catch (e) {
    return e;
  }
  return undefined;
}

/**
 * Counts the WebCrypto `subtle.verify` calls made while `run` runs (the package looks the method
 * up at each call, so wrapping it on the instance sees them all).
 */
async function countWebCryptoVerifies(run) {
  const subtle = globalThis.crypto.subtle;
  const own = Object.prototype.hasOwnProperty.call(subtle, 'verify');
  const original = subtle.verify;
  let calls = 0;
  subtle.verify = function (...args) {
    calls += 1;
    return original.apply(this, args);
  };
  try {
    const value = await run();
    return { value, calls };
  } finally {
    if (own) subtle.verify = original;
    else delete subtle.verify;
  }
}

/**
 * Named checks: `check(name, run)` runs `run`, records `{ name, ok, ms, detail? , error? }` in
 * `checks`, and resolves to whether it passed (never rejects).
 */
export function checkRecorder() {
  const checks = [];
  const check = async (name, run) => {
    const started = Date.now();
    try {
      const detail = await run();
      checks.push({ name, ok: true, ms: Date.now() - started, ...(detail === undefined ? {} : { detail }) });
      return true;
    } catch (e) {
      checks.push({ name, ok: false, ms: Date.now() - started, error: String((e && e.stack) || e) });
      return false;
    }
  };
  return { checks, check };
}

/**
 * Runs the suite. `api` is `{ verifyBundle, createVerifier, describeTrustedRoot, createDigester, VerificationError }` as the runtime
 * imported them; resolves to `[{ name, ok, detail?, error? }]` (never rejects).
 */
export async function smoke(api, fixtures) {
  const { verifyBundle, createVerifier, describeTrustedRoot, createDigester, VerificationError } = api;
  const policy = { certificateIdentity: IDENTITY, certificateIssuer: ISSUER };
  const { checks, check } = checkRecorder();

  await check('exports and WebCrypto', async () => {
    assert(typeof verifyBundle === 'function', 'verifyBundle is a function');
    assert(typeof createVerifier === 'function', 'createVerifier is a function');
    assert(typeof VerificationError === 'function', 'VerificationError is a class');
    assert(typeof globalThis.crypto?.subtle?.verify === 'function', 'crypto.subtle is present (verifyBundle takes the WebCrypto path)');
    assert(fixtures.artifact instanceof Uint8Array, 'the artifact fixture is a Uint8Array');
    assert((await sha256Hex(fixtures.artifact)) === ARTIFACT_SHA256, 'a.txt has its known sha256');
  });

  const digest = `sha256:${ARTIFACT_SHA256}`;
  for (const [form, artifact] of [['bytes', fixtures.artifact], ['digest', digest]]) {
    await check(`happy-path-v0.3: verifyBundle verifies, names signer and issuer (artifact ${form})`, async () => {
      const result = await verifyBundle(JSON.parse(fixtures.happy), artifact, policy);
      expectSigner(result);
      assert(result.mediaType === 'application/vnd.dev.sigstore.bundle+json;version=0.3', `mediaType (got ${result.mediaType})`);
      return `signer and issuer as expected, logIndex ${result.tlogEntries[0].logIndex}`;
    });

    await check(`happy-path-intoto-in-dsse-v3: verifyBundle (WebCrypto) and createVerifier().verify (sync) agree (artifact ${form})`, async () => {
      const viaWebCrypto = await countWebCryptoVerifies(() => verifyBundle(fixtures.dsse, artifact, policy));
      const verifier = await createVerifier(policy);
      const viaRust = await countWebCryptoVerifies(() => {
        const value = verifier.verify(fixtures.dsse, artifact);
        assert(!(value instanceof Promise) && typeof value?.then !== 'function', 'verify() returns its result synchronously');
        return value;
      });
      for (const [what, { value }] of [['verifyBundle', viaWebCrypto], ['verify', viaRust]]) {
        expectSigner(value, what);
        assert(value.payloadType === 'application/vnd.in-toto+json', `${what}.payloadType (got ${value.payloadType})`);
        const subject = value.statement?.subjects?.[0];
        assert(subject?.name === 'a.txt' && subject.digests.sha256 === ARTIFACT_SHA256, `${what}: the statement's subject is a.txt`);
      }
      assert(JSON.stringify(viaWebCrypto.value) === JSON.stringify(viaRust.value), 'both paths return the same result');
      // The WebCrypto path checks the bundle's signatures with subtle.verify; the sync path never calls it.
      assert(viaWebCrypto.calls > 0, `verifyBundle ran its checks on WebCrypto (subtle.verify calls: ${viaWebCrypto.calls})`);
      assert(viaRust.calls === 0, `verify() ran no WebCrypto check (subtle.verify calls: ${viaRust.calls})`);
      return `same result; subtle.verify calls: verifyBundle ${viaWebCrypto.calls}, verify 0`;
    });

    await check(`signature-mismatch_fail: both paths throw VerificationError ${FAIL_CODE} (artifact ${form})`, async () => {
      const asyncError = await rejection(verifyBundle(new TextEncoder().encode(fixtures.fail), artifact, policy));
      expectVerificationError(asyncError, FAIL_CODE, VerificationError, 'verifyBundle rejection');
      const verifier = await createVerifier(policy);
      const syncError = thrown(() => verifier.verify(fixtures.fail, artifact));
      expectVerificationError(syncError, FAIL_CODE, VerificationError, 'verify() exception');
      return `${asyncError.code}: ${asyncError.message}`;
    });
  }

  await check('describeTrustedRoot: what the embedded staging root holds, and where it came from', async () => {
    const { summary, source } = await describeTrustedRoot({ trustedRoot: 'staging' });
    assert(summary.certificateAuthorities > 0 && summary.transparencyLogs > 0, `the root's authorities and logs are counted (got ${JSON.stringify(summary)})`);
    assert(source.source === 'embedded', `the source is the package (got ${JSON.stringify(source)})`);
    const error = await rejection(describeTrustedRoot({ trustedRoot: 'staging', certificateIdentity: IDENTITY }));
    expectVerificationError(error, 'INVALID_INPUT', VerificationError);
    return `${summary.certificateAuthorities} certificate authorities, ${summary.transparencyLogs} logs; a policy option refused`;
  });

  await check('describeTrustedRoot: GitHub\'s instance, its root loaded on demand: authorities and timestamp authorities, no log', async () => {
    const { summary, source } = await describeTrustedRoot({ trustedRoot: 'github' });
    assert(summary.certificateAuthorities === 6 && summary.timestampAuthorities === 6 && summary.transparencyLogs === 0, `GitHub's root (got ${JSON.stringify(summary)})`);
    assert(source.source === 'embedded', `the source is the package (got ${JSON.stringify(source)})`);
    return `${summary.certificateAuthorities} certificate authorities, ${summary.timestampAuthorities} timestamp authorities`;
  });

  await check('createDigester: the artifact in pieces gives WebCrypto\'s digest under each algorithm; the bundle\'s digest verifies', async () => {
    for (const algorithm of ['sha256', 'sha384', 'sha512']) {
      const digester = await createDigester(algorithm);
      for (let at = 0; at < fixtures.artifact.length; at += 7) digester.update(fixtures.artifact.subarray(at, at + 7));
      const want = new Uint8Array(await globalThis.crypto.subtle.digest(`SHA-${algorithm.slice(3)}`, fixtures.artifact));
      const got = digester.digest();
      assert(got === `${algorithm}:${Array.from(want, (b) => b.toString(16).padStart(2, '0')).join('')}`, `${algorithm} (got ${got})`);
    }
    const digester = await createDigester({ bundle: fixtures.happy });
    digester.update(fixtures.artifact);
    expectSigner(await verifyBundle(fixtures.happy, digester.digest(), policy));
    expectVerificationError(await rejection(createDigester('md5')), 'INVALID_INPUT', VerificationError, 'md5');
    return `${digester.algorithm} for the bundle; md5 refused`;
  });

  await check('happy-path-v0.3 with another identity: IDENTITY_MISMATCH', async () => {
    const error = await rejection(verifyBundle(fixtures.happy, fixtures.artifact, { ...policy, certificateIdentity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main' }));
    expectVerificationError(error, 'IDENTITY_MISMATCH', VerificationError);
  });

  return checks;
}

/** Prints the checks, one line each, then `smoke: <runtime>: N/M checks passed`; returns whether all passed. */
export function report(checks, runtime, log = console.log) {
  for (const c of checks) {
    log(`${c.ok ? 'ok    ' : 'FAILED'} ${c.name} (${c.ms} ms)${c.ok && c.detail ? `: ${c.detail}` : ''}`);
    if (!c.ok) log(`       ${c.error.split('\n').join('\n       ')}`);
  }
  const passed = checks.filter((c) => c.ok).length;
  const allPassed = checks.length > 0 && passed === checks.length;
  log(`smoke: ${runtime}: ${passed}/${checks.length} checks passed`);
  return allPassed;
}
