// Outbound requests shared by the page's proxy and the gate: redirects followed by hand, so that
// each hop is checked and a registry's token never goes to another host.

/**
 * Fetches `url`, following up to `maxRedirects` redirects, each only if `problemWith(next)` finds
 * none; the Authorization header is dropped once the request leaves `url`'s host.
 * Resolves to `{ response }` or `{ problem }` (a redirect refused, or too many).
 */
export async function fetchFollowing(fetcher, url, init, { maxRedirects, problemWith }) {
  const headers = new Headers(init.headers);
  const first = new URL(url);
  let current = first;
  for (let redirects = 0; ; redirects++) {
    const response = await fetcher(current, { ...init, headers, redirect: 'manual' });
    if (response.status < 300 || response.status > 399 || !response.headers.has('location')) return { response };
    await response.body?.cancel();
    if (redirects === maxRedirects) return { problem: `more than ${maxRedirects} redirects from ${first.host}` };
    const next = new URL(response.headers.get('location'), current);
    const problem = problemWith(next);
    if (problem) return { problem };
    if (next.host !== first.host) headers.delete('authorization');
    current = next;
  }
}

/** Passes at most `limit` bytes, then errors the stream: the client sees a failed transfer. */
export function capped(limit) {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > limit) controller.error(new Error(`more than ${limit} bytes`));
      else controller.enqueue(chunk);
    },
  });
}

/** Why the worker must not send a request to `url`'s address, or undefined. */
export function addressProblem(url, allowLoopback) {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || /^127\./.test(host) || host === '::1';
  if (loopback) return allowLoopback ? undefined : `${host} is a loopback address`;
  if (url.protocol !== 'https:') return `only https is forwarded, not ${url.protocol}`;
  if (isPrivateAddress(host)) return `${host} is a private, link-local or unspecified address`;
  return undefined;
}

/** Address literals no public registry has: RFC 1918, CGNAT, link-local, ULA, unspecified, mapped. */
function isPrivateAddress(host) {
  const v4 = host.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || a >= 224;
  }
  if (!host.includes(':')) return false;
  const lower = host.toLowerCase();
  return lower === '::' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || lower.startsWith('::ffff:');
}

/** An answer's Content-Length, or null. */
export function contentLength(headers) {
  const length = headers.get('content-length');
  return length === null ? null : Number(length);
}
