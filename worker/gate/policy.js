// The gate's policy file (gate.json, or the GATE_POLICY variable): read strictly, once per
// isolate. Every field is documented in the README ("Gate your downloads"); a field this file does
// not know is refused, so that a misspelt one cannot silently weaken a rule (Kyverno once ignored
// subjectRegExp: GO-2025-3562).

const TOP = ['trustedRoot', 'files', 'images', 'cache', 'rules'];
const MOUNT = ['prefix', 'origin', 'bundles', 'attestations', 'npmRegistry', 'pypiUrl', 'githubApiUrl', 'bufferBelow'];
const REGISTRY_URLS = ['npmRegistry', 'pypiUrl', 'githubApiUrl'];
const IMAGES = ['registry', 'offline', 'rekorUrl'];
const CACHE = ['successSeconds', 'failureSeconds'];
const RULE = ['name', 'path', 'image', 'mode', 'static', 'identities', 'keys', 'attestations', 'threshold', 'tlogThreshold', 'ctlogThreshold', 'timestampThreshold'];
// An identity is the package's own options (verifyBundle), so that one is checked by the core's rules.
const IDENTITY = ['certificateIdentity', 'certificateIdentityRegExp', 'certificateIssuer', 'certificateIssuerRegExp', 'certificateExtensions'];
const COUNTS = ['tlogThreshold', 'ctlogThreshold', 'timestampThreshold'];
const TUF = ['url', 'targetsUrl', 'root'];

export const DEFAULT_BUNDLES = ['{path}.sigstore.json', '{path}.sigstore'];
export const DEFAULT_BUFFER_BELOW = 1 << 20;
const MAX_BUFFER_BELOW = 32 << 20;
const DEFAULT_SUCCESS_SECONDS = 300;
const DEFAULT_FAILURE_SECONDS = 30;
const MAX_RULES = 1000;

export class PolicyError extends Error {
  constructor(where, message) {
    super(`gate policy: ${where}: ${message}`);
    this.name = 'PolicyError';
  }
}

/** Parses the policy file's text (or an already parsed object) into the form the gate runs. */
export function readPolicy(source) {
  let raw = source;
  if (typeof source === 'string') {
    try {
      raw = JSON.parse(source);
    } catch (e) {
      throw new PolicyError('the file', `is not JSON (${e.message})`);
    }
  }
  object(raw, 'the file', TOP);
  const trustedRoot = readTrustedRoot(raw.trustedRoot ?? 'production');
  const files = list(raw.files ?? [], 'files').map((mount, i) => readMount(mount, `files[${i}]`));
  const images = raw.images === undefined ? null : readImages(raw.images);
  const cache = readCache(raw.cache ?? {});
  const rules = list(raw.rules ?? [], 'rules').map((rule, i) => readRule(rule, `rules[${i}]`));
  if (rules.length > MAX_RULES) throw new PolicyError('rules', `at most ${MAX_RULES}, found ${rules.length}`);
  const names = new Set();
  for (const rule of rules) {
    if (names.has(rule.name)) throw new PolicyError(`rules (${rule.name})`, 'two rules have this name');
    names.add(rule.name);
  }
  return { trustedRoot, files, images, cache, rules };
}

/** Whether the policy's trusted root (as `readPolicy` read it) is refreshed through TUF. */
export function isTufRoot(trustedRoot) {
  return trustedRoot === 'tuf' || trustedRoot === 'tuf:staging' || trustedRoot === 'tuf:github' || (isObject(trustedRoot) && 'tuf' in trustedRoot);
}

/**
 * `"production"`, `"staging"`, `"github"` (embedded), `"tuf"`, `"tuf:staging"`, `"tuf:github"`
 * (refreshed from Sigstore's and GitHub's TUF repositories), `{ "tuf": { "url", "targetsUrl", "root" } }`
 * (another TUF repository, its pinned root.json as an object), or a trusted root object.
 */
function readTrustedRoot(value) {
  if (['production', 'staging', 'github', 'tuf', 'tuf:staging', 'tuf:github'].includes(value)) return value;
  if (!isObject(value)) throw new PolicyError('trustedRoot', 'expected "production", "staging", "github", "tuf", "tuf:staging", "tuf:github", { "tuf": {...} } or a trusted root object');
  if (!('tuf' in value)) return value;
  object(value, 'trustedRoot', ['tuf']);
  object(value.tuf, 'trustedRoot.tuf', TUF);
  const tuf = { url: string(value.tuf.url, 'trustedRoot.tuf.url') };
  if (value.tuf.targetsUrl !== undefined) tuf.targetsUrl = string(value.tuf.targetsUrl, 'trustedRoot.tuf.targetsUrl');
  const { root } = value.tuf;
  if (root !== 'production' && root !== 'staging' && !isObject(root)) throw new PolicyError('trustedRoot.tuf.root', 'expected "production", "staging" or a root.json object');
  tuf.root = isObject(root) ? JSON.stringify(root) : root;
  return { tuf };
}

