// A Cache API backend for workerd (the TUF worker's `cacheApiOutbound`), in memory: what gives the
// worker's `caches` a store, as Cloudflare's edge does. workerd asks it
//
//   PUT   <key URL>  body: the response to keep, serialised as HTTP/1.1   -> 204
//   GET   <key URL>  (Cache-Control: only-if-cached)  -> the response with Cf-Cache-Status: HIT,
//                    or Cf-Cache-Status: MISS
//   PURGE <key URL>  -> 200, or 404 if it held nothing
//
// each with a Cf-Cache-Namespace header for caches.open(<namespace>). workerd has no request to
// list keys: its Cache.keys() is not implemented (nor is it on Cloudflare).
const store = new Map();
const CRLF2 = [13, 10, 13, 10];

function indexOf(bytes, pattern) {
  outer: for (let i = 0; i + pattern.length <= bytes.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (bytes[i + j] !== pattern[j]) continue outer;
    return i;
  }
  return -1;
}

/** `HTTP/1.1 <status> ...\r\n<headers>\r\n\r\n<body>` as a Response (Content-Length bodies only). */
function parse(raw) {
  const end = indexOf(raw, CRLF2);
  if (end < 0) throw new Error('no end of headers in the stored response');
  const [statusLine, ...lines] = new TextDecoder().decode(raw.subarray(0, end)).split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) throw new Error('chunked stored responses are not supported here');
  headers.set('cf-cache-status', 'HIT');
  return new Response(raw.slice(end + 4), { status, headers });
}

export default {
  async fetch(request) {
    const key = `${request.headers.get('cf-cache-namespace') ?? ''} ${request.url}`;
    if (request.method === 'PUT') {
      store.set(key, new Uint8Array(await request.arrayBuffer()));
      return new Response(null, { status: 204 });
    }
    if (request.method === 'GET') {
      const raw = store.get(key);
      return raw ? parse(raw) : new Response(null, { headers: { 'cf-cache-status': 'MISS' } });
    }
    if (request.method === 'PURGE') return new Response(null, { status: store.delete(key) ? 200 : 404 });
    return new Response('method not allowed', { status: 405 });
  },
};
