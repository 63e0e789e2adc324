// The verification page: three ways in (an image, a bundle with its artifact, a Rekor entry),
// one policy, and the result. It uses the npm package as any page would; everything runs here,
// in the browser. The URL fragment holds the inputs, so a link reproduces the check.
import { describeTrustedRoot, getLogEntry, searchLogEntries, verifyAttestations, verifyBundle, verifyImage, verifyImageAttestations } from 'sigstore-wasm';
import { anchoredForm, cliCommand, hasSigner, packageOptions, POLICY_FIELDS, PRESETS, policyLabel, readPolicy } from './policy.js';
import { el, renderAttestations, renderEntries, renderFailure, renderImage, renderVerified } from './render.js';

const form = document.getElementById('check');
const result = document.getElementById('result');
const progress = document.getElementById('progress');
const progressText = document.getElementById('progress-text');
const tabs = [...document.querySelectorAll('[role="tab"]')];
const WAYS = ['image', 'bundle', 'rekor', 'package'];
/**
 * An artifact up to this size is handed over whole, so that every check runs on its bytes
 * (WebCrypto verifies a message signature over them; over a digest only the crypto module can,
 * which is then fetched); hashing it holds the main thread a few milliseconds. A larger one is
 * hashed in a worker as it is read from the disk (digestOf), and verified by its digest: it never
 * sits in memory, and the page keeps answering however large it is.
 */
const WHOLE_FILE_BYTES = 1 << 20;

form.elements.proxy.value = new URL('proxy/', document.baseURI).href;

// ---------------------------------------------------------------------------------------------
// Tabs: arrow keys move between them, as the ARIA tabs pattern has it.

function selectTab(way, { focus = false } = {}) {
  for (const tab of tabs) {
    const selected = tab.id === `tab-${way}`;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    document.getElementById(tab.getAttribute('aria-controls')).hidden = !selected;
    if (selected && focus) tab.focus();
  }
}

function currentWay() {
  return tabs.find((t) => t.getAttribute('aria-selected') === 'true').id.slice('tab-'.length);
}

for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab.id.slice('tab-'.length)));
  tab.addEventListener('keydown', (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    const next = WAYS[(WAYS.indexOf(currentWay()) + step + WAYS.length) % WAYS.length];
    selectTab(next, { focus: true });
    event.preventDefault();
  });
}

// ---------------------------------------------------------------------------------------------
// Policy: presets, and a visible warning with the anchored form for an unanchored expression.

document.getElementById('preset').addEventListener('change', (event) => {
  const preset = PRESETS[event.target.value];
  if (!preset) return;
  form.elements.identity.value = preset.identity;
  form.elements.identityRegexp.checked = preset.identityRegexp;
  form.elements.issuer.value = preset.issuer;
  form.elements.issuerRegexp.checked = preset.issuerRegexp;
  updateWarnings();
  form.elements.identity.focus();
});

function updateWarning(field) {
  const warning = document.getElementById(`${field}-warning`);
  const anchored = form.elements[`${field}Regexp`].checked ? anchoredForm(form.elements[field].value.trim()) : undefined;
  warning.replaceChildren();
  warning.hidden = anchored === undefined;
  if (anchored === undefined) return;
  const use = el('button', { type: 'button', class: 'small' }, 'Use the anchored form');
  use.addEventListener('click', () => {
    form.elements[field].value = anchored;
    updateWarnings();
  });
  warning.append(`This expression is not anchored: it also matches any ${field} that merely contains a match. Anchored: `, el('code', {}, anchored), ' ', use);
}

function updateWarnings() {
  updateWarning('identity');
  updateWarning('issuer');
}

for (const name of ['identity', 'identityRegexp', 'issuer', 'issuerRegexp']) form.elements[name].addEventListener('input', updateWarnings);

form.elements.root.addEventListener('change', () => {
  document.getElementById('root-custom').hidden = form.elements.root.value !== 'custom';
});

const summaries = new Map();

