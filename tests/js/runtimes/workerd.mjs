// workerd smoke test (run by tests/js/runtimes.sh with Node, from the repository root, $WORKERD
// set): starts `workerd serve tests/js/runtimes/worker/config.capnp` on a free 127.0.0.1 port,
// waits for it, sends the test data to the worker (POST /verify per case, POST /smoke for the
// shared suite run inside the worker), checks the answers, and stops workerd whatever happens.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../oci/servers.mjs';
import {
  ARTIFACT_SHA256,
  FAIL_CODE,
  FIXTURE_FILES,
  IDENTITY,
  ISSUER,
  assert,
  checkRecorder,
  expectSigner,
  expectVerificationError,
  report,
} from './smoke.js';

const READY_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 30_000;

const workerdBin = process.env.WORKERD;
if (!workerdBin) throw new Error('WORKERD is not set (eval "$(scripts/setup.sh)")');

const data = new URL('../../data/conformance/bundle-verify/', import.meta.url);
const read = (name) => readFileSync(new URL(FIXTURE_FILES[name], data));
const fixtures = {
  happy: read('happy').toString('utf8'),
  dsse: read('dsse').toString('utf8'),
  fail: read('fail').toString('utf8'),
  artifactBase64: read('artifact').toString('base64'),
};
const policy = { certificateIdentity: IDENTITY, certificateIssuer: ISSUER };

let child;
let output = '';
const stopWorkerd = () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
process.on('exit', stopWorkerd);
for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    stopWorkerd();
    process.exit(status);
  });
}

async function startWorkerd() {
  const config = new URL('./worker/config.capnp', import.meta.url).pathname;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    output = '';
    child = spawn(workerdBin, ['serve', config, '--socket-addr', `http=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const state = await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
      if (state) break;
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok && (await response.text()) === 'ok') return { port, ms: READY_TIMEOUT_MS - (deadline - Date.now()) };
      } catch {
        // not listening yet
      }
    }
    stopWorkerd();
    // The port may have been taken between freePort() and workerd's bind: try another, once.
    if (attempt < 2 && /address already in use/i.test(output)) continue;
    throw new Error(`workerd did not answer /health within ${READY_TIMEOUT_MS} ms:\n${output}`);
  }
}

async function post(port, path, body) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  assert(response.ok, `POST ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

const { checks, check } = checkRecorder();

let port;
await check('workerd starts and answers /health', async () => {
  const started = await startWorkerd();
  port = started.port;
  return `port ${port}, ready after ${started.ms} ms`;
});

if (port) {
  const artifacts = [
    ['bytes', { base64: fixtures.artifactBase64 }],
    ['digest', { digest: `sha256:${ARTIFACT_SHA256}` }],
  ];
  for (const [form, artifact] of artifacts) {
    await check(`POST /verify happy-path-v0.3: verified, signer and issuer (artifact ${form})`, async () => {
      const answer = await post(port, '/verify', { bundle: JSON.parse(fixtures.happy), artifact, options: policy });
      assert(answer.verified === true, `verified (got ${JSON.stringify(answer.error)})`);
      expectSigner(answer.result);
      return `logIndex ${answer.result.tlogEntries[0].logIndex}`;
    });
    await check(`POST /verify happy-path-intoto-in-dsse-v3: verifyBundle and sync verify agree (artifact ${form})`, async () => {
      const viaWebCrypto = await post(port, '/verify', { bundle: fixtures.dsse, artifact, options: policy, path: 'verifyBundle' });
      const viaRust = await post(port, '/verify', { bundle: fixtures.dsse, artifact, options: policy, path: 'verify' });
      for (const [what, answer] of [['verifyBundle', viaWebCrypto], ['verify', viaRust]]) {
        assert(answer.verified === true, `${what}: verified (got ${JSON.stringify(answer.error)})`);
        expectSigner(answer.result, what);
        assert(answer.result.statement?.subjects?.[0]?.digests?.sha256 === ARTIFACT_SHA256, `${what}: the statement's subject is a.txt`);
      }
      assert(viaRust.sync === true, 'verify() returned synchronously in the worker');
      assert(JSON.stringify(viaWebCrypto.result) === JSON.stringify(viaRust.result), 'both paths return the same result');
    });
    await check(`POST /verify signature-mismatch_fail: VerificationError ${FAIL_CODE} on both paths (artifact ${form})`, async () => {
      for (const path of ['verifyBundle', 'verify']) {
        const answer = await post(port, '/verify', { bundle: fixtures.fail, artifact, options: policy, path });
        assert(answer.verified === false, `${path}: not verified`);
        assert(answer.error.isVerificationError === true, `${path}: the worker caught a VerificationError`);
        expectVerificationError(answer.error, FAIL_CODE, undefined, `${path} error`);
      }
    });
  }
  await check('POST /smoke: the shared suite (smoke.js) inside the worker', async () => {
    const answer = await post(port, '/smoke', fixtures);
    const failed = answer.checks.filter((c) => !c.ok);
    assert(answer.checks.length > 0 && failed.length === 0, `in-worker checks failed:\n${failed.map((c) => `${c.name}\n${c.error}`).join('\n')}`);
    return `${answer.checks.length}/${answer.checks.length} in-worker checks passed`;
  });
}

stopWorkerd();
let version = 'workerd';
try {
  version = execFileSync(workerdBin, ['--version'], { timeout: 10_000, encoding: 'utf8' }).trim();
} catch {
  // reported by the checks already
}
process.exit(report(checks, version) ? 0 : 1);
