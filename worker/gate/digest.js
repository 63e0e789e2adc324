// Checking that bytes are the ones a verified signature is about, while they stream to the client.
import { readBody as readCapped } from '../../pkg/workerd.js';

const WEBCRYPTO_NAMES = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };
const PIECE_BYTES = 256 << 10;

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The algorithm of `like`: "sha256", or a digest such as "sha256:<hex>". */
function algorithmOf(like) {
  const [algorithm] = like.split(':');
  if (!WEBCRYPTO_NAMES[algorithm]) throw new Error(`not a sha256, sha384 or sha512 digest: ${like}`);
  return algorithm;
}

/** The digest of `data` (bytes, or text as UTF-8) under `like`'s algorithm, as "<algorithm>:<hex>". */
export async function digestOf(data, like) {
  const algorithm = algorithmOf(like);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return `${algorithm}:${hex(new Uint8Array(await crypto.subtle.digest(WEBCRYPTO_NAMES[algorithm], bytes)))}`;
}

/**
 * Serves an artifact that must hash to `digest`: `response` is the origin's answer
 * (`{ status, body, length }`). Resolves to `{ body, length }` to serve, or `{ mismatch }` when the
 * bytes, at most `bufferBelow` of them, were checked whole before any was sent. Larger artifacts
 * stream through the hash as they arrive; `onMismatch(found)` is told when such a download fails.
 */
export async function checkedDownload(response, digest, bufferBelow, { createDigester, onMismatch }) {
  if (response.length !== null && response.length <= bufferBelow) {
    const bytes = await readCapped(new Response(response.body), response.length);
    const found = bytes && (await digestOf(bytes, digest));
    return found === digest ? { body: bytes, length: bytes.byteLength } : { mismatch: found ?? 'more bytes than announced' };
  }
  const body = checkedBody(response.body, digest, { createDigester, onMismatch });
  // Workers send a stream's Content-Length only through a FixedLengthStream; elsewhere the body is chunked.
  const sized = response.length !== null && typeof FixedLengthStream === 'function' ? body.pipeThrough(new FixedLengthStream(response.length)) : body;
  return { body: sized, length: response.length };
}

/**
 * `body`, passed on as it arrives and hashed on the way, except its last piece, which is sent only
 * once the whole has hashed to `digest`: when it does not, the stream errors instead of ending, so
 * the client's download fails (short of its Content-Length, or a chunked body without its end) and
 * no client ever holds the complete wrong bytes. The hash is the runtime's `crypto.DigestStream`
 * where it has one (Workers), else the core's incremental hasher (`createDigester`).
 */
function checkedBody(body, digest, { createDigester, onMismatch }) {
  const hasher = makeHasher(algorithmOf(digest), createDigester);
  const reader = pieces(body);
  let held = null;
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (value?.byteLength) {
        if (held) controller.enqueue(held);
        await hasher.update(value);
        held = value;
      }
      if (!done) return;
      const found = await hasher.digest();
      if (found !== digest) {
        onMismatch(found);
        controller.error(new Error(`the bytes hash to ${found}, not the verified ${digest}`));
        return;
      }
      if (held) controller.enqueue(held);
      controller.close();
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * Reads `body` in pieces of about PIECE_BYTES, into fresh buffers (a byte stream's BYOB reader,
 * `readAtLeast` on Workers), else as its source chunks them. Workers' fetch bodies come in 4 KiB
 * chunks; reading them one by one through JavaScript leaves V8 that many buffers to collect, and a
 * gate's memory grew with the size of what it served (about +300 MiB for 1 GiB); in 256 KiB
 * pieces it stays near +100 MiB whatever the size.
 */
function pieces(body) {
  let byob = null;
  try {
    byob = body.getReader({ mode: 'byob' });
  } catch {
    return body.getReader();
  }
  const read = typeof byob.readAtLeast === 'function' ? (view) => byob.readAtLeast(PIECE_BYTES, view) : (view) => byob.read(view, { min: PIECE_BYTES });
  return { read: () => read(new Uint8Array(PIECE_BYTES)), cancel: (reason) => byob.cancel(reason) };
}

function makeHasher(algorithm, createDigester) {
  if (typeof globalThis.crypto?.DigestStream === 'function') {
    const stream = new crypto.DigestStream(WEBCRYPTO_NAMES[algorithm]);
    const writer = stream.getWriter();
    return {
      update: (chunk) => writer.write(chunk),
      digest: async () => {
        await writer.close();
        return `${algorithm}:${hex(new Uint8Array(await stream.digest))}`;
      },
    };
  }
  const digester = createDigester(algorithm);
  return {
    update: async (chunk) => (await digester).update(chunk),
    digest: async () => (await digester).digest(),
  };
}

