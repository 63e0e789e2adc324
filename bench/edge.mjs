// The edge isolate: CPU time of the first verification in a fresh workerd isolate, as a free plan
// bills it (CPU, not wall time). Each run starts its own workerd process with the runtimes test's
// worker (tests/js/runtimes/worker: the package's workerd entry, every module a `wasm` module that
// workerd compiles as the worker loads), waits until it listens, then sends W1 to POST /verify
// twice: verifyBundle with the embedded production root, as a gate's first request does. The CPU
// time of a request is the growth of the workerd process's on-CPU time across it
// (/proc/<pid>/task/*/schedstat, nanoseconds), of every thread summed and of the thread that ran
// it; a GET /health before it gives the cost of a request that verifies nothing. The start-up
// (loading the worker, compiling its modules) is the CPU time until it answers. Median of RUNS fresh processes.
// Usage: node bench/edge.mjs (WORKERD from scripts/setup.sh). Prints one JSON object.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { WORKLOADS } from './workloads.mjs';

const RUNS = 7;
const root = new URL('../', import.meta.url);
const config = new URL('tests/js/runtimes/worker/config.capnp', root).pathname;
const workerd = process.env.WORKERD;
if (!workerd) throw new Error('WORKERD is not set (eval "$(scripts/setup.sh)")');

const w1 = WORKLOADS.find((w) => w.id === 'W1');
const body = JSON.stringify({
  bundle: JSON.parse(readFileSync(new URL(w1.bundle, root), 'utf8')),
  artifact: { base64: readFileSync(new URL(w1.artifact, root)).toString('base64') },
  options: { certificateIdentity: w1.identity, certificateIssuer: w1.issuer },
});

/** The on-CPU time of each thread of process `pid` so far, in ms, by thread id. */
function threadCpuMs(pid) {
  const times = new Map();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      times.set(task, Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]) / 1e6);
    } catch {
      // The thread ended between the listing and the read: its time is no longer counted anywhere.
    }
  }
  return times;
}

/**
 * The CPU time between two readings: `all` threads summed, and `busiest`, the one thread that grew
 * most (the thread that ran the request; the others are V8's background compilers and workerd's I/O).
 */
function cpuBetween(before, after) {
  let all = 0;
  let busiest = 0;
  for (const [task, ms] of after) {
    const grew = ms - (before.get(task) ?? 0);
    all += grew;
    busiest = Math.max(busiest, grew);
  }
  return { all, busiest };
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

async function verifyOnce(url) {
  const response = await fetch(`${url}/verify`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const answer = await response.json();
  if (!answer.verified) throw new Error(`W1 not verified in workerd: ${JSON.stringify(answer.error)}`);
}

/** One fresh workerd: its start-up CPU, then the CPU of its first and second verification. */
async function run() {
  const port = await freePort();
  const child = spawn(workerd, ['serve', config, '--socket-addr', `http=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    // GET /health answers once the worker is loaded; it runs no verification.
    for (;;) {
      const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`workerd did not start: ${stderr.slice(-500)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const started = threadCpuMs(child.pid);
    await fetch(`${url}/health`).then((r) => r.text());
    const idle = threadCpuMs(child.pid);
    await verifyOnce(url);
    const first = threadCpuMs(child.pid);
    await verifyOnce(url);
    const second = threadCpuMs(child.pid);
    return {
      startup: cpuBetween(new Map(), started),
      health: cpuBetween(started, idle),
      first: cpuBetween(idle, first),
      second: cpuBetween(first, second),
    };
  } finally {
    child.kill('SIGKILL');
  }
}

const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(await run());
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pick = (k) => ({ all: median(runs.map((r) => r[k].all)), busiest: median(runs.map((r) => r[k].busiest)) });
console.log(JSON.stringify({ runs: RUNS, startup: pick('startup'), health: pick('health'), first: pick('first'), second: pick('second') }));
