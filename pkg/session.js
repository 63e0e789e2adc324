// The one loop that runs a session of the core (src/session), whatever the session does: verify
// a bundle, build a verifier from a trusted root, walk a registry, look Rekor up, find a package's
// attestations, refresh a trusted root through TUF. The core decides what to fetch and checks
// what comes back; here are only the runtime's I/O: its fetch, and its signature checks.

import { guard, VerificationError } from './errors.js';

/**
 * Steps `session` to its end and resolves to its value: the requests it asks for made with `net`
 * (`{ fetch, proxy, timeout }`) concurrently within a round, each bounded in time and size; its
 * signature checks started by `checks` (checks.js) the moment it asks for them, while its run goes
 * on. The session is freed.
 */
export async function run(session, { net, checks }) {
  try {
    for (;;) {
      const started = [];
      const step = guard(() => session.step((check) => started.push(checks.start(check))));
      if (step.kind === 'done') return step.value;
      if (step.kind === 'checks') {
        const results = await checks.settle(started);
        guard(() => session.answer(results));
      } else {
        await answer(session, step.requests, net);
      }
    }
  } finally {
    session.free();
  }
}

/**
 * Steps a session that fetches nothing (a bundle's verification) to its end, synchronously, its
 * checks answered by `checks.answerSync`. The session is freed.
 */
export function runSync(session, checks) {
  try {
    for (;;) {
      const asked = [];
      const step = guard(() => session.step((check) => asked.push(check)));
      if (step.kind === 'done') return step.value;
      if (step.kind === 'requests') throw new VerificationError('INVALID_INPUT', 'a synchronous verification cannot make requests');
      guard(() => session.answer(checks.answerSync(asked)));
    }
  } finally {
    session.free();
  }
}

async function answer(session, requests, net) {
  if (typeof net.fetch !== 'function') throw new VerificationError('INVALID_INPUT', 'this runtime has no fetch: pass options.fetch');
  const replies = await Promise.all(requests.map((request) => send(request, net)));
  replies.forEach((reply, index) => {
    guard(() => {
      if ('failed' in reply) session.failed(index, reply.failed);
      else if (reply.tooLarge) session.tooLarge(index);
      else session.respond(index, reply.status, reply.headers, reply.body);
    });
  });
}

async function send(request, { fetch, proxy, timeout }) {
  // A proxy is a prefix: `${proxy}${url}`, the convention of CORS proxies.
  const url = proxy ? `${proxy}${request.url}` : request.url;
  try {
    const response = await fetch(url, {
      method: request.method,
      headers: request.headers,
      body: request.body ?? undefined,
      redirect: 'follow',
      signal: AbortSignal.timeout(timeout),
    });
    const body = await readBody(response, request.maxBytes);
    if (body === null) return { tooLarge: true };
    const headers = [];
    for (const [name, value] of response.headers) headers.push(name, value);
    return { status: response.status, headers, body };
  } catch (e) {
    const reason = e?.name === 'TimeoutError' ? `no complete answer within ${timeout} ms` : String(e?.message ?? e);
    return { failed: `${request.method} ${url}: ${reason}` };
  }
}

/** The body, or `null` as soon as it is longer than `maxBytes` (the rest is not read). */
export async function readBody(response, maxBytes) {
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel();
    return null;
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
