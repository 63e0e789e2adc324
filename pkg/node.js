// Node, Deno and Bun: the module's bytes are read from the package directory.
import { readFile } from 'node:fs/promises';
import { createApi } from './api.js';
import * as glue from './wasm/sigstore_wasm.js';

const api = createApi(async () => {
  glue.initSync({ module: await readFile(new URL('./wasm/sigstore_wasm_bg.wasm', import.meta.url)) });
  return glue;
});

export const { createVerifier, createDigester, verifyBundle, verifyImage, verifyImageAttestations, verifyAttestations, getLogEntry, searchLogEntries, VerificationError } =
  api;
