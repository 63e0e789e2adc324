// sigstore-wasm's worker, on Cloudflare Workers (workerd locally): it serves the verification
// page (www/dist, through the ASSETS binding) with a strict Content-Security-Policy, and the
// page's read-only registry proxy under /proxy/ (proxy.js). It sees no artifact and verifies
// nothing itself: the page verifies in the browser.
import { isProxyRequest, proxy } from './proxy.js';

const TYPES = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  wasm: 'application/wasm',
  json: 'application/json',
  png: 'image/png',
  svg: 'image/svg+xml',
  txt: 'text/plain; charset=utf-8',
};

/**
 * No inline script or style; WebAssembly compilation allowed ('wasm-unsafe-eval'), nothing
 * else eval-like; requests to the page's own origin (its proxy), https, and what CONNECT_SRC adds
 * (the tests' loopback servers).
 */
function contentSecurityPolicy(env) {
  const connect = ["'self'", 'https:', ...(env.CONNECT_SRC ? env.CONNECT_SRC.split(' ') : [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

async function page(request, env) {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
  const url = new URL(request.url);
  const path = url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname;
  const asset = await env.ASSETS.fetch(new Request(new URL(path, url), { method: request.method }));
  if (!asset.ok) return new Response('not found', { status: 404, headers: { 'content-type': TYPES.txt } });
  const extension = path.slice(path.lastIndexOf('.') + 1);
  const headers = new Headers({
    'content-type': TYPES[extension] ?? 'application/octet-stream',
    'content-security-policy': contentSecurityPolicy(env),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-cache',
  });
  return new Response(asset.body, { status: 200, headers });
}

export default {
  fetch(request, env) {
    return isProxyRequest(new URL(request.url)) ? proxy(request, env) : page(request, env);
  },
};
