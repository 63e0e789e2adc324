// How the rules that cover a request decide it, for files and images alike: every matching rule
// must pass; within a rule, `threshold` of its authorities (identities and keys; 1 by default)
// must each be satisfied; a static rule passes or fails without looking; a failing rule in "warn"
// mode lets the request through and is reported. No rule at all is a refusal: the gate fails
// closed.

/**
 * @param rules the rules covering the subject (policy.js rulesFor)
 * @param check (rule, authority) => Promise<null | { code, message, signature? }>: null when the
 *   authority is satisfied under the rule's attestation requirements and counts
 * @returns the verdict: `{ allowed, verified, failures: [{ rule, mode, code, message, ... }] }`,
 *   `verified` when some rule that checks signatures passed (the subject's digest is then
 *   authenticated: a "warn" verdict without it is served unchecked)
 */
export async function decide(rules, subject, check) {
  if (rules.length === 0) {
    return { allowed: false, verified: false, failures: [{ rule: null, mode: 'enforce', code: 'NO_RULE', message: `no rule of the gate's policy covers ${subject}` }] };
  }
  const failures = [];
  let verified = false;
  for (const rule of rules) {
    const failure = await decideRule(rule, check);
    if (failure) failures.push({ rule: rule.name, mode: rule.mode, ...failure });
    else if (rule.static === null) verified = true;
  }
  return { allowed: failures.every((f) => f.mode === 'warn'), verified, failures };
}

async function decideRule(rule, check) {
  if (rule.static === 'allow') return null;
  if (rule.static === 'deny') return { code: 'DENIED_BY_RULE', message: `rule ${rule.name} denies everything it covers` };
  let satisfied = 0;
  const refused = [];
  for (const [index, authority] of rule.authorities.entries()) {
    const problem = await check(rule, authority);
    if (problem === null) {
      if (++satisfied >= rule.threshold) return null;
    } else refused.push({ authority: index, ...problem });
  }
  // The first authority's reason leads: with one authority (the common case) it is the reason.
  const [first] = refused;
  const needed = rule.threshold > 1 ? `${satisfied} of the ${rule.threshold} authorities required were satisfied; ` : '';
  return { code: first.code, message: `${needed}${first.message}`, ...(first.signature === undefined ? {} : { signature: first.signature }), authorities: refused };
}

/** Whether any rule checks signatures (a request covered only by static rules needs none). */
function needsSignatures(rules) {
  return rules.some((rule) => rule.static === null);
}

/**
 * The verdict when the rules reach one without signatures (none covers the subject, all are
 * static, or one denies and enforces), else null.
 */
export function staticVerdict(rules, subject) {
  const denying = rules.filter((rule) => rule.static === 'deny' && rule.mode === 'enforce');
  const settled = rules.length === 0 || !needsSignatures(rules) ? rules : denying.length ? denying : null;
  return settled && decide(settled, subject, () => Promise.reject(new Error('a static rule checks nothing')));
}