/** Which trusted root a verdict was reached under, where it came from, what it holds, how recent it is. */
async function rootLabel(policy, options) {
  if (!summaries.has(options.trustedRoot)) {
    const { summary, source } = await describeTrustedRoot({ trustedRoot: options.trustedRoot });
    summaries.set(options.trustedRoot, { ...summary, from: source });
  }
  const s = summaries.get(options.trustedRoot);
  const age = s.newest ? `; the newest key in it dates from ${s.newest}` : '';
  return `Trusted root: ${rootName(policy, s.from)} (${s.certificateAuthorities} certificate authorities, ${s.transparencyLogs} transparency logs, ${s.ctLogs} CT logs, ${s.timestampAuthorities} timestamp authorities${age})`;
}

/** The root's name and, for one refreshed through TUF, when and how, or why it could not be. */
function rootName(policy, from) {
  if (policy.root === 'custom') return `your ${document.getElementById('root-file').files[0]?.name ?? 'trusted_root.json'}`;
  if (policy.root !== 'tuf') return `Sigstore ${policy.root}, embedded in the sigstore-wasm package this page loaded`;
  const versions = from.rootVersion ? `TUF root version ${from.rootVersion}, metadata valid until ${from.expires}` : '';
  if (from.source === 'tuf') return `Sigstore production, refreshed through TUF at ${from.refreshed} (${versions})`;
  // The warning says what was used instead: the cache of this browser, or the embedded root.
  const kept = from.source === 'cache' ? `, from this browser's cache (${versions})` : '';
  return `Sigstore production${kept}. Warning: ${from.warning}`;
}

/** The package's options for the policy, with the trusted root a person picked as its text. */
async function optionsFor(policy) {
  const options = packageOptions(policy);
  if (policy.root !== 'custom') return options;
  const file = document.getElementById('root-file').files[0];
  if (!file) throw { code: 'INVALID_INPUT', message: 'Pick your trusted_root.json, or choose an embedded trusted root.' };
  return { ...options, trustedRoot: await file.text() };
}

// ---------------------------------------------------------------------------------------------
// Samples: real bundles shipped with the page, so that it works offline.

let samples = [];
fetch('samples/samples.json')
  .then((r) => r.json())
  .then((list) => {
    samples = list;
    for (const s of list) form.elements.sample.append(el('option', { value: s.name }, s.title));
    return restoreFromFragment();
  })
  .catch(() => restoreFromFragment());

// A sample comes with its signer: filled in where the policy is empty, so that the check is a
// real one (and the fragment carries it).
function fillSampleSigner() {
  const sample = samples.find((s) => s.name === form.elements.sample.value);
  if (!sample || form.elements.identity.value || form.elements.issuer.value) return;
  form.elements.identity.value = sample.identity;
  form.elements.issuer.value = sample.issuer;
  form.elements.identityRegexp.checked = false;
  form.elements.issuerRegexp.checked = false;
  updateWarnings();
}
form.elements.sample.addEventListener('change', fillSampleSigner);

// Dropping files anywhere on the drop zone fills the two file inputs: the one that parses as a
// bundle is the bundle.
const drop = document.getElementById('drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', async (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  stop('another file was dropped');
  for (const file of event.dataTransfer.files) {
    const target = (await looksLikeBundle(file)) ? 'bundle-file' : 'artifact-file';
    const transfer = new DataTransfer();
    transfer.items.add(file);
    document.getElementById(target).files = transfer.files;
  }
});

