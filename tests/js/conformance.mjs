// Runs every conformance and real-world case through the CLI (pkg/cli.js) as a child process,
// exactly as the Sigstore conformance suite drives a client (docs/cli_protocol.md, test/client.py):
//
//   node pkg/cli.js verify-bundle --bundle B (--key K | --certificate-identity I --certificate-oidc-issuer O)
//                                 [--trusted-root R] ARTIFACT_OR_DIGEST
//
// each case twice: with the artifact file, and with only its `sha256:<hex>` digest. Exit status 0
// means verified; 1 with the "Verification FAILED" report on stderr means refused. Anything else
// (another status, a timeout, a signal, a stack trace or other output on stderr) is a crash and
// fails the test whatever the case expects. Then a few CLI behaviours are asserted.
//
// Run with the system Node (20): node --test-reporter=spec tests/js/conformance.mjs (each check a
// node:test test, tests/js/harness.mjs).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, runProcess } from './harness.mjs';
import { ROOT, checkDigestExemption, DIGEST_EXEMPT, expectVerified, loadCases, mapLimit, MODES } from './cases.mjs';

const CLI = join(ROOT, 'pkg/cli.js');
const TIMEOUT_MS = 30_000;
const CONCURRENCY = 2;
const FAILED_REPORT = /^Verification FAILED\n {2}check: {2}([A-Z][A-Z0-9_]*)\n {2}reason: \S.*\n?$/s;

/** Runs the CLI with `args`: `{ status, signal, stdout, stderr, timedOut }`. */
function runCli(args) {
  return runProcess(process.execPath, [CLI, ...args], { cwd: ROOT, timeoutMs: TIMEOUT_MS });
}

function verifyArgs(c, mode, extra = []) {
  const args = ['verify-bundle', '--bundle', c.bundle];
  if (c.key) args.push('--key', c.key);
  else args.push('--certificate-identity', c.identity, '--certificate-oidc-issuer', c.issuer);
  if (c.trustedRoot) args.push('--trusted-root', c.trustedRoot);
  args.push(...extra);
  args.push(mode === 'digest' ? c.digest : c.artifact);
  return args;
}

/** 'verified', 'refused' (with the failed check's code) or 'crash' (with why). */
function classify(run) {
  if (run.timedOut) return { outcome: 'crash', why: `timed out after ${TIMEOUT_MS} ms` };
  if (run.signal) return { outcome: 'crash', why: `killed by ${run.signal}` };
  if (run.status === 0) {
    if (run.stderr !== '') return { outcome: 'crash', why: `exit 0 with output on stderr: ${snippet(run.stderr)}` };
    if (!run.stdout.startsWith('Verified OK\n')) return { outcome: 'crash', why: `exit 0 without the "Verified OK" report: ${snippet(run.stdout)}` };
    return { outcome: 'verified' };
  }
  // 1: not verified; 2 with INVALID_INPUT: the inputs themselves were refused. Both are clean refusals.
  if (run.status === 1 || run.status === 2) {
    const m = FAILED_REPORT.exec(run.stderr);
    if (!m || (run.status === 2) !== (m[1] === 'INVALID_INPUT')) {
      return { outcome: 'crash', why: `exit ${run.status} without a matching "Verification FAILED" report on stderr: ${snippet(run.stderr)}` };
    }
    return { outcome: 'refused', code: m[1] };
  }
  return { outcome: 'crash', why: `exit status ${run.status}: ${snippet(run.stderr)}` };
}

function snippet(s) {
  const t = s.trim().replace(/\n/g, ' | ');
  return JSON.stringify(t.length > 400 ? `${t.slice(0, 400)}...` : t);
}


// 1. Every case in both modes.
const cases = loadCases();
const runs = cases.flatMap((c) => c.modes.map((mode) => ({ c, mode })));
const results = await mapLimit(runs, CONCURRENCY, async ({ c, mode }) => ({ c, mode, ...classify(await runCli(verifyArgs(c, mode))) }));
for (const { c, mode, outcome, code, why } of results) {
  const label = `${c.id} (${mode})`;
  const expected = expectVerified(c, mode) ? 'verified' : 'refused';
  if (outcome === 'crash') check(label, false, `CRASH: ${why}`);
  else check(label, outcome === expected, `${outcome}${code ? ` [${code}]` : ''} but must be ${expected}`);
  if (outcome === 'refused') console.log(`  ${label} -> refused: ${code}`);
}

