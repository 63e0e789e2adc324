// The file gate: `GET <prefix><path>` serves `<path>` from the mount's origin (a URL prefix or an
// R2 bucket) only when the Sigstore bundles found beside it (`<path>.sigstore.json`, ...) satisfy
// every rule covering the request path. The bundles are verified first, against the digest they
// claim; then the artifact streams through a hash of that digest and fails the download if it
// differs (artifacts under `bufferBelow` bytes are checked whole before the first byte is sent).
import { readBody } from '../../pkg/workerd.js';
import { decide, staticVerdict } from './decide.js';
import { Decision, outcomeOf, refusalBody } from './decision.js';
import { checkedDownload, digestOf } from './digest.js';
import { contentLength } from '../net.js';
import { rulesFor } from './policy.js';

const MAX_BUNDLE_BYTES = 4 << 20;
const PASSED_HEADERS = ['content-type', 'etag', 'last-modified', 'cache-control', 'content-disposition'];

export async function serveFile(request, gate, mount, env) {
  if (request.method !== 'GET' && request.method !== 'HEAD') return json(405, { error: { code: 'METHOD', message: `the gate serves GET and HEAD, not ${request.method}` } });
  const path = new URL(request.url).pathname;
  const relative = path.slice(mount.prefix.length);
  const decision = new Decision('file', path);
  const origin = originOf(mount, env, decision);
  if (origin.problem || relative === '') {
    const message = origin.problem ?? `expected a file under ${mount.prefix}`;
    decision.log({ decision: 'error', error: message });
    return json(relative === '' ? 404 : 500, { error: { code: 'CONFIG', message } });
  }
  const rules = rulesFor(gate.policy, 'file', path);
  const settled = await staticVerdict(rules, path);
  if (settled) return answer(request, decision, gate, mount, settled, 'static', null, fromOrigin(origin, relative, request.method));

  if (mount.attestations) return serveAttested(request, gate, mount, origin, relative, rules, decision);

  // The artifact's headers are asked for while the bundles come: its bytes go out only once the
  // verdict allows, and are discarded otherwise.
  const early = origin.get(relative, request.method);
  early.catch(() => {});
  const artifact = { get: () => early, discard: async () => (await early.catch(() => null))?.body?.cancel() };
  const bundles = await findBundles(mount, origin, relative);
  const found = bundles.filter((b) => b.bytes);
  if (found.length === 0) {
    const missing = bundles.map((b) => b.problem).join('; ');
    const verdict = await decide(rules, path, async () => ({ code: 'NO_BUNDLE', message: `no Sigstore bundle for ${path}: ${missing}` }));
    return answer(request, decision, gate, mount, verdict, 'fresh', null, artifact);
  }
  let digest;
  try {
    digest = await gate.claimedDigest(found[0], relative.slice(relative.lastIndexOf('/') + 1));
  } catch (e) {
    const verdict = await decide(rules, path, async () => ({ code: e.code ?? 'BUNDLE_PARSE', message: `${found[0].location}: ${e.message}`, signature: found[0].location }));
    return answer(request, decision, gate, mount, verdict, 'fresh', null, artifact);
  }
  const signatures = await digestOf(found.map((b) => `${b.location}\n${b.digest}`).join('\n'), 'sha256');
  const key = `file\n${digest}\n${signatures}\n${await gate.rulesHash(rules)}\n${gate.rootVersion}`;
  const { verdict, source } = await gate.verdicts.get(key, () => decide(rules, path, (rule, authority) => checkBundles(gate, found, digest, rule, authority)), new URL(request.url).origin);
  // A digest no passing rule verified is the bundle's word only: a warned download is not held to it.
  return answer(request, decision, gate, mount, verdict, source, verdict.verified ? digest : null, artifact);
}

/**
 * A file whose attestations its package registry publishes: looked up under the subject its path
 * names (npm, PyPI) or under its digest (GitHub, which finds attestations by digest only: the file
 * is hashed first, so at most `bufferBelow` bytes of it), and served against the digest the
 * verified attestations are about.
 */
