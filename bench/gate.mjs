// The edge gate's cost: decisions per second and latency through the worker in workerd, for the
// same small artifact served (a) ungated (a static "allow" rule: the worker streams it as is),
// (b) gated with its verdict cached, (c) gated with nothing cached (every request verified; cache
// 0 s). autocannon on loopback, LOAD_SECONDS per case, one after another. Prints JSON.
// Needs target/tmp/gate-fixtures (bench/run.sh writes it with scripts/fixtures.sh).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { startGate, startOrigin } from '../tests/js/gate/servers.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'target/tmp/gate-fixtures');
const LOAD_SECONDS = 5;
const CONNECTIONS = 8;

const fixtures = JSON.parse(readFileSync(join(FIXTURES, 'fixtures.json'), 'utf8'));
const trustedRoot = JSON.parse(readFileSync(join(FIXTURES, 'trusted_root.json'), 'utf8'));
const identity = { certificateIdentity: fixtures.a.certificateIdentity, certificateIssuer: fixtures.a.certificateIssuer };
const policy = (origin, cache) => ({
  trustedRoot,
  files: [{ prefix: '/dl/', origin: `${origin}/` }],
  cache,
  rules: [
    { name: 'ungated', path: '/dl/ungated/**', static: 'allow' },
    { name: 'gated', path: '/dl/gated/**', identities: [identity] },
  ],
});

async function measure(gate, path) {
  const warm = await fetch(`${gate.url}${path}`);
  if (warm.status !== 200) throw new Error(`${path}: ${warm.status} ${await warm.text()}`);
  await warm.arrayBuffer();
  const r = await autocannon({ url: `${gate.url}${path}`, connections: CONNECTIONS, duration: LOAD_SECONDS });
  if (r.errors + r.timeouts + r.non2xx) throw new Error(`${path}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total };
}

const origin = await startOrigin(join(FIXTURES, 'files'), fixtures.large.bytes);
const results = {};
try {
  const cached = await startGate(policy(origin.url, { successSeconds: 3600, failureSeconds: 30 }));
  try {
    results.ungated = await measure(cached, '/dl/ungated/app.tar.gz');
    results.cached = await measure(cached, '/dl/gated/app.tar.gz');
  } finally {
    cached.stop();
  }
  const uncached = await startGate(policy(origin.url, { successSeconds: 0, failureSeconds: 0 }));
  try {
    results.uncached = await measure(uncached, '/dl/gated/app.tar.gz');
  } finally {
    uncached.stop();
  }
} finally {
  await origin.stop();
}
console.log(JSON.stringify({ connections: CONNECTIONS, seconds: LOAD_SECONDS, ...results }));
