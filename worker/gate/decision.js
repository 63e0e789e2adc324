// One decision of the gate: the subrequests it makes (counted: the free plan allows 50 a
// request), its one structured log line, and the answer a refusal gets.

/** What a verdict comes to: "allow", "warn" (served, its failures reported) or "deny". */
export function outcomeOf(verdict) {
  return !verdict.allowed ? 'deny' : verdict.failures.length ? 'warn' : 'allow';
}

const ANSWERED = { allow: 'allowed', warn: 'warned', deny: 'denied' };

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
    const headers = { 'sigstore-gate': `${ANSWERED[outcomeOf(verdict)]}; verdict=${source}; subrequests=${this.subrequests}; root=${root}` };
    if (outcomeOf(verdict) === 'warn') headers['sigstore-gate-warning'] = JSON.stringify(verdict.failures);
    return headers;
  }
}

/** The JSON of a refusal: the failed check's code and message, which rule, which signature. */
export function refusalBody(verdict, subject) {
  const [first] = verdict.failures.filter((f) => f.mode === 'enforce');
  return { error: { code: first.code, message: first.message }, subject, rule: first.rule, ...(first.signature === undefined ? {} : { signature: first.signature }), failures: verdict.failures };
}
