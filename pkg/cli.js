#!/usr/bin/env node
// sigstore-wasm: verify Sigstore bundles, container images and Rekor entries from the command line,
// with the flags of cosign, rekor-cli and the Sigstore conformance CLI protocol.
// Exit status: 0 verified, 1 not verified, 2 usage error (flags, options, key, digest), 3 internal error.
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANY_IDENTITY_FLAG, claimOfFlag, GH_SIGNER_FLAGS, SIGNER_FLAGS, SIGNER_SWITCHES } from './flags.js';
import { createDigester, createVerifier, fileCache, tufUpdate, VerificationError } from './node.js';

const POLICY_USAGE = `POLICY, a certificate identity:
  --certificate-identity ID | --certificate-identity-regexp RE        the signer (SAN)
  --certificate-oidc-issuer ISS | --certificate-oidc-issuer-regexp RE the OIDC issuer
  --certificate-CLAIM V          a Fulcio claim, by its name in kebab case: as cosign's
                                 --certificate-github-workflow-{repository,ref,sha,trigger,name},
                                 --certificate-source-repository-{identifier,owner-identifier,ref} ...
or the GitHub CLI's (gh attestation verify; the issuer then defaults to GitHub Actions'):
  --owner OWNER | --repo, -R OWNER/REPO   the source repository's owner, or the repository
  --signer-repo OWNER/REPO | --signer-workflow [HOST/]OWNER/REPO/PATH   the signer (default: the repository, or the owner)
  --deny-self-hosted-runners --source-ref REF --source-digest SHA
  --cert-identity, --cert-identity-regex, --cert-oidc-issuer   gh's names for cosign's flags above
or a managed key:
  --key KEY.pub
or, for inspection only, any signer a trusted authority certified:
  ${ANY_IDENTITY_FLAG}
TRUST (default: the embedded Sigstore production root):
  --trusted-root FILE | --staging | --github
                                 --github: GitHub's own instance (private repositories' and
                                 releases' attestations; no transparency log: a timestamp instead)
                                 (with --tuf: refreshed from tuf-repo.github.com)
  --tuf                          refresh the trusted root from Sigstore's TUF repository (production,
                                 or staging with --staging), cached in $XDG_CACHE_HOME/sigstore-wasm
  --tuf-url URL --tuf-root FILE  another TUF repository, and the root.json it starts from
  --tuf-cache DIR                keep the TUF files in DIR
  --tuf-offline                  no network: the cache, re-verified from the pinned root
Regular expressions search (cosign semantics): anchor them with ^...$.`;

const IMAGE_USAGE = `IMAGE is a reference: ghcr.io/org/app:tag, org/app@sha256:<hex>, localhost:5000/app ...
  -a, --annotations KEY=VALUE    an annotation the signature must carry (repeatable)
  --rekor-url URL                Rekor, for signatures that carry no Rekor bundle (default https://rekor.sigstore.dev)
  --offline                      never ask Rekor: signatures must carry their Rekor bundle
  --insecure-ignore-tlog         accept signatures that are in no transparency log
  --allow-http-registry          plain HTTP to a registry that is not on loopback
  --registry-proxy URL           send every request through a proxy, as URL<request URL>
  --timeout DURATION             per request (30s, 2m, 1500ms; default 30s)
  -o, --output json|text         json (default): the verified payloads, as cosign prints them
COSIGN_REPOSITORY=REPO in the environment: the legacy signature tags are in REPO, as for cosign.`;

