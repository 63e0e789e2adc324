// One decision of the gate: the subrequests it makes (counted: the free plan allows 50 a
// request), its one structured log line, and the answer a refusal gets.

export class Decision {
  #started = Date.now();
  subrequests = 0;

  constructor(gate, subject) {
    this.gate = gate;
    this.subject = subject;
  }

  /** `fetch`, counted against this decision. */
  fetch = (input, init) => {
    this.subrequests++;
    return fetch(input, init);
  };

  /** The one log line of a decision: what was asked, what was decided and why, at what cost. */
  log(fields) {
    console.log(JSON.stringify({ gate: this.gate, subject: this.subject, ...fields, subrequests: this.subrequests, ms: Date.now() - this.#started }));
  }

  /** Headers every answer of the gate carries: what it decided, and the cost. */
  headers(verdict, source, root) {
    const decision = !verdict.allowed ? 'denied' : verdict.failures.length ? 'warned' : 'allowed';
    const headers = { 'sigstore-gate': `${decision}; verdict=${source}; subrequests=${this.subrequests}; root=${root}` };
    if (verdict.allowed && verdict.failures.length) headers['sigstore-gate-warning'] = JSON.stringify(verdict.failures);
    return headers;
  }
}

/** The JSON of a refusal: the failed check's code and message, which rule, which signature. */
export function refusalBody(verdict, subject) {
  const [first] = verdict.failures.filter((f) => f.mode === 'enforce');
  return { error: { code: first.code, message: first.message }, subject, rule: first.rule, ...(first.signature === undefined ? {} : { signature: first.signature }), failures: verdict.failures };
}