async function looksLikeBundle(file) {
  if (file.size > 16 << 20) return false;
  try {
    return typeof JSON.parse(await file.text()).mediaType === 'string';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The URL fragment: #image=...&identity=...&issuer=..., #sample=..., #rekor=...

function toFragment(way, policy) {
  const params = new URLSearchParams();
  if (way === 'image') params.set('image', form.elements.image.value.trim());
  if (way === 'image' && form.elements.attestationType.value.trim()) params.set('type', form.elements.attestationType.value.trim());
  if (way === 'rekor') params.set('rekor', form.elements.rekor.value.trim());
  if (way === 'package') params.set('package', form.elements.package.value.trim());
  if (way === 'bundle' && form.elements.sample.value) params.set('sample', form.elements.sample.value);
  for (const name of POLICY_FIELDS) if (policy[name] && !(name === 'root' && policy.root === 'production')) params.set(name, policy[name]);
  if (policy.identityRegexp) params.set('identityRegexp', '1');
  if (policy.issuerRegexp) params.set('issuerRegexp', '1');
  return params.toString();
}

async function restoreFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const way = WAYS.find((w) => params.has(w)) ?? (params.has('sample') ? 'bundle' : undefined);
  for (const name of POLICY_FIELDS) if (params.has(name)) form.elements[name].value = params.get(name);
  form.elements.identityRegexp.checked = params.get('identityRegexp') === '1';
  form.elements.issuerRegexp.checked = params.get('issuerRegexp') === '1';
  updateWarnings();
  if (!way) return;
  selectTab(way);
  if (way === 'image') form.elements.image.value = params.get('image');
  if (way === 'image') form.elements.attestationType.value = params.get('type') ?? '';
  if (way === 'rekor') form.elements.rekor.value = params.get('rekor');
  if (way === 'package') form.elements.package.value = params.get('package');
  if (params.has('sample')) {
    form.elements.sample.value = params.get('sample');
    fillSampleSigner();
  }
  await run();
}

// ---------------------------------------------------------------------------------------------
// Progress, and running a check. One check runs at a time: pressing Verify again, or choosing
// another file or sample, stops the one under way (its hashing worker is terminated, its requests
// aborted), and nothing a stopped check finds is shown.

function report(text, fraction) {
  progressText.textContent = text;
  progress.hidden = fraction === undefined;
  if (fraction !== undefined) progress.value = fraction;
}

function show(nodes) {
  result.replaceChildren(...nodes.filter(Boolean));
  result.focus();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  run();
});

/** The AbortController of the check under way. */
let running;

/** Stops the check under way, if there is one, and says why. */
function stop(why) {
  if (!running) return;
  running.abort();
  running = undefined;
  report(`Stopped: ${why}. Press Verify to check again.`);
}

for (const [id, what] of [['bundle-file', 'another bundle was chosen'], ['artifact-file', 'another artifact was chosen'], ['sample', 'another sample was chosen'], ['root-file', 'another trusted root was chosen']]) {
  document.getElementById(id).addEventListener('change', () => stop(what));
}

const CHECKS = { image: checkImage, bundle: checkBundle, rekor: checkRekor, package: checkPackage };

async function run() {
  running?.abort();
  const controller = (running = new AbortController());
  const { signal } = controller;
  // What a check reports while it runs, until it is stopped.
  const task = { signal, report: (text, fraction) => signal.aborted || report(text, fraction) };
  const way = currentWay();
  const policy = readPolicy(form);
  history.replaceState(null, '', `#${toFragment(way, policy)}`);
  result.replaceChildren();
  let nodes;
  try {
    nodes = await CHECKS[way](policy, task);
  } catch (e) {
    nodes = renderFailure(e, { hint: hintFor(e, way) });
  }
  // The verdict is put on the page in a task of its own: the check's last step and the layout of
  // a long result (a hundred log entries) would together hold the main thread too long.
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (signal.aborted) return;
  running = undefined;
  report('');
  show(nodes);
}

const POLICY_HINT = 'It is validly signed, but not by the signer your policy names: the message says who signed it. Check the identity, issuer and claims you entered; take the signer shown only if you trust it.';
const TAMPERED_HINT = 'The signature, its certificate or its log entry does not hold: the bundle was altered, or it is not about this artifact. Do not trust the artifact on its strength.';