// The real-world digest exemption holds only while its reason does.
for (const c of cases.filter((c) => c.suite === 'realworld' && DIGEST_EXEMPT.has(c.name))) {
  const problem = checkDigestExemption(c);
  check(`${c.id} digest exemption`, problem === undefined, problem);
}

// 2. CLI behaviours.
const byName = (name) => {
  const c = cases.find((x) => x.suite === 'conformance' && x.name === name);
  if (!c) throw new Error(`missing case ${name}`);
  return c;
};
const happy = byName('happy-path-v0.3');
const keyed = byName('managed-key-happy-path');
const failing = byName('signature-mismatch_fail');

async function cliBehaves(label, args, assertion) {
  const run = await runCli(args);
  let problem;
  try {
    problem = assertion(run);
  } catch (e) {
    problem = `assertion threw: ${e.message}`;
  }
  check(`CLI ${label}`, problem === undefined, problem);
}

function parseJson(s) {
  try {
    return JSON.parse(s);
  } catch (e) {
    return { unparseable: `${e.message}: ${snippet(s)}` };
  }
}

await cliBehaves('--help exits 0 with the usage', ['verify-bundle', '--help'], (r) => {
  if (r.timedOut || r.status !== 0) return `exit ${r.status}${r.timedOut ? ' (timed out)' : ''}`;
  if (!r.stdout.startsWith('usage: sigstore-wasm --version\n       sigstore-wasm verify-bundle')) return `no usage on stdout: ${snippet(r.stdout)}`;
});
const { version } = JSON.parse(readFileSync(join(ROOT, 'pkg/package.json'), 'utf8'));
await cliBehaves('--version prints the package\'s version', ['--version'], (r) => {
  if (r.status !== 0 || r.stdout !== `sigstore-wasm ${version}\n`) return `exit ${r.status}: ${snippet(r.stdout)}`;
});
// Every Fulcio claim has a flag, its name in kebab case; the core knows the names.
await cliBehaves('a claim flag: --certificate-source-repository-identifier', verifyArgs(happy, 'bytes', ['--certificate-source-repository-identifier', '1']), (r) => {
  if (r.status !== 1 || !r.stderr.includes('EXTENSION_MISMATCH') || !r.stderr.includes('sourceRepositoryIdentifier')) return `exit ${r.status}: ${snippet(r.stderr)}`;
});
await cliBehaves('a flag for a claim that does not exist exits 2, naming the claims', verifyArgs(happy, 'bytes', ['--certificate-no-such-claim', 'x']), (r) => {
  if (r.status !== 2 || !r.stderr.includes('"noSuchClaim"') || !r.stderr.includes('sourceRepositoryOwnerIdentifier')) return `exit ${r.status}: ${snippet(r.stderr)}`;
});
await cliBehaves('an unknown flag exits 2', [...verifyArgs(happy, 'bytes', ['--no-such-flag'])], (r) => {
  if (r.status !== 2) return `exit ${r.status}, want 2: ${snippet(r.stderr)}`;
  if (!r.stderr.includes('unknown flag --no-such-flag')) return `stderr does not name the flag: ${snippet(r.stderr)}`;
  if (r.stdout !== '') return `output on stdout: ${snippet(r.stdout)}`;
});
await cliBehaves('a missing --bundle exits 2', ['verify-bundle', '--certificate-identity', 'x', '--certificate-oidc-issuer', 'y', happy.artifact], (r) => {
  if (r.status !== 2) return `exit ${r.status}, want 2`;
});
for (const mode of MODES) {
  await cliBehaves(`--output json on a valid bundle (${mode})`, verifyArgs(happy, mode, ['--output', 'json']), (r) => {
    if (r.status !== 0) return `exit ${r.status}: ${snippet(r.stderr)}`;
    if (r.stderr !== '') return `output on stderr: ${snippet(r.stderr)}`;
    const j = parseJson(r.stdout);
    if (j.unparseable) return `stdout is not JSON: ${j.unparseable}`;
    if (j.verified !== true) return `verified is ${JSON.stringify(j.verified)}`;
    if (j.signer?.type !== 'certificate') return `signer.type is ${JSON.stringify(j.signer?.type)}`;
    if (j.signer.subjectAltName !== happy.identity) return `signer.subjectAltName is ${JSON.stringify(j.signer.subjectAltName)}`;
    if (j.signer.issuer !== happy.issuer) return `signer.issuer is ${JSON.stringify(j.signer.issuer)}`;
    if (!Array.isArray(j.tlogEntries) || j.tlogEntries.length === 0) return 'no tlogEntries';
  });
}
await cliBehaves('--output json on a managed-key bundle', verifyArgs(keyed, 'bytes', ['--output', 'json']), (r) => {
  if (r.status !== 0) return `exit ${r.status}: ${snippet(r.stderr)}`;
  const j = parseJson(r.stdout);
  if (j.unparseable) return `stdout is not JSON: ${j.unparseable}`;
  if (j.verified !== true || j.signer?.type !== 'publicKey' || typeof j.signer.keyId !== 'string') return `unexpected ${snippet(r.stdout)}`;
});
await cliBehaves('--output json on a failing bundle', verifyArgs(failing, 'bytes', ['--output', 'json']), (r) => {
  if (r.status !== 1) return `exit ${r.status}, want 1: ${snippet(r.stderr)}`;
  if (r.stderr !== '') return `output on stderr: ${snippet(r.stderr)}`;
  const j = parseJson(r.stdout);
  if (j.unparseable) return `stdout is not JSON: ${j.unparseable}`;
  if (j.verified !== false) return `verified is ${JSON.stringify(j.verified)}`;
  if (typeof j.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(j.code)) return `code is ${JSON.stringify(j.code)}`;
  if (typeof j.message !== 'string' || j.message === '') return `message is ${JSON.stringify(j.message)}`;
});
// The identity flags are enforced: the valid bundle under another identity or issuer is refused.
await cliBehaves('a wrong --certificate-identity is refused', verifyArgs({ ...happy, identity: `${happy.identity}x` }, 'bytes'), (r) => {
  const c = classify(r);
  if (c.outcome !== 'refused' || c.code !== 'IDENTITY_MISMATCH') return `got ${c.outcome} ${c.code ?? c.why ?? ''}`;
});
await cliBehaves('a wrong --certificate-oidc-issuer is refused', verifyArgs({ ...happy, issuer: 'https://accounts.google.com' }, 'bytes'), (r) => {
  const c = classify(r);
  if (c.outcome !== 'refused' || c.code !== 'ISSUER_MISMATCH') return `got ${c.outcome} ${c.code ?? c.why ?? ''}`;
});
// A digest of other bytes is refused: digest mode really binds the artifact.
await cliBehaves('a wrong sha256 digest is refused', verifyArgs({ ...happy, digest: `sha256:${'00'.repeat(32)}` }, 'digest'), (r) => {
  const c = classify(r);
  if (c.outcome !== 'refused') return `got ${c.outcome} ${c.why ?? ''}`;
});


