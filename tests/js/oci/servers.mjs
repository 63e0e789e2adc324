// Test servers for the container-image (cosign in an OCI registry) and Rekor end-to-end tests.
// Everything listens on 127.0.0.1 only, on a free port, and has an idempotent async stop():
//
//   startRegistry()          the real registry: Debian's docker-registry (distribution 2.8) in a
//                            fresh temp directory
//   startTokenProxy()        read-only proxy in front of it demanding anonymous bearer tokens, the
//                            way Docker Hub and GHCR do
//   startHostileRegistry()   pass-through proxy that misbehaves for chosen repositories
//   startCorsProxy()         "/<absolute URL>" forwarding proxy adding CORS headers, for browsers
//   startRekorServer()       Rekor v1 API over a fixed table of entries (world.json's `rekor`)
//   startPackageRegistries() npm, PyPI and GitHub attestation APIs over real bundles, and their files
//   startWorld()             the image world of tests/oci.rs served: the registry with its images, the
//                            token proxy and the hostile registry in front of it, two Rekors
//
// Only `node:` built-ins, so the tests need no npm install and run on Node 20 and 22 alike.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { canonicalJson } from './cases.mjs';
import { pushWorld } from './push.mjs';

const REGISTRY_BIN = '/usr/bin/docker-registry';
const REGISTRY_READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const MAX_JSON_BODY = 4 << 20;

/** A TCP port free on 127.0.0.1 right now (for programs that must be told their port). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Synchronous cleanups run when the Node process ends, however it ends, so that no registry
// process or temp directory outlives a test that crashed or was interrupted.
const exitCleanups = new Set();
let exitHandlersInstalled = false;
function runExitCleanups() {
  for (const cleanup of exitCleanups) {
    try {
      cleanup();
    } catch {
      // best effort: the process is going away
    }
  }
  exitCleanups.clear();
}
function onProcessExit(cleanup) {
  if (!exitHandlersInstalled) {
    exitHandlersInstalled = true;
    process.on('exit', runExitCleanups);
    for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
      process.on(signal, () => {
        runExitCleanups();
        // Listening for a signal replaces Node's default of exiting: exit as it would have,
        // unless the test installed a handler of its own to decide that.
        if (process.listenerCount(signal) === 1) process.exit(status);
      });
    }
  }
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

/** `fn` run at most once; every call returns the first call's promise (idempotent stop()). */
function once(fn) {
  let promise;
  return () => (promise ??= Promise.resolve().then(fn));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// The registry

/**
 * Spawns `docker-registry serve` (distribution 2.8.2) with its own config and storage in a fresh
 * temp directory; never the package's systemd service or /var/lib/docker-registry.
 * Resolves to `{ url, port, dir, output(), stop() }` once `GET /v2/` answers 200.
 */
export async function startRegistry() {
  const dir = await mkdtemp(join(tmpdir(), 'sigstore-wasm-registry-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const unregister = onProcessExit(removeDir);
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        return await spawnRegistry(dir, port, () => unregister());
      } catch (e) {
        // The port may have been taken between freePort() and the registry's bind: try another, once.
        if (attempt < 2 && /address already in use/i.test(e.message)) continue;
        throw e;
      }
    }
  } catch (e) {
    unregister();
    removeDir();
    throw e;
  }
}

