// Must NOT type-check: every line marked `expect-error` must fail, and no other line
// (tests/js/runtimes/types.mjs checks that the errors are exactly on the marked lines).
import { cachedVerifier, createVerifier, describeTrustedRoot, verifyBundle, verifyImage, verifyImageAttestations, VerificationError, type VerificationErrorCode, type VerificationResult } from 'sigstore-wasm';
import { fileCache as inTheBrowser } from '../../../pkg/index.js'; // expect-error: only the Node, Deno and Bun entry has a cache in a directory

declare const bundle: object;
declare const artifact: Uint8Array;
declare const result: VerificationResult;

await verifyBundle(bundle, artifact, { certificateIdentity: 42 }); // expect-error: an option of the wrong type
await verifyBundle(bundle, artifact, { tlogThreshold: '1' }); // expect-error: a number option given a string
await verifyBundle(bundle, artifact, { certificateIdentty: 'x' }); // expect-error: an unknown option name
await verifyBundle(bundle, artifact, { certificateExtensions: { githubWorkflowRepo: 'acme/app' } }); // expect-error: an unknown Fulcio claim
await verifyBundle(bundle, 42); // expect-error: an artifact that is neither bytes nor a digest string
await verifyBundle(42, artifact); // expect-error: a bundle that is neither an object, text nor bytes
(await createVerifier()).verify(bundle, artifact).then(() => {}); // expect-error: verify() is synchronous, not a promise
result.signer.subjectAltName.length; // expect-error: the signer must be narrowed to a certificate first
const code: VerificationErrorCode = 'NOT_A_CODE'; // expect-error: an error code outside the list
new VerificationError('NOPE', 'message'); // expect-error: the same, through the constructor
await verifyImageAttestations('ghcr.io/o/a', { certificateIdentity: 'x', certificateIssuer: 'y' }); // expect-error: attestations need a predicate type
await verifyImageAttestations('ghcr.io/o/a', { predicateType: 'p', annotations: { a: 'b' } }); // expect-error: annotations are for signatures
await verifyImage('ghcr.io/o/a', { annotations: { env: 1 } }); // expect-error: annotation values are strings
await describeTrustedRoot({ certificateIdentity: 'x' }); // expect-error: only the root and the network's options
await cachedVerifier({ certificateIdentity: 'x' }); // expect-error: a kept verifier has no policy of its own
export { code };
void inTheBrowser;
