// The image gate: a read-only registry front (`/v2/...`) for `images.registry`. A manifest is
// served only when the image's cosign signatures (and the attestations its rules require) satisfy
// every rule covering `<registry host>/<name>`, as `verifyImage` decides. A tag is resolved to a
// digest first, the verdict is for that digest, and the manifest served is fetched by that digest
// and checked against it: a tag moved after verification cannot slip through. Blobs pass through
// by digest, hashed as they stream, for names a rule covers.
import { readBody } from '../../pkg/workerd.js';
import { decide, staticVerdict } from './decide.js';
import { Decision, outcomeOf, refusalBody } from './decision.js';
import { checkedDownload, digestOf } from './digest.js';
import { rulesFor } from './policy.js';
import { addressProblem, contentLength, fetchFollowing } from '../net.js';

const NAME = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*';
// A tag, or a digest under an algorithm the gate can check bytes against.
const REFERENCE = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}';
const ROUTE = new RegExp(`^/v2/(${NAME})/(manifests|blobs)/(${REFERENCE})$`);
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
const INDEX_TYPES = [MANIFEST_TYPES[0], MANIFEST_TYPES[2]];
const MAX_MANIFEST_BYTES = 4 << 20;
const BUFFER_BLOBS_BELOW = 1 << 20;
const MAX_REDIRECTS = 3;
const FORWARDED_HEADERS = ['accept', 'authorization'];
const RETURNED_HEADERS = ['content-type', 'content-length', 'www-authenticate', 'docker-distribution-api-version', 'docker-content-digest', 'etag'];

export async function serveRegistry(request, gate, env) {
  if (request.method !== 'GET' && request.method !== 'HEAD') return registryError(405, 'UNSUPPORTED', `the gate is read-only: ${request.method} is not served`);
  const url = new URL(request.url);
  const images = gate.policy.images;
  if (url.pathname === '/v2/' || url.pathname === '/v2') return ping(request, images);
  const route = url.pathname.match(ROUTE);
  // Blobs by digest only: a blob is served against the digest it is asked for.
  if (!route || (route[2] === 'blobs' && !route[3].includes(':'))) {
    return registryError(404, 'UNSUPPORTED', `the gate serves /v2/<name>/manifests/<tag or digest> and /v2/<name>/blobs/<digest> (sha256, sha384, sha512), not ${url.pathname}`);
  }
  const [, name, kind, reference] = route;
  const image = `${images.host}/${name}`;
  const decision = new Decision('image', `${image}${reference.includes(':') ? '@' : ':'}${reference}`);
  const rules = rulesFor(gate.policy, 'image', image);
  const upstream = (path, method, extra = {}) => fetchUpstream(request, images, `/v2/${name}/${path}`, method, decision, env, extra);
  if (kind === 'blobs') return blob(request, gate, decision, rules, image, reference, upstream);

  const settled = await staticVerdict(rules, image);
  if (settled && !settled.allowed) return refuse(decision, gate, settled, 'static', null);
  if (settled) {
    decision.log({ decision: outcomeOf(settled), verdict: 'static', failures: settled.failures, root: gate.rootVersion });
    return relay(await upstream(`manifests/${reference}`, request.method), decision.headers(settled, 'static', gate.rootVersion));
  }

  const resolved = await resolve(reference, upstream);
  if (resolved.response) return resolved.response;
  const digest = resolved.digest;
  const key = `image\n${image}@${digest}\n${await gate.rulesHash(rules)}\n${gate.rootVersion}`;
  const { verdict, source } = await gate.verdicts.get(key, () => decide(rules, image, (rule, authority) => checkImage(gate, images, decision, `${image}@${digest}`, rule, authority)), url.origin);
  if (!verdict.allowed) return refuse(decision, gate, verdict, source, digest);

  const got = await upstream(`manifests/${digest}`, 'GET', { accept: MANIFEST_TYPES.join(', ') });
  if (got.status !== 200) return relay(got, decision.headers(verdict, source, gate.rootVersion));
  const bytes = await readBody(got, MAX_MANIFEST_BYTES);
  const found = bytes && (await digestOf(bytes, digest));
  if (found !== digest) {
    decision.log({ decision: 'deny', digest, verdict: source, error: `the manifest fetched by digest hashes to ${found}` });
    return registryError(502, 'MANIFEST_INVALID', `the registry's manifest for ${digest} hashes to ${found ?? 'more than the limit'}`);
  }
  const contentType = got.headers.get('content-type') ?? MANIFEST_TYPES[1];
  if (verdict.verified && INDEX_TYPES.includes(contentType)) await coverPlatformImages(gate, bytes, image, rules, verdict, digest, url.origin);
  decision.log({ decision: outcomeOf(verdict), digest, verdict: source, failures: verdict.failures, root: gate.rootVersion });
  const headers = {
    ...decision.headers(verdict, source, gate.rootVersion),
    'content-type': contentType,
    'content-length': String(bytes.byteLength),
    'docker-content-digest': digest,
    'docker-distribution-api-version': 'registry/2.0',
  };
  return new Response(request.method === 'HEAD' ? null : bytes, { status: 200, headers });
}

/** `/v2/`: the upstream's answer, so that a client learns from it how to authenticate. */
async function ping(request, images) {
  const decision = new Decision('image', '/v2/');
  return relay(await fetchUpstream(request, images, '/v2/', request.method, decision, {}, {}), {});
}

