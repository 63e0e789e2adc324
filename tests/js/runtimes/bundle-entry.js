// The entry esbuild bundles for the browser test (tests/js/runtimes/browser.mjs esbuild): the
// package by name, resolved from the scratch project with the `browser` condition (browser.js).
export { verifyBundle, createVerifier, describeTrustedRoot, createDigester, VerificationError } from 'sigstore-wasm';