// GitHub's own instance (tests/github_instance.rs checks the core): its release attestations name
// no OIDC issuer and carry a timestamp, no log entry; --github verifies them by the SAN alone.
const githubRelease = ['verify-bundle', '--bundle', 'tests/data/realworld/github/release-attestation-v0.1.sigstore.json', '--certificate-identity', 'https://dotcom.releases.github.com'];
const releasedAsset = 'sha256:e15b593c6ab8d7725a3cc82226ef816cac6bf9c70eed383bd459295cc65f5ec3';
await cliBehaves('--github verifies a release attestation by its SAN alone', [...githubRelease, '--github', releasedAsset], (r) => {
  const c = classify(r);
  if (c.outcome !== 'verified') return `got ${c.outcome} ${c.code ?? c.why ?? ''}`;
});
await cliBehaves('without --github, the same policy is refused: the public-good root needs an issuer', [...githubRelease, releasedAsset], (r) => {
  const c = classify(r);
  if (c.outcome !== 'refused' || c.code !== 'INVALID_INPUT' || !r.stderr.includes('certificateIssuer')) return `got ${c.outcome} ${c.code ?? c.why ?? ''}: ${snippet(r.stderr)}`;
});
await cliBehaves('--github refuses another asset\'s digest', [...githubRelease, '--github', `sha256:${'00'.repeat(32)}`], (r) => {
  const c = classify(r);
  if (c.outcome !== 'refused' || c.code !== 'ARTIFACT_MISMATCH') return `got ${c.outcome} ${c.code ?? c.why ?? ''}`;
});
await cliBehaves('--github and --staging exclude each other', [...githubRelease, '--github', '--staging', releasedAsset], (r) => {
  if (r.status !== 2 || !r.stderr.includes('exclude each other')) return `exit ${r.status}: ${snippet(r.stderr)}`;
});

