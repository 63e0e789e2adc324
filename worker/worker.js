// sigstore-wasm's worker, on Cloudflare Workers (workerd locally). It serves:
// - the verification page (www/dist, through the ASSETS binding) with a strict
//   Content-Security-Policy, and the page's read-only registry proxy under /proxy/ (proxy.js);
//   the page verifies in the browser;
// - the gate (gate/), configured by gate.json: files under its mounts' prefixes, and a registry
//   front under /v2/, each served only when its Sigstore signatures satisfy the policy.
import { serveFile } from './gate/files.js';
import { gateFor, policyFor, refreshGate } from './gate/gate.js';
import { serveRegistry } from './gate/images.js';
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

/** The gate's answer, or null when the request is not the gate's (its policy names no mount or registry for it). */
async function gate(request, env) {
  const { pathname } = new URL(request.url);
  let policy;
  try {
    policy = policyFor(env);
  } catch (e) {
    // A policy that cannot be read leaves nothing to serve safely: every request is refused, loudly.
    console.log(JSON.stringify({ gate: 'config', error: e.message }));
    return Response.json({ error: { code: 'CONFIG', message: e.message } }, { status: 500 });
  }
  const mount = policy.files.find((m) => pathname.startsWith(m.prefix));
  const registry = policy.images && (pathname === '/v2' || pathname.startsWith('/v2/'));
  if (!mount && !registry) return null;
  let state;
  try {
    state = await gateFor(env);
  } catch (e) {
    // The policy read, but its trusted root did not: the same refusal as an unreadable policy.
    console.log(JSON.stringify({ gate: 'config', error: `trustedRoot: ${e.message}` }));
    return Response.json({ error: { code: 'CONFIG', message: `gate policy: trustedRoot: ${e.message}` } }, { status: 500 });
  }
  try {
    return await (mount ? serveFile(request, state, mount, env) : serveRegistry(request, state, env));
  } catch (e) {
    // A fault of the gate's own, never a verdict: refused, and said so.
    console.log(JSON.stringify({ gate: 'internal', path: pathname, error: String(e?.stack ?? e) }));
    return Response.json({ error: { code: 'INTERNAL', message: `the gate failed: ${e?.message ?? e}` } }, { status: 500 });
  }
}

export default {
  async fetch(request, env) {
    if (isProxyRequest(new URL(request.url))) return proxy(request, env);
    return (await gate(request, env)) ?? page(request, env);
  },
  /** The cron trigger (wrangler.toml): the gate's trusted root refreshed through TUF, and logged. */
  async scheduled(event, env) {
    try {
      console.log(JSON.stringify({ gate: 'refresh', cron: event.cron, ...(await refreshGate(env)) }));
    } catch (e) {
      console.log(JSON.stringify({ gate: 'refresh', cron: event.cron, error: String(e?.message ?? e) }));
    }
  },
};
