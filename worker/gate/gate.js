// The gate's state, made once per isolate (module scope) and kept while the policy it was made
// from stays the same: the policy read, the verifier with its trusted root, the verdict cache. A
// trusted root refreshed through TUF is made anew when it is an hour old, and by the cron trigger
// (`refreshGate`), which also refreshes the cache every isolate reads.
import * as pkg from '../../pkg/workerd.js';
import { kvCache, tufOptions } from '../../pkg/tuf.js';
import filePolicy from '../gate.json';
import { readPolicy } from './policy.js';
import { digestOf } from './digest.js';
import { Verdicts } from './verdicts.js';

const MAX_CLAIMED = 1024;
// How old a gate whose root came through TUF may get before a request makes it anew.
const TUF_REFRESH_MS = 60 * 60 * 1000;
let current = null;

/** The policy in force: the GATE_POLICY variable (JSON text) when set, else gate.json. */
export function policyFor(env) {
  const source = env.GATE_POLICY || filePolicy;
  if (current?.source !== source) current = { source, policy: readPolicy(source), gate: null };
  return current.policy;
}

/** The gate for the policy in force (policyFor first); its verifier is made on first use. */
export function gateFor(env) {
  policyFor(env);
  const state = current;
  if (state.gate && state.refreshAt && state.refreshAt < Date.now()) state.gate = null;
  if (!state.gate) {
    state.refreshAt = tufOptions(state.policy.trustedRoot) ? Date.now() + TUF_REFRESH_MS : null;
    state.gate = makeGate(state.policy, env);
    // A gate that could not be made is not kept: the next request tries again.
    state.gate.catch(() => {
      if (current === state) state.gate = null;
    });
  }
  return state.gate;
}

/**
 * The cron trigger's work: the trusted root refreshed through TUF now, its files written to the
 * cache every isolate reads, and this isolate's gate replaced. Returns what the log line says.
 */
export async function refreshGate(env) {
  const policy = policyFor(env);
  if (!tufOptions(policy.trustedRoot)) return { refreshed: false, reason: 'the trusted root does not come from TUF' };
  const state = current;
  const gate = makeGate(policy, env);
  const made = await gate;
  if (current === state) Object.assign(state, { gate, refreshAt: Date.now() + TUF_REFRESH_MS });
  return { refreshed: true, root: made.rootVersion, source: made.verifier.trustedRootSource() };
}

/** The package's trusted root option: a TUF root is cached in the TUF_CACHE KV namespace when bound. */
function packageRoot(trustedRoot, env) {
  const tuf = tufOptions(trustedRoot);
  if (!tuf || !env.TUF_CACHE) return trustedRoot;
  return { tuf: { ...tuf, cache: kvCache(env.TUF_CACHE, tuf.url) } };
}

/**
 * What names the root in verdicts' keys and answers: the embedded root by name and newest key, a
 * TUF root by its TUF root version too (and what it fell back to), an object by its digest.
 */
async function rootVersionOf(trustedRoot, verifier) {
  const newest = verifier.trustedRootSummary().newest;
  const source = verifier.trustedRootSource();
  if (tufOptions(trustedRoot)) {
    const name = typeof trustedRoot === 'string' ? trustedRoot : `tuf:${trustedRoot.tuf.url}`;
    return source.rootVersion ? `${name}:root-v${source.rootVersion}@${newest}` : `${name}:${source.source}@${newest}`;
  }
  if (typeof trustedRoot === 'string') return `${trustedRoot}@${newest}`;
  return (await digestOf(JSON.stringify(trustedRoot), 'sha256')).slice(0, 'sha256:'.length + 16);
}

async function makeGate(policy, env) {
  const verifier = await pkg.createVerifier({ trustedRoot: packageRoot(policy.trustedRoot, env) });
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
