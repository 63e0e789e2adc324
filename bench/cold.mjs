// Cold start: wall time of a fresh process that imports the library, verifies W1 once and exits,
// minus a bare start of the same runtime (`-e 0`); median of RUNS runs, the four commands
// interleaved so that machine noise falls on all of them alike. Peak RSS is the process's own
// process.resourceUsage().maxRSS at exit (the bare runtime's is measured the same way).
// sigstore-wasm runs its default path (verifyBundle's steps: trust-root checks and verification on
// WebCrypto), each part timed inside the process (`parts`: import, wasm, root, verify; medians).
// Usage: node bench/cold.mjs <node22-path>. Prints one JSON object.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNS = 11;
const node20 = process.execPath;
const node22 = process.argv[2];
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const rssProbe = 'process.stdout.write(JSON.stringify({maxRSS: process.resourceUsage().maxRSS}))';

// NODE_EXTRA_CA_CERTS (set on some machines) makes Node 20 read a CA bundle at every start (~90 ms
// here): it is dropped so that both runtimes start the same way.
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

const commands = {
  bare20: [node20, ['-e', '0']],
  ours: [node20, [here('cold/ours.mjs')]],
  bare22: [node22, ['-e', '0']],
  sigstoreJs: [node22, [here('cold/sigstore-js.cjs')]],
};

function run([cmd, args]) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000, env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error}`);
  return { ms, out: r.stdout };
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
const rss = {};
const parts = {};
for (const k of Object.keys(commands)) run(commands[k]); // page cache, not counted
for (let i = 0; i < RUNS; i++) {
  for (const [k, c] of Object.entries(commands)) {
    const { ms, out } = run(c);
    times[k].push(ms);
    if (out) (rss[k] ??= []).push(JSON.parse(out).maxRSS);
    if (out && JSON.parse(out).parts) (parts[k] ??= []).push(JSON.parse(out).parts);
  }
}
rss.bare20 = [JSON.parse(run([node20, ['-e', rssProbe]]).out).maxRSS];
rss.bare22 = [JSON.parse(run([node22, ['-e', rssProbe]]).out).maxRSS];

/** The median of each part over the runs. */
const medianParts = (runs) => Object.fromEntries(Object.keys(runs?.[0] ?? {}).map((name) => [name, median(runs.map((r) => r[name]))]));
const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const kib = Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, median(v)]));
console.log(
  JSON.stringify({
    runs: RUNS,
    medianMs: m,
    ours: { ms: m.ours - m.bare20, rssKiB: kib.ours, bareRssKiB: kib.bare20, parts: medianParts(parts.ours) },
    sigstoreJs: { ms: m.sigstoreJs - m.bare22, rssKiB: kib.sigstoreJs, bareRssKiB: kib.bare22 },
  }),
);
