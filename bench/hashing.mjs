// Hashing a large artifact, the page beside the CLI: the verification page (www/dist, headless
// Chromium: its hashing worker, the core's hasher in wasm) and the CLI (pkg/cli.js on Node 20:
// node:crypto's hash) verify the same 1 GiB file against the same attestation. Each one's
// hashing time is its verification of the file minus its verification of the file's digest (the
// same check without the hash); MB/s = 10^6 bytes per second of that. Median of RUNS, the page's
// and the CLI's interleaved. Prints JSON.
// Needs www/dist (scripts/build-www.sh) and target/tmp/page-fixtures-gigabyte (bench/run.sh
// writes it with scripts/fixtures.sh).
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchChromium, openPage, serveFiles } from '../tests/js/chromium.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURE = join(ROOT, 'target/tmp/page-fixtures-gigabyte');
const RUNS = 3;
const VERDICT_TIMEOUT_MS = 120_000;

const read = (file) => readFileSync(join(FIXTURE, file), 'utf8').trim();
const bytes = Number(read('bytes'));
const fixture = { bundle: join(FIXTURE, 'bundle.sigstore.json'), root: join(FIXTURE, 'trusted_root.json'), identity: read('identity'), issuer: read('issuer') };
const scratch = mkdtempSync(join(tmpdir(), 'sigstore-wasm-bench-hashing-'));
// Zeros, sparse on disk: reading costs the page cache nothing, so the figure is the hashing's.
const file = join(scratch, 'large.bin');
const fd = openSync(file, 'w');
ftruncateSync(fd, bytes);
closeSync(fd);
const digest = `sha256:${JSON.parse(Buffer.from(JSON.parse(readFileSync(fixture.bundle, 'utf8')).dsseEnvelope.payload, 'base64')).subject[0].digest.sha256}`;

/** Milliseconds the CLI takes to verify `artifact` (a path or a digest), which must verify. */
function cli(artifact) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [join(ROOT, 'pkg/cli.js'), 'verify-bundle', '--bundle', fixture.bundle, '--trusted-root', fixture.root, '--certificate-identity', fixture.identity, '--certificate-oidc-issuer', fixture.issuer, artifact], { encoding: 'utf8' });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`the CLI did not verify ${artifact}: exit ${run.status}: ${run.stderr || run.stdout}`);
  return ms;
}

/** Milliseconds from pressing Verify to the page's verdict, for the file or (`byDigest`) its digest. */
async function page(tab, origin, byDigest) {
  await tab.goto(`${origin}/index.html?visit=${Math.random()}`);
  await tab.waitForFunction(() => document.querySelectorAll('#sample option').length > 1);
  await tab.click('#tab-bundle');
  await tab.setInputFiles('#bundle-file', fixture.bundle);
  await tab.setInputFiles('#artifact-file', file);
  await tab.fill('#digest', byDigest ? digest : '');
  await tab.fill('#identity', fixture.identity);
  await tab.fill('#issuer', fixture.issuer);
  await tab.selectOption('#root', 'custom');
  await tab.setInputFiles('#root-file', fixture.root);
  const started = performance.now();
  await tab.click('#verify');
  const verdict = tab.locator('#result h2.verdict');
  await verdict.waitFor({ timeout: VERDICT_TIMEOUT_MS });
  const ms = performance.now() - started;
  if (!(await verdict.getAttribute('class')).split(' ').includes('ok')) throw new Error(`the page did not verify: ${await verdict.textContent()}`);
  return ms;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const server = await serveFiles([['/', join(ROOT, 'www/dist')]]);
const context = await launchChromium(join(scratch, 'profile'));
try {
  const tab = await openPage(context, (url) => url.startsWith(server.origin), []);
  const times = { pageFile: [], pageDigest: [], cliFile: [], cliDigest: [] };
  for (let run = 0; run < RUNS; run++) {
    times.pageDigest.push(await page(tab, server.origin, true));
    times.pageFile.push(await page(tab, server.origin, false));
    times.cliDigest.push(cli(digest));
    times.cliFile.push(cli(file));
  }
  const throughput = (withFile, withDigest) => bytes / 1e6 / ((median(withFile) - median(withDigest)) / 1000);
  const page_ = throughput(times.pageFile, times.pageDigest);
  const cli_ = throughput(times.cliFile, times.cliDigest);
  console.log(JSON.stringify({ bytes, runs: RUNS, page: { mbPerSecond: page_, medianMs: { file: median(times.pageFile), digest: median(times.pageDigest) } }, cli: { mbPerSecond: cli_, medianMs: { file: median(times.cliFile), digest: median(times.cliDigest) } } }));
} finally {
  await context.close();
  server.close();
  rmSync(scratch, { recursive: true, force: true });
}
