// For the runtimes with a file system (Node, Deno, Bun): the test data and the process around the
// suite. Run from the scratch project (tests/js/runtimes.sh copies this file there), whose data/
// holds a copy of the files smoke.js names.
import { readFile } from 'node:fs/promises';
import { FIXTURE_FILES } from './smoke.js';

export async function loadFixtures(dir = new URL('./data/', import.meta.url)) {
  const read = (name) => readFile(new URL(FIXTURE_FILES[name], dir));
  const [happy, dsse, fail, artifact] = await Promise.all(['happy', 'dsse', 'fail', 'artifact'].map(read));
  const text = (bytes) => new TextDecoder().decode(bytes);
  return { happy: text(happy), dsse: text(dsse), fail: text(fail), artifact: new Uint8Array(artifact) };
}

export function runtimeName() {
  if (globalThis.Deno) return `deno ${globalThis.Deno.version.deno}`;
  if (globalThis.Bun) return `bun ${globalThis.Bun.version}`;
  return `node ${globalThis.process.version}`;
}

export function exit(code) {
  if (globalThis.Deno) globalThis.Deno.exit(code);
  globalThis.process.exit(code);
}
