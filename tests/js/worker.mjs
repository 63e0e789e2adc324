// workerd serving a config on a free 127.0.0.1 port, for the tests: the project's worker
// (worker/config.capnp: the page, its proxy and the gate), or a test's own worker.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from './oci/servers.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const READY_TIMEOUT_MS = 30_000;

/**
 * workerd serving `config` (its socket `http`), with `env` added to its environment and
 * `directories` (name to path) as its disk services. Resolves once `readyPath` answers, to
 * `{ url, stop, output, logs, rssKiB }`: `logs()` are the gate's structured decision lines so far,
 * `rssKiB()` its resident memory.
 */
export async function startWorkerd(config, { env = {}, directories = {}, readyPath = '/' } = {}) {
  const port = await freePort();
  const disks = Object.entries(directories).flatMap(([name, path]) => ['--directory-path', `${name}=${path}`]);
  const child = spawn(process.env.WORKERD ?? join(ROOT, 'node_modules/.bin/workerd'), ['serve', config, '--socket-addr', `http=127.0.0.1:${port}`, ...disks], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => child.exitCode === null && child.kill('SIGKILL');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      await (await fetch(`${url}${readyPath}`)).arrayBuffer();
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

/**
 * The project's worker (the page, its proxy and the gate), with `env` added to the environment
 * it reads its settings from (SIGSTORE_WASM_*); a worker whose policy is refused answers 500.
 */
export function startWorker(env = {}) {
  return startWorkerd(join(ROOT, 'worker/config.capnp'), { env, directories: { www: join(ROOT, 'www/dist') } });
}
