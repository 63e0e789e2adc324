// Pushes a "world" directory (world.json + blobs/<hex>, written by the Rust test-data generator)
// to a registry with the distribution API, the way `crane`/`oras` would: blobs by monolithic
// upload, then manifests in the listed order (an index after the manifests it names, since the
// registry checks that what a manifest references is there), by digest and, if tagged, by tag.
// Straight to the registry: the proxies in servers.mjs are read-only.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const REQUEST_TIMEOUT_MS = 60_000;

async function call(method, url, { headers, body, expect }) {
  const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text(); // always drain, so the connection can be reused
  if (!expect.includes(response.status)) {
    throw new Error(`${method} ${url}: expected ${expect.join(' or ')}, got ${response.status}: ${text.slice(0, 2000)}`);
  }
  return response;
}

/** The bytes of `digest` from `worldDir/blobs/<hex>`, checked against the digest. */
async function readBlob(worldDir, digest) {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new Error(`world: not a sha256 digest: ${JSON.stringify(digest)}`);
  const bytes = await readFile(join(worldDir, 'blobs', m[1]));
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== m[1]) throw new Error(`world: blobs/${m[1]} hashes to sha256:${actual}`);
  return bytes;
}

/**
 * Pushes every repository of `worldDir/world.json` to `registryUrl` (e.g. http://127.0.0.1:5000).
 * Resolves to `{ blobsUploaded, blobsPresent, manifests, tags }`; throws with the status and the
 * registry's answer on anything unexpected.
 */
export async function pushWorld(registryUrl, worldDir) {
  const world = JSON.parse(await readFile(join(worldDir, 'world.json'), 'utf8'));
  const base = registryUrl.replace(/\/+$/, '');
  const stats = { blobsUploaded: 0, blobsPresent: 0, manifests: 0, tags: 0 };

  for (const [name, repository] of Object.entries(world.repositories ?? {})) {
    for (const digest of repository.blobs ?? []) {
      const blobUrl = `${base}/v2/${name}/blobs/${digest}`;
      const head = await call('HEAD', blobUrl, { expect: [200, 404] });
      if (head.status === 200) {
        stats.blobsPresent++;
        continue;
      }
      const bytes = await readBlob(worldDir, digest);
      const started = await call('POST', `${base}/v2/${name}/blobs/uploads/`, { expect: [202] });
      const location = started.headers.get('location');
      if (!location) throw new Error(`POST ${base}/v2/${name}/blobs/uploads/: 202 without a Location header`);
      // Location may be relative or absolute and already carries the upload's state in its query.
      const upload = new URL(location, `${base}/`);
      upload.searchParams.set('digest', digest);
      await call('PUT', upload, { headers: { 'content-type': 'application/octet-stream' }, body: bytes, expect: [201] });
      stats.blobsUploaded++;
    }
    for (const { digest, mediaType, tag } of repository.manifests ?? []) {
      const bytes = await readBlob(worldDir, digest);
      const references = tag ? [digest, tag] : [digest];
      for (const reference of references) {
        await call('PUT', `${base}/v2/${name}/manifests/${reference}`, { headers: { 'content-type': mediaType }, body: bytes, expect: [201] });
      }
      stats.manifests++;
      if (tag) stats.tags++;
    }
  }
  return stats;
}
