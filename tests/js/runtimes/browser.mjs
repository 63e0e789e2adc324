// Chromium smoke test (run by tests/js/runtimes.sh with Node from the repository root, $CHROMIUM
// set):
//
//   node tests/js/runtimes/browser.mjs direct            page.html imports /pkg/browser.js as is
//   node tests/js/runtimes/browser.mjs esbuild <scratch>  esbuild bundles bundle-entry.js, which
//       imports 'sigstore-wasm' from <scratch>/node_modules (the installed tarball) with the
//       browser condition; the page imports the bundle
//
// A Node http server on 127.0.0.1 (random port) serves the repository's pkg/, this folder and the
// test data (and the bundle under /bundle/); Chromium, headless with a fresh profile, may reach
// nothing else. The page runs the shared suite (smoke.js) and leaves the outcome on window.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, openPage, serveFiles } from '../chromium.mjs';
import { checkRecorder, report } from './smoke.js';

const PAGE_TIMEOUT_MS = 60_000;

const [mode = 'direct', scratch] = process.argv.slice(2);
if (!['direct', 'esbuild'].includes(mode) || (mode === 'esbuild' && !scratch)) {
  console.error('usage: browser.mjs direct | browser.mjs esbuild <scratch project>');
  process.exit(2);
}

const repo = fileURLToPath(new URL('../../../', import.meta.url));
// The driver points SMOKE_TMPDIR into its scratch directory, which it removes at the end: what a
// Chromium stopped mid-launch still writes after this process is gone goes there.
const temp = mkdtempSync(join(process.env.SMOKE_TMPDIR || tmpdir(), 'sigstore-wasm-browser-'));
process.on('exit', () => {
  try {
    rmSync(temp, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch (e) {
    console.error(`could not remove ${temp}: ${e.message}`);
  }
});

const { checks, check } = checkRecorder();

// The bundle: browser.js fetches new URL('./wasm/sigstore_wasm_bg.wasm', import.meta.url), and in
// the bundle import.meta.url is the bundle's own URL, so the module goes in wasm/ next to it.
const bundleDir = join(temp, 'bundle');
if (mode === 'esbuild') {
  const built = await check("esbuild bundles 'sigstore-wasm' (browser condition) from the installed package", () => {
    const entry = join(scratch, 'bundle-entry.js');
    copyFileSync(fileURLToPath(new URL('./bundle-entry.js', import.meta.url)), entry);
    execFileSync(join(repo, 'node_modules/.bin/esbuild'), [
      entry, '--bundle', '--format=esm', '--platform=browser', '--conditions=browser',
      '--log-level=warning', `--metafile=${join(temp, 'meta.json')}`, `--outfile=${join(bundleDir, 'app.js')}`,
    ], { timeout: 60_000, stdio: ['ignore', 'inherit', 'inherit'] });
    const inputs = Object.keys(JSON.parse(readFileSync(join(temp, 'meta.json'), 'utf8')).inputs);
    if (!inputs.some((p) => p.endsWith('node_modules/sigstore-wasm/browser.js'))) throw new Error(`the bundle does not hold browser.js: ${inputs.join(', ')}`);
    mkdirSync(join(bundleDir, 'wasm'));
    for (const file of ['sigstore_wasm_bg.wasm', 'sigstore_wasm_crypto_bg.wasm']) {
      copyFileSync(join(scratch, 'node_modules/sigstore-wasm/wasm', file), join(bundleDir, 'wasm', file));
    }
    return `${statSync(join(bundleDir, 'app.js')).size} bytes of JS from ${inputs.length} inputs; the verifier's and the crypto module copied to wasm/ next to it`;
  });
  if (!built) process.exit(report(checks, 'chromium (esbuild)') ? 0 : 1);
}

// Static files: only what the page needs, each mapped to its directory.
const roots = [
  ['/pkg/', join(repo, 'pkg')],
  ['/tests/js/runtimes/', join(repo, 'tests/js/runtimes')],
  ['/tests/data/conformance/bundle-verify/', join(repo, 'tests/data/conformance/bundle-verify')],
  ['/bundle/', bundleDir],
];
const { origin, served, close } = await serveFiles(roots);

let context;
let launching;
const browserLog = [];
// Stopped from outside (the driver's timeout): close Chromium, remove the profile, exit. Playwright's
// own signal handlers are off: while a launch is under way they swallow SIGTERM and leave the
// process running.
for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.once(signal, () => {
    setTimeout(() => process.exit(status), 5_000).unref();
    // A launch under way is waited for, so that Chromium is closed rather than left writing to the profile.
    Promise.resolve(launching).then((c) => c?.close()).catch(() => {}).finally(() => process.exit(status));
  });
}
try {
  const ran = await check('Chromium runs the suite in page.html', async () => {
    launching = launchChromium(join(temp, 'profile'));
    context = await launching;
    // Nothing beyond the test server.
    const page = await openPage(context, (url) => url.startsWith(`${origin}/`), browserLog);
    await page.goto(`${origin}/tests/js/runtimes/page.html?entry=${mode}`, { timeout: PAGE_TIMEOUT_MS });
    await page.waitForFunction(() => window.smokeDone === true, null, { timeout: PAGE_TIMEOUT_MS });
    const result = await page.evaluate(() => window.smokeResult);
    if (result.error) throw new Error(`the page failed: ${result.error}`);
    // The page's own checks, reported as this runtime's.
    checks.push(...result.checks.map((c) => ({ ...c, name: `page: ${c.name}` })));
    const version = context.browser()?.version() ?? result.userAgent.match(/Chrome\/\S+/)?.[0];
    return `${version}, ${result.url}, secure context ${result.secureContext}`;
  });
  // The verifier's module, and the crypto module that createVerifier loads for its synchronous
  // verify(); never the TUF client's, which the suite does not use.
  if (ran) await check('the wasm modules came from where the entry said, each once', async () => {
    const dir = mode === 'direct' ? '/pkg/wasm/' : '/bundle/wasm/';
    const expected = [`${dir}sigstore_wasm_bg.wasm`, `${dir}sigstore_wasm_crypto_bg.wasm`];
    const wasm = served.filter((p) => p.endsWith('.wasm')).sort();
    if (JSON.stringify(wasm) !== JSON.stringify(expected)) throw new Error(`expected one request for each of ${expected.join(', ')}, got ${JSON.stringify(wasm)}`);
    if (mode === 'esbuild' && served.some((p) => p.startsWith('/pkg/'))) throw new Error(`the bundled page loaded from /pkg/: ${served.join(', ')}`);
    return expected.join(', ');
  });
} finally {
  await context?.close().catch(() => {});
  close();
}

const passed = report(checks, `chromium (${mode})`);
if (!passed && browserLog.length) console.log(`browser log:\n  ${browserLog.join('\n  ')}`);
process.exit(passed ? 0 : 1);
