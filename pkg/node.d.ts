// The declarations of the Node, Deno and Bun entry (node.js): everything every entry has
// (index.d.ts), and a TUF cache in a directory, which only this one has.
import type { TufCache } from './index.js';

export * from './index.js';

/** A TUF cache in a directory: `dir`, or one per repository `url` under `$XDG_CACHE_HOME/sigstore-wasm/tuf`. */
export function fileCache(url: string, dir?: string): TufCache;