const USAGE = `usage: sigstore-wasm --version
       sigstore-wasm verify-bundle --bundle FILE POLICY [TRUST] [--output text|json] FILE_OR_DIGEST
       sigstore-wasm verify-image POLICY [TRUST] [OPTIONS] IMAGE
       sigstore-wasm verify-attestation --type TYPE POLICY [TRUST] [OPTIONS] IMAGE
       sigstore-wasm verify-package POLICY [TRUST] [REGISTRIES] [--output json|text] SUBJECT
       sigstore-wasm rekor get (--log-index N | --uuid UUID) [--rekor-url URL] [TRUST] [--output json|text]
       sigstore-wasm rekor search (--sha sha256:<hex>|sha512:<hex> | --artifact FILE) [--rekor-url URL] [TRUST] [--output json|text]
       sigstore-wasm tuf refresh [TRUST]
       sigstore-wasm tuf --metadata-dir DIR init ROOT | --metadata-url URL --metadata-dir DIR refresh
       sigstore-wasm tuf --metadata-url URL --metadata-dir DIR --target-name PATH --target-base-url URL --target-dir DIR download

${POLICY_USAGE}

verify-bundle: FILE_OR_DIGEST is the artifact, or its digest as sha256:<hex>.

verify-image, verify-attestation (cosign verify, verify-attestation):
${IMAGE_USAGE}
  --type TYPE                    the attestations' predicate type: a URI, or one of cosign's names
                                 (custom (default), slsaprovenance, slsaprovenance1, spdx, cyclonedx, link, vuln, openvex)

verify-package: SUBJECT is npm:NAME@VERSION, pypi:PROJECT==VERSION or github:OWNER/REPO@sha256:<hex>.
The attestations the registry publishes (npm's provenance, PyPI's PEP 740 provenance, GitHub's
attestations) are verified against the digest the registry gives for each file, or the one named.
  --npm-registry URL | --pypi-url URL | --github-api-url URL   other registries (default the public ones)
  --timeout DURATION             per request (default 30s)

rekor get, rekor search (rekor-cli get, search): every entry is verified (its SET, its inclusion
proof against a signed checkpoint, that it is the entry asked for) before it is printed.

tuf refresh: refreshes the trusted root through TUF (as --tuf does) and says where it came from.
tuf init, refresh, download: the TUF conformance suite's client protocol, on any TUF repository.

Exit status: 0 verified, 1 not verified, 2 usage error, 3 internal error.`;

