// Prints the one table from the JSON each step wrote into the results directory.
// Usage: node bench/report.mjs <results-dir>
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { WORKLOADS } from './workloads.mjs';

const dir = process.argv[2];
const load = (name) => {
  const path = join(dir, `${name}.json`);
  if (!existsSync(path)) return { error: 'no output' };
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return { error: readFileSync(path, 'utf8').trim().split('\n').pop()?.slice(0, 200) || 'no output' };
  }
};
const text = (name) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').trim() : '?');

const node = load('node');
const sjs = load('sigstore-js');
const browser = load('browser');
const floor = load('floor');
const cold = load('cold');
const size = load('size');
const crates = load('crates');
const memory = load('memory');
const gate = load('gate');
const hashing = load('hashing');

const notes = [];
const note = (s) => {
  let i = notes.indexOf(s);
  if (i < 0) i = notes.push(s) - 1;
  return `n/a[${i + 1}]`;
};
const ms = (x) => (x == null ? '' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const ratio = (x) => (x >= 10 ? `${x.toFixed(0)}x` : `${x.toFixed(2)}x`);

/** m: a measurement {median,p95,throughput} or {na} / {error}; returns the cells and the median. */
function cells(m, what) {
  if (!m || m.error || m.na) {
    const why = m?.na ?? m?.error ?? 'not run';
    return { cols: [note(`${what}: ${why}`), '', ''], median: null };
  }
  return { cols: [ms(m.median), ms(m.p95), m.throughput.toFixed(0)], median: m.median };
}

const W = [26, 33, 8, 8, 8, 14, 17, 10];
const row = (cols) =>
  cols.map((c, i) => (i < 2 ? pad(c, W[i]) : lpad(c, W[i]))).join(' ').trimEnd();
const lines = [];
const out = (s = '') => lines.push(s);

const cpu = text('cpu');
out(`sigstore-wasm benchmark  ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC  ${cpu}`);
out(`load (uptime) before: ${text('uptime-before')}`);
out(`load (uptime) after:  ${text('uptime-after')}`);
out();
out('WARM VERIFY (trust material once; bundle text + artifact bytes in, verdict out; sequential)');
out('ms; "vs X" = X median / our median (>1x: ours faster); "vs floor" = our median / floor (1x = only the crypto)');
out(row(['workload', 'verifier', 'median', 'p95', 'verif/s', 'vs sigstore-js', 'vs sigstore-browser', 'vs floor']));
out('-'.repeat(W.reduce((a, b) => a + b + 1, 0)));
const ourRows = [
  ['ours Node 20 verifyAsync', (w) => node[w]?.async, node, 'node step'],
  ['ours Node 20 verify (sync)', (w) => node[w]?.sync, node, 'node step'],
  ['ours Chromium verifyAsync', (w) => browser.ours?.[w]?.async, browser.ours ?? browser, 'ours in Chromium (browser step)'],
  ['ours Chromium verify (sync)', (w) => browser.ours?.[w]?.sync, browser.ours ?? browser, 'ours in Chromium (browser step)'],
];
const med = {}; // med[w][label] for the targets
for (const w of WORKLOADS) {
  med[w.id] = {};
  const anchorJs = sjs.error ? cells(sjs, 'sigstore-js step') : cells(sjs[w.id], `sigstore-js ${w.id}`);
  const sbSource = browser.sigstoreBrowser ?? { error: browser.error ?? 'not run' };
  const anchorSb = sbSource.error ? cells(sbSource, 'sigstore-browser (browser step)') : cells(sbSource[w.id], `sigstore-browser ${w.id}`);
  const f = floor[w.id];
  const label = `${w.id} ${w.name}`;
  let first = true;
  for (const [name, pick, src, stepName] of ourRows) {
    const c = src?.error ? cells(src, stepName) : cells(pick(w.id), `${name} ${w.id}`);
    med[w.id][name] = c.median;
    med[w.id].sigstoreJs = anchorJs.median;
    med[w.id].sigstoreBrowser = anchorSb.median;
    med[w.id].floor = f?.floor;
    const vs = (a) => (c.median && a.median ? ratio(a.median / c.median) : '');
    out(row([first ? label : '', name, ...c.cols, vs(anchorJs), vs(anchorSb), c.median && f?.floor ? ratio(c.median / f.floor) : '']));
    first = false;
  }
  out(row(['', 'anchor: sigstore-js Node 22', ...anchorJs.cols]));
  out(row(['', 'anchor: sigstore-browser Chromium', ...anchorSb.cols]));
  if (f && !floor.error) {
    const checks = Object.entries(f.checks).map(([k, n]) => `${n}x${k}`).join(' + ');
    out(row(['', 'floor: WebCrypto Node 20', ms(f.floor), '', '', `(${checks}${f.unknown.length ? '; not in floor: ' + f.unknown.join(',') : ''})`]));
  } else out(row(['', 'floor', note(`floor: ${floor.error ?? 'not run'}`)]));
  out();
}
if (!floor.error) {
  const p = floor.primitives;
  out(`floor primitives (one WebCrypto verify, median, Node 20): P-256 ${ms(p['P-256'])} ms, P-384 ${ms(p['P-384'])} ms, Ed25519 ${ms(p.Ed25519)} ms;`);
  out('  checks counted by wrapping crypto.subtle.verify during a warm verifyAsync of ours; floor = sum of count x median (run one after another)');
}
if (browser.ours && !browser.ours.crossOriginIsolated) out('  note: the Chromium page was not cross-origin isolated: its timer is coarse (100 us)');
out();

out(`COLD START (fresh process: import, verify W1 once, exit; minus bare \`node -e 0\`; median of ${cold.runs ?? '?'} runs)`);
let coldOurs = null;
let coldRatios = null;
let dl = null;
if (cold.error) out(`  ${note(`cold start: ${cold.error}`)}`);
else {
  const mib = (k) => (k / 1024).toFixed(0);
  coldOurs = cold.ours.ms;
  coldRatios = { rss: cold.ours.rssKiB / cold.sigstoreJs.rssKiB };
  out(`  ours (Node 20, verifyBundle)     +${cold.ours.ms.toFixed(0)} ms   peak RSS ${mib(cold.ours.rssKiB)} MiB (bare Node 20: ${mib(cold.ours.bareRssKiB)} MiB)`);
  const p = cold.ours.parts ?? {};
  if (p.import !== undefined) out(`    in the process: import ${ms(p.import)} ms, wasm read+compile+instantiate ${ms(p.wasm)} ms, trusted root (parse, chain checks) ${ms(p.root)} ms, first verification ${ms(p.verify)} ms; the other ${ms(cold.ours.ms - p.import - p.wasm - p.root - p.verify)} ms are outside them (loading the script, exiting)`);
  out(`  sigstore-js (Node 22)            +${cold.sigstoreJs.ms.toFixed(0)} ms   peak RSS ${mib(cold.sigstoreJs.rssKiB)} MiB (bare Node 22: ${mib(cold.sigstoreJs.bareRssKiB)} MiB)`);
  out(`  vs sigstore-js: ${ratio(cold.sigstoreJs.ms / cold.ours.ms)} time (>1x: ours faster), ${ratio(cold.ours.rssKiB / cold.sigstoreJs.rssKiB)} peak RSS (<1x: ours smaller)`);
  out(`  bare starts: Node 20 ${cold.medianMs.bare20.toFixed(0)} ms, Node 22 ${cold.medianMs.bare22.toFixed(0)} ms`);
}
out();

out('DOWNLOAD (gzip -9 of what a page fetches; KB = 1000 bytes)');
if (size.error) out(`  ${note(`size: ${size.error}`)}`);
else {
  const kb = (b) => (b / 1000).toFixed(1);
  dl = size.ours.gzip;
  const parts = Object.entries(size.ours.files).map(([f, s]) => `${f.replace('pkg/', '')} ${kb(s.gzip)}`).join(', ');
  out(`  ours                   ${kb(size.ours.gzip)} KB gzip (${kb(size.ours.raw)} KB raw): ${parts}`);
  if (size.tuf) out(`  and, only with a root refreshed through TUF, the TUF module: ${kb(size.tuf.gzip)} KB gzip (${kb(size.tuf.raw)} KB raw)`);
  if (size.crypto) out(`  and, only for a check the platform cannot run or a browser's synchronous verify(), the crypto module: ${kb(size.crypto.gzip)} KB gzip (${kb(size.crypto.raw)} KB raw)`);
  out(`  sigstore-browser       ${kb(size.sigstoreBrowser.gzip)} KB gzip (${kb(size.sigstoreBrowser.raw)} KB raw; esbuild bundle, minified)`);
  out(`  vs sigstore-browser: ${ratio(size.ours.gzip / size.sigstoreBrowser.gzip)} the bytes (<1x: ours smaller)`);
}
if (crates.error) out(`  ${note(`bytes per crate: ${crates.error}`)}`);
else {
  const kb = (b) => (b / 1000).toFixed(1);
  const share = (bytes) => `${((100 * bytes) / crates.code).toFixed(1)}%`;
  const list = Object.entries(crates.crates).slice(0, 12).map(([crate, bytes]) => `${crate} ${kb(bytes)} KB (${share(bytes)})`);
  out(`  code per crate, before wasm-opt (${kb(crates.code)} KB of code): ${list.join(', ')}`);
}
out();

out('MEMORY (wasm linear memory, W1, sync verify, Node 20)');
if (memory.error) out(`  ${note(`memory: ${memory.error}`)}`);
else {
  const kib = (b) => `${(b / 1024).toFixed(0)} KiB`;
  const samples = memory.samples.map(([n, b]) => `${n}:${(b / 1024).toFixed(0)}`).join(' ');
  out(`  after createVerifier ${kib(memory.afterCreate)}, after 1 ${kib(memory.afterFirst)}, after warm-up (${memory.warmup}) ${kib(memory.afterWarmup)}, after ${memory.done} ${kib(memory.end)}  (${memory.seconds.toFixed(0)} s)`);
  out(`  every 1,000 (KiB): ${samples}`);
  out(`  ${memory.grew ? 'GROWTH after warm-up: FLAG' : 'no growth after warm-up'}${memory.done < 10000 ? `; stopped at ${memory.done} by the time bound` : ''}`);
}
out();

out(`EDGE GATE (worker in workerd, one small file, autocannon ${gate.connections ?? '?'} connections x ${gate.seconds ?? '?'} s on loopback)`);
if (gate.error) out(`  ${note(`gate: ${gate.error}`)}`);
else {
  const line = (name, m) => out(`  ${pad(name, 34)} ${lpad(m.rps.toFixed(0), 6)} decisions/s   p50 ${m.p50} ms   p99 ${m.p99} ms   (${(m.rps / gate.ungated.rps).toFixed(2)}x ungated throughput)`);
  line('ungated (static allow)', gate.ungated);
  line('gated, verdict cached', gate.cached);
  line('gated, nothing cached (verify each)', gate.uncached);
}
out();

out(`HASHING A LARGE ARTIFACT (the same ${hashing.bytes ? (hashing.bytes / 2 ** 30).toFixed(0) : '?'} GiB file and attestation; verification of the file minus that of its digest; median of ${hashing.runs ?? '?'})`);
if (hashing.error) out(`  ${note(`hashing: ${hashing.error}`)}`);
else {
  out(`  the page (Chromium, its hashing worker: the core's hasher in wasm)  ${lpad(hashing.page.mbPerSecond.toFixed(0), 5)} MB/s`);
  out(`  the CLI (Node 20, node:crypto)                                      ${lpad(hashing.cli.mbPerSecond.toFixed(0), 5)} MB/s   (${ratio(hashing.cli.mbPerSecond / hashing.page.mbPerSecond)} the page's)`);
}
out();

out('TARGETS');
const target = (what, value, limit, unit) =>
  out(`  ${pad(what, 44)} ${value == null ? 'n/a' : `${unit === 'KB' ? (value / 1000).toFixed(1) : value.toFixed(2)} ${unit}`} (target <= ${limit} ${unit}): ${value == null ? 'n/a' : (unit === 'KB' ? value / 1000 : value) <= limit ? 'met' : 'MISSED'}`);
target('W1 warm median, Node 20, verifyAsync', med.W1['ours Node 20 verifyAsync'], 0.9, 'ms');
target('W1 warm median, Node 20, verify (sync)', med.W1['ours Node 20 verify (sync)'], 0.9, 'ms');
target('W1 warm median, Chromium, verifyAsync', med.W1['ours Chromium verifyAsync'], 1.0, 'ms');
target('W1 warm median, Chromium, verify (sync)', med.W1['ours Chromium verify (sync)'], 1.0, 'ms');
target('cold start over bare Node 20', coldOurs, 15, 'ms');
target('download, gzip', dl, 120, 'KB');
out();

// Issue 11's targets: ratios to the anchors and the floor measured in this run.
out('TARGETS, AS RATIOS IN THIS RUN (issue 11)');
const goal = (what, value, text, ok) => out(`  ${pad(what, 44)} ${value == null || Number.isNaN(value) ? 'n/a' : `${ratio(value)} (target ${text})`}: ${value == null || Number.isNaN(value) ? 'n/a' : ok(value) ? 'met' : 'MISSED'}`);
const w1 = med.W1;
goal('W1 Node 20 verifyAsync / floor', w1['ours Node 20 verifyAsync'] / w1.floor, '<= 1.1x', (v) => v <= 1.1);
goal('W1 Chromium verifyAsync / floor', w1['ours Chromium verifyAsync'] / w1.floor, '<= 1.1x', (v) => v <= 1.1);
goal('W1 Node 20 verify (sync) vs sigstore-js', w1.sigstoreJs / w1['ours Node 20 verify (sync)'], '>= 5x faster', (v) => v >= 5);
goal('W1 Chromium verify (sync) vs sigstore-browser', w1.sigstoreBrowser / w1['ours Chromium verify (sync)'], '> 1x: faster', (v) => v > 1);
out(`  ${pad('cold start over bare Node 20', 44)} ${coldOurs == null ? 'n/a' : `+${coldOurs.toFixed(0)} ms (target <= +20 ms): ${coldOurs <= 20 ? 'met' : 'MISSED'}`}`);
out(`  ${pad('download, gzip, what a page fetches first', 44)} ${dl == null ? 'n/a' : `${(dl / 1000).toFixed(1)} KB (target <= 150 KB): ${dl <= 150_000 ? 'met' : 'MISSED'}`}`);
goal('peak RSS, cold process, vs sigstore-js', coldRatios?.rss, '<= 1x', (v) => v <= 1);
out();

out('Reference figures from another machine (not compared): W1 warm median sigstore-js 6.6 ms,');
out('  sigstore-browser 7.1 ms, sigstore-python 0.92 ms; cold start sigstore-js +51 ms, 62 MiB; sigstore-browser 44 KB gzip.');
if (notes.length) {
  out();
  notes.forEach((n, i) => out(`[${i + 1}] ${n}`));
}
console.log(lines.join('\n'));