// The GitHub CLI's policy flags (gh attestation verify), on the conformance beacon's certificate:
// its source repository sigstore-conformance/extremely-dangerous-public-oidc-beacon, GitHub-hosted.
const beacon = 'sigstore-conformance/extremely-dangerous-public-oidc-beacon';
const ghArgs = (flags) => ['verify-bundle', '--bundle', happy.bundle, ...flags, happy.artifact];
for (const [label, flags, want] of [
  ['--owner', ['--owner', 'SIGSTORE-conformance'], 'verified'],
  ['--repo with --signer-workflow and --deny-self-hosted-runners', ['-R', beacon, '--signer-workflow', `${beacon}/.github/workflows/extremely-dangerous-oidc-beacon.yml`, '--deny-self-hosted-runners'], 'verified'],
  ['--source-ref and --source-digest', ['--repo', beacon, '--source-ref', 'refs/heads/main', '--source-digest', 'c7b3dfb335f051e1c86bda4c716fac97df62ad81'], 'verified'],
  ['--cert-identity and --cert-oidc-issuer (gh\'s names)', ['--cert-identity', happy.identity, '--cert-oidc-issuer', happy.issuer], 'verified'],
  ['another --owner', ['--owner', 'sigstore'], 'IDENTITY_MISMATCH'],
  ['another --signer-repo', ['--owner', 'sigstore-conformance', '--signer-repo', 'sigstore-conformance/other'], 'IDENTITY_MISMATCH'],
  ['another --source-ref', ['--repo', beacon, '--source-ref', 'refs/heads/other'], 'EXTENSION_MISMATCH'],
  ['an owner that is a pattern', ['--owner', 'sigstore.*'], 'INVALID_INPUT'],
]) {
  await cliBehaves(`gh's flags: ${label}`, ghArgs(flags), (r) => {
    const c = classify(r);
    const got = c.outcome === 'verified' ? 'verified' : c.code ?? `${c.outcome} ${c.why}`;
    if (got !== want) return `got ${got}, want ${want}: ${snippet(r.stderr)}`;
  });
}

// --github --tuf: GitHub's TUF repository, from its pinned root; offline with an empty cache, the
// embedded GitHub root is used, and the CLI says so on stderr.
{
  const cache = mkdtempSync(join(tmpdir(), 'sigstore-wasm-tuf-github-'));
  await cliBehaves('--github --tuf --tuf-offline falls back to the embedded GitHub root, with a warning', [...githubRelease, '--github', '--tuf', '--tuf-offline', '--tuf-cache', cache, releasedAsset], (r) => {
    if (r.status !== 0 || !r.stdout.startsWith('Verified OK\n')) return `exit ${r.status}: ${snippet(r.stdout + r.stderr)}`;
    if (!/embedded in this package/.test(r.stderr)) return `no warning on stderr: ${snippet(r.stderr)}`;
  });
  rmSync(cache, { recursive: true, force: true });
}
