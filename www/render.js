// What a verification shows: the verdict first, then each check, the signer, the log entries,
// the times, the statement and the raw JSON. Every string from a bundle, a registry or a log is
// put into the page as text (textContent), never as HTML, and a link is made only of an https
// URL.

/** An element with attributes and children; strings become text nodes. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A link to `url` if it is an https URL, else the text alone. */
function link(url, text = url) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:') return el('a', { href: parsed.href, rel: 'noopener noreferrer', target: '_blank' }, text);
  } catch {
    // Not a URL: shown as text.
  }
  return document.createTextNode(String(text));
}

function table(rows) {
  return el('table', {}, el('tbody', {}, rows.map(([name, value]) => el('tr', {}, el('th', { scope: 'row' }, name), el('td', {}, value)))));
}

const claim = (signer, name) => signer.extensions?.find((e) => e.name === name)?.value;

/** The signer's source: repository, commit, workflow file at that commit, and the run, as links. */
function provenanceLinks(signer) {
  const repository = claim(signer, 'sourceRepositoryUri');
  const commit = claim(signer, 'sourceRepositoryDigest');
  const buildConfig = claim(signer, 'buildConfigUri');
  const run = claim(signer, 'runInvocationUri');
  const rows = [];
  if (repository) rows.push(['Repository', link(repository)]);
  if (repository && commit) rows.push(['Commit', link(`${repository}/commit/${commit}`, commit)]);
  const workflowPath = buildConfig?.match(/^https:\/\/github\.com\/[^/]+\/[^/]+\/(.+)@[^@]+$/)?.[1];
  if (repository && commit && workflowPath) rows.push(['Workflow file at that commit', link(`${repository}/blob/${commit}/${workflowPath}`, workflowPath)]);
  if (run) rows.push(['Run', link(run)]);
  return rows;
}

function signerSection(signer) {
  if (signer.type === 'publicKey') {
    return el('section', {}, el('h3', {}, 'Signer'), table([['Public key (SHA-256 of its SPKI)', signer.keyId], ['Hint', signer.hint ?? '(none)']]));
  }
  return el(
    'section',
    {},
    el('h3', {}, 'Signer'),
    table([
      [`Identity (${signer.subjectAltNameType})`, signer.subjectAltName],
      ['OIDC issuer', signer.issuer],
      ['Certificate authority', signer.certificateAuthority],
      ['Certificate valid', `${signer.notBefore} to ${signer.notAfter}`],
      ...provenanceLinks(signer),
    ]),
    el('h4', {}, 'Every Fulcio claim'),
    table(signer.extensions.map((e) => [`${e.name} (${e.oid})`, e.value])),
  );
}

/** The checks that passed, in the order the core runs them, in the core's words. */
function checksPassed(result, policyLabel, rootLabel) {
  const items = [];
  for (const t of result.verifiedTimes) {
    items.push(t.source === 'timestampAuthority' ? `Timestamp: ${t.time}, signed by the authority ${t.uri}` : `Time: ${t.time}, the integration time ${t.logUrl} signed`);
  }
  for (const e of result.tlogEntries) {
    const proof = e.inclusionProof ? `inclusion proof in a tree of ${e.inclusionProof.treeSize}, checkpoint "${e.inclusionProof.checkpointOrigin}" signed by the log` : 'no inclusion proof';
    items.push(`Transparency log: ${e.kind}/${e.version} entry ${e.logIndex} of ${e.logUrl} records this signature; ${proof}`);
  }
  if (result.signer.type === 'certificate') {
    items.push(`Certificate: chains to ${result.signer.certificateAuthority}, valid at every verified time`);
    if (result.scts.length) items.push(`SCTs: ${result.scts.length} certificate transparency timestamp(s) verified (${result.scts.map((s) => s.logUrl).join(', ')})`);
  }
  items.push(`Signature: the ${result.payloadType ? 'DSSE envelope' : 'artifact'} signature verifies under the signer's key`);
  items.push(result.statement ? 'Artifact: it is a subject of the signed statement' : 'Artifact: it is what was signed');
  items.push(policyLabel, rootLabel);
  return el('section', {}, el('h3', {}, 'Checks'), el('ul', { class: 'checks' }, items.map((text) => el('li', {}, text))));
}

