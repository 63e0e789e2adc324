// Chromium (headless, driven by playwright-core): sigstore-wasm, @freedomofpress/sigstore-browser
// and the WebCrypto floor's primitives,
// each in a fresh browser context, on a page served from 127.0.0.1. The page is cross-origin
// isolated (COOP/COEP) so that performance.now() has fine resolution.
// Usage: node bench/browser.mjs (CHROMIUM names the browser). Prints one JSON object.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { bundleSigstoreBrowser } from './sigstore-browser-bundle.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVED = ['pkg/', 'bench/', 'tests/data/', 'trust/'];
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };
const LIBRARY_TIMEOUT_MS = 180_000;

const sigstoreBrowserJs = await bundleSigstoreBrowser();
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^\/+/, '');
  const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' };
  try {
    let body;
    if (path === 'bench/out/sigstore-browser.js') body = sigstoreBrowserJs;
    else if (SERVED.some((p) => path.startsWith(p)) && !path.includes('..')) body = await readFile(ROOT + path);
    else throw new Error('not served');
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404, headers);
    res.end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/bench/page/index.html`;

const t0 = performance.now();
const log = (m) => process.stderr.write(`browser: ${m} at ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const out = {};
try {
  for (const lib of ['ours', 'sigstoreBrowser', 'floor']) {
    log(`${lib} start`);
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => window.pageReady === true, null, { timeout: 30_000 });
    let timer;
    try {
      out[lib] = await Promise.race([
        page.evaluate((l) => window.runBench(l), lib),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${lib}: over ${LIBRARY_TIMEOUT_MS} ms`)), LIBRARY_TIMEOUT_MS);
        }),
      ]);
    } catch (e) {
      out[lib] = { error: `${String(e.message ?? e).split('\n')[0]} ${errors.join(' ')}`.slice(0, 300) };
    } finally {
      clearTimeout(timer);
    }
    await context.close();
    log(`${lib} done`);
  }
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
}
console.log(JSON.stringify(out));