// Flags that take a value, and the argument each sets; per command beyond the common ones.
const COMMON_FLAGS = {
  '--key': 'key',
  '--trusted-root': 'trustedRootFile',
  '--tuf-url': 'tufUrl',
  '--tuf-root': 'tufRootFile',
  '--tuf-cache': 'tufCache',
  '--output': 'output',
  '-o': 'output',
};
const IMAGE_FLAGS = {
  '--rekor-url': 'rekorUrl',
  '--registry-proxy': 'proxy',
  '--timeout': 'timeout',
};
const COMMAND_FLAGS = {
  'verify-bundle': { values: { '--bundle': 'bundle' }, switches: {} },
  'verify-image': {
    values: IMAGE_FLAGS,
    switches: { '--offline': 'offline', '--insecure-ignore-tlog': 'ignoreTlog', '--allow-http-registry': 'allowHttpRegistry' },
  },
  'verify-attestation': {
    values: { ...IMAGE_FLAGS, '--type': 'type' },
    switches: { '--offline': 'offline', '--insecure-ignore-tlog': 'ignoreTlog', '--allow-http-registry': 'allowHttpRegistry' },
  },
  'verify-package': {
    values: { '--npm-registry': 'npmRegistry', '--pypi-url': 'pypiUrl', '--github-api-url': 'githubApiUrl', '--timeout': 'timeout' },
    switches: {},
  },
  tuf: {
    values: { '--metadata-dir': 'metadataDir', '--metadata-url': 'metadataUrl', '--target-name': 'targetName', '--target-base-url': 'targetBaseUrl', '--target-dir': 'targetDir' },
    switches: {},
  },
  rekor: {
    values: { '--rekor-url': 'rekorUrl', '--rekor_server': 'rekorUrl', '--log-index': 'logIndex', '--uuid': 'uuid', '--sha': 'sha', '--artifact': 'artifactFile' },
    switches: {},
  },
};
class UsageError extends Error {}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (!(command in COMMAND_FLAGS)) throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'missing command');
  const args = { command, signer: {}, extensions: {}, annotations: {}, staging: false, positional: [] };
  if (command === 'rekor') {
    args.action = rest.shift();
    if (args.action !== 'get' && args.action !== 'search') throw new UsageError('rekor takes get or search');
  }
  const { values, switches } = COMMAND_FLAGS[command];
  for (let i = 0; i < rest.length; i++) {
    const [flag, inline] = rest[i].startsWith('--') && rest[i].includes('=') ? rest[i].split(/=(.*)/s) : [rest[i], undefined];
    const value = () => {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag in values) args[values[flag]] = value();
    else if (flag in SIGNER_FLAGS) args.signer[SIGNER_FLAGS[flag]] = value();
    else if (flag in GH_SIGNER_FLAGS) args.signer[GH_SIGNER_FLAGS[flag]] = value();
    else if (flag in SIGNER_SWITCHES) args.signer[SIGNER_SWITCHES[flag]] = true;
    else if (flag in COMMON_FLAGS) args[COMMON_FLAGS[flag]] = value();
    else if (claimOfFlag(flag)) args.extensions[claimOfFlag(flag)] = value();
    else if (flag === ANY_IDENTITY_FLAG) args.anyIdentity = true;
    else if (flag in switches) args[switches[flag]] = true;
    else if (flag === '--staging') args.staging = true;
    else if (flag === '--github') args.github = true;
    else if (flag === '--tuf') args.tuf = true;
    else if (flag === '--tuf-offline') args.tufOffline = true;
    else if ((flag === '-a' || flag === '--annotations') && command === 'verify-image') {
      const [k, v] = value().split(/=(.*)/s);
      if (!k || v === undefined) throw new UsageError(`${flag} takes KEY=VALUE`);
      args.annotations[k] = v;
    } else if (flag.startsWith('-')) throw new UsageError(`unknown flag ${flag}`);
    else args.positional.push(flag);
  }
  if (args.output !== undefined && args.output !== 'json' && args.output !== 'text') throw new UsageError('--output must be text or json');
  if ([args.trustedRootFile, args.staging, args.github].filter(Boolean).length > 1) throw new UsageError('--trusted-root, --staging and --github exclude each other');
  if (args.github && args.tufUrl) throw new UsageError('--github and --tuf-url exclude each other');
  if (args.trustedRootFile && (args.tuf || args.tufUrl)) throw new UsageError('--trusted-root and --tuf exclude each other');
  if ((args.tufUrl === undefined) !== (args.tufRootFile === undefined)) throw new UsageError('--tuf-url and --tuf-root go together');
  if (command === 'tuf') {
    args.action = args.positional.shift();
    const takes = { init: 1, refresh: 0, download: 0 }[args.action];
    if (takes === undefined) throw new UsageError('tuf takes init, refresh or download');
    if (args.positional.length !== takes) throw new UsageError(`tuf ${args.action} takes ${takes ? 'the initial root.json' : 'no argument'}`);
    if (args.action !== 'refresh' && args.metadataDir === undefined) throw new UsageError(`tuf ${args.action} needs --metadata-dir`);
    return args;
  }
  const expected = command === 'rekor' ? 0 : 1;
  if (args.positional.length !== expected) {
    const what = { 'verify-bundle': 'the artifact (FILE or sha256:<hex>)', rekor: 'no argument', 'verify-image': 'one IMAGE', 'verify-attestation': 'one IMAGE', 'verify-package': 'one SUBJECT' }[command];
    throw new UsageError(`${command} takes ${what}`);
  }
  if (command === 'verify-bundle' && !args.bundle) throw new UsageError('--bundle is required');
  return args;
}

function trustedRoot(args) {
  if (args.tuf || args.tufUrl || args.tufOffline || args.tufCache) {
    const tuf = { root: args.staging ? 'staging' : args.github ? 'github' : 'production', offline: Boolean(args.tufOffline) };
    if (args.tufUrl) Object.assign(tuf, { url: args.tufUrl, root: read(args.tufRootFile) });
    if (args.tufCache) tuf.cache = fileCache(tuf.url ?? tuf.root, args.tufCache);
    return { tuf };
  }
  if (args.trustedRootFile) return read(args.trustedRootFile, 'utf8');
  return args.staging ? 'staging' : args.github ? 'github' : 'production';
}

/** The verifier for the command's trust; a root refreshed through TUF says on stderr when it could not be. */
async function verifierFor(args) {
  const verifier = await createVerifier({ trustedRoot: trustedRoot(args) });
  const { warning } = verifier.trustedRootSource();
  if (warning) console.error(`warning: ${warning}`);
  return verifier;
}

function policyOptions(args) {
  const policy = { ...args.signer };
  if (Object.keys(args.extensions).length) policy.certificateExtensions = args.extensions;
  if (args.anyIdentity) policy.unsafeAllowAnyIdentity = true;
  if (args.key === undefined) return policy;
  if (Object.keys(policy).length) throw new UsageError('--key excludes the certificate identity and claim flags');
  return { publicKey: read(args.key, 'utf8') };
}

