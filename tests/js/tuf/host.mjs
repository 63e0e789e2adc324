// The TUF suite (suite.js) in a runtime with a file system: Node (run.mjs imports runSuite), Deno
// and Bun (run.mjs runs this file). The package is the repository's pkg/node.js, whose default TUF
// cache is a directory under $XDG_CACHE_HOME, which the caller points at an empty directory.
//
//   <deno run ... | bun> tests/js/tuf/host.mjs <base URL> <OUT/root.json>
//
// prints the checks as one line, `tuf-suite: {"runtime": ..., "checks": [...]}`, and exits 0 if all
// passed.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as pkg from '../../../pkg/node.js';
import { exit, loadFixtures, runtimeName } from '../runtimes/host.js';
import { tufSuite } from './suite.js';

export const RESULT_PREFIX = 'tuf-suite: ';

/** The files under `dir`, as `/`-separated paths relative to it. */
async function walk(dir, prefix = '') {
  const names = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) names.push(...(await walk(join(dir, entry.name), `${prefix}${entry.name}/`)));
    else names.push(`${prefix}${entry.name}`);
  }
  return names;
}

/** Runs the suite here with the default cache in `$XDG_CACHE_HOME` (set `xdg` to set it first). */
export async function runSuite({ base, pinnedRootPath, xdg }) {
  if (xdg) process.env.XDG_CACHE_HOME = xdg;
  const cacheHome = process.env.XDG_CACHE_HOME;
  if (!cacheHome) throw new Error('XDG_CACHE_HOME is not set: the default cache would be the user\'s');
  const fixtures = await loadFixtures(new URL('../../data/conformance/bundle-verify/', import.meta.url));
  const checks = await tufSuite(pkg, {
    base,
    pinnedRoot: new Uint8Array(await readFile(pinnedRootPath)),
    bundle: fixtures.happy,
    artifact: fixtures.artifact,
    // fileCache's directory for the repository, as pkg/node.js documents it.
    probeDefaultCache: async (url) => {
      const dir = join(cacheHome, 'sigstore-wasm', 'tuf', encodeURIComponent(url));
      return { where: dir, names: await walk(dir).catch(() => []) };
    },
  });
  return { runtime: runtimeName(), checks };
}

if (import.meta.main) {
  const [base, pinnedRootPath] = (globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2));
  const result = await runSuite({ base, pinnedRootPath });
  console.log(`${RESULT_PREFIX}${JSON.stringify(result)}`);
  exit(result.checks.length > 0 && result.checks.every((c) => c.ok) ? 0 : 1);
}
