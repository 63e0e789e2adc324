// The signer policy as the form states it, in the package's option names (cosign's and
// sigstore-js's), and the same policy as CLI flags.

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

/** The form's fields as `{ identity, identityRegexp, issuer, ... }`. */
export function readPolicy(form) {
  const value = (name) => form.elements[name].value.trim();
  return {
    identity: value('identity'),
    identityRegexp: form.elements.identityRegexp.checked,
    issuer: value('issuer'),
    issuerRegexp: form.elements.issuerRegexp.checked,
    repository: value('repository'),
    ref: value('ref'),
    workflow: value('workflow'),
    repositoryId: value('repositoryId'),
    ownerId: value('ownerId'),
    root: form.elements.root.value,
  };
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
  const extensions = {};
  if (policy.repository) extensions.githubWorkflowRepository = policy.repository;
  if (policy.ref) extensions.githubWorkflowRef = policy.ref;
  if (policy.workflow) extensions.githubWorkflowName = policy.workflow;
  if (policy.repositoryId) extensions.sourceRepositoryIdentifier = policy.repositoryId;
  if (policy.ownerId) extensions.sourceRepositoryOwnerIdentifier = policy.ownerId;
  if (Object.keys(extensions).length) options.certificateExtensions = extensions;
  return options;
}

/** A line that says which policy the verdict was reached under. */
export function policyLabel(policy) {
  if (!hasSigner(policy)) return 'Identity: signer not checked against any policy';
  const parts = [];
  if (policy.identity) parts.push(`identity ${policy.identityRegexp ? 'matches' : 'is'} ${policy.identity}`);
  if (policy.issuer) parts.push(`issuer ${policy.issuerRegexp ? 'matches' : 'is'} ${policy.issuer}`);
  if (policy.repository) parts.push(`repository is ${policy.repository}`);
  if (policy.ref) parts.push(`ref is ${policy.ref}`);
  if (policy.workflow) parts.push(`workflow is ${policy.workflow}`);
  if (policy.repositoryId) parts.push(`repository ID is ${policy.repositoryId}`);
  if (policy.ownerId) parts.push(`owner ID is ${policy.ownerId}`);
  return `Identity: ${parts.join(', ')}`;
}

/** A word safe to paste into a POSIX shell. */
function quote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `npx sigstore-wasm <command> ...` with cosign's flags for `policy`. */
export function cliCommand(command, args, policy) {
  const flags = [];
  if (hasSigner(policy)) {
    if (policy.identity) flags.push(policy.identityRegexp ? '--certificate-identity-regexp' : '--certificate-identity', policy.identity);
    if (policy.issuer) flags.push(policy.issuerRegexp ? '--certificate-oidc-issuer-regexp' : '--certificate-oidc-issuer', policy.issuer);
    if (policy.repository) flags.push('--certificate-github-workflow-repository', policy.repository);
    if (policy.ref) flags.push('--certificate-github-workflow-ref', policy.ref);
    if (policy.workflow) flags.push('--certificate-github-workflow-name', policy.workflow);
  }
  if (policy.root === 'staging') flags.push('--staging');
  if (policy.root === 'tuf') flags.push('--tuf');
  if (policy.root === 'custom') flags.push('--trusted-root', 'trusted_root.json');
  return ['npx', 'sigstore-wasm', command, ...flags, ...args].map(quote).join(' ');
}