/** What to do about each kind of failure, by the core's error code. */
const CODE_HINTS = {
  INVALID_INPUT: 'One of your inputs is not in the form expected: the message names it and what it should look like.',
  IDENTITY_MISMATCH: POLICY_HINT,
  ISSUER_MISMATCH: POLICY_HINT,
  EXTENSION_MISMATCH: POLICY_HINT,
  KEY_MISMATCH: 'The bundle is signed with a key, or with a certificate, where your policy expects the other kind.',
  ARTIFACT_MISMATCH: 'The file (or digest) is not the one the bundle signs: check that you picked the right artifact for this bundle.',
  SIGNATURE: TAMPERED_HINT,
  TLOG_BODY_MISMATCH: TAMPERED_HINT,
  SET: TAMPERED_HINT,
  INCLUSION_PROOF: TAMPERED_HINT,
  CHECKPOINT: TAMPERED_HINT,
  CERTIFICATE_CHAIN: 'The certificate does not chain to the trusted root at the time of signing: the bundle is from another Sigstore instance (choose its trusted root), or it does not hold.',
  CERTIFICATE_PROFILE: TAMPERED_HINT,
  SCT: TAMPERED_HINT,
  TLOG_ENTRY: 'A transparency log entry cannot be verified: it is from a log the trusted root does not list (choose the root of the Sigstore instance that signed it), or it is malformed.',
  TIMESTAMP: 'A timestamp does not verify against the trusted root\'s timestamp authorities: choose the root of the instance that issued it, or the bundle does not hold.',
  TIMESTAMP_THRESHOLD: 'The bundle proves no time of signing that the trusted root vouches for.',
  TRUSTED_ROOT: 'The trusted root itself is not usable: pick another trusted_root.json, or an embedded one.',
  BUNDLE_PARSE: 'This is not a Sigstore bundle (a .sigstore.json file), or it is damaged.',
  UNSUPPORTED_MEDIA_TYPE: 'This bundle version is not one this verifier knows (v0.1 to v0.3).',
  UNSUPPORTED_ALGORITHM: 'The bundle uses a signature algorithm this verifier does not accept.',
  LIMIT_EXCEEDED: 'The input is larger, or asks for more work, than this verifier accepts; real Sigstore data stays far below its limits.',
  NO_SIGNATURES: 'Nothing is signed for it (or no attestation of that type): it may be unsigned, or its signatures kept elsewhere.',
  NO_MATCHING_SIGNATURES: 'Signatures were found, but none satisfies your policy: each one is listed with its own reason.',
  DIGEST_MISMATCH: 'The registry served content that is not what its digest says; nothing it sent was trusted.',
  REGISTRY: 'The registry answered with an error or with something that is not its API\'s answer; the message quotes it.',
  REKOR: 'Rekor answered with an error, or with an entry that is not the one asked for or does not prove itself.',
};

/** The reason of the first item a report refused, when all were refused. */
function firstRefusal(report) {
  return (report?.signatures ?? report?.attestations ?? []).find((item) => item.error)?.error.code;
}

/** What a person can do about an error, beyond what the core's message says. */
function hintFor(error, way, report) {
  if (error?.code === 'NETWORK' && way === 'image' && !form.elements.proxy.value.trim()) {
    return 'The registry could not be read from this page: it most likely sends no CORS headers, and the browser hides the reason. Set a registry proxy (this page\'s own is ' + new URL('proxy/', document.baseURI).href + ') and try again.';
  }
  if (error?.code === 'NETWORK') return 'A request got no complete answer: the network, the registry or the proxy. The message names the request.';
  if (error?.code === 'INVALID_INPUT' && !hasSigner(readPolicy(form))) return 'Fill in who must have signed it, or leave both identity and issuer empty to see what is there without a policy.';
  if (error?.code === 'NO_MATCHING_SIGNATURES' && CODE_HINTS[firstRefusal(report)] === POLICY_HINT) return POLICY_HINT;
  return CODE_HINTS[error?.code];
}

