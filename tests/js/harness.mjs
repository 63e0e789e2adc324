// What the Node-only test runners share: each check is a node:test test (the runners print
// node:test's report and exit non-zero on a failure), and one way to run a process with a time
// limit. The runtime smoke suites (runtimes/, tuf/) keep a harness of their own: their checks run
// inside Deno, Bun, workerd and browsers, where node:test cannot.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

const reported = [];
let failed = 0;

/** A check: a test called `name` that fails with `detail` unless `ok`. Returns `ok`. */
export function check(name, ok, detail) {
  if (!ok) failed++;
  reported.push(test(name, () => assert.ok(ok, typeof detail === 'string' ? detail : JSON.stringify(detail))));
  return ok;
}

/** How many checks have failed so far. */
export function failures() {
  return failed;
}

/**
 * The end of a runner, once its servers and browsers are stopped: when every check has reported,
 * the process ends with node:test's summary, or, if a handle still holds it a second later (a
 * socket kept alive), with the status the checks call for.
 */
export async function finish() {
  await Promise.all(reported);
  setTimeout(() => process.exit(failed ? 1 : 0), 1000).unref();
}

/**
 * Runs `command` with `args` and resolves to `{ status, signal, stdout, stderr, timedOut }`: killed
 * after `timeoutMs`; `input`, when given, is its standard input.
 */
export function runProcess(command, args, { cwd, env, input, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ status: null, signal: null, stdout, stderr: `${stderr}spawn error: ${e.message}`, timedOut });
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}
