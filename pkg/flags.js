// The CLI's policy and trust flags and the package options they state: one description, read both
// ways. The CLI parses flags into options with it; `cliArgs` writes options as flags, which is how
// the verification page prints the command that repeats its check. Flag names are cosign's; every
// Fulcio claim has one, `--certificate-` and the claim's name in kebab case (cosign's
// `--certificate-github-workflow-repository` is the claim githubWorkflowRepository), whose names the
// core checks.

/** The signer's flags, each with the option it sets: cosign's, then the GitHub CLI's own. */
export const SIGNER_FLAGS = {
  '--certificate-identity': 'certificateIdentity',
  '--certificate-identity-regexp': 'certificateIdentityRegExp',
  '--certificate-oidc-issuer': 'certificateIssuer',
  '--certificate-oidc-issuer-regexp': 'certificateIssuerRegExp',
  '--owner': 'owner',
  '--repo': 'repo',
  '--signer-repo': 'signerRepo',
  '--signer-workflow': 'signerWorkflow',
  '--source-ref': 'sourceRef',
  '--source-digest': 'sourceDigest',
};

/** The GitHub CLI's names for cosign's signer flags (`gh attestation verify`), read, never written. */
export const GH_SIGNER_FLAGS = {
  '-R': 'repo',
  '--cert-identity': 'certificateIdentity',
  '--cert-identity-regex': 'certificateIdentityRegExp',
  '--cert-oidc-issuer': 'certificateIssuer',
};

/** The signer's switches, each with the option it sets to true. */
export const SIGNER_SWITCHES = { '--deny-self-hosted-runners': 'denySelfHostedRunners' };

/** Accepts any signer a trusted authority certified (`unsafeAllowAnyIdentity`): for inspection only. */
export const ANY_IDENTITY_FLAG = '--insecure-any-identity';

const CLAIM_PREFIX = '--certificate-';

/** The Fulcio claim a `--certificate-<claim>` flag names (camel case), or null for any other flag. */
export function claimOfFlag(flag) {
  if (!flag.startsWith(CLAIM_PREFIX) || flag in SIGNER_FLAGS) return null;
  const kebab = flag.slice(CLAIM_PREFIX.length);
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(kebab)) return null;
  return kebab.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** The flag of a Fulcio claim (`sourceRepositoryIdentifier` → `--certificate-source-repository-identifier`). */
export function flagOfClaim(claim) {
  return `${CLAIM_PREFIX}${claim.replace(/[A-Z0-9]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * The flags that state `options` (the package's policy options and `trustedRoot`): the signer, its
 * claims, and where the trusted root comes from; a root of the caller's own as `--trusted-root
 * <trustedRootFile>`. Options with no flag are refused, so that a command never states less than
 * the options did.
 */
export function cliArgs(options, { trustedRootFile = 'trusted_root.json' } = {}) {
  const { trustedRoot = 'production', certificateExtensions = {}, unsafeAllowAnyIdentity = false, ...signer } = options;
  const args = [];
  const byOption = Object.fromEntries(Object.entries(SIGNER_FLAGS).map(([flag, option]) => [option, flag]));
  const switchOf = Object.fromEntries(Object.entries(SIGNER_SWITCHES).map(([flag, option]) => [option, flag]));
  for (const [option, value] of Object.entries(signer)) {
    if (value === undefined || value === false) continue;
    if (switchOf[option] && value === true) args.push(switchOf[option]);
    else if (!byOption[option]) throw new TypeError(`${option} has no flag of the CLI`);
    else args.push(byOption[option], value);
  }
  for (const [claim, value] of Object.entries(certificateExtensions)) args.push(flagOfClaim(claim), value);
  if (unsafeAllowAnyIdentity) args.push(ANY_IDENTITY_FLAG);
  return [...args, ...trustArgs(trustedRoot, trustedRootFile)];
}

function trustArgs(trustedRoot, file) {
  if (trustedRoot === 'production') return [];
  if (trustedRoot === 'staging') return ['--staging'];
  if (trustedRoot === 'github') return ['--github'];
  if (trustedRoot === 'tuf') return ['--tuf'];
  if (trustedRoot === 'tuf:staging') return ['--tuf', '--staging'];
  if (trustedRoot === 'tuf:github') return ['--tuf', '--github'];
  if (trustedRoot && typeof trustedRoot === 'object' && 'tuf' in trustedRoot) throw new TypeError('a TUF repository of your own is --tuf-url and --tuf-root, whose files the caller names');
  return ['--trusted-root', file];
}
