// The image and Rekor cases of world.json (written by tests/oci.rs), run through the package's
// API. Runtime-neutral: the Node runner (run.mjs) and the workerd worker (worker/worker.js) both
// use it, each with the servers it was told about.

/**
 * Where each of a case's servers is: `registries` maps a case's `server` to `host:port`; `rekor`
 * and `rekorLiar` are base URLs.
 */
export function place(value, where, server) {
  const text = JSON.stringify(value)
    .replaceAll('REGISTRY', where.registries[server] ?? 'REGISTRY')
    .replaceAll('REKOR_LIAR', where.rekorLiar)
    .replaceAll('"REKOR"', JSON.stringify(where.rekor));
  return JSON.parse(text);
}

/** What a report says, in the shape of a case's `expect`. */
export function summarize(report, error) {
  return {
    error,
    verified: report.verified,
    signatures: report.signatures.map((s) => ({ format: s.format, error: s.error?.code ?? null })),
    problems: report.problems.map((p) => p.error.code),
  };
}

/**
 * Runs one case with `verifier` (from `createVerifier({ trustedRoot })`); resolves to its
 * summary. Anything thrown that is not a VerificationError is a crash, reported as such.
 */
export async function runCase(verifier, VerificationError, testCase, where, extraOptions = {}) {
  const target = place(testCase.target, where, testCase.server);
  const options = { ...place(testCase.options, where, testCase.server), ...extraOptions };
  try {
    switch (testCase.call) {
      case 'verifyImage':
      case 'verifyImageAttestations': {
        const report = await verifier[testCase.call](target, options);
        return summarize(report, null);
      }
      case 'getLogEntry':
        await verifier.getLogEntry(target, options);
        return { error: null, entries: 1 };
      case 'searchLogEntries':
        return { error: null, entries: (await verifier.searchLogEntries(target, options)).length };
      default:
        return { crashed: `unknown call ${testCase.call}` };
    }
  } catch (e) {
    if (!(e instanceof VerificationError)) return { crashed: String(e?.stack ?? e) };
    return e.report ? summarize(e.report, e.code) : { error: e.code, message: e.message };
  }
}

/** Whether `actual` has every member `expect` names, with the same value. */
export function meets(actual, expect) {
  return !('crashed' in actual) && Object.entries(expect).every(([k, v]) => canonicalJson(actual[k] ?? null) === canonicalJson(v));
}

/**
 * JSON with object keys sorted recursively (by UTF-16 code units) and no whitespace: how Rekor
 * canonicalises an entry, and how equal values compare equal whatever their key order.
 */
export function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => value[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
