// The gate's state, made once per isolate (module scope) and kept while the policy it was made
// from stays the same: the policy read, and, for each verifier the package keeps for the policy's
// trusted root (`cachedVerifier`: a TUF root is refreshed when it is an hour old), the verdict
// cache. The cron trigger (`refreshGate`) refreshes the root now, and the cache every isolate reads.
import * as pkg from '../../pkg/workerd.js';
import filePolicy from '../gate.json';
import { isTufRoot, readPolicy } from './policy.js';
import { digestOf } from './digest.js';
import { Verdicts } from './verdicts.js';

const MAX_CLAIMED = 1024;
let current = null;

/** The policy in force: the GATE_POLICY variable (JSON text) when set, else gate.json. */
export function policyFor(env) {
  const source = env.GATE_POLICY || filePolicy;
  if (current?.source !== source) current = { source, policy: readPolicy(source), verifier: null, gate: null };
  return current.policy;
}

/** The gate for the policy in force (policyFor first), made anew when the package's verifier for its root is. */
export async function gateFor(env) {
  const policy = policyFor(env);
  const state = current;
  const verifier = await pkg.cachedVerifier({ trustedRoot: packageRoot(policy.trustedRoot, env) });
  if (state.verifier !== verifier) Object.assign(state, { verifier, gate: makeGate(policy, verifier) });
  return state.gate;
}

/**
 * The cron trigger's work: the trusted root refreshed through TUF now, its files written to the
 * cache every isolate reads, and this isolate's gate made for it. Returns what the log line says.
 */
export async function refreshGate(env) {
  const policy = policyFor(env);
  if (!isTufRoot(policy.trustedRoot)) return { refreshed: false, reason: 'the trusted root does not come from TUF' };
  const verifier = await pkg.cachedVerifier({ trustedRoot: packageRoot(policy.trustedRoot, env), refresh: true });
  const gate = await gateFor(env);
  return { refreshed: true, root: gate.rootVersion, source: verifier.trustedRootSource() };
}

/** The package's trusted root option: a TUF root is cached in the TUF_CACHE KV namespace when bound. */
function packageRoot(trustedRoot, env) {
  if (!isTufRoot(trustedRoot) || !env.TUF_CACHE) return trustedRoot;
  const tuf = typeof trustedRoot === 'string' ? { root: trustedRoot === 'tuf' ? 'production' : 'staging' } : trustedRoot.tuf;
  return { tuf: { ...tuf, cache: (url) => pkg.kvCache(env.TUF_CACHE, url) } };
}

/**
 * What names the root in verdicts' keys and answers: the embedded root by name and newest key, a
 * TUF root by its TUF root version too (and what it fell back to), an object by its digest.
 */
async function rootVersionOf(trustedRoot, verifier) {
  const newest = verifier.trustedRootSummary().newest;
  const source = verifier.trustedRootSource();
  if (isTufRoot(trustedRoot)) {
    const name = typeof trustedRoot === 'string' ? trustedRoot : `tuf:${trustedRoot.tuf.url}`;
    return source.rootVersion ? `${name}:root-v${source.rootVersion}@${newest}` : `${name}:${source.source}@${newest}`;
  }
  if (typeof trustedRoot === 'string') return `${trustedRoot}@${newest}`;
  return (await digestOf(JSON.stringify(trustedRoot), 'sha256')).slice(0, 'sha256:'.length + 16);
}

async function makeGate(policy, verifier) {
  const source = verifier.trustedRootSource();
  // A refresh that fell back is said once per gate, in the log.
  if (source.warning) console.log(JSON.stringify({ gate: 'trusted-root', warning: source.warning }));
  const rootVersion = await rootVersionOf(policy.trustedRoot, verifier);
  const hashes = new Map();
  const claimed = new Map();
  return {
    policy,
    pkg,
    verifier,
    rootVersion,
    verdicts: new Verdicts(policy.cache),
    /** The digest a bundle (`{ bytes, digest }`) claims, parsed once per bundle. */
    claimedDigest(bundle, name) {
      const key = `${bundle.digest}\n${name}`;
      if (!claimed.has(key)) {
        if (claimed.size >= MAX_CLAIMED) claimed.clear();
        const digest = pkg.claimedDigest(bundle.bytes, name);
        digest.catch(() => claimed.delete(key));
        claimed.set(key, digest);
      }
      return claimed.get(key);
    },
    /** What a verdict under `rules` depends on: the rules as read, and the gate's image settings. */
    rulesHash(rules) {
      const names = rules.map((rule) => rule.name).join('\n');
      if (!hashes.has(names)) {
        const material = JSON.stringify({ rules: rules.map(({ match, ...rule }) => rule), images: policy.images });
        hashes.set(names, digestOf(material, 'sha256'));
      }
      return hashes.get(names);
    },
  };
}
