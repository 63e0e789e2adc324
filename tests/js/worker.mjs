// The project's worker (worker/config.capnp: the page, its proxy and the gate) in workerd on a free
// 127.0.0.1 port, with `env` added to the environment it reads its settings from
// (SIGSTORE_WASM_*). Resolves once it answers (a worker whose policy is refused answers 500), to `{ url, stop, output, logs, rssKiB }`:
// `logs()` are the gate's structured decision lines so far, `rssKiB()` its resident memory.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from './oci/servers.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const READY_TIMEOUT_MS = 30_000;

export async function startWorker(env = {}) {
  const port = await freePort();
  const child = spawn(
    process.env.WORKERD ?? join(ROOT, 'node_modules/.bin/workerd'),
    ['serve', join(ROOT, 'worker/config.capnp'), '--socket-addr', `http=127.0.0.1:${port}`, '--directory-path', `www=${join(ROOT, 'www/dist')}`],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => child.exitCode === null && child.kill('SIGKILL');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      await (await fetch(`${url}/`)).arrayBuffer();
      return {
        url,
        stop,
        output: () => output,
        logs: () => output.split('\n').filter((l) => l.startsWith('{"gate"')).map((l) => JSON.parse(l)),
        rssKiB: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]),
      };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error(`workerd did not answer: ${output}`);
}
