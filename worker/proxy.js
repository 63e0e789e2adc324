// The page's registry proxy: `GET /proxy/<url>` forwards a registry API, token or blob request
// that a browser cannot make itself (most registries send no CORS headers), read-only and only
// to the registries of REGISTRIES. The verification happens in the page: the proxy only moves
// bytes, and a proxy that lied would be caught by the digests the page checks.
//
// What it refuses, and why (each has a test, tests/js/www/proxy.mjs):
// - methods other than GET and HEAD (a preflight is answered here, never forwarded);
// - hosts other than a listed registry and its token hosts, and any address literal that is
//   private, loopback, link-local or unspecified (loopback only when ALLOW_LOOPBACK is "true",
//   for tests); plain http likewise only to loopback then;
// - on a registry, paths outside the distribution API (/v2/...) and its token endpoint;
// - redirects to hosts other than the registry's own blob storage, and more than 3 of them;
// - bodies over MAX_BYTES (the package's own limit per lookup) and answers slower than TIMEOUT_MS.
// It forwards only Accept and Authorization (the latter never to blob storage), returns only the
// headers the client needs, and logs nothing.
import { addressProblem, capped, fetchFollowing } from './net.js';
import { REGISTRIES } from './registries.js';

const PREFIX = '/proxy/';
const MAX_BYTES = 64 << 20;
const TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 3;
const FORWARDED_REQUEST_HEADERS = ['accept', 'authorization'];
const RETURNED_HEADERS = ['content-type', 'content-length', 'docker-content-digest', 'www-authenticate', 'link', 'etag'];
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD',
  'access-control-allow-headers': 'accept, authorization',
  'access-control-expose-headers': RETURNED_HEADERS.join(', '),
  'access-control-max-age': '600',
};

/** A refusal, as JSON with the CORS headers so that the page can read why. */
function refuse(status, message) {
  return Response.json({ error: message }, { status, headers: { ...CORS, 'cache-control': 'no-store' } });
}

export function isProxyRequest(url) {
  return url.pathname.startsWith(PREFIX);
}

export async function proxy(request, env) {
  if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS });
  if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, `the proxy forwards GET and HEAD only, not ${request.method}`);
  const own = new URL(request.url);
  let target;
  try {
    target = new URL(own.pathname.slice(PREFIX.length) + own.search);
  } catch {
    return refuse(400, 'expected /proxy/<absolute URL>');
  }
  const registries = registriesOf(env);
  const allowLoopback = env.ALLOW_LOOPBACK === 'true';
  const registry = registries.find((r) => r.host === target.host || r.tokenHosts.includes(target.host));
  const problem = addressProblem(target, allowLoopback) ?? (registry ? pathProblem(target, registry) : `${target.host} is not a registry this proxy serves`);
  if (problem) return refuse(403, problem);

  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  const problemWith = (next) => {
    const offAddress = addressProblem(next, allowLoopback);
    const offStorage = !registry.blobHosts.some((h) => matchesHost(next, h)) && next.host !== registry.host;
    return offAddress ?? (offStorage ? `${target.host} redirected to ${next.host}, which is not its blob storage` : undefined);
  };
  let response;
  try {
    const followed = await fetchFollowing(fetch, target, { method: request.method, headers, signal }, { maxRedirects: MAX_REDIRECTS, problemWith });
    if (followed.problem) return refuse(502, followed.problem);
    response = followed.response;
  } catch (e) {
    const reason = e?.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : 'the request failed';
    return refuse(504, `${target.host}: ${reason}`);
  }
  if (Number(response.headers.get('content-length')) > MAX_BYTES) {
    await response.body?.cancel();
    return refuse(502, `the answer is larger than ${MAX_BYTES} bytes`);
  }
  const out = new Headers({ ...CORS, 'cache-control': 'no-store' });
  for (const name of RETURNED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) out.set(name, value);
  }
  return new Response(response.body ? response.body.pipeThrough(capped(MAX_BYTES)) : null, { status: response.status, headers: out });
}

function registriesOf(env) {
  return env.REGISTRIES ? JSON.parse(env.REGISTRIES) : REGISTRIES;
}

/** Whether `url`'s host is `pattern` (host[:port]), or a subdomain of it for ".example.com". */
function matchesHost(url, pattern) {
  return pattern.startsWith('.') ? url.hostname.endsWith(pattern) : url.host === pattern;
}

/** Why `url` is not a request the registry's API or token service answers, or undefined. */
function pathProblem(url, registry) {
  if (url.host === registry.host && url.pathname.startsWith('/v2/')) return undefined;
  if (registry.tokenHosts.includes(url.host) && /^\/(v2\/)?(auth|token)$/.test(url.pathname)) return undefined;
  return `${url.host}${url.pathname} is neither the registry API (/v2/...) nor its token endpoint`;
}