async function serveAttested(request, gate, mount, origin, relative, rules, decision) {
  const path = decision.subject;
  let subject;
  let file;
  let artifact = fromOrigin(origin, relative, request.method);
  if (mount.attestations.source === 'github') {
    const got = await origin.get(relative, 'GET');
    const bytes = got.status === 200 && got.length !== null && got.length <= mount.bufferBelow ? await readBody(new Response(got.body), mount.bufferBelow) : null;
    if (!bytes) {
      await got.body?.cancel();
      const why = got.status === 200 ? `GitHub finds attestations by digest: ${path} must be at most bufferBelow (${mount.bufferBelow}) bytes to be hashed first` : `the origin answered ${got.status} for ${path}`;
      const verdict = await decide(rules, path, async () => ({ code: got.status === 200 ? 'LIMIT_EXCEEDED' : 'ORIGIN', message: why }));
      return answer(request, decision, gate, mount, verdict, 'fresh', null, artifact);
    }
    file = `${mount.attestations.repository}@${await digestOf(bytes, 'sha256')}`;
    subject = `github:${file}`;
    // What was hashed is what is served: the file is not fetched twice.
    artifact = { get: async () => ({ status: 200, body: new Response(bytes).body, length: bytes.byteLength, headers: got.headers }), discard: async () => {} };
  } else {
    try {
      ({ subject, file } = await gate.pkg.downloadSubject(mount.attestations.source, decodeURIComponent(relative)));
    } catch (e) {
      const verdict = await decide(rules, path, async () => ({ code: e.code ?? 'INVALID_INPUT', message: e.message }));
      return answer(request, decision, gate, mount, verdict, 'fresh', null, artifact);
    }
  }
  const key = `attested\n${subject}\n${file}\n${await gate.rulesHash(rules)}\n${gate.rootVersion}`;
  const { verdict, source } = await gate.verdicts.get(key, async () => {
    let digest = null;
    const check = async (rule, authority) => {
      const options = { ...authority, ...rule.counts, ...mount.registries, fetch: decision.fetch };
      for (const predicateType of rule.attestations.length ? rule.attestations : [undefined]) {
        let report;
        try {
          report = await gate.verifier.verifyAttestations(subject, predicateType ? { ...options, predicateType } : options);
        } catch (e) {
          const failed = e.report?.attestations?.find((a) => a.error);
          return { code: e.code ?? 'VERIFICATION', message: e.message, ...(failed ? { signature: failed.source } : {}) };
        }
        const index = report.artifacts.findIndex((a) => a.name === file);
        if (index < 0 || !report.attestations.some((a) => a.artifact === index && a.verified)) {
          return { code: 'NO_MATCHING_SIGNATURES', message: `the attestations of ${subject} that verify are not about ${file}` };
        }
        digest = report.artifacts[index].digest;
      }
      return null;
    };
    return { ...(await decide(rules, path, check)), digest };
  }, new URL(request.url).origin);
  return answer(request, decision, gate, mount, verdict, source, verdict.verified ? verdict.digest : null, artifact);
}

/** Whether one of `bundles` satisfies `authority` under `rule` (each required predicate type too). */
async function checkBundles(gate, bundles, digest, rule, authority) {
  const options = { ...authority, ...rule.counts };
  const wanted = rule.attestations.length ? rule.attestations.map((predicateType) => ({ ...options, predicateType })) : [options];
  for (const policy of wanted) {
    let problem = null;
    for (const bundle of bundles) {
      try {
        await gate.verifier.verifyAsync(bundle.bytes, digest, policy);
        problem = null;
        break;
      } catch (e) {
        problem ??= { code: e.code ?? 'VERIFICATION', message: `${bundle.location}: ${e.message}`, signature: bundle.location };
      }
    }
    if (problem) return problem;
  }
  return null;
}

/**
 * The bundles at the mount's locations: `{ location, bytes, digest }`, or `{ location, problem }`;
 * a location is the path a client would fetch it at.
 */
async function findBundles(mount, origin, relative) {
  return Promise.all(
    mount.bundles.map(async (pattern) => {
      const at = pattern.replace('{path}', relative);
      const location = `${mount.prefix}${at}`;
      try {
        const got = await origin.get(at, 'GET');
        if (got.status === 404) {
          await got.body?.cancel();
          return { location, problem: `none at ${location}` };
        }
        if (got.status !== 200) {
          await got.body?.cancel();
          return { location, problem: `the origin answered ${got.status} for ${location}` };
        }
        const bytes = await readBody(new Response(got.body), MAX_BUNDLE_BYTES);
        if (!bytes) return { location, problem: `${location} is larger than ${MAX_BUNDLE_BYTES} bytes` };
        return { location, bytes, digest: await digestOf(bytes, 'sha256') };
      } catch (e) {
        return { location, problem: `${location} could not be fetched (${e.message})` };
      }
    }),
  );
}