function entriesSection(entries) {
  return el(
    'section',
    {},
    el('h3', {}, 'Transparency log'),
    entries.map((e) =>
      table([
        ['Log', link(e.logUrl)],
        ['Index', /rekor\.sigstore\.dev$/.test(safeHost(e.logUrl)) ? link(`https://search.sigstore.dev/?logIndex=${e.logIndex}`, String(e.logIndex)) : String(e.logIndex)],
        ['Kind', `${e.kind} ${e.version}`],
        ['Integrated', e.integratedTime ?? '(no signed time: Rekor v2)'],
        ['Inclusion proof', e.inclusionProof ? `tree size ${e.inclusionProof.treeSize}, checkpoint origin "${e.inclusionProof.checkpointOrigin}"` : '(none: the SET is the proof)'],
      ]),
    ),
  );
}

function safeHost(url) {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

function statementSection(statement) {
  const predicate = statement.predicate ?? {};
  const summary = [];
  // SLSA provenance v1 and v0.2: who built it, how, from what.
  const builder = predicate.runDetails?.builder?.id ?? predicate.builder?.id;
  const buildType = predicate.buildDefinition?.buildType ?? predicate.buildType;
  const workflow = predicate.buildDefinition?.externalParameters?.workflow;
  if (builder) summary.push(['Builder', String(builder)]);
  if (buildType) summary.push(['Build type', String(buildType)]);
  if (workflow && typeof workflow === 'object') summary.push(['Workflow', `${workflow.repository ?? ''} ${workflow.path ?? ''} @ ${workflow.ref ?? ''}`]);
  return el(
    'section',
    {},
    el('h3', {}, 'In-toto statement'),
    table([
      ['Predicate type', statement.predicateType],
      ...statement.subjects.flatMap((s, i) => [
        [`Subject ${i + 1}`, `${s.name ?? '(unnamed)'}: ${Object.entries(s.digests).map(([a, d]) => `${a}:${d}`).join(', ')}`],
        ...Object.entries(s.annotations ?? {}).map(([key, value]) => [`Subject ${i + 1} annotation ${key}`, typeof value === 'string' ? value : JSON.stringify(value)]),
      ]),
      ...summary,
    ]),
  );
}

/** What an image signature's payload claims, and the annotations signed with it (cosign -a). */
function claimsSection(claims) {
  const annotations = Object.entries(claims.optional ?? {}).map(([key, value]) => [`annotation ${key}`, typeof value === 'string' ? value : JSON.stringify(value)]);
  return el(
    'section',
    {},
    el('h3', {}, 'Signed claims'),
    table([['Type', claims.type], ['Image', claims.dockerReference], ['Manifest digest', claims.dockerManifestDigest], ...annotations]),
  );
}

function rawJson(label, value) {
  return el('details', {}, el('summary', {}, label), el('pre', {}, JSON.stringify(value, null, 2)));
}

function commandSection(command) {
  return el('section', {}, el('h3', {}, 'The same check from a terminal'), el('pre', { class: 'command' }, command));
}

/** A verified bundle. */
export function renderVerified(result, { policyLabel, rootLabel, unchecked, command }) {
  const signer = result.signer.type === 'certificate' ? result.signer.subjectAltName : `key ${result.signer.keyId}`;
  const verdict = unchecked ? `Signature valid, signer not checked against any policy (signed by ${signer})` : `Verified: signed by ${signer}`;
  return [
    el('h2', { class: unchecked ? 'verdict unchecked' : 'verdict ok' }, verdict),
    checksPassed(result, policyLabel, rootLabel),
    signerSection(result.signer),
    result.tlogEntries.length ? entriesSection(result.tlogEntries) : null,
    result.claims ? claimsSection(result.claims) : null,
    result.statement ? statementSection(result.statement) : null,
    command ? commandSection(command) : null,
    rawJson('Raw result (JSON)', result),
  ];
}

/** A refusal: the code names the check, the message says what was expected and found. */
export function renderFailure(error, { hint, command } = {}) {
  return [
    el('h2', { class: 'verdict failed' }, `Not verified: ${error.code ?? 'ERROR'}`),
    el('p', { class: 'message' }, error.message ?? String(error)),
    hint ? el('p', { class: 'hint' }, hint) : null,
    command ? commandSection(command) : null,
    error.report ? rawJson('What was found (JSON)', error.report) : null,
  ];
}

/** A lookup's report with one verdict per item found: the first that holds, in full, after the list. */
function renderReport(list, items, error, labels) {
  const first = items.find((item) => item.verified);
  if (!first) return [...renderFailure(error ?? { code: 'NO_MATCHING_SIGNATURES', message: 'nothing found satisfies the policy' }, labels), list];
  const [verdict, ...rest] = renderVerified(first.result, labels);
  return [verdict, list, ...rest];
}

/** A package registry's attestations: each with the artifact it is about and its own verdict. */
export function renderAttestations(report, labels) {
  const list = el(
    'section',
    {},
    el('h3', {}, `${report.attestations.length} attestation(s) found for ${report.subject}`),
    el(
      'ul',
      { class: 'signatures' },
      report.attestations.map((a) => {
        const artifact = report.artifacts[a.artifact];
        const about = artifact ? `${artifact.name} (${artifact.digest})` : '';
        const type = a.result?.statement?.predicateType ?? '';
        return el('li', { class: a.verified ? 'ok' : 'failed' }, `${about} ${type}: `, a.verified ? 'verified' : `${a.error?.code}: ${a.error?.message}`);
      }),
    ),
  );
  const nodes = renderReport(list, report.attestations, report.error, labels);
  if (report.verified) nodes[0].textContent = `${nodes[0].textContent} (${report.verified} of ${report.attestations.length} attestations of ${report.subject} hold)`;
  return [...nodes, rawJson('Report (JSON)', report)];
}

/** An image's report: every signature found, each with its own verdict. */
export function renderImage(report, options) {
  const list = el(
    'section',
    {},
    el('h3', {}, `${report.signatures.length} ${report.kind === 'attestations' ? `attestation(s) of type ${report.predicateType}` : 'signature(s)'} found for ${report.name}@${report.digest}`),
    el(
      'ul',
      { class: 'signatures' },
      report.signatures.map((s) =>
        el('li', { class: s.verified ? 'ok' : 'failed' }, `${s.format} (${s.tag ?? s.via ?? 'referrer'}, manifest ${s.manifest}): `, s.verified ? 'verified' : `${s.error?.code}: ${s.error?.message}`),
      ),
    ),
    report.problems.length ? el('ul', { class: 'problems' }, report.problems.map((p) => el('li', {}, `${p.source}: ${p.error.code}: ${p.error.message}`))) : null,
  );
  const nodes = renderReport(list, report.signatures, report.error, options);
  if (report.verified) nodes[0].textContent = `${nodes[0].textContent} (${report.verified} of ${report.signatures.length} ${report.kind} hold for ${report.name}@${report.digest})`;
  return [...nodes, rawJson('Image report (JSON)', report)];
}

/**
 * Rekor entries, each shown only once verified: the first open, the others folded under a line
 * that names them (a search may find a hundred, which a person scans rather than reads).
 */
export function renderEntries(entries, { rootLabel, command }) {
  if (!entries.length) return [el('h2', { class: 'verdict failed' }, 'No entries found'), commandSection(command)];
  return [
    el('h2', { class: 'verdict ok' }, `${entries.length} Rekor entr${entries.length === 1 ? 'y' : 'ies'} verified (SET, inclusion proof, signed checkpoint)`),
    el('p', {}, rootLabel),
    ...entries.map((e, i) =>
      el(
        'details',
        { class: 'entry', open: i === 0 },
        el('summary', {}, el('h3', {}, `Entry ${e.logIndex}`), ` · ${e.integratedTime ?? 'no integration time'} · ${e.signer?.type === 'certificate' ? e.signer.subjectAltName : (e.signer?.keyId ?? 'no signer')}`),
        table([
          ['UUID', e.uuid],
          ['Log', link(e.logUrl)],
          ['Kind', `${e.kind} ${e.version}`],
          ['Integrated', e.integratedTime ?? ''],
          ['Inclusion proof', e.inclusionProof ? `tree size ${e.inclusionProof.treeSize}, checkpoint origin "${e.inclusionProof.checkpointOrigin}"` : ''],
          ['Artifact digest', e.digest ?? '(none)'],
          ['Signer (as the body names it)', e.signer?.type === 'certificate' ? `${e.signer.subjectAltName} (${e.signer.issuer})` : (e.signer?.keyId ?? '(none)')],
        ]),
        rawJson('Decoded body (JSON)', e.body),
      ),
    ),
    commandSection(command),
  ];
}