/** The digest a reference names now, or the upstream's answer to pass on (401, 404, ...). */
async function resolve(reference, upstream) {
  if (reference.includes(':')) return { digest: reference };
  const head = await upstream(`manifests/${reference}`, 'HEAD', { accept: MANIFEST_TYPES.join(', ') });
  if (head.status !== 200) return { response: relay(head, {}) };
  const named = head.headers.get('docker-content-digest');
  if (named && /^sha256:[a-f0-9]{64}$/.test(named)) return { digest: named };
  const got = await upstream(`manifests/${reference}`, 'GET', { accept: MANIFEST_TYPES.join(', ') });
  const bytes = got.status === 200 ? await readBody(got, MAX_MANIFEST_BYTES) : null;
  if (!bytes) return { response: registryError(502, 'MANIFEST_INVALID', `the registry's manifest for ${reference} could not be read`) };
  return { digest: await digestOf(bytes, 'sha256') };
}

/** Whether the image's signatures satisfy `authority`, and its attestations each required type. */
async function checkImage(gate, images, decision, reference, rule, authority) {
  const options = { ...authority, ...rule.counts, fetch: decision.fetch, offline: images.offline, allowHttpRegistry: images.registry.startsWith('http:') };
  if (images.rekorUrl) options.rekorUrl = images.rekorUrl;
  try {
    await gate.verifier.verifyImage(reference, options);
    for (const predicateType of rule.attestations) await gate.verifier.verifyImageAttestations(reference, { ...options, predicateType });
    return null;
  } catch (e) {
    const failed = e.report?.signatures?.find((s) => s.error);
    return { code: e.code ?? 'VERIFICATION', message: e.message, ...(failed ? { signature: failed.manifest ?? failed.tag } : {}) };
  }
}

/**
 * The platform images of a verified index carry its verdict: a client pulling the index asks for
 * them by digest next, and they are not signed themselves.
 */
async function coverPlatformImages(gate, bytes, image, rules, verdict, digest, origin) {
  let manifests;
  try {
    manifests = JSON.parse(new TextDecoder().decode(bytes)).manifests;
  } catch {
    return;
  }
  if (!Array.isArray(manifests)) return;
  const rulesHash = await gate.rulesHash(rules);
  for (const child of manifests.slice(0, 64)) {
    if (typeof child?.digest === 'string' && /^sha256:[a-f0-9]{64}$/.test(child.digest)) {
      await gate.verdicts.put(`image\n${image}@${child.digest}\n${rulesHash}\n${gate.rootVersion}`, { ...verdict, index: digest }, origin);
    }
  }
}

async function blob(request, gate, decision, rules, image, digest, upstream) {
  const settled = await staticVerdict(rules, image);
  if (settled && !settled.allowed) return refuse(decision, gate, settled, 'static', null);
  if (request.method === 'HEAD') return relay(await upstream(`blobs/${digest}`, 'HEAD'), {});
  const got = await upstream(`blobs/${digest}`, 'GET');
  if (got.status !== 200 || !got.body) return relay(got, {});
  const onMismatch = (found) => decision.log({ decision: 'aborted', digest, error: `blob hashes to ${found}` });
  const checked = await checkedDownload({ body: got.body, length: contentLength(got.headers) }, digest, BUFFER_BLOBS_BELOW, { createDigester: gate.pkg.createDigester, onMismatch });
  if (checked.mismatch) return registryError(502, 'BLOB_UNKNOWN', `the registry's blob ${digest} hashes to ${checked.mismatch}`);
  const headers = { 'content-type': 'application/octet-stream', 'docker-content-digest': digest };
  if (checked.length !== null) headers['content-length'] = String(checked.length);
  return new Response(checked.body, { status: 200, headers });
}

/** A request to the upstream registry with the client's Accept and Authorization, redirects checked. */
async function fetchUpstream(request, images, path, method, decision, env, extra) {
  const headers = new Headers();
  for (const name of FORWARDED_HEADERS) if (request.headers.has(name)) headers.set(name, request.headers.get(name));
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  const allowLoopback = env.ALLOW_LOOPBACK === 'true' || images.registry.startsWith('http:');
  try {
    const followed = await fetchFollowing(decision.fetch, `${images.registry}${path}`, { method, headers }, { maxRedirects: MAX_REDIRECTS, problemWith: (next) => addressProblem(next, allowLoopback) });
    return followed.response ?? registryError(502, 'UNAVAILABLE', followed.problem);
  } catch (e) {
    return registryError(502, 'UNAVAILABLE', `${images.host} could not be reached (${e.message})`);
  }
}

/** The upstream's answer with the headers a client needs, and the gate's. */
function relay(response, extra) {
  const headers = new Headers(extra);
  for (const name of RETURNED_HEADERS) if (response.headers.has(name)) headers.set(name, response.headers.get(name));
  return new Response(response.body, { status: response.status, headers });
}

function refuse(decision, gate, verdict, source, digest) {
  decision.log({ decision: 'deny', digest, verdict: source, failures: verdict.failures, root: gate.rootVersion });
  const body = refusalBody(verdict, decision.subject);
  return registryError(403, 'DENIED', `${body.error.code}: ${body.error.message}`, body, decision.headers(verdict, source, gate.rootVersion));
}

/** An error in the registry API's format, which docker, skopeo and crane print. */
function registryError(status, code, message, detail, headers = {}) {
  return Response.json({ errors: [{ code, message, ...(detail ? { detail } : {}) }] }, { status, headers: { ...headers, 'cache-control': 'no-store' } });
}
