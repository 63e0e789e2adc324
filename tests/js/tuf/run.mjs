// The package's TUF client in every runtime it claims, against local repositories:
//
//   node tests/js/tuf/run.mjs            one line per runtime, then `tuf-runtimes: N passed, M failed`
//   VERBOSE=1 node tests/js/tuf/run.mjs  also every check of every runtime
//
// Builds the scenarios of tests/tuf/make_repos.py (target trust/production-trusted_root.json, next
// target trust/staging-trusted_root.json) into a temp directory with the conformance venv's python
// (target/tuf-venv; scripts/setup.sh makes it), serves them with server.mjs on 127.0.0.1,
// and runs the one suite (suite.js) in: Node (here, in this process), Deno and Bun (host.mjs, child
// processes), workerd (worker/config.capnp: a worker whose Cache API has a store, and one as workerd
// comes, with none) and Chromium (page.html, pkg/browser.js as on disk, from another origin).
// Each runtime's default cache is its own and empty at the start: Node, Deno and Bun get
// XDG_CACHE_HOME in the temp directory, Chromium a fresh profile, workerd a fresh process.
// Everything is bounded in time; child processes are killed and the temp directory removed on
// exit. Only 127.0.0.1 is used. Exits non-zero if any runtime failed. Needs pkg/wasm/ built, and
// DENO, BUN, WORKERD, CHROMIUM (from scripts/setup.sh, which is run if one is missing).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchChromium, openPage, serveFiles } from '../chromium.mjs';
import { runProcess } from '../harness.mjs';
import { freePort } from '../oci/servers.mjs';
import { FIXTURE_FILES } from '../runtimes/smoke.js';
import { RESULT_PREFIX, runSuite } from './host.mjs';
import { startTufServer } from './server.mjs';
import { CASES } from './suite.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const HERE = join(ROOT, 'tests/js/tuf');
const VENV_PYTHON = join(ROOT, 'target/tuf-venv/bin/python');
const LIMIT_MS = { build: 60_000, node: 60_000, deno: 60_000, bun: 60_000, workerd: 90_000, chromium: 120_000 };
const WORKERD_READY_MS = 30_000;
const TOTAL_MS = 8 * 60_000;
const VERBOSE = Boolean(process.env.VERBOSE);

// Known failures, by runtime, printed with every run: strict (a listed case that passes fails the
// run, so that a fix takes it off the list).
const KNOWN_FAILURES = {
  // workerd with no cache configured: every Cache API call but open() throws, so the default cache
  // keeps nothing, whatever the package does.
  workerdNoCache: {
    [CASES.persists]: "workerd without a cache service: put and match throw 'No Cache was configured' (and keys() is not implemented): the default cache keeps nothing",
  },
};

// ---------------------------------------------------------------------------------------------
// The process: children killed, the temp directory removed, however it ends.

const RUNTIMES = ['node', 'deno', 'bun', 'workerd', 'chromium'];
let passed = 0;
let failed = 0;
/** The last line, `tuf-runtimes: N passed, M failed`, runtimes not run counted as failed; then exit. */
function finish(note) {
  if (note) console.log(note);
  const notRun = RUNTIMES.length - passed - failed;
  console.log(`tuf-runtimes: ${passed} passed, ${failed + notRun} failed`);
  process.exit(failed + notRun ? 1 : 0);
}

const temp = mkdtempSync(join(tmpdir(), 'sigstore-wasm-tuf-'));
const children = new Set();
let browserContext;
function cleanup() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  try {
    rmSync(temp, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch (e) {
    console.error(`could not remove ${temp}: ${e.message}`);
  }
}
process.on('exit', cleanup);
for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.once(signal, () => {
    setTimeout(() => process.exit(status), 5_000).unref();
    Promise.resolve(browserContext?.close()).catch(() => {}).finally(() => process.exit(status));
  });
}
setTimeout(() => finish(`timed out after ${TOTAL_MS / 1000}s`), TOTAL_MS).unref();

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// Setup