function readMount(mount, where) {
  object(mount, where, MOUNT);
  const prefix = string(mount.prefix, `${where}.prefix`);
  if (!prefix.startsWith('/') || !prefix.endsWith('/') || prefix === '/' || prefix.startsWith('/v2/') || prefix.startsWith('/proxy/')) {
    throw new PolicyError(`${where}.prefix`, `expected a path like "/downloads/" (not "/", /v2/ or /proxy/), found ${JSON.stringify(prefix)}`);
  }
  let origin;
  if (typeof mount.origin === 'string') {
    const url = parseUrl(mount.origin, `${where}.origin`);
    if (!url.pathname.endsWith('/') || url.search || url.hash) throw new PolicyError(`${where}.origin`, 'an origin URL is a prefix ending in "/", without query or fragment');
    origin = { url: url.href };
  } else {
    object(mount.origin, `${where}.origin`, ['bucket']);
    origin = { bucket: string(mount.origin.bucket, `${where}.origin.bucket`) };
  }
  const bufferBelow = count(mount.bufferBelow ?? DEFAULT_BUFFER_BELOW, `${where}.bufferBelow`, 0, MAX_BUFFER_BELOW);
  if (mount.attestations !== undefined) {
    if (mount.bundles !== undefined) throw new PolicyError(where, 'give bundles or attestations, not both');
    const source = string(mount.attestations, `${where}.attestations`);
    const github = /^github:([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)$/.exec(source);
    if (source !== 'npm' && source !== 'pypi' && !github) throw new PolicyError(`${where}.attestations`, `expected "npm", "pypi" or "github:<owner>/<repo>", found ${JSON.stringify(source)}`);
    const registries = {};
    for (const name of REGISTRY_URLS) if (mount[name] !== undefined) registries[name] = parseUrl(string(mount[name], `${where}.${name}`), `${where}.${name}`).href.replace(/\/$/, '');
    const attestations = github ? { source: 'github', repository: github[1] } : { source };
    return { prefix, origin, bundles: null, attestations, registries, bufferBelow };
  }
  const stray = REGISTRY_URLS.filter((name) => mount[name] !== undefined);
  if (stray.length) throw new PolicyError(where, `${stray.join(', ')} only go with attestations`);
  const bundles = list(mount.bundles ?? DEFAULT_BUNDLES, `${where}.bundles`).map((b, i) => {
    const pattern = string(b, `${where}.bundles[${i}]`);
    if (!pattern.includes('{path}')) throw new PolicyError(`${where}.bundles[${i}]`, 'a bundle location names the artifact as {path}');
    return pattern;
  });
  if (bundles.length === 0 || bundles.length > 4) throw new PolicyError(`${where}.bundles`, `expected 1 to 4 locations, found ${bundles.length}`);
  return { prefix, origin, bundles, attestations: null, registries: {}, bufferBelow };
}

function readImages(images) {
  object(images, 'images', IMAGES);
  const registry = parseUrl(string(images.registry, 'images.registry'), 'images.registry');
  if (registry.pathname !== '/' || registry.search) throw new PolicyError('images.registry', 'expected a registry origin like "https://ghcr.io"');
  const out = { registry: registry.origin, host: registry.host, offline: images.offline ?? false };
  if (typeof out.offline !== 'boolean') throw new PolicyError('images.offline', 'expected true or false');
  if (images.rekorUrl !== undefined) out.rekorUrl = parseUrl(string(images.rekorUrl, 'images.rekorUrl'), 'images.rekorUrl').href.replace(/\/$/, '');
  return out;
}

function readCache(cache) {
  object(cache, 'cache', CACHE);
  return {
    successSeconds: count(cache.successSeconds ?? DEFAULT_SUCCESS_SECONDS, 'cache.successSeconds', 0, 86_400),
    failureSeconds: count(cache.failureSeconds ?? DEFAULT_FAILURE_SECONDS, 'cache.failureSeconds', 0, 3_600),
  };
}

function readRule(rule, where) {
  object(rule, where, RULE);
  const name = string(rule.name, `${where}.name`);
  where = `rules (${name})`;
  if ((rule.path === undefined) === (rule.image === undefined)) throw new PolicyError(where, 'give exactly one of path and image');
  const kind = rule.path === undefined ? 'image' : 'file';
  const pattern = string(rule.path ?? rule.image, `${where}.${kind === 'file' ? 'path' : 'image'}`);
  if (kind === 'file' && !pattern.startsWith('/')) throw new PolicyError(`${where}.path`, `a path pattern starts with "/", found ${JSON.stringify(pattern)}`);
  const mode = rule.mode ?? 'enforce';
  if (mode !== 'enforce' && mode !== 'warn') throw new PolicyError(`${where}.mode`, `expected "enforce" or "warn", found ${JSON.stringify(mode)}`);
  const out = { name, kind, pattern, match: glob(pattern), mode, static: null, authorities: [], attestations: [], threshold: 1, counts: {} };
  if (rule.static !== undefined) {
    if (rule.static !== 'allow' && rule.static !== 'deny') throw new PolicyError(`${where}.static`, `expected "allow" or "deny", found ${JSON.stringify(rule.static)}`);
    const others = RULE.filter((f) => !['name', 'path', 'image', 'mode', 'static'].includes(f) && rule[f] !== undefined);
    if (others.length) throw new PolicyError(where, `a static rule checks nothing: ${others.join(', ')} would be ignored`);
    out.static = rule.static;
    return out;
  }
  const identities = list(rule.identities ?? [], `${where}.identities`).map((identity, i) => readIdentity(identity, `${where}.identities[${i}]`));
  const keys = list(rule.keys ?? [], `${where}.keys`).map((key, i) => {
    const pem = string(key, `${where}.keys[${i}]`);
    if (!pem.includes('-----BEGIN PUBLIC KEY-----')) throw new PolicyError(`${where}.keys[${i}]`, 'expected a PEM public key');
    return { publicKey: pem };
  });
  out.authorities = [...identities, ...keys];
  if (out.authorities.length === 0) throw new PolicyError(where, 'no identities or keys: who must have signed? (or say static: "allow")');
  out.attestations = list(rule.attestations ?? [], `${where}.attestations`).map((type, i) => string(type, `${where}.attestations[${i}]`));
  out.threshold = count(rule.threshold ?? 1, `${where}.threshold`, 1, out.authorities.length);
  for (const name of COUNTS) if (rule[name] !== undefined) out.counts[name] = count(rule[name], `${where}.${name}`, 0, 16);
  return out;
}

function readIdentity(identity, where) {
  object(identity, where, IDENTITY);
  const subject = identity.certificateIdentity ?? identity.certificateIdentityRegExp;
  const issuer = identity.certificateIssuer ?? identity.certificateIssuerRegExp;
  if (subject === undefined || issuer === undefined) {
    throw new PolicyError(where, 'an identity names its subject (certificateIdentity or certificateIdentityRegExp) and its issuer (certificateIssuer or certificateIssuerRegExp)');
  }
  for (const name of IDENTITY.slice(0, 4)) if (identity[name] !== undefined) string(identity[name], `${where}.${name}`);
  if (identity.certificateExtensions !== undefined) {
    object(identity.certificateExtensions, `${where}.certificateExtensions`, null);
    for (const [name, value] of Object.entries(identity.certificateExtensions)) string(value, `${where}.certificateExtensions.${name}`);
  }
  return { ...identity };
}

/** The rules that cover `subject` (a file's path, or an image's `host/name`), in file order. */
export function rulesFor(policy, kind, subject) {
  return policy.rules.filter((rule) => rule.kind === kind && rule.match.test(subject));
}

/**
 * Glob of image references and paths, as policy-controller writes them: `*` is any run of
 * characters but "/", `**` any run at all, `?` one character but "/".
 */
function glob(pattern) {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function object(value, where, fields) {
  if (!isObject(value)) throw new PolicyError(where, 'expected an object');
  if (fields) {
    const unknown = Object.keys(value).filter((k) => !fields.includes(k));
    if (unknown.length) throw new PolicyError(where, `unknown field(s) ${unknown.join(', ')}; expected ${fields.join(', ')}`);
  }
}

function list(value, where) {
  if (!Array.isArray(value)) throw new PolicyError(where, 'expected a list');
  return value;
}

function string(value, where) {
  if (typeof value !== 'string' || value === '') throw new PolicyError(where, 'expected a non-empty string');
  return value;
}

function count(value, where, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) throw new PolicyError(where, `expected a whole number from ${min} to ${max}, found ${JSON.stringify(value)}`);
  return value;
}

function parseUrl(text, where) {
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error();
    return url;
  } catch {
    throw new PolicyError(where, `expected an http(s) URL, found ${JSON.stringify(text)}`);
  }
}