function imageOptions(args) {
  const options = policyOptions(args);
  if (Object.keys(args.annotations).length) options.annotations = args.annotations;
  for (const name of ['rekorUrl', 'proxy', 'offline', 'allowHttpRegistry']) {
    if (args[name] !== undefined) options[name] = args[name];
  }
  // As cosign: signatures kept in another repository are found through the environment.
  if (process.env.COSIGN_REPOSITORY) options.signatureRepository = process.env.COSIGN_REPOSITORY;
  if (args.timeout !== undefined) options.timeout = duration(args.timeout);
  // cosign's --insecure-ignore-tlog: no log entry needed. A key needs no time either; a
  // certificate still needs one, from an RFC 3161 timestamp.
  if (args.ignoreTlog) Object.assign(options, { tlogThreshold: 0 }, args.key !== undefined ? { timestampThreshold: 0 } : {});
  if (args.command === 'verify-attestation') {
    // A URI or one of cosign's names, resolved (and refused when neither) by the core.
    options.predicateType = args.type ?? 'custom';
  }
  return options;
}

/** A Go-style duration (`30s`, `2m`, `1500ms`, `1m30s`) or seconds, in milliseconds. */
function duration(text) {
  const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) throw new UsageError(`--timeout ${JSON.stringify(text)} is not a duration`);
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * units[unit], 0);
}