const out = join(temp, 'repos');
let built;
let server;
try {
  const tools = ['DENO', 'BUN', 'WORKERD', 'CHROMIUM'];
  if (tools.some((name) => !process.env[name])) {
    const env = execFileSync('bash', ['-c', 'set -e; exports=$(scripts/setup.sh); eval "$exports"; env -0'], { cwd: ROOT, timeout: 300_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    for (const entry of env.split('\0')) {
      const at = entry.indexOf('=');
      if (at > 0) process.env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    const missing = tools.filter((name) => !process.env[name]);
    if (missing.length) throw new Error(`scripts/setup.sh did not set ${missing.join(', ')}`);
  }
  if (!existsSync(join(ROOT, 'pkg/wasm/sigstore_wasm_bg.wasm'))) throw new Error('pkg/wasm/ is not built (scripts/build-pkg.sh)');
  if (!existsSync(VENV_PYTHON)) throw new Error(`${VENV_PYTHON} is missing (scripts/setup.sh makes it)`);
  built = JSON.parse(
    execFileSync(VENV_PYTHON, [join(ROOT, 'tests/tuf/make_repos.py'), out, join(ROOT, 'trust/production-trusted_root.json'), join(ROOT, 'trust/staging-trusted_root.json')], {
      timeout: LIMIT_MS.build,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    }),
  );
  server = await startTufServer(out);
} catch (e) {
  finish(`setup failed: ${e?.message ?? e}`);
}
const pinnedRootPath = built.root;
const { base } = server;
const port = new URL(base).port;
if (VERBOSE) console.log(`repositories: ${Object.keys(built.scenarios).join(', ')} in ${out}; served at ${base}`);

const fixturesDir = join(ROOT, 'tests/data/conformance/bundle-verify');
const happy = readFileSync(join(fixturesDir, FIXTURE_FILES.happy), 'utf8');
const artifact = readFileSync(join(fixturesDir, FIXTURE_FILES.artifact));

// ---------------------------------------------------------------------------------------------
// The runtimes: each resolves to `{ runtime, checks }` (smoke.js's check records).

const failedCheck = (name, error) => ({ name, ok: false, ms: 0, error: String((error && error.stack) || error) });

async function node() {
  const xdg = join(temp, 'node-cache');
  const before = process.env.XDG_CACHE_HOME;
  let result;
  try {
    result = await runSuite({ base, pinnedRootPath, xdg });
  } finally {
    if (before === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = before;
  }
  result.checks.push(await concurrentRefreshes());
  result.checks.push(await cacheNamesStayInside());
  return result;
}

/** The directory cache refuses names that would leave its directory, and writes nothing for them. */
async function cacheNamesStayInside() {
  const name = 'fileCache refuses entry names that would leave its directory (.., /, \\, NUL)';
  const started = Date.now();
  try {
    const { fileCache } = await import('../../../pkg/node.js');
    const dir = join(temp, 'names-cache', 'inside');
    const cache = fileCache('https://tuf.example', dir);
    for (const bad of ['../escape.json', '/abs.json', 'a//b.json', 'a\\b.json', 'a\0b.json', '.']) {
      const error = await cache.write([{ name: bad, bytes: new Uint8Array([1]) }]).then(() => null, (e) => e);
      if (!error) throw new Error(`${JSON.stringify(bad)} was written`);
    }
    if (existsSync(join(temp, 'names-cache', 'escape.json'))) throw new Error('a file escaped the directory');
    await cache.write([{ name: 'root_history/2.root.json', bytes: new Uint8Array([2]) }]);
    const files = await cache.read();
    if (files.size !== 1 || files.get('root_history/2.root.json')?.[0] !== 2) throw new Error(`read back ${[...files.keys()]}`);
    return { name, ok: true, ms: Date.now() - started };
  } catch (e) {
    return failedCheck(name, e);
  }
}

// One process's refresh into the default cache ($XDG_CACHE_HOME): prints the root's source.
const REFRESH = `
  import { readFileSync } from 'node:fs';
  import { createVerifier } from ${JSON.stringify(join(ROOT, 'pkg/node.js'))};
  const [base, root] = process.argv.slice(1);
  const verifier = await createVerifier({ trustedRoot: { tuf: { url: base + '/repo/metadata', targetsUrl: base + '/repo/targets', root: readFileSync(root) } } });
  console.log(JSON.stringify(verifier.trustedRootSource()));
`;

/**
 * Four processes refreshing into one cache directory at once all succeed, and what they leave
 * is a cache that re-verifies with the repository down (each file written whole, then renamed).
 */
async function concurrentRefreshes() {
  const name = 'four Node processes refreshing into one cache directory at once: all refresh, and the cache they leave verifies offline';
  const started = Date.now();
  try {
    const env = { ...process.env, XDG_CACHE_HOME: join(temp, 'concurrent-cache') };
    const refresh = () => runProcess(process.execPath, ['--input-type=module', '-e', REFRESH, base, pinnedRootPath], { cwd: ROOT, env, timeoutMs: LIMIT_MS.node });
    await fetch(`${base}/__scenario/good`);
    const runs = await Promise.all([refresh(), refresh(), refresh(), refresh()]);
    const sources = runs.map((r) => (r.status === 0 ? JSON.parse(r.stdout).source : `exit ${r.status}: ${r.stderr}`));
    if (!sources.every((s) => s === 'tuf')) throw new Error(`sources: ${sources.join('; ')}`);
    await fetch(`${base}/__scenario/down`);
    const after = await refresh();
    await fetch(`${base}/__scenario/good`);
    const source = after.status === 0 ? JSON.parse(after.stdout) : null;
    if (source?.source !== 'cache') throw new Error(`with the repository down: ${after.stdout}${after.stderr}`);
    return { name, ok: true, ms: Date.now() - started, detail: source.warning };
  } catch (e) {
    return failedCheck(name, e);
  }
}

/** Deno or Bun: host.mjs in a child process, its checks read from its `tuf-suite:` line. */
async function child(name, command, args) {
  const xdg = join(temp, `${name}-cache`);
  mkdirSync(xdg);
  const env = { ...process.env, XDG_CACHE_HOME: xdg, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
  const ran = await runProcess(command, [...args(xdg), join(HERE, 'host.mjs'), base, pinnedRootPath], { cwd: ROOT, env, timeoutMs: LIMIT_MS[name] });
  const line = ran.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) {
    const how = ran.timedOut ? `timed out after ${LIMIT_MS[name] / 1000}s` : `exit ${ran.status ?? ran.signal}`;
    return { runtime: name, checks: [failedCheck(`${name} runs host.mjs`, `${how}, no result:\n${ran.stdout}${ran.stderr}`.trim())] };
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length));
}

const deno = () =>
  child('deno', process.env.DENO, (xdg) => [
    'run', '--no-lock', '--no-prompt', '--no-config',
    `--allow-read=${ROOT},${temp}`, `--allow-write=${xdg}`, `--allow-net=127.0.0.1:${port}`, '--allow-env=XDG_CACHE_HOME',
  ]);
const bun = () => child('bun', process.env.BUN, () => []);

async function workerd() {
  const checks = [];
  const started = Date.now();
  let version = 'workerd';
  try {
    version = execFileSync(process.env.WORKERD, ['--version'], { timeout: 10_000, encoding: 'utf8' }).trim();
  } catch {
    // the start below says what is wrong
  }
  const ports = { http: await freePort(), nocache: await freePort() };
  const proc = spawn(process.env.WORKERD, ['serve', join(HERE, 'worker/config.capnp'), ...Object.entries(ports).flatMap(([socket, p]) => ['--socket-addr', `${socket}=127.0.0.1:${p}`])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let output = '';
  proc.stdout.on('data', (d) => (output = (output + d).slice(-16_384)));
  proc.stderr.on('data', (d) => (output = (output + d).slice(-16_384)));
  const stop = () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    children.delete(proc);
  };
  const get = async (socket, path, init = {}) => {
    const response = await fetch(`http://127.0.0.1:${ports[socket]}${path}`, { ...init, signal: AbortSignal.timeout(LIMIT_MS.workerd) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} (${socket}): HTTP ${response.status}: ${text}`);
    return text;
  };
  try {
    const deadline = Date.now() + WORKERD_READY_MS;
    for (const socket of Object.keys(ports)) {
      for (;;) {
        if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`workerd ended:\n${output}`);
        if (Date.now() > deadline) throw new Error(`workerd did not answer /health within ${WORKERD_READY_MS} ms:\n${output}`);
        if ((await get(socket, '/health').catch(() => '')) === 'ok') break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    checks.push({ name: 'workerd starts (worker/config.capnp: tuf, nocache, cache)', ok: true, ms: Date.now() - started });

    // What the package's default cache (runtimeCache: the Cache API, since caches.open exists) has
    // to work with, with and without a cache configured.
    for (const [socket, what] of [['http', 'with a cache service (cache.js)'], ['nocache', 'without a cache service']]) {
      const t = Date.now();
      try {
        const api = JSON.parse(await get(socket, '/cache-api'));
        if (api.open !== 'ok') throw new Error(`caches.open does not work: ${JSON.stringify(api)}`);
        if (socket === 'http' && (api.put !== 'ok' || api.match !== 'found: kept')) throw new Error(`the Cache API does not keep what is put: ${JSON.stringify(api)}`);
        checks.push({ name: `Cache API ${what}: caches.open works${socket === 'http' ? ', put then match finds' : ''}`, ok: true, ms: Date.now() - t, detail: JSON.stringify(api) });
      } catch (e) {
        checks.push({ ...failedCheck(`Cache API ${what}`, e), ms: Date.now() - t });
      }
    }

    // The suite in both workers, one after the other (they share the TUF server's scenario).
    for (const [socket, prefix, knownFailures] of [['http', '', KNOWN_FAILURES.workerd], ['nocache', 'nocache: ', KNOWN_FAILURES.workerdNoCache]]) {
      const answer = JSON.parse(
        await get(socket, '/suite', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            base,
            pinnedRootBase64: readFileSync(pinnedRootPath).toString('base64'),
            bundle: happy,
            artifactBase64: artifact.toString('base64'),
            knownFailures,
          }),
        }),
      );
      if (answer.crashed) throw new Error(`the ${socket} worker crashed: ${answer.error}`);
      checks.push(...answer.checks.map((c) => ({ ...c, name: `${prefix}${c.name}` })));
    }
  } catch (e) {
    checks.push(failedCheck('workerd runs the suite', e));
  } finally {
    stop();
  }
  return { runtime: version, checks };
}

async function chromium() {
  const roots = [
    ['/pkg/', join(ROOT, 'pkg')],
    ['/tests/js/tuf/', HERE],
    ['/tests/js/runtimes/', join(ROOT, 'tests/js/runtimes')],
    ['/tests/data/conformance/bundle-verify/', fixturesDir],
  ];
  const pages = await serveFiles(roots);
  const log = [];
  const checks = [];
  let runtime = 'chromium';
  try {
    browserContext = await launchChromium(join(temp, 'chromium-profile'));
    runtime = `chromium ${browserContext.browser()?.version() ?? ''}`.trim();
    // Nothing but the page's server and the TUF server.
    const page = await openPage(browserContext, (url) => url.startsWith(`${pages.origin}/`) || url.startsWith(`${base}/`), log);
    const t = Date.now();
    await page.goto(`${pages.origin}/tests/js/tuf/page.html?base=${encodeURIComponent(base)}`, { timeout: LIMIT_MS.chromium });
    await page.waitForFunction(() => window.tufDone === true, null, { timeout: LIMIT_MS.chromium });
    const result = await page.evaluate(() => window.tufResult);
    if (result.error) throw new Error(`the page failed: ${result.error}`);
    checks.push({
      name: 'the page is a secure context on another origin than the repository',
      ok: result.secureContext === true && result.origin !== base,
      ms: Date.now() - t,
      ...(result.secureContext === true ? { detail: `${result.origin}, repository ${base}` } : { error: `isSecureContext ${result.secureContext}` }),
    });
    checks.push(...result.checks.map((c) => ({ ...c, name: `page: ${c.name}` })));
  } catch (e) {
    checks.push(failedCheck('Chromium runs the suite in page.html', `${e?.stack ?? e}${log.length ? `\nbrowser log:\n  ${log.join('\n  ')}` : ''}`));
  } finally {
    await browserContext?.close().catch(() => {});
    browserContext = undefined;
    pages.close();
  }
  return { runtime, checks };
}

// ---------------------------------------------------------------------------------------------

const runs = { node, deno, bun, workerd, chromium };
const runStarted = Date.now();
for (const name of RUNTIMES) {
  const run = runs[name];
  const started = Date.now();
  let result;
  try {
    // Children have their own limit (LIMIT_MS) and say more when they hit it: this one is the backstop.
    result = await withTimeout(run(), LIMIT_MS[name] + 5_000, name);
  } catch (e) {
    result = { runtime: name, checks: [failedCheck(name, e)] };
    if (name === 'chromium') await browserContext?.close().catch(() => {});
  }
  const { runtime, checks } = result;
  const good = checks.filter((c) => c.ok).length;
  const known = checks.filter((c) => c.ok && c.name.endsWith('[known failure]'));
  const ok = checks.length > 0 && good === checks.length;
  if (ok) passed += 1;
  else failed += 1;
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(9)} ${seconds}s  ${runtime}: ${good}/${checks.length} checks passed${known.length ? ` (${known.length} known failure${known.length > 1 ? 's' : ''})` : ''}`);
  for (const c of checks) {
    if (!c.ok) console.log(`      FAILED ${c.name}\n        ${c.error.split('\n').join('\n        ')}`);
    else if (known.includes(c)) console.log(`      known failure: ${c.name.replace(/ \[known failure\]$/, '')}: ${c.detail}`);
    else if (VERBOSE) console.log(`      ok ${c.name} (${c.ms} ms)${c.detail ? `: ${c.detail}` : ''}`);
  }
}
await server.close();
if (VERBOSE) console.log(`all runtimes in ${((Date.now() - runStarted) / 1000).toFixed(1)}s`);
finish();
