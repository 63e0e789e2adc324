#!/usr/bin/env node
// sigstore-wasm verify-bundle: the Sigstore conformance CLI protocol with cosign's identity flags.
// Exit status: 0 verified, 1 not verified, 2 usage error (flags, options, key, digest), 3 internal error.
import { existsSync, readFileSync } from 'node:fs';
import { verifyBundle, VerificationError } from './node.js';

const USAGE = `usage: sigstore-wasm verify-bundle --bundle FILE POLICY [TRUST] [--output text|json] FILE_OR_DIGEST

POLICY, a certificate identity:
  --certificate-identity ID | --certificate-identity-regexp RE        the signer (SAN)
  --certificate-oidc-issuer ISS | --certificate-oidc-issuer-regexp RE the OIDC issuer
  --certificate-github-workflow-{repository,ref,sha,trigger,name} V    optional claims
or a managed key:
  --key KEY.pub
TRUST (default: the embedded Sigstore production root):
  --trusted-root FILE | --staging
FILE_OR_DIGEST: the artifact, or its digest as sha256:<hex>
Regular expressions search (cosign semantics): anchor them with ^...$.
Exit status: 0 verified, 1 not verified, 2 usage error, 3 internal error.`;

// Flags that take a value, and the option each sets.
const VALUE_FLAGS = {
  '--bundle': 'bundle',
  '--certificate-identity': 'certificateIdentity',
  '--certificate-identity-regexp': 'certificateIdentityRegExp',
  '--certificate-oidc-issuer': 'certificateIssuer',
  '--certificate-oidc-issuer-regexp': 'certificateIssuerRegExp',
  '--key': 'key',
  '--trusted-root': 'trustedRootFile',
  '--output': 'output',
};
const WORKFLOW_FLAGS = {
  '--certificate-github-workflow-repository': 'githubWorkflowRepository',
  '--certificate-github-workflow-ref': 'githubWorkflowRef',
  '--certificate-github-workflow-sha': 'githubWorkflowSha',
  '--certificate-github-workflow-trigger': 'githubWorkflowTrigger',
  '--certificate-github-workflow-name': 'githubWorkflowName',
};

class UsageError extends Error {}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command !== 'verify-bundle') throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'missing command');
  const args = { extensions: {}, staging: false };
  for (let i = 0; i < rest.length; i++) {
    const [flag, inline] = rest[i].startsWith('--') && rest[i].includes('=') ? rest[i].split(/=(.*)/s) : [rest[i], undefined];
    const value = () => {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag in VALUE_FLAGS) args[VALUE_FLAGS[flag]] = value();
    else if (flag in WORKFLOW_FLAGS) args.extensions[WORKFLOW_FLAGS[flag]] = value();
    else if (flag === '--staging') args.staging = true;
    else if (flag.startsWith('--')) throw new UsageError(`unknown flag ${flag}`);
    else if (args.artifact === undefined) args.artifact = flag;
    else throw new UsageError(`unexpected argument ${JSON.stringify(flag)}`);
  }
  if (!args.bundle) throw new UsageError('--bundle is required');
  if (args.artifact === undefined) throw new UsageError('the artifact (FILE or sha256:<hex>) is required');
  if (args.output !== undefined && args.output !== 'json' && args.output !== 'text') throw new UsageError('--output must be text or json');
  if (args.trustedRootFile && args.staging) throw new UsageError('--trusted-root and --staging exclude each other');
  return args;
}

function options(args) {
  const trustedRoot = args.trustedRootFile ? read(args.trustedRootFile, 'utf8') : args.staging ? 'staging' : 'production';
  if (args.key !== undefined) {
    if (args.certificateIdentity || args.certificateIdentityRegExp || args.certificateIssuer || args.certificateIssuerRegExp)
      throw new UsageError('--key excludes the certificate identity flags');
    return { trustedRoot, publicKey: read(args.key, 'utf8') };
  }
  const policy = { trustedRoot };
  for (const name of ['certificateIdentity', 'certificateIdentityRegExp', 'certificateIssuer', 'certificateIssuerRegExp']) {
    if (args[name] !== undefined) policy[name] = args[name];
  }
  if (Object.keys(args.extensions).length) policy.certificateExtensions = args.extensions;
  return policy;
}

function read(path, encoding) {
  try {
    return readFileSync(path, encoding);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${e.message}`);
  }
}

function report(result) {
  const lines = ['Verified OK', `  bundle:      ${result.mediaType}`];
  const s = result.signer;
  if (s.type === 'certificate') {
    lines.push(`  signer:      ${s.subjectAltName} (${s.subjectAltNameType})`, `  issuer:      ${s.issuer}`);
    lines.push(`  certificate: issued by ${s.certificateAuthority}, valid ${s.notBefore} to ${s.notAfter}`);
    for (const c of s.extensions) if (c.name !== 'issuer' && c.name !== 'issuerV1') lines.push(`    ${c.name.padEnd(36)} ${c.value}`);
    for (const sct of result.scts) lines.push(`  SCT:         ${sct.logUrl} at ${sct.time}`);
  } else {
    lines.push(`  signer:      public key ${s.keyId}`);
  }
  for (const e of result.tlogEntries) {
    const proofs = [];
    if (e.promise) proofs.push('signed entry timestamp');
    if (e.inclusionProof) {
      const origin = e.inclusionProof.checkpointOrigin;
      proofs.push(`inclusion proof in tree of ${e.inclusionProof.treeSize} (${origin ? `checkpoint ${JSON.stringify(origin)}` : 'no checkpoint'})`);
    }
    lines.push(`  tlog:        ${e.logUrl} entry ${e.logIndex} (${e.kind}/${e.version}): ${proofs.join(', ')}`);
  }
  for (const t of result.verifiedTimes) {
    lines.push(t.source === 'transparencyLog' ? `  time:        ${t.time} (integrated in ${t.logUrl})` : `  time:        ${t.time} (timestamp by ${t.uri})`);
  }
  if (result.statement) lines.push(`  statement:   ${result.statement.predicateType} with ${result.statement.subjects.length} subject(s)`);
  else if (result.payloadType) lines.push(`  payload:     ${result.payloadType}`);
  return lines.join('\n');
}

async function main(argv) {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let args;
  try {
    args = parseArgs(argv);
    const artifact = args.artifact.includes(':') && !existsSync(args.artifact) ? args.artifact : read(args.artifact);
    const result = await verifyBundle(read(args.bundle), artifact, options(args));
    console.log(args.output === 'json' ? JSON.stringify({ verified: true, ...result }, null, 2) : report(result));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n${USAGE}`);
      return 2;
    }
    if (!(e instanceof VerificationError)) {
      console.error(`internal error: ${e?.stack ?? e}`);
      return 3;
    }
    if (args?.output === 'json') console.log(JSON.stringify({ verified: false, code: e.code, message: e.message }, null, 2));
    else console.error(`Verification FAILED\n  check:  ${e.code}\n  reason: ${e.message}`);
    // A malformed option (policy, key, digest) is the caller's mistake, not a failed signature.
    return e.code === 'INVALID_INPUT' ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
