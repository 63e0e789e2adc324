// TypeScript check of the package's declarations (run by tests/js/runtimes.sh with Node from the
// repository root): `node tests/js/runtimes/types.mjs <scratch project>`.
//
// 1. tests/js/types/example.ts type-checks against pkg/index.d.ts (tsconfig.json maps the name);
// 2. the same file type-checks in the scratch project, where 'sigstore-wasm' is the installed
//    tarball and its declarations come through the `types` condition of `exports`;
// 3. tests/js/types/invalid.ts fails, with errors on exactly its `expect-error` lines.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './smoke.js';

const scratch = process.argv[2];
if (!scratch) {
  console.error('usage: types.mjs <scratch project>');
  process.exit(2);
}
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const types = join(repo, 'tests/js/types');
const tsc = join(repo, 'node_modules/.bin/tsc');
const FLAGS = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--pretty', 'false'];

/** Runs tsc (bounded); resolves to its exit status and output. */
function run(args, cwd = repo) {
  try {
    return { status: 0, output: execFileSync(tsc, args, { cwd, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    if (e.status === null || e.status === undefined) throw e; // killed or not started
    return { status: e.status, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const checks = [];
function check(name, body) {
  const started = Date.now();
  try {
    const detail = body();
    checks.push({ name, ok: true, ms: Date.now() - started, ...(detail === undefined ? {} : { detail }) });
  } catch (e) {
    checks.push({ name, ok: false, ms: Date.now() - started, error: String((e && e.stack) || e) });
  }
}

check('example.ts type-checks against pkg/index.d.ts (paths mapping)', () => {
  const { status, output } = run(['-p', join(types, 'tsconfig.json'), ...FLAGS, '--listFiles']);
  if (status !== 0) throw new Error(`tsc exited ${status}:\n${output}`);
  if (!output.split('\n').includes(join(repo, 'pkg/index.d.ts'))) throw new Error(`pkg/index.d.ts was not used:\n${output}`);
});

check("example.ts type-checks in the scratch project ('sigstore-wasm' installed from the tarball)", () => {
  mkdirSync(join(scratch, 'types'), { recursive: true });
  copyFileSync(join(types, 'example.ts'), join(scratch, 'types/example.ts'));
  const { status, output } = run([...FLAGS, '--target', 'es2022', '--types', '', '--listFiles', 'types/example.ts'], scratch);
  if (status !== 0) throw new Error(`tsc exited ${status}:\n${output}`);
  const declarations = join(scratch, 'node_modules/sigstore-wasm/index.d.ts');
  if (!output.split('\n').includes(declarations)) throw new Error(`${declarations} was not used:\n${output}`);
  return 'node_modules/sigstore-wasm/node.d.ts (and index.d.ts) via exports["."].node.types';
});

check('invalid.ts fails to type-check, on exactly its expect-error lines', () => {
  const source = readFileSync(join(types, 'invalid.ts'), 'utf8').split('\n');
  const expected = source.flatMap((line, i) => (/\/\/ expect-error\b/.test(line) ? [i + 1] : []));
  if (expected.length === 0) throw new Error('invalid.ts marks no line');
  const { status, output } = run(['-p', join(types, 'tsconfig.invalid.json'), ...FLAGS]);
  if (status === 0) throw new Error('tsc accepted invalid.ts');
  const errors = [...output.matchAll(/invalid\.ts\((\d+),\d+\): error (TS\d+)/g)].map((m) => ({ line: Number(m[1]), code: m[2] }));
  const failing = [...new Set(errors.map((e) => e.line))].sort((a, b) => a - b);
  const missing = expected.filter((line) => !failing.includes(line));
  const unexpected = failing.filter((line) => !expected.includes(line));
  if (missing.length || unexpected.length || errors.length === 0) {
    throw new Error(`lines that should fail but do not: ${JSON.stringify(missing)}; lines failing unexpectedly: ${JSON.stringify(unexpected)}\n${output}`);
  }
  return `${expected.length} lines rejected (${[...new Set(errors.map((e) => e.code))].join(', ')})`;
});

const version = `tsc ${run(['--version']).output.trim().replace(/^Version /, '')}`;
process.exit(report(checks, version) ? 0 : 1);