/** A fetch that says, in the progress line, which request it is making, and stops with the check. */
function reportingFetch({ signal, report }) {
  let count = 0;
  return (url, init) => {
    count++;
    report(`Request ${count}: ${init?.method ?? 'GET'} ${url}`);
    return fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
  };
}

async function checkImage(policy, task) {
  const reference = form.elements.image.value.trim();
  if (!reference) throw { code: 'INVALID_INPUT', message: 'Enter an image reference, for example ghcr.io/org/app:v1.' };
  const proxy = form.elements.proxy.value.trim();
  const type = form.elements.attestationType.value.trim();
  const options = { ...(await optionsFor(policy)), fetch: reportingFetch(task), ...(proxy ? { proxy } : {}), ...(type ? { predicateType: type } : {}) };
  const command = type ? cliCommand('verify-attestation', ['--type', type, reference], packageOptions(policy)) : cliCommand('verify-image', [reference], packageOptions(policy));
  const { value, error } = await outcome((type ? verifyImageAttestations : verifyImage)(reference, options));
  const labels = { policyLabel: policyLabel(policy), rootLabel: await rootLabel(policy, options), unchecked: !hasSigner(policy), command };
  if (!error) return renderImage(value, labels);
  if (error?.report) return renderImage(error.report, { ...labels, hint: hintFor(error, 'image', error.report) });
  return renderFailure(error, { hint: hintFor(error, 'image'), command });
}

/**
 * A lookup's outcome, `{ value }` or `{ error }`, for labelling after it: the root's label then
 * comes from the verifier the lookup used, and the page loads no other module for it.
 */
async function outcome(lookup) {
  try {
    return { value: await lookup };
  } catch (error) {
    return { error };
  }
}

async function checkBundle(policy, task) {
  const { bundle, artifact, names } = await bundleInputs(task);
  const command = cliCommand('verify-bundle', ['--bundle', names.bundle, names.artifact], packageOptions(policy));
  const options = await optionsFor(policy);
  const labels = { policyLabel: policyLabel(policy), rootLabel: await rootLabel(policy, options), unchecked: !hasSigner(policy), command };
  task.report('Verifying');
  try {
    return renderVerified(await verifyBundle(bundle, artifact, options), labels);
  } catch (e) {
    return renderFailure(e, { hint: hintFor(e, 'bundle'), command });
  }
}

/** The bundle and the artifact (or its digest) from a sample, the files or the digest field. */
async function bundleInputs(task) {
  const sample = samples.find((s) => s.name === form.elements.sample.value);
  if (sample) {
    task.report(`Fetching the sample ${sample.title}`);
    const bundle = await (await fetch(`samples/${sample.name}/bundle.sigstore.json`, { signal: task.signal })).text();
    const artifact = new Uint8Array(await (await fetch(`samples/${sample.name}/artifact`, { signal: task.signal })).arrayBuffer());
    return { bundle, artifact, names: { bundle: `${sample.name}.sigstore.json`, artifact: sample.artifactName } };
  }
  const bundleFile = document.getElementById('bundle-file').files[0];
  if (!bundleFile) throw { code: 'INVALID_INPUT', message: 'Pick or drop a bundle (.sigstore.json), or choose a sample.' };
  const bundle = await bundleFile.text();
  const digest = form.elements.digest.value.trim();
  if (digest) return { bundle, artifact: digest, names: { bundle: bundleFile.name, artifact: digest } };
  const artifactFile = document.getElementById('artifact-file').files[0];
  if (!artifactFile) throw { code: 'INVALID_INPUT', message: 'Pick or drop the artifact the bundle signs, or paste its digest.' };
  const artifact = artifactFile.size <= WHOLE_FILE_BYTES ? new Uint8Array(await artifactFile.arrayBuffer()) : await digestOf(artifactFile, bundle, task);
  return { bundle, artifact, names: { bundle: bundleFile.name, artifact: artifactFile.name } };
}

