// Headless Chromium for the tests, as this machine runs it: Debian's chromium ($CHROMIUM) driven
// by playwright-core (test tools' own browser downloads fail here), a fresh profile, no background
// networking (its connections are refused here), and no request leaving for anything but what
// the test allows.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, normalize, resolve, sep } from 'node:path';
import { chromium } from 'playwright-core';

const LAUNCH_TIMEOUT_MS = 60_000;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/**
 * Launches Chromium with a fresh profile in `profileDir`. Playwright's signal handlers stay off:
 * while a launch is under way they swallow SIGTERM; callers close the browser themselves.
 */
export function launchChromium(profileDir) {
  const executablePath = process.env.CHROMIUM;
  if (!executablePath) throw new Error('CHROMIUM is not set (eval "$(scripts/setup.sh)")');
  return chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    timeout: LAUNCH_TIMEOUT_MS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: ARGS,
  });
}

/**
 * The resident memory of the renderer processes (pages and their workers) of the Chromium whose
 * profile is `profileDir`, in bytes: its processes found by walking /proc from the browser's.
 */
export function rendererMemory(profileDir) {
  const processes = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      processes.push({ pid, parent, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8'), status: () => readFileSync(`/proc/${pid}/status`, 'utf8') });
    } catch {
      // The process ended while it was read.
    }
  }
  const browser = processes.find((p) => p.cmdline.split('\0').includes(`--user-data-dir=${profileDir}`));
  if (!browser) throw new Error(`no Chromium runs with the profile ${profileDir}`);
  const ours = new Set([browser.pid]);
  for (let grown = true; grown; ) {
    grown = false;
    for (const p of processes) {
      if (ours.has(p.pid) || !ours.has(p.parent)) continue;
      ours.add(p.pid);
      grown = true;
    }
  }
  let bytes = 0;
  for (const p of processes) {
    if (!ours.has(p.pid) || !p.cmdline.includes('--type=renderer')) continue;
    try {
      bytes += Number(/VmRSS:\s+(\d+) kB/.exec(p.status())?.[1] ?? 0) * 1024;
    } catch {
      // The process ended while it was read.
    }
  }
  return bytes;
}

/** The context's page, allowed to reach only URLs `allowed` accepts, its messages kept in `log`. */
export async function openPage(context, allowed, log) {
  await context.route('**/*', (route) => (allowed(route.request().url()) ? route.continue() : route.abort()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => log.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
  return page;
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.txt': 'text/plain' };

/**
 * Serves files for a page on 127.0.0.1 (a random port): `roots` maps URL prefixes to
 * directories, and `/` is an empty page. Resolves to `{ origin, served, close }`, `served` being
 * every path asked for.
 */
export async function serveFiles(roots) {
  const served = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname);
    served.push(path);
    if (path === '/') {
      response.writeHead(200, { 'content-type': TYPES['.html'] });
      response.end('<!doctype html><title>sigstore-wasm tests</title>');
      return;
    }
    for (const [prefix, dir] of roots) {
      if (!path.startsWith(prefix)) continue;
      const file = resolve(dir, normalize(path.slice(prefix.length)));
      if (!file.startsWith(dir + sep)) break;
      try {
        const body = readFileSync(file);
        response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        response.end(body);
        return;
      } catch {
        break;
      }
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  });
  await new Promise((ready, fail) => server.once('error', fail).listen(0, '127.0.0.1', ready));
  return { origin: `http://127.0.0.1:${server.address().port}`, served, close: () => server.close() };
}