function read(path, encoding) {
  try {
    return readFileSync(path, encoding);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${e.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// verify-bundle

function signerLines(s, scts) {
  const lines = [];
  if (s.type === 'certificate') {
    lines.push(`  signer:      ${s.subjectAltName} (${s.subjectAltNameType})`, `  issuer:      ${s.issuer}`);
    lines.push(`  certificate: issued by ${s.certificateAuthority}, valid ${s.notBefore} to ${s.notAfter}`);
    for (const c of s.extensions) if (c.name !== 'issuer' && c.name !== 'issuerV1') lines.push(`    ${c.name.padEnd(36)} ${c.value}`);
    for (const sct of scts) lines.push(`  SCT:         ${sct.logUrl} at ${sct.time}`);
  } else {
    lines.push(`  signer:      public key ${s.keyId}`);
  }
  return lines;
}

function report(result) {
  const lines = ['Verified OK', `  bundle:      ${result.mediaType}`, ...signerLines(result.signer, result.scts)];
  for (const e of result.tlogEntries) {
    const proofs = [];
    if (e.promise) proofs.push('signed entry timestamp');
    if (e.inclusionProof) {
      proofs.push(`inclusion proof in tree of ${e.inclusionProof.treeSize} (checkpoint ${JSON.stringify(e.inclusionProof.checkpointOrigin)})`);
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

/**
 * An artifact up to this size is read whole, so that every check runs on its bytes (node:crypto
 * verifies a message signature over them; over a digest only the crypto module can); a larger one
 * is hashed as it is read, under the algorithm the bundle names, and verified by its digest: a file
 * of gigabytes never sits in memory.
 */
const WHOLE_FILE_BYTES = 64 << 20;

/** The artifact `file` names (a path, or a digest `sha256:<hex>`), as verifyBundle takes it. */
async function artifactOf(file, bundle) {
  if (file.includes(':') && !existsSync(file)) return file;
  let size;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${e.message}`);
  }
  if (size <= WHOLE_FILE_BYTES) return read(file);
  const digester = await createDigester({ bundle });
  try {
    for await (const piece of createReadStream(file, { highWaterMark: 1 << 20 })) digester.update(piece);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${e.message}`);
  }
  return digester.digest();
}

async function verifyBundleCommand(args) {
  const [file] = args.positional;
  const bundle = read(args.bundle);
  const artifact = await artifactOf(file, bundle);
  const result = await (await verifierFor(args)).verifyAsync(bundle, artifact, policyOptions(args));
  if (args.anyIdentity) console.error(`warning: ${ANY_IDENTITY_FLAG}: the signer was not checked against any policy`);
  console.log(args.output === 'json' ? JSON.stringify({ verified: true, ...result }, null, 2) : report(result));
}

// ---------------------------------------------------------------------------------------------
// verify-image, verify-attestation

/** A verified image signature as `cosign verify` prints it: the simple-signing payload, with
 * the signer's identity and claims added to `optional`. A v3 bundle is shown in the same shape. */
function cosignPayload(report, signature) {
  const { result } = signature;
  const claims = result.claims;
  const subject = result.statement?.subjects.find((s) => s.digests[report.digest.split(':')[0]] === report.digest.split(':')[1]);
  const optional = { ...(claims ? claims.optional : subject?.annotations ?? {}) };
  const signer = result.signer;
  if (signer.type === 'certificate') {
    optional.Subject = signer.subjectAltName;
    optional.Issuer = signer.issuer;
    for (const c of signer.extensions) {
      optional[c.oid] = c.value;
      if (c.name.startsWith('githubWorkflow')) optional[c.name] = c.value;
    }
  }
  // The verified Rekor bundle and timestamp of a legacy signature, as cosign adds them.
  const annotation = (name) => (result.annotations[name] ? JSON.parse(result.annotations[name]) : undefined);
  if (result.annotations['dev.sigstore.cosign/bundle']) optional.Bundle = annotation('dev.sigstore.cosign/bundle');
  if (result.annotations['dev.sigstore.cosign/rfc3161timestamp']) optional.RFC3161Timestamp = annotation('dev.sigstore.cosign/rfc3161timestamp');
  return {
    critical: {
      identity: { 'docker-reference': claims ? claims.dockerReference : report.name },
      image: { 'docker-manifest-digest': claims ? claims.dockerManifestDigest : report.digest },
      type: claims ? claims.type : result.statement.predicateType,
    },
    optional,
  };
}

/** A verified attestation as `cosign verify-attestation` prints it: its DSSE envelope, one per line. */
function attestationEnvelope(signature) {
  return signature.result.envelope;
}

function checksPerformed(report, args) {
  const results = report.signatures.filter((s) => s.verified).map((s) => s.result);
  const lines = [`\nVerification for ${report.name}@${report.digest} --`, 'The following checks were performed on each of these signatures:'];
  if (Object.keys(args.annotations).length) lines.push('  - The specified annotations were verified.');
  lines.push('  - The cosign claims were validated');
  // A legacy signature without its Rekor bundle had its entry found in Rekor, online.
  const online = (r) => r.claims && r.tlogEntries.length > 0 && !r.annotations['dev.sigstore.cosign/bundle'];
  if (results.some(online)) {
    lines.push('  - The claims were present in the transparency log');
    lines.push('  - The signatures were integrated into the transparency log when the certificate was valid');
  }
  if (results.some((r) => r.tlogEntries.length > 0 && !online(r))) lines.push('  - Existence of the claims in the transparency log was verified offline');
  if (args.key !== undefined) lines.push('  - The signatures were verified against the specified public key');
  else lines.push('  - The code-signing certificate was verified using trusted certificate authority certificates');
  return lines.join('\n');
}

function imageText(report) {
  const lines = [report.error ? 'Verification FAILED' : 'Verified OK', `  image:       ${report.name}@${report.digest} (${report.mediaType})`];
  for (const s of report.signatures) {
    const where = s.tag ? `tag ${s.tag}` : `referrer ${s.manifest} (${s.via})`;
    lines.push(`  ${s.verified ? 'verified' : 'refused '}   ${s.format} ${s.layer ?? ''} in ${where}`);
    if (s.verified) {
      lines.push(...signerLines(s.result.signer, s.result.scts).map((l) => `    ${l}`));
      for (const t of s.result.verifiedTimes) lines.push(`      time:        ${t.time} (${t.logUrl ?? t.uri})`);
    } else {
      lines.push(`      check:  ${s.error.code}`, `      reason: ${s.error.message}`);
    }
  }
  for (const p of report.problems) lines.push(`  could not look at ${p.source}: ${p.error.code}: ${p.error.message}`);
  if (report.error) lines.push(`  check:  ${report.error.code}`, `  reason: ${report.error.message}`);
  return lines.join('\n');
}

async function verifyImageCommand(args) {
  const [image] = args.positional;
  const attestations = args.command === 'verify-attestation';
  let report;
  try {
    const verifier = await verifierFor(args);
    report = await (attestations ? verifier.verifyImageAttestations(image, imageOptions(args)) : verifier.verifyImage(image, imageOptions(args)));
  } catch (e) {
    if (!(e instanceof VerificationError) || !e.report) throw e;
    if (args.output === 'text') console.error(imageText(e.report));
    else if (e.code === 'NO_SIGNATURES') console.error(`Error: ${e.message}`);
    else if (e.code === 'NO_MATCHING_SIGNATURES') console.error(`Error: no matching ${attestations ? 'attestations' : 'signatures'}: ${e.message}`);
    else console.error(`Error: ${e.code}: ${e.message}`);
    return 1;
  }
  if (args.output === 'text') {
    console.log(imageText(report));
    return 0;
  }
  console.error(checksPerformed(report, args));
  const verified = report.signatures.filter((s) => s.verified);
  if (attestations) for (const s of verified) console.log(JSON.stringify(attestationEnvelope(s)));
  else console.log(`\n${JSON.stringify(verified.map((s) => cosignPayload(report, s)))}`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// verify-package

function packageText(report) {
  const lines = [report.error ? 'Verification FAILED' : 'Verified OK', `  subject:     ${report.subject}`];
  for (const a of report.attestations) {
    const artifact = report.artifacts[a.artifact];
    lines.push(`  ${a.verified ? 'verified' : 'refused '}   ${artifact.name} (${artifact.digest})`);
    if (a.verified) lines.push(...signerLines(a.result.signer, a.result.scts).map((l) => `    ${l}`));
    else lines.push(`      check:  ${a.error.code}`, `      reason: ${a.error.message}`);
  }
  if (report.error) lines.push(`  check:  ${report.error.code}`, `  reason: ${report.error.message}`);
  return lines.join('\n');
}

async function verifyPackageCommand(args) {
  const [subject] = args.positional;
  const options = policyOptions(args);
  for (const name of ['npmRegistry', 'pypiUrl', 'githubApiUrl']) if (args[name] !== undefined) options[name] = args[name];
  if (args.timeout !== undefined) options.timeout = duration(args.timeout);
  let report;
  try {
    report = await (await verifierFor(args)).verifyAttestations(subject, options);
  } catch (e) {
    if (!(e instanceof VerificationError) || !e.report) throw e;
    report = e.report;
  }
  console.log(args.output === 'text' ? packageText(report) : JSON.stringify(report, null, 2));
  return report.error ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// rekor get, rekor search

/** An entry as `rekor-cli get --format json` prints it. */
function rekorCliEntry(entry) {
  return {
    Attestation: '',
    AttestationType: '',
    Body: { [`${entry.kind[0].toUpperCase()}${entry.kind.slice(1)}Obj`]: entry.body.spec },
    LogIndex: entry.logIndex,
    IntegratedTime: entry.integratedTime === null ? null : Math.floor(Date.parse(entry.integratedTime) / 1000),
    UUID: entry.uuid,
    LogID: entry.logId,
  };
}

function entryText(entry) {
  const lines = [
    `UUID: ${entry.uuid}`,
    `LogIndex: ${entry.logIndex} (${entry.logUrl})`,
    `IntegratedTime: ${entry.integratedTime}`,
    `Kind: ${entry.kind}/${entry.version}`,
    `Verified: signed entry timestamp, inclusion proof in tree of ${entry.inclusionProof.treeSize} (checkpoint ${JSON.stringify(entry.inclusionProof.checkpointOrigin)})`,
  ];
  if (entry.digest) lines.push(`Digest: ${entry.digest}`);
  if (entry.signer?.type === 'certificate') lines.push(`Signer (as logged): ${entry.signer.subjectAltName} from ${entry.signer.issuer}`);
  else if (entry.signer) lines.push(`Signer (as logged): public key ${entry.signer.keyId}`);
  return lines.join('\n');
}

async function rekorCommand(args) {
  const options = args.rekorUrl === undefined ? {} : { rekorUrl: args.rekorUrl };
  const verifier = await verifierFor(args);
  let entries;
  if (args.action === 'get') {
    if ((args.logIndex === undefined) === (args.uuid === undefined)) throw new UsageError('rekor get takes one of --log-index and --uuid');
    if (args.logIndex !== undefined && !/^\d+$/.test(args.logIndex)) throw new UsageError('--log-index takes a number');
    const query = args.logIndex !== undefined ? { logIndex: Number(args.logIndex) } : { uuid: args.uuid };
    entries = [await verifier.getLogEntry(query, options)];
  } else {
    if ((args.sha === undefined) === (args.artifactFile === undefined)) throw new UsageError('rekor search takes one of --sha and --artifact');
    const sha = args.sha?.includes(':') ? args.sha : args.sha && `sha256:${args.sha}`;
    entries = await verifier.searchLogEntries(sha ? { digest: sha } : { artifact: read(args.artifactFile) }, options);
  }
  if (args.output === 'text') console.log(entries.map(entryText).join('\n\n') || 'no entries found');
  else if (args.action === 'get') console.log(JSON.stringify(rekorCliEntry(entries[0]), null, 2));
  else console.log(JSON.stringify(entries.map(rekorCliEntry), null, 2));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// tuf

/** `tuf refresh` for people: the trusted root through TUF, and where it came from. */
async function tufRefreshCommand(args) {
  const verifier = await verifierFor({ ...args, tuf: true });
  const source = verifier.trustedRootSource();
  const summary = verifier.trustedRootSummary();
  if (args.output === 'json') console.log(JSON.stringify({ ...source, ...summary }, null, 2));
  else {
    console.log(`trusted root from ${source.source}${source.rootVersion ? ` (TUF root version ${source.rootVersion}, timestamp version ${source.timestampVersion}, expires ${source.expires})` : ''}`);
    console.log(`  refreshed:   ${source.refreshed ?? 'never'}`);
    console.log(`  holds:       ${summary.transparencyLogs} transparency logs, ${summary.certificateAuthorities} certificate authorities, ${summary.ctLogs} CT logs, ${summary.timestampAuthorities} timestamp authorities; newest key from ${summary.newest}`);
  }
  return source.source === 'tuf' ? 0 : 1;
}

/**
 * The tuf-conformance client protocol: metadata in DIR under python-tuf's names (the core's
 * `persist` names), the target in the target directory under its percent-encoded path.
 */
async function tufConformanceCommand(args) {
  const dir = args.metadataDir;
  if (args.action === 'init') {
    mkdirSync(dir, { recursive: true });
    copyFileSync(args.positional[0], join(dir, 'root.json'));
    return 0;
  }
  if (!args.metadataUrl) throw new UsageError(`tuf ${args.action} needs --metadata-url`);
  const cache = fileCache(args.metadataUrl, dir);
  const files = await cache.read();
  const root = files.get('root.json');
  if (!root) throw new VerificationError('TUF', `no root.json in ${dir}: run tuf init first`);
  const download = args.action === 'download';
  if (download && !(args.targetName && args.targetBaseUrl && args.targetDir)) {
    throw new UsageError('tuf download needs --target-name, --target-base-url and --target-dir');
  }
  const targetFile = download ? join(args.targetDir, encodeURIComponent(args.targetName)) : null;
  const outcome = await tufUpdate({
    metadataUrl: args.metadataUrl,
    targetsUrl: args.targetBaseUrl,
    root,
    files: [...files],
    target: download ? args.targetName : undefined,
    cachedTarget: targetFile && existsSync(targetFile) ? new Uint8Array(readFileSync(targetFile)) : undefined,
  });
  await cache.write(outcome.persist);
  if (outcome.error) throw new VerificationError(outcome.error.code, outcome.error.message);
  if (download && !outcome.fromCache) {
    mkdirSync(args.targetDir, { recursive: true });
    writeFileSync(`${targetFile}.tmp-${process.pid}`, outcome.target);
    renameSync(`${targetFile}.tmp-${process.pid}`, targetFile);
  }
  return 0;
}

async function main(argv) {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  if (argv[0] === '--version') {
    console.log(`sigstore-wasm ${JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).version}`);
    return 0;
  }
  let args;
  try {
    args = parseArgs(argv);
    if (args.command === 'verify-bundle') await verifyBundleCommand(args);
    else if (args.command === 'rekor') return await rekorCommand(args);
    else if (args.command === 'verify-package') return await verifyPackageCommand(args);
    else if (args.command === 'tuf') return await (args.metadataDir === undefined ? tufRefreshCommand(args) : tufConformanceCommand(args));
    else return await verifyImageCommand(args);
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