/**
 * The file's digest under the algorithm the bundle needs, with a moving bar: hashed in a worker
 * (hash-worker.js), which is terminated when the check is stopped.
 */
function digestOf(file, bundle, { signal, report }) {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('hash-worker.js', import.meta.url), { type: 'module', name: `hashing ${file.name}` });
    let algorithm = '';
    const progress = (hashed) => report(`Hashing ${file.name}${algorithm}: ${formatBytes(hashed)} of ${formatBytes(file.size)}`, hashed / file.size);
    const end = () => {
      worker.terminate();
      signal.removeEventListener('abort', stopped);
    };
    const stopped = () => {
      end();
      reject(signal.reason);
    };
    signal.addEventListener('abort', stopped, { once: true });
    worker.onmessage = ({ data }) => {
      if (data.algorithm) {
        algorithm = ` (${data.algorithm})`;
        progress(0);
      } else if ('hashed' in data) {
        progress(data.hashed);
      } else {
        end();
        if (data.error) reject(data.error);
        else resolve(data.digest);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      end();
      reject({ message: `this browser could not run the page's hashing worker: ${event.message || 'it could not start'}` });
    };
    worker.postMessage({ file, bundle });
  });
}

function formatBytes(n) {
  return n < 1 << 20 ? `${(n / 1024).toFixed(0)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

async function checkRekor(policy, task) {
  const query = form.elements.rekor.value.trim();
  const rekorUrl = form.elements.rekorUrl.value.trim();
  const { trustedRoot } = await optionsFor(policy);
  const options = { trustedRoot, rekorUrl, fetch: reportingFetch(task) };
  let entries;
  let args;
  if (/^\d+$/.test(query)) {
    args = ['get', '--log-index', query];
    entries = [await getLogEntry({ logIndex: Number(query) }, options)];
  } else if (/^[0-9a-f]{64}([0-9a-f]{16})?$/i.test(query)) {
    args = ['get', '--uuid', query];
    entries = [await getLogEntry({ uuid: query.toLowerCase() }, options)];
  } else if (/^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/i.test(query)) {
    args = ['search', '--sha', query.toLowerCase()];
    entries = await searchLogEntries({ digest: query.toLowerCase() }, options);
  } else {
    throw { code: 'INVALID_INPUT', message: `"${query}" is not a log index, an entry UUID (64 or 80 hex digits) or a sha256:<hex> or sha512:<hex> digest.` };
  }
  return renderEntries(entries, { rootLabel: await rootLabel(policy, options), command: cliCommand('rekor', [...args, '--rekor-url', rekorUrl], { trustedRoot: policy.root }) });
}

async function checkPackage(policy, task) {
  const subject = form.elements.package.value.trim();
  if (!subject) throw { code: 'INVALID_INPUT', message: 'Enter npm:<name>@<version>, pypi:<project>==<version> or github:<owner>/<repo>@sha256:<hex>.' };
  const registries = Object.fromEntries(['npmRegistry', 'pypiUrl', 'githubApiUrl'].map((name) => [name, form.elements[name].value.trim()]));
  const options = { ...(await optionsFor(policy)), ...registries, fetch: reportingFetch(task) };
  const flags = Object.entries({ npmRegistry: '--npm-registry', pypiUrl: '--pypi-url', githubApiUrl: '--github-api-url' })
    .filter(([name]) => registries[name] !== form.elements[name].defaultValue)
    .flatMap(([name, flag]) => [flag, registries[name]]);
  const command = cliCommand('verify-package', [...flags, subject], packageOptions(policy));
  const { value, error } = await outcome(verifyAttestations(subject, options));
  const labels = { policyLabel: policyLabel(policy), rootLabel: await rootLabel(policy, options), unchecked: !hasSigner(policy), command };
  if (!error) return renderAttestations(value, labels);
  if (error?.report) return renderAttestations(error.report, { ...labels, hint: hintFor(error, 'package', error.report) });
  return renderFailure(error, { hint: hintFor(error, 'package'), command });
}
