// The gate's state, made once per isolate (module scope) and kept while the policy it was made
// from stays the same: the policy read, the verifier with its trusted root, the verdict cache.
import * as pkg from '../../pkg/workerd.js';
import filePolicy from '../gate.json';
import { readPolicy } from './policy.js';
import { digestOf } from './digest.js';
import { Verdicts } from './verdicts.js';

const MAX_CLAIMED = 1024;
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
  current.gate ??= makeGate(current.policy);
  return current.gate;
}

async function makeGate(policy) {
  const verifier = await pkg.createVerifier({ trustedRoot: policy.trustedRoot });
  const rootVersion =
    typeof policy.trustedRoot === 'string'
      ? `${policy.trustedRoot}@${verifier.trustedRootSummary().newest}`
      : (await digestOf(JSON.stringify(policy.trustedRoot), 'sha256')).slice(0, 'sha256:'.length + 16);
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
