// Cold start: wall time of a fresh process that imports the library, verifies W1 once and exits,
// minus a bare start of the same runtime (`-e 0`); ours and sigstore-js on the same runtimes (Node
// 22 and Node 24), median of RUNS runs, the commands interleaved so that machine noise falls on
// all of them alike. Peak RSS is the process's own process.resourceUsage().maxRSS at exit (the
// bare runtime's is measured the same way).
// sigstore-wasm runs its default path (verifyBundle's steps: trust-root checks and verification on
// WebCrypto), each part timed inside the process (`parts`: import, wasm, root, verify; medians).
// `eager` runs ours again with V8 compiling the whole module up front (--no-wasm-lazy-compilation):
// not a way to run it, a measure of what compiling functions on first call costs the parts.
// Usage: node bench/cold.mjs <node22-path> <node24-path>. Prints one JSON object.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNS = 11;
const runtimes = { node22: process.argv[2], node24: process.argv[3] };
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const rssProbe = 'process.stdout.write(JSON.stringify({maxRSS: process.resourceUsage().maxRSS}))';

// NODE_EXTRA_CA_CERTS (set on some machines) makes Node read a CA bundle at every start (~90 ms
// here): it is dropped so that every process starts the same way.
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

const commands = {};
for (const [name, node] of Object.entries(runtimes)) {
  commands[`${name}.bare`] = [node, ['-e', '0']];
  commands[`${name}.ours`] = [node, [here('cold/ours.mjs')]];
  commands[`${name}.eager`] = [node, ['--no-wasm-lazy-compilation', here('cold/ours.mjs')]];
  commands[`${name}.sigstoreJs`] = [node, [here('cold/sigstore-js.cjs')]];
}

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
for (const [name, node] of Object.entries(runtimes)) rss[`${name}.bare`] = [JSON.parse(run([node, ['-e', rssProbe]]).out).maxRSS];

/** The median of each part over the runs. */
const medianParts = (runs) => Object.fromEntries(Object.keys(runs?.[0] ?? {}).map((name) => [name, median(runs.map((r) => r[name]))]));
const result = { runs: RUNS };
for (const name of Object.keys(runtimes)) {
  const bare = median(times[`${name}.bare`]);
  const of = (k) => ({ ms: median(times[`${name}.${k}`]) - bare, rssKiB: median(rss[`${name}.${k}`]) });
  result[name] = {
    bareMs: bare,
    bareRssKiB: median(rss[`${name}.bare`]),
    ours: { ...of('ours'), parts: medianParts(parts[`${name}.ours`]) },
    eager: { ...of('eager'), parts: medianParts(parts[`${name}.eager`]) },
    sigstoreJs: of('sigstoreJs'),
  };
}
console.log(JSON.stringify(result));
