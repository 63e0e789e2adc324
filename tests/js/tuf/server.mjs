// The TUF repositories of tests/tuf/make_repos.py served the way a CDN serves Sigstore's: one URL
// for the repository whatever state it is in, on 127.0.0.1 (a random port), for tests/js/tuf/run.mjs.
//
//   GET /repo/metadata/<file>   OUT/<active scenario>/metadata/<file>
//   GET /repo/targets/<file>    OUT/<active scenario>/targets/<file>
//   GET /root.json              OUT/root.json, the root every scenario's client pins
//   GET /__scenario/<name>      makes <name> (a scenario directory of OUT, or `down`) the active
//                               one; answers {"scenario": name}, 404 for an unknown name
//   GET /__requests             {"<path>": count, ...}: every request so far, by path
//
// In scenario `down` every /repo/ request is answered by destroying its socket: a network error,
// not an HTTP status. Every answer (404s too) carries `access-control-allow-origin: *`, so that a
// page of another origin sees a 404 as a 404, and `cache-control: no-store`, so that no browser
// cache outlives a switch of scenario. Only `node:` built-ins.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const HEADERS = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };

/**
 * Starts the server over `out` (make_repos.py's OUT) with `scenario` active. Resolves to
 * `{ base, scenario(), setScenario(name), counts(), close() }`; `base` is `http://127.0.0.1:<port>`.
 */
export async function startTufServer(out, { scenario: initial = 'good' } = {}) {
  let active = initial;
  const counts = Object.create(null);
  const isScenario = (name) => name === 'down' || (NAME.test(name) && existsSync(join(out, name, 'metadata')) && statSync(join(out, name, 'metadata')).isDirectory());
  if (!isScenario(active)) throw new Error(`no scenario ${active} in ${out}`);

  const send = (response, status, body, type = 'text/plain') => {
    response.writeHead(status, { ...HEADERS, 'content-type': type });
    response.end(body);
  };
  const file = (response, path) => {
    let body;
    try {
      body = readFileSync(path);
    } catch {
      return send(response, 404, 'not found');
    }
    send(response, 200, body, path.endsWith('.json') ? 'application/json' : 'application/octet-stream');
  };

  const sockets = new Set();
  const server = createServer((request, response) => {
    let path;
    try {
      path = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname);
    } catch {
      return send(response, 400, 'bad path');
    }
    counts[path] = (counts[path] ?? 0) + 1;
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { ...HEADERS, 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-allow-headers': '*', 'access-control-max-age': '0' });
      return response.end();
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'method not allowed');

    const repo = /^\/repo\/(metadata|targets)\/([^/]+)$/.exec(path);
    if (path.startsWith('/repo/') && active === 'down') {
      request.socket.destroy();
      return;
    }
    if (repo) return NAME.test(repo[2]) ? file(response, join(out, active, repo[1], repo[2])) : send(response, 404, 'not found');
    if (path === '/root.json') return file(response, join(out, 'root.json'));
    const switchTo = /^\/__scenario\/([^/]+)$/.exec(path);
    if (switchTo) {
      if (!isScenario(switchTo[1])) return send(response, 404, JSON.stringify({ error: `no scenario ${switchTo[1]}` }), 'application/json');
      active = switchTo[1];
      return send(response, 200, JSON.stringify({ scenario: active }), 'application/json');
    }
    if (path === '/__requests') return send(response, 200, JSON.stringify(counts), 'application/json');
    send(response, 404, 'not found');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise((ready, fail) => server.once('error', fail).listen(0, '127.0.0.1', ready));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    scenario: () => active,
    setScenario(name) {
      if (!isScenario(name)) throw new Error(`no scenario ${name}`);
      active = name;
    },
    counts: () => ({ ...counts }),
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((done) => server.close(() => done()));
    },
  };
}
