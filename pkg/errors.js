// The package's one error class, and the guard every call into wasm goes through.

/**
 * A failed verification: `code` names the check (see the README), `message` says why. An image
 * that does not verify also carries the `report` of everything found for it.
 */
export class VerificationError extends Error {
  constructor(code, message, report) {
    super(message);
    this.name = 'VerificationError';
    this.code = code;
    if (report !== undefined) this.report = report;
  }
}

/** Runs a call into wasm and rethrows its errors (an `Error` named `VerificationError` with a `code`) as `VerificationError`. */
export function guard(call) {
  try {
    return call();
  } catch (e) {
    if (e instanceof VerificationError) throw e;
    if (e && e.name === 'VerificationError' && typeof e.code === 'string') throw new VerificationError(e.code, e.message);
    throw e;
  }
}
