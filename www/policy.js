// The signer policy as the form states it, in the package's option names (cosign's and
// sigstore-js's), and the same policy as CLI flags.
import { cliArgs } from 'sigstore-wasm';

/** Presets for the common cases: what they fill in, and what they leave to the person. */
export const PRESETS = {
  'github-workflow': {
    identity: '^https://github\\.com/OWNER/REPO/\\.github/workflows/.+@refs/(heads|tags)/.+$',
    identityRegexp: true,
    issuer: 'https://token.actions.githubusercontent.com',
    issuerRegexp: false,
  },
  google: { identity: 'name@gmail.com', identityRegexp: false, issuer: 'https://accounts.google.com', issuerRegexp: false },
  github: { identity: 'name@example.com', identityRegexp: false, issuer: 'https://github.com/login/oauth', issuerRegexp: false },
};

/**
 * An unanchored regular expression matches any string that contains a match: `github.com/acme`
 * also matches `https://evil.example/github.com/acme`. Returns the anchored form, or undefined
 * when the expression is anchored at both ends.
 */
export function anchoredForm(pattern) {
  if (!pattern) return undefined;
  const start = pattern.startsWith('^');
  const end = pattern.endsWith('$') && !pattern.endsWith('\\$');
  if (start && end) return undefined;
  return `${start ? '' : '^'}${pattern}${end ? '' : '$'}`;
}

/**
 * The page's policy fields: the signer (identity, issuer) and the GitHub claims it asks for, each
 * with the Fulcio claim it sets and how the result names it. The form, the URL fragment, the
 * package's options, the line under a verdict and the command that repeats the check all read
 * this one table.
 */
export const CLAIM_FIELDS = [
  { field: 'repository', claim: 'githubWorkflowRepository', label: 'repository' },
  { field: 'ref', claim: 'githubWorkflowRef', label: 'ref' },
  { field: 'workflow', claim: 'githubWorkflowName', label: 'workflow' },
  { field: 'repositoryId', claim: 'sourceRepositoryIdentifier', label: 'repository ID' },
  { field: 'ownerId', claim: 'sourceRepositoryOwnerIdentifier', label: 'owner ID' },
];

/** The fragment's and the form's text fields of the policy (besides the two regexp checkboxes). */
export const POLICY_FIELDS = ['identity', 'issuer', ...CLAIM_FIELDS.map((c) => c.field), 'root'];

/** The form's fields as `{ identity, identityRegexp, issuer, ... }`. */
export function readPolicy(form) {
  const policy = Object.fromEntries(POLICY_FIELDS.map((name) => [name, form.elements[name].value.trim()]));
  return { ...policy, identityRegexp: form.elements.identityRegexp.checked, issuerRegexp: form.elements.issuerRegexp.checked };
}

/** Whether the policy names a signer at all. */
export function hasSigner(policy) {
  return Boolean(policy.identity || policy.issuer);
}

/**
 * The package's options for `policy` (a custom root's text is the caller's to add); with no
 * signer, every identity is accepted, and the page says so.
 */
export function packageOptions(policy) {
  if (!hasSigner(policy)) return { trustedRoot: policy.root, unsafeAllowAnyIdentity: true };
  const options = { trustedRoot: policy.root };
  if (policy.identity) options[policy.identityRegexp ? 'certificateIdentityRegExp' : 'certificateIdentity'] = policy.identity;
  if (policy.issuer) options[policy.issuerRegexp ? 'certificateIssuerRegExp' : 'certificateIssuer'] = policy.issuer;
  const claims = CLAIM_FIELDS.filter((c) => policy[c.field]);
  if (claims.length) options.certificateExtensions = Object.fromEntries(claims.map((c) => [c.claim, policy[c.field]]));
  return options;
}

/** A line that says which policy the verdict was reached under. */
export function policyLabel(policy) {
  if (!hasSigner(policy)) return 'Identity: signer not checked against any policy';
  const parts = [];
  if (policy.identity) parts.push(`identity ${policy.identityRegexp ? 'matches' : 'is'} ${policy.identity}`);
  if (policy.issuer) parts.push(`issuer ${policy.issuerRegexp ? 'matches' : 'is'} ${policy.issuer}`);
  for (const c of CLAIM_FIELDS) if (policy[c.field]) parts.push(`${c.label} is ${policy[c.field]}`);
  return `Identity: ${parts.join(', ')}`;
}

/** A word safe to paste into a POSIX shell. */
function quote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `npx sigstore-wasm <command> ...` stating exactly `options`, the package's options the page
 * verified with (a root of the person's own as `--trusted-root trusted_root.json`), written as the
 * CLI's flags by the package (`cliArgs`), which parses them back.
 */
export function cliCommand(command, args, options) {
  return ['npx', 'sigstore-wasm', command, ...cliArgs(options), ...args].map(quote).join(' ');
}