/** Answers with the verdict: a refusal, or the artifact checked against `digest` as it goes out. */
async function answer(request, decision, gate, mount, verdict, source, digest, artifact) {
  const base = decision.headers(verdict, source, gate.rootVersion);
  const logged = { decision: outcomeOf(verdict), digest, verdict: source, failures: verdict.failures, root: gate.rootVersion };
  if (!verdict.allowed) {
    await artifact.discard();
    decision.log(logged);
    return json(403, refusalBody(verdict, decision.subject), base);
  }
  const originError = (message) => {
    decision.log({ ...logged, decision: 'error', error: message });
    return json(502, { error: { code: 'ORIGIN', message } }, base);
  };
  try {
    const got = await artifact.get();
    if (got.status !== 200) {
      await got.body?.cancel();
      const status = got.status === 404 ? 404 : 502;
      decision.log({ ...logged, decision: 'error', error: `origin status ${got.status}` });
      return json(status, { error: { code: 'ORIGIN', message: `the origin answered ${got.status} for ${decision.subject}` } }, base);
    }
    // Unchecked (static allow, or a warning without a verified digest) and HEAD: as the origin has it.
    const unchecked = !digest || request.method === 'HEAD';
    const checked = unchecked ? got : await checkedDownload(got, digest, mount.bufferBelow, { createDigester: gate.pkg.createDigester, onMismatch: (found) => decision.log({ ...logged, decision: 'aborted', error: `artifact hashes to ${found}, not ${digest}` }) });
    if (checked.mismatch) {
      decision.log({ ...logged, decision: 'deny', error: `artifact hashes to ${checked.mismatch}, not ${digest}` });
      return json(502, { error: { code: 'ARTIFACT_MISMATCH', message: `the origin's bytes hash to ${checked.mismatch}, not the verified ${digest}` } }, base);
    }
    const headers = new Headers(base);
    for (const name of PASSED_HEADERS) if (got.headers.get(name)) headers.set(name, got.headers.get(name));
    if (!headers.has('content-type')) headers.set('content-type', 'application/octet-stream');
    if (checked.length !== null) headers.set('content-length', String(checked.length));
    if (digest) headers.set('sigstore-gate-digest', digest);
    decision.log(logged);
    if (request.method === 'HEAD') await got.body?.cancel();
    return new Response(request.method === 'HEAD' ? null : checked.body, { status: 200, headers });
  } catch (e) {
    return originError(`the origin could not be reached (${e.message})`);
  }
}

/** The artifact, fetched when the answer needs it. */
function fromOrigin(origin, relative, method) {
  return { get: () => origin.get(relative, method), discard: async () => {} };
}

/** Where a mount's files come from: `get(relative, method)` resolves to `{ status, body, length, headers }`. */
function originOf(mount, env, decision) {
  if (mount.origin.url) {
    return {
      async get(relative, method) {
        const response = await decision.fetch(`${mount.origin.url}${relative}`, { method, redirect: 'follow' });
        return { status: response.status, body: response.body, headers: response.headers, length: contentLength(response.headers) };
      },
    };
  }
  const bucket = env[mount.origin.bucket];
  if (!bucket || typeof bucket.get !== 'function') return { problem: `the worker has no R2 bucket binding ${mount.origin.bucket}` };
  return {
    async get(relative, method) {
      let key;
      try {
        key = decodeURIComponent(relative);
      } catch {
        return { status: 404, body: null, length: null, headers: new Headers() };
      }
      decision.subrequests++;
      const object = method === 'HEAD' ? await bucket.head(key) : await bucket.get(key);
      if (!object) return { status: 404, body: null, length: null, headers: new Headers() };
      const headers = new Headers({ etag: object.httpEtag });
      if (object.httpMetadata?.contentType) headers.set('content-type', object.httpMetadata.contentType);
      return { status: 200, body: object.body ?? null, length: object.size, headers };
    },
  };
}

function json(status, body, headers = {}) {
  return Response.json(body, { status, headers: { ...headers, 'cache-control': 'no-store' } });
}