async function spawnRegistry(dir, port, unregisterDir) {
  // YAML is a superset of JSON: writing the config as JSON spares us YAML quoting rules.
  const config = {
    version: '0.1',
    log: { level: 'warn' },
    storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
    http: {
      addr: `127.0.0.1:${port}`,
      // Upload URLs carry state signed with this secret; without it the registry makes one up and warns.
      secret: randomBytes(16).toString('hex'),
      headers: {
        'Access-Control-Allow-Origin': ['*'],
        'Access-Control-Allow-Methods': ['HEAD', 'GET', 'OPTIONS'],
        'Access-Control-Allow-Headers': ['Authorization', 'Accept'],
        'Access-Control-Expose-Headers': ['Docker-Content-Digest', 'WWW-Authenticate', 'Content-Type', 'Link'],
      },
    },
  };
  const configPath = join(dir, 'config.yml');
  await writeFile(configPath, JSON.stringify(config, null, 2));

  const child = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Keep the tail of what it prints (the access log goes to stdout) for error messages; reading
  // both pipes also keeps the registry from blocking on a full pipe.
  let output = '';
  const keep = (chunk) => (output = (output + chunk).slice(-32_768));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => {
    child.once('error', (error) => resolve({ error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const unregisterChild = onProcessExit(() => {
    if (running()) child.kill('SIGKILL');
  });

  const stop = once(async () => {
    if (running()) {
      child.kill('SIGTERM');
      // (withTimeout clears its timer: a pending sleep() would hold the process for 5 s.)
      const state = await withTimeout(exited, STOP_TIMEOUT_MS, 'docker-registry after SIGTERM').catch(() => null);
      if (!state) {
        child.kill('SIGKILL');
        await withTimeout(exited, STOP_TIMEOUT_MS, 'docker-registry after SIGKILL');
      }
    }
    unregisterChild();
    await rm(dir, { recursive: true, force: true });
    unregisterDir();
  });

  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  while (Date.now() - started < REGISTRY_READY_TIMEOUT_MS) {
    const state = await Promise.race([exited, sleep(100)]);
    if (state) {
      unregisterChild();
      const how = state.error ? state.error.message : `exit ${state.code ?? state.signal}`;
      throw new Error(`${REGISTRY_BIN} ended before answering (${how}):\n${output}`);
    }
    try {
      const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return { url, port, dir, pid: child.pid, output: () => output, stop };
    } catch {
      // not listening yet
    }
  }
  await stop();
  throw new Error(`${REGISTRY_BIN} did not answer GET /v2/ within ${REGISTRY_READY_TIMEOUT_MS} ms:\n${output}`);
}

// ---------------------------------------------------------------------------------------------
// Shared HTTP plumbing for the Node servers

const CORS_EXPOSED = 'WWW-Authenticate, Docker-Content-Digest, Content-Type, Link';
const REGISTRY_CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': CORS_EXPOSED,
};
const REGISTRY_PREFLIGHT = {
  ...REGISTRY_CORS,
  'access-control-allow-methods': 'GET, HEAD',
  'access-control-allow-headers': 'Authorization, Accept',
  'access-control-max-age': '600',
};
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * Starts an HTTP server on a free 127.0.0.1 port. `handler(req, res, ctx)` may be async; `ctx`
 * has `later(ms, fn)` and `every(ms, fn)`: timers cleared by stop(), so a pending delay never
 * keeps the process alive. stop() also destroys open connections, which ends endless responses.
 */
async function serve(handler) {
  const timers = new Set();
  const ctx = {
    later(ms, fn) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
      return () => {
        clearTimeout(timer);
        timers.delete(timer);
      };
    },
    every(ms, fn) {
      const timer = setInterval(fn, ms);
      timers.add(timer);
      return () => {
        clearInterval(timer);
        timers.delete(timer);
      };
    },
  };
  const server = createHttpServer(async (req, res) => {
    try {
      await handler(req, res, ctx);
    } catch (e) {
      if (!res.headersSent) send(res, 500, { 'content-type': 'text/plain' }, `test server error: ${e.stack || e}\n`);
      else res.destroy(e);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const stop = once(async () => {
    for (const timer of timers) clearTimeout(timer); // clearTimeout clears intervals too
    timers.clear();
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await withTimeout(closed, STOP_TIMEOUT_MS, 'closing the server');
  });
  return { url: `http://127.0.0.1:${port}`, port, stop, server };
}

function send(res, status, headers, body) {
  res.writeHead(status, headers);
  res.end(body);
}

function sendJson(res, status, headers, value) {
  send(res, status, { ...headers, 'content-type': 'application/json' }, JSON.stringify(value));
}

function readBody(req, limit = MAX_JSON_BODY) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`request body over ${limit} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** decodeURIComponent that leaves malformed escapes as they are instead of throwing. */
function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `/v2/<name>/(manifests|blobs|tags|referrers)/<rest>` → `{ name, kind, reference }`; names contain slashes. */
function parseRegistryPath(pathname) {
  const m = /^\/v2\/(.+)\/(manifests|blobs|tags|referrers)\/(.*)$/.exec(pathname);
  return m ? { name: m[1], kind: m[2], reference: decode(m[3]) } : null;
}

const isDigest = (reference) => /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(reference);

// Upstream requests get their own connection each (no keep-alive pool to reason about when a
// client disconnects mid-response or a server stops).
const upstreamAgent = new Agent({ keepAlive: false });

/**
 * Sends `req`'s method, path, query and Accept header to `upstream` (an http://127.0.0.1 URL);
 * resolves to the upstream response. The upstream request is torn down if the client goes away.
 */
function requestUpstream(upstream, req, res) {
  const base = new URL(upstream);
  return new Promise((resolve, reject) => {
    const headers = req.headers.accept ? { accept: req.headers.accept } : {};
    const outgoing = httpRequest(
      { hostname: base.hostname, port: base.port, path: req.url, method: req.method, headers, agent: upstreamAgent },
      resolve,
    );
    outgoing.on('error', reject);
    res.once('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    outgoing.end();
  });
}

/** The upstream response's headers minus hop-by-hop ones and the upstream's own CORS headers. */
function relayedHeaders(upstreamRes, extra) {
  const headers = {};
  for (const [name, value] of Object.entries(upstreamRes.headers)) {
    if (!HOP_BY_HOP.has(name) && !name.startsWith('access-control-')) headers[name] = value;
  }
  return { ...headers, ...extra };
}

function readAll(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Forwards `req` to `upstream` and streams the answer back unchanged (plus `extraHeaders`). */
async function proxyUnchanged(upstream, req, res, extraHeaders) {
  let upstreamRes;
  try {
    upstreamRes = await requestUpstream(upstream, req, res);
  } catch (e) {
    if (!res.destroyed) send(res, 502, { ...extraHeaders, 'content-type': 'text/plain' }, `upstream: ${e.message}\n`);
    return;
  }
  res.writeHead(upstreamRes.statusCode, relayedHeaders(upstreamRes, extraHeaders));
  upstreamRes.pipe(res);
  // pipe() does not pass on a client going away: tear the upstream response down then.
  res.once('close', () => upstreamRes.destroy());
}

// ---------------------------------------------------------------------------------------------
// The token proxy

/**
 * A read-only proxy in front of `upstream` that demands anonymous bearer tokens, like Docker Hub
 * and GHCR: an unauthenticated request gets 401 with a `WWW-Authenticate: Bearer realm=…,
 * service=…, scope=repository:<name>:pull` challenge; `GET /token?service=…&scope=…` hands out a
 * token valid for that one repository. `tokenRequests` counts calls to /token.
 */
export async function startTokenProxy({ upstream, service = 'registry.test', redirectBlobs = false }) {
  if (!upstream) throw new Error('startTokenProxy: upstream is required');
  const tokens = new Map(); // token → { repository, expires }
  const TOKEN_LIFETIME_S = 300;
  let tokenRequests = 0;
  let redirects = 0;
  let realm;

  const unauthorized = (res, repository) => {
    const scope = repository ? `,scope="repository:${repository}:pull"` : '';
    sendJson(res, 401, { ...REGISTRY_CORS, 'www-authenticate': `Bearer realm="${realm}",service="${service}"${scope}` }, {
      errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
    });
  };

  const server = await serve(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'OPTIONS') return send(res, 204, REGISTRY_PREFLIGHT);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, { ...REGISTRY_CORS, allow: 'GET, HEAD, OPTIONS', 'content-type': 'text/plain' }, 'read-only\n');
    }

    if (url.pathname === '/token') {
      tokenRequests++;
      // One scope, for one repository, pull only: what an anonymous client of a public image asks.
      const scopes = url.searchParams.getAll('scope');
      const m = scopes.length === 1 ? /^repository:([^:]+):pull$/.exec(scopes[0]) : null;
      if (!m || url.searchParams.get('service') !== service) {
        return sendJson(res, 400, REGISTRY_CORS, {
          errors: [{ code: 'DENIED', message: `want service=${service} and one scope=repository:<name>:pull` }],
        });
      }
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, { repository: m[1], expires: Date.now() + TOKEN_LIFETIME_S * 1000 });
      return sendJson(res, 200, REGISTRY_CORS, { token, access_token: token, expires_in: TOKEN_LIFETIME_S, issued_at: new Date().toISOString() });
    }

    if (!url.pathname.startsWith('/v2/')) {
      return sendJson(res, 404, REGISTRY_CORS, { errors: [{ code: 'NOT_FOUND', message: 'not found' }] });
    }
    const target = parseRegistryPath(url.pathname);
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const grant = bearer && tokens.get(bearer);
    const valid = grant && grant.expires > Date.now();
    if (!target) {
      // `/v2/` is the "do you speak v2, and how do I authenticate" probe: any valid token passes.
      // Other repository-less endpoints (the catalog) are not offered.
      if (url.pathname !== '/v2/') {
        return sendJson(res, 404, REGISTRY_CORS, { errors: [{ code: 'UNSUPPORTED', message: 'not offered by this proxy' }] });
      }
      if (!valid) return unauthorized(res);
    } else if (!valid || grant.repository !== target.name) {
      return unauthorized(res, target.name);
    }
    // As Docker Hub and GHCR do, blobs may be served from elsewhere (their CDN; here the registry
    // itself, on another origin): the client must follow, and not take its token along.
    if (redirectBlobs && target?.kind === 'blobs') {
      redirects++;
      return send(res, 307, { ...REGISTRY_CORS, location: `${upstream}${url.pathname}${url.search}` });
    }
    return proxyUnchanged(upstream, req, res, REGISTRY_CORS);
  });
  realm = `${server.url}/token`;
  return {
    url: server.url,
    port: server.port,
    service,
    realm,
    get tokenRequests() {
      return tokenRequests;
    },
    get redirects() {
      return redirects;
    },
    stop: server.stop,
  };
}

// ---------------------------------------------------------------------------------------------
// The hostile registry

const BEHAVIOURS = new Set(['slow', 'trickle', 'garbage', 'wrong-digest', 'endless-blob', 'server-error']);

/**
 * A pass-through proxy in front of `upstream` (read-only, no auth) that misbehaves for the
 * repositories named in `behaviours` (repository name → behaviour) and forwards every other
 * request unchanged. Behaviours: 'slow' (nothing for delayMs, then the real answer), 'trickle'
 * (headers at once, then the body a byte per delayMs / 10), 'garbage' (manifest GETs answer 512
 * random bytes), 'wrong-digest' (one byte flipped in responses fetched by digest), 'endless-blob'
 * (blob GETs answer zeros forever), 'server-error' (everything answers 500).
 */
export async function startHostileRegistry({ upstream, behaviours = {}, delayMs = 5000 }) {
  if (!upstream) throw new Error('startHostileRegistry: upstream is required');
  for (const [name, behaviour] of Object.entries(behaviours)) {
    if (!BEHAVIOURS.has(behaviour)) throw new Error(`startHostileRegistry: unknown behaviour ${JSON.stringify(behaviour)} for ${name}`);
  }
  const ZEROS = Buffer.alloc(64 * 1024);

  const server = await serve(async (req, res, { later, every }) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const target = parseRegistryPath(url.pathname);
    const behaviour = target && Object.hasOwn(behaviours, target.name) ? behaviours[target.name] : undefined;

    if (behaviour === 'server-error') {
      return send(res, 500, { ...REGISTRY_CORS, 'content-type': 'text/plain' }, 'internal server error (hostile registry)\n');
    }
    if (req.method === 'OPTIONS') return send(res, 204, REGISTRY_PREFLIGHT);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, { ...REGISTRY_CORS, allow: 'GET, HEAD, OPTIONS', 'content-type': 'text/plain' }, 'read-only\n');
    }

    switch (behaviour) {
      case 'slow': {
        // Nothing at all for delayMs (not even headers), then the real answer: the client's
        // timeout is what is under test. The timer goes if the client does, or on stop().
        const cancel = later(delayMs, () => {
          if (!res.destroyed) proxyUnchanged(upstream, req, res, REGISTRY_CORS).catch((e) => res.destroy(e));
        });
        res.once('close', cancel);
        return;
      }
      case 'trickle': {
        // Headers at once, then the real body one byte per delayMs / 10: a read timeout that only
        // covers the headers never fires.
        const upstreamRes = await requestUpstream(upstream, req, res);
        const body = await readAll(upstreamRes);
        res.writeHead(upstreamRes.statusCode, relayedHeaders(upstreamRes, REGISTRY_CORS));
        res.flushHeaders();
        if (req.method === 'HEAD' || body.length === 0) return res.end();
        let sent = 0;
        const cancel = every(Math.max(1, Math.round(delayMs / 10)), () => {
          if (res.destroyed) return cancel();
          res.write(body.subarray(sent, ++sent));
          if (sent === body.length) {
            cancel();
            res.end();
          }
        });
        res.once('close', cancel);
        return;
      }
      case 'garbage':
        if (target.kind === 'manifests' && req.method === 'GET') {
          return send(res, 200, { ...REGISTRY_CORS, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, randomBytes(512));
        }
        break;
      case 'wrong-digest':
        if ((target.kind === 'manifests' || target.kind === 'blobs') && isDigest(target.reference)) {
          // The right length and headers (Docker-Content-Digest included), one byte off: only a
          // client that hashes what it received notices.
          const upstreamRes = await requestUpstream(upstream, req, res);
          const body = await readAll(upstreamRes);
          if (upstreamRes.statusCode === 200 && body.length > 0) body[body.length >> 1] ^= 0x01;
          return send(res, upstreamRes.statusCode, relayedHeaders(upstreamRes, REGISTRY_CORS), body);
        }
        break;
      case 'endless-blob':
        if (target.kind === 'blobs' && req.method === 'GET') {
          // Zeros without end and without Content-Length (chunked): a client with no size limit
          // reads forever. write() returning false means wait for 'drain' (backpressure).
          res.writeHead(200, { ...REGISTRY_CORS, 'content-type': 'application/octet-stream' });
          const pump = () => {
            while (!res.destroyed && res.write(ZEROS));
            if (!res.destroyed) res.once('drain', pump);
          };
          pump();
          return;
        }
        break;
    }
    return proxyUnchanged(upstream, req, res, REGISTRY_CORS);
  });
  return { url: server.url, port: server.port, behaviours, delayMs, stop: server.stop };
}

// ---------------------------------------------------------------------------------------------
// The CORS proxy

const CORS_PROXY_RELAYED = ['content-type', 'www-authenticate', 'docker-content-digest', 'link'];
const CORS_PROXY_FORWARDED = ['accept', 'authorization', 'content-type'];
const MAX_REDIRECTS = 5;

/**
 * The "prefix" convention: `GET http://127.0.0.1:<port>/https://host/path?q` fetches
 * `https://host/path?q` and answers with CORS headers, so a page can read a registry or Rekor
 * that sends none. Only targets (and redirect targets) `allow(url)` accepts are fetched; others
 * get 403. `forwarded` counts the requests sent on.
 */
export async function startCorsProxy({ allow = (url) => url.hostname === '127.0.0.1' } = {}) {
  let forwarded = 0;
  const cors = {
    'access-control-allow-origin': '*',
    // `*` is enough for today's browsers; the explicit names are for those that predate it.
    'access-control-expose-headers': `*, ${CORS_EXPOSED}`,
  };
  const refuse = (res, status, message) => send(res, status, { ...cors, 'content-type': 'text/plain' }, `${message}\n`);

  const server = await serve(async (req, res) => {
    if (req.method === 'OPTIONS') {
      return send(res, 204, {
        ...cors,
        'access-control-allow-methods': 'GET, HEAD, POST',
        'access-control-allow-headers': 'Authorization, Accept, Content-Type',
        'access-control-max-age': '600',
      });
    }
    if (!['GET', 'HEAD', 'POST'].includes(req.method)) return refuse(res, 405, 'GET, HEAD or POST only');
    // Some URL normalisers squash `//` to `/` in paths: accept `/http:/host/…` too.
    const m = /^\/(https?):\/+(.*)$/s.exec(req.url);
    let target;
    try {
      target = m && new URL(`${m[1]}://${m[2]}`);
    } catch {
      target = null;
    }
    if (!target) return refuse(res, 400, 'want /<absolute http(s) URL>');
    if (!allow(target)) return refuse(res, 403, `not allowed: ${target.origin}`);

    const headers = {};
    for (const name of CORS_PROXY_FORWARDED) if (req.headers[name]) headers[name] = req.headers[name];
    let method = req.method;
    let body = method === 'POST' ? await readBody(req) : undefined;
    const aborter = new AbortController();
    res.once('close', () => aborter.abort());
    forwarded++;

    // Redirects are followed by hand so that each hop is checked against allow(), and so that
    // Authorization is not sent on to another origin (a registry redirecting to a blob store).
    let response;
    for (let hop = 0; ; hop++) {
      try {
        response = await fetch(target, { method, headers, body, redirect: 'manual', signal: aborter.signal });
      } catch (e) {
        if (!res.destroyed) refuse(res, 502, `fetch ${target}: ${e.cause?.message ?? e.message}`);
        return;
      }
      const location = response.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(response.status) || !location || hop === MAX_REDIRECTS) break;
      await response.body?.cancel();
      const next = new URL(location, target);
      if (!allow(next)) return refuse(res, 403, `redirect not allowed: ${next.origin}`);
      if (next.origin !== target.origin) delete headers.authorization;
      if (response.status === 303 || (response.status <= 302 && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        delete headers['content-type'];
      }
      target = next;
    }

    const out = { ...cors };
    for (const name of CORS_PROXY_RELAYED) {
      const value = response.headers.get(name);
      if (value !== null) out[name] = value;
    }
    // fetch() decodes compressed bodies, so a Content-Length only holds for an uncompressed one.
    const length = response.headers.get('content-length');
    if (length !== null && !response.headers.get('content-encoding')) out['content-length'] = length;
    res.writeHead(response.status, out);
    if (!response.body || req.method === 'HEAD') {
      await response.body?.cancel();
      return res.end();
    }
    const stream = Readable.fromWeb(response.body);
    stream.on('error', (e) => res.destroy(e));
    stream.pipe(res);
  });
  return {
    url: server.url,
    port: server.port,
    /** The proxy URL for an absolute target URL. */
    proxied: (target) => `${server.url}/${target}`,
    get forwarded() {
      return forwarded;
    },
    stop: server.stop,
  };
}

// ---------------------------------------------------------------------------------------------
// The Rekor server

/** The RFC 6962 leaf hash of a proposed entry, as hex: SHA-256(0x00 ‖ canonical JSON). */
function rekorLeafHash(proposedEntry) {
  return createHash('sha256').update(Buffer.from([0])).update(canonicalJson(proposedEntry), 'utf8').digest('hex');
}

/**
 * Rekor's v1 lookup API over a fixed table: `{ worldDir }` (world.json's `rekor` section) or
 * `{ entries, hashes }` as in it. Entries are served as given, never changed. `requests` counts
 * the requests per endpoint.
 */
export async function startRekorServer(options = {}) {
  let { entries, hashes } = options;
  if (options.worldDir) {
    const world = JSON.parse(readFileSync(join(options.worldDir, 'world.json'), 'utf8'));
    ({ entries, hashes } = world.rekor ?? {});
  }
  entries = entries ?? [];
  // Lookups compare the leaf hash: the last 64 hex of a UUID (an 80-hex UUID starts with the tree ID).
  const byLeaf = new Map();
  for (const item of entries) byLeaf.set(String(item.uuid).toLowerCase().slice(-64), item);
  const byIndex = new Map(entries.map((item) => [String(item.logIndex), item]));
  const index = new Map(Object.entries(hashes ?? {}).map(([hash, uuids]) => [hash.toLowerCase(), uuids]));

  const requests = { entryByIndex: 0, entryByUuid: 0, entriesRetrieve: 0, indexRetrieve: 0, preflight: 0, other: 0 };
  const cors = { 'access-control-allow-origin': '*' };
  const found = (item) => ({ [item.uuid]: item.entry });
  const findUuid = (uuid) => (typeof uuid === 'string' && /^(?:[0-9a-f]{16})?[0-9a-f]{64}$/i.test(uuid) ? byLeaf.get(uuid.toLowerCase().slice(-64)) : undefined);
  const findIndex = (logIndex) => byIndex.get(String(logIndex));
  const notFound = (res, message = 'entry not found') => sendJson(res, 404, cors, { code: 404, message });
  const unprocessable = (res, message) => sendJson(res, 422, cors, { code: 422, message });

  const readJson = async (req) => {
    try {
      return JSON.parse((await readBody(req)).toString('utf8'));
    } catch {
      return undefined;
    }
  };

  const server = await serve(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '');
    if (req.method === 'OPTIONS') {
      requests.preflight++;
      return send(res, 204, {
        ...cors,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'Content-Type',
        'access-control-max-age': '600',
      });
    }

    if (req.method === 'GET' && path === '/api/v1/log/entries') {
      requests.entryByIndex++;
      const logIndex = url.searchParams.get('logIndex');
      const item = logIndex !== null && /^\d+$/.test(logIndex) ? findIndex(BigInt(logIndex)) : undefined;
      return item ? sendJson(res, 200, cors, found(item)) : notFound(res);
    }

    const byUuid = /^\/api\/v1\/log\/entries\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && byUuid && byUuid[1] !== 'retrieve') {
      requests.entryByUuid++;
      const item = findUuid(decode(byUuid[1]));
      return item ? sendJson(res, 200, cors, found(item)) : notFound(res);
    }

    if (req.method === 'POST' && path === '/api/v1/log/entries/retrieve') {
      requests.entriesRetrieve++;
      const body = await readJson(req);
      const kinds = body && typeof body === 'object' && !Array.isArray(body) ? ['entryUUIDs', 'logIndexes', 'entries'].filter((k) => body[k] !== undefined) : [];
      if (kinds.length !== 1) return unprocessable(res, 'want exactly one of entryUUIDs, logIndexes, entries');
      const [kind] = kinds;
      const items = body[kind];
      if (!Array.isArray(items) || items.length < 1 || items.length > 10) return unprocessable(res, `${kind}: want 1 to 10 items`);
      let lookup;
      if (kind === 'entryUUIDs') {
        if (!items.every((u) => typeof u === 'string')) return unprocessable(res, 'entryUUIDs: want strings');
        lookup = findUuid;
      } else if (kind === 'logIndexes') {
        if (!items.every((i) => Number.isSafeInteger(i) && i >= 0)) return unprocessable(res, 'logIndexes: want non-negative integers');
        lookup = findIndex;
      } else {
        if (!items.every((e) => e && typeof e === 'object' && !Array.isArray(e))) return unprocessable(res, 'entries: want objects');
        lookup = (proposed) => byLeaf.get(rekorLeafHash(proposed));
      }
      return sendJson(res, 200, cors, items.map(lookup).filter(Boolean).map(found));
    }

    if (req.method === 'POST' && path === '/api/v1/index/retrieve') {
      requests.indexRetrieve++;
      const body = await readJson(req);
      // Rekor also takes the hex without its `sha256:` prefix.
      const m = typeof body?.hash === 'string' ? /^(?:sha256:)?([0-9a-f]{64})$/i.exec(body.hash) : null;
      if (!m) return unprocessable(res, 'want {"hash":"sha256:<64 hex>"}');
      return sendJson(res, 200, cors, index.get(`sha256:${m[1].toLowerCase()}`) ?? []);
    }

    requests.other++;
    return notFound(res, 'not found');
  });
  return { url: server.url, port: server.port, requests, stop: server.stop };
}

// ---------------------------------------------------------------------------------------------
// Package registries

/**
 * npm's, PyPI's and GitHub's APIs on one local server (with CORS, as the real ones send), over
 * the real bundles: sigstore@2.0.0's provenance (also served for 2.0.1, whose tarball it is
 * not), and pypi-attestation-models 0.0.4a2's, as PyPI's PEP 740 provenance and as a GitHub
 * attestation of the sdist's digest. The files themselves are served too (`files`: path → bytes):
 * the tarballs under npm's paths, the sdist under /packages/ and /releases/.
 */
export async function startPackageRegistries(realworldDir) {
  const npmDir = join(realworldDir, 'npm-provenance-sigstore-2.0.0');
  const npmBundle = JSON.parse(readFileSync(join(npmDir, 'bundle.sigstore.json'), 'utf8'));
  const tarball = readFileSync(join(npmDir, 'artifact'));
  const pypiDir = join(realworldDir, 'pypi-attestation-models-0.0.4a2');
  const pypiBundle = JSON.parse(readFileSync(join(pypiDir, 'bundle.sigstore.json'), 'utf8'));
  const sdist = readFileSync(join(pypiDir, 'artifact'));
  const sdistDigest = `sha256:${createHash('sha256').update(sdist).digest('hex')}`;
  const file = 'pypi_attestation_models-0.0.4a2.tar.gz';
  const integrity = (bytes) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
  const provenance = { predicateType: 'https://slsa.dev/provenance/v1', bundle: npmBundle };
  const routes = {
    '/sigstore/2.0.0': { dist: { integrity: integrity(tarball), tarball: 'http://npm.invalid/sigstore/-/sigstore-2.0.0.tgz' } },
    '/-/npm/v1/attestations/sigstore@2.0.0': { attestations: [provenance] },
    '/sigstore/2.0.1': { dist: { integrity: integrity(Buffer.from('another tarball')), tarball: 'http://npm.invalid/sigstore/-/sigstore-2.0.1.tgz' } },
    '/-/npm/v1/attestations/sigstore@2.0.1': { attestations: [provenance] },
    '/left-pad/1.3.0': { dist: { integrity: integrity(Buffer.from('left-pad')) } },
    '/pypi/pypi-attestation-models/0.0.4a2/json': { urls: [{ filename: file, digests: { sha256: sdistDigest.slice('sha256:'.length) } }] },
    [`/integrity/pypi-attestation-models/0.0.4a2/${file}/provenance`]: {
      version: 1,
      attestation_bundles: [{
        publisher: { kind: 'GitHub', repository: 'trailofbits/pypi-attestation-models' },
        attestations: [{
          version: 1,
          verification_material: { certificate: pypiBundle.verificationMaterial.certificate.rawBytes, transparency_entries: pypiBundle.verificationMaterial.tlogEntries },
          envelope: { statement: pypiBundle.dsseEnvelope.payload, signature: pypiBundle.dsseEnvelope.signatures[0].sig },
        }],
      }],
    },
    [`/repos/trailofbits/pypi-attestation-models/attestations/${sdistDigest}`]: { attestations: [{ bundle: pypiBundle, repository_id: 1 }] },
  };
  const files = {
    '/sigstore/-/sigstore-2.0.0.tgz': tarball,
    '/sigstore/-/sigstore-2.0.1.tgz': Buffer.from('another tarball'),
    [`/packages/${file}`]: sdist,
    [`/releases/${file}`]: sdist,
  };
  const server = createHttpServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (files[path]) return res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': files[path].length }).end(req.method === 'HEAD' ? undefined : files[path]);
    const body = routes[path];
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'accept' };
    if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
    res.writeHead(body ? 200 : 404, { ...cors, 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${server.address().port}`, sdistDigest, files, stop: () => server.close() };
}

/**
 * The world of tests/oci.rs (scripts/fixtures.sh writes it to `worldDir`) served: the registry
 * with its images pushed, the token proxy (anonymous bearer tokens, blobs redirected to the
 * registry) and the hostile registry in front of it (the world's `hostile` behaviours unless
 * `hostile.behaviours` says others), an honest and a lying Rekor. Resolves to `{ world, pushed,
 * registry, token, hostile, rekor, liar, stop }`.
 */
export async function startWorld(worldDir, { hostile: { behaviours, delayMs = 3_000 } = {} } = {}) {
  const world = JSON.parse(readFileSync(join(worldDir, 'world.json'), 'utf8'));
  const started = [];
  const stop = async () => {
    for (const server of started.reverse()) await Promise.resolve(server.stop()).catch(() => {});
  };
  const start = async (server) => (started.push(await server), started.at(-1));
  try {
    const registry = await start(startRegistry());
    const pushed = await pushWorld(registry.url, worldDir);
    const token = await start(startTokenProxy({ upstream: registry.url, redirectBlobs: true }));
    const misbehaving = await start(startHostileRegistry({ upstream: registry.url, behaviours: behaviours ?? world.hostile, delayMs }));
    const rekor = await start(startRekorServer(world.rekor));
    const liar = await start(startRekorServer(world.rekorLiar));
    return { world, pushed, registry, token, hostile: misbehaving, rekor, liar, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
