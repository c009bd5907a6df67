#!/usr/bin/env node
/**
 * Verifies a Vigil evidence pack offline (docs/compliance.md#verifying-a-pack-offline).
 *
 * In the unzipped pack:   node verify.mjs [DIR] [--key FINGERPRINT]
 * DIR defaults to this script's own folder. Plain Node.js 18 or later, nothing to install.
 * `--key` is the SHA-256 fingerprint of the platform's audit seal key, as the platform publishes
 * it (`vigil reviews seal-keys`): the pack must be signed by that key.
 *
 * What it checks:
 * 1. manifest.json is `{ manifest, signature }` in the pack's format, its Ed25519 signature over
 *    the canonical JSON of `manifest` verifies with the key the manifest carries, and that key's
 *    fingerprint is the SHA-256 of its public key (SubjectPublicKeyInfo, DER).
 * 2. Every file the manifest lists is present with its size and SHA-256, and no other file is.
 * 3. Every control names evidence files the pack holds.
 * 4. The audit sample: each sampled event belongs to the organization and the period and lies in
 *    a seal block of audit/sample-proofs.json; each block's chain hash is
 *    SHA-256(previous chain hash ‖ MAC of each of its events, in order), and its signature
 *    verifies with a listed seal key whose fingerprint matches. The events' MACs themselves need
 *    the platform's secret MAC key: audit/verify.json records the full verification that did it.
 *
 * Only node:crypto, node:fs, node:path and node:url are used, so an auditor can read it all here.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packFormat = 'vigil.evidence-pack.v1';
const manifestName = 'manifest.json';
const sampleName = 'audit/sample.jsonl';
const proofsName = 'audit/sample-proofs.json';

const sha256Hex = (bytes) => createHash('sha256').update(bytes).digest('hex');
const isRecord = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isHex = (v) => typeof v === 'string' && v.length > 0 && /^(?:[0-9a-f]{2})+$/.test(v);
const isHash = (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

/**
 * JSON with object keys sorted at every depth: the bytes the manifest signature covers. The same
 * code as Vigil's src/crypto/canonical-json.ts (a test keeps the two in agreement).
 */
export function canonicalJson(value) {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The bytes a seal block's signature covers, from the block as the proofs carry it. The same
 * bytes as Vigil's src/audit/sealer.ts `blockSigningBytes` (a test keeps the two in agreement).
 */
export function blockSigningBytes(b) {
  return Buffer.from(
    JSON.stringify([
      'v1',
      b.blockNo,
      b.firstTx,
      b.firstSeq,
      b.lastTx,
      b.lastSeq,
      b.eventCount,
      b.eventIds,
      b.prevHash,
      b.chainHash,
      b.keyId,
      b.sealedAtMs,
    ]),
  );
}

/** A seal block's chain hash (hex) from the one before it and its events' MACs (hex). */
export function chainHash(prevHashHex, macsHex) {
  const hash = createHash('sha256').update(Buffer.from(prevHashHex, 'hex'));
  for (const mac of macsHex) hash.update(Buffer.from(mac, 'hex'));
  return hash.digest('hex');
}

/** An Ed25519 public key from a JWK and its fingerprint, or null when it is not one. */
function publicKeyOf(jwk) {
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    if (key.asymmetricKeyType !== 'ed25519') return null;
    return { key, fingerprint: sha256Hex(key.export({ type: 'spki', format: 'der' })) };
  } catch {
    return null;
  }
}

/** An Ed25519 signature in base64url: only its exact encoding counts (decoding is lenient). */
function signatureValid(key, bytes, signature) {
  if (typeof signature !== 'string') return false;
  const raw = Buffer.from(signature, 'base64url');
  if (raw.length !== 64 || raw.toString('base64url') !== signature) return false;
  return verify(null, bytes, key, raw);
}

/** A path inside the pack: relative, forward slashes, nothing climbing out of it. */
const safeName = (name) =>
  typeof name === 'string' &&
  name.length > 0 &&
  !name.startsWith('/') &&
  !name.includes('\\') &&
  !name.split('/').some((part) => part === '' || part === '.' || part === '..');

function readManifest(bytes, report) {
  if (!bytes) return report(manifestName, 'missing: the pack has no manifest');
  let parsed;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return report(manifestName, 'is not JSON');
  }
  const m = isRecord(parsed) ? parsed.manifest : undefined;
  if (
    !isRecord(m) ||
    m.format !== packFormat ||
    !isRecord(m.org) ||
    !isRecord(m.period) ||
    !isRecord(m.key) ||
    !Array.isArray(m.files) ||
    !m.files.every((f) => isRecord(f) && safeName(f.name)) ||
    !Array.isArray(m.controls) ||
    !m.controls.every((c) => isRecord(c) && Array.isArray(c.artifacts))
  )
    return report(manifestName, `is not a ${packFormat} manifest ({ manifest, signature })`);
  return { manifest: m, signature: parsed.signature };
}

function checkSignature({ manifest, signature }, expected, checked, report) {
  const signer = publicKeyOf(manifest.key.publicKeyJwk);
  if (!signer) return report(manifestName, 'the manifest key is not an Ed25519 public key (JWK)');
  if (manifest.key.fingerprint !== signer.fingerprint)
    report(manifestName, 'the manifest key fingerprint is not the SHA-256 of its public key');
  if (!signatureValid(signer.key, Buffer.from(canonicalJson(manifest)), signature))
    report(manifestName, 'the signature does not verify over the manifest');
  else
    checked.push(
      `manifest.json: Ed25519 signature verifies with key ${manifest.key.id}, SHA-256 fingerprint ${signer.fingerprint}`,
    );
  if (expected === undefined)
    checked.push(
      'signing key: compare its fingerprint with the audit seal key the platform publishes (or pass --key)',
    );
  else if (expected.toLowerCase().replace(/[\s:]/g, '') !== signer.fingerprint)
    report(
      manifestName,
      `signed by key ${signer.fingerprint}, not by the expected key ${expected}`,
    );
  else checked.push('signing key: its fingerprint is the expected one (--key)');
}

function checkFiles(manifest, files, checked, report) {
  const listed = new Set();
  for (const entry of manifest.files) {
    if (entry.name === manifestName || listed.has(entry.name)) {
      report(
        entry.name,
        entry.name === manifestName ? 'the manifest lists itself' : 'listed twice in the manifest',
      );
      continue;
    }
    listed.add(entry.name);
    const bytes = files.get(entry.name);
    if (!bytes) {
      report(entry.name, 'missing: listed in the manifest, not in the pack');
      continue;
    }
    const digest = sha256Hex(bytes);
    if (bytes.length !== entry.size || digest !== entry.sha256)
      report(
        entry.name,
        `changed: ${bytes.length} bytes with SHA-256 ${digest}, the manifest says ${entry.size} bytes with ${entry.sha256}`,
      );
    else checked.push(`${entry.name}: ${entry.size} bytes, SHA-256 as in the manifest`);
  }
  for (const name of files.keys())
    if (name !== manifestName && !listed.has(name))
      report(name, 'added: in the pack but not listed in the manifest');
}

function checkControls(manifest, checked, report) {
  const listed = new Set(manifest.files.map((f) => f.name));
  const statuses = {};
  for (const control of manifest.controls) {
    const status = control.status ?? 'never checked';
    statuses[status] = (statuses[status] ?? 0) + 1;
    for (const artifact of control.artifacts)
      if (!listed.has(artifact))
        report(manifestName, `control ${control.id} names evidence ${artifact} the pack lacks`);
  }
  const counts = Object.entries(statuses).map(([status, n]) => `${n} ${status}`);
  checked.push(
    `controls: ${manifest.controls.length} (${counts.join(', ') || 'none'}), each naming evidence files of the pack`,
  );
}

/** The sampled events, one JSON object per line; reports the lines that are not events. */
function sampleEvents(bytes, manifest, report) {
  const lines = Buffer.from(bytes).toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const from = Date.parse(manifest.period.from);
  const to = Date.parse(manifest.period.to);
  const events = [];
  lines.forEach((line, i) => {
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      e = null;
    }
    if (!isRecord(e) || typeof e.id !== 'string' || !isHex(e.mac)) {
      report(sampleName, `line ${i + 1} is not an audit event with its MAC`);
      return;
    }
    if (e.orgId !== manifest.org.id)
      report(sampleName, `event ${e.id} belongs to another organization (${e.orgId})`);
    if (!(e.occurredAtMs >= from && e.occurredAtMs < to))
      report(sampleName, `event ${e.id} did not occur in the period`);
    events.push(e);
  });
  return events;
}

const isBlock = (b) =>
  isRecord(b) &&
  ['blockNo', 'firstTx', 'firstSeq', 'lastTx', 'lastSeq', 'keyId'].every(
    (k) => typeof b[k] === 'string',
  ) &&
  Number.isInteger(b.eventCount) &&
  Number.isInteger(b.sealedAtMs) &&
  Array.isArray(b.eventIds) &&
  b.eventIds.every((id) => typeof id === 'string') &&
  isHash(b.prevHash) &&
  isHash(b.chainHash);

function readProofs(bytes, report) {
  let p;
  try {
    p = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    p = null;
  }
  if (
    !isRecord(p) ||
    !Array.isArray(p.blocks) ||
    !p.blocks.every(isBlock) ||
    !Array.isArray(p.otherMacs) ||
    !p.otherMacs.every((o) => isRecord(o) && typeof o.id === 'string' && isHex(o.mac)) ||
    !Array.isArray(p.keys) ||
    !p.keys.every((k) => isRecord(k) && typeof k.id === 'string')
  )
    return report(proofsName, 'is not { blocks, otherMacs, keys } of seal blocks');
  return p;
}

/** The seal keys the proofs list whose fingerprint is their public key's, by id. */
function sealKeys(proofs, report) {
  const keys = new Map();
  for (const k of proofs.keys) {
    const key = publicKeyOf(k.publicKeyJwk);
    if (!key || key.fingerprint !== k.fingerprint)
      report(proofsName, `seal key ${k.id}: its fingerprint is not the SHA-256 of its public key`);
    else keys.set(k.id, key);
  }
  return keys;
}

function checkAuditSample(manifest, files, checked, report) {
  const sampleBytes = files.get(sampleName);
  const proofsBytes = files.get(proofsName);
  if (!sampleBytes || !proofsBytes)
    return report(
      sampleBytes ? proofsName : sampleName,
      'missing: the audit sample cannot be checked',
    );
  const events = sampleEvents(sampleBytes, manifest, report);
  const proofs = readProofs(proofsBytes, report);
  if (!proofs) return;
  const keys = sealKeys(proofs, report);
  const macs = new Map(proofs.otherMacs.map((o) => [o.id, o.mac]));
  for (const e of events) macs.set(e.id, e.mac);
  const sealed = new Set();
  let intact = 0;
  for (const b of proofs.blocks) {
    const blockMacs = b.eventIds.map((id) => macs.get(id));
    let fine = true;
    const fail = (message) => {
      fine = false;
      report(proofsName, `seal block ${b.blockNo}: ${message}`);
    };
    if (b.eventCount !== b.eventIds.length) fail('its event count is not its number of events');
    if (blockMacs.includes(undefined)) fail('the MACs of some of its events are missing');
    else if (chainHash(b.prevHash, blockMacs) !== b.chainHash)
      fail(`its chain hash does not match the MACs of its events (${sampleName} and otherMacs)`);
    const key = keys.get(b.keyId);
    if (!key) fail(`signed by key ${b.keyId}, which the proofs do not list`);
    else if (!signatureValid(key.key, blockSigningBytes(b), b.signature))
      fail('its signature does not verify');
    for (const id of b.eventIds) sealed.add(id);
    if (fine) intact += 1;
  }
  for (const e of events)
    if (!sealed.has(e.id)) report(sampleName, `event ${e.id} is in no seal block of ${proofsName}`);
  checked.push(
    `${sampleName}: ${events.length} events of ${manifest.org.slug} in the period, each in a seal block`,
    `${proofsName}: ${intact} of ${proofs.blocks.length} seal blocks recompute their chain hash and verify with seal keys ${[...keys.values()].map((k) => k.fingerprint).join(', ') || '(none)'}`,
  );
}

/**
 * Checks an evidence pack given as its files by path inside the pack (`access/user-access.csv`).
 * `options.fingerprint`: the platform's published audit seal key fingerprint, when known.
 */
export function verifyPackFiles(files, options = {}) {
  const checked = [];
  const problems = [];
  const report = (file, message) => {
    problems.push({ file, message });
    return null;
  };
  const signed = readManifest(files.get(manifestName), report);
  if (!signed) return { ok: false, checked, problems, manifest: null };
  const { manifest } = signed;
  checked.push(
    `manifest.json: ${packFormat} for ${manifest.org.slug} (${manifest.org.id}), from ${manifest.period.from} to ${manifest.period.to} (exclusive)`,
  );
  checkSignature(signed, options.fingerprint, checked, report);
  checkFiles(manifest, files, checked, report);
  checkControls(manifest, checked, report);
  checkAuditSample(manifest, files, checked, report);
  return { ok: problems.length === 0, checked, problems, manifest };
}

/** Every file under `dir`, by its path relative to it with forward slashes. */
export function readPackDirectory(dir) {
  const files = new Map();
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path).split(sep).join('/'), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

/** `node verify.mjs [DIR] [--key FINGERPRINT]`: exit 0 verified, 1 problems, 2 cannot run. */
function main(args) {
  let dir = dirname(fileURLToPath(import.meta.url));
  let fingerprint;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--key' && i + 1 < args.length) fingerprint = args[++i];
    else if (arg.startsWith('--key=')) fingerprint = arg.slice('--key='.length);
    else if (!arg.startsWith('-')) dir = resolve(arg);
    else {
      console.error('usage: node verify.mjs [DIR] [--key FINGERPRINT]');
      return 2;
    }
  }
  if (fingerprint !== undefined && !isHash(fingerprint.toLowerCase().replace(/[\s:]/g, ''))) {
    console.error('--key must be a SHA-256 fingerprint (64 hexadecimal digits)');
    return 2;
  }
  let files;
  try {
    files = readPackDirectory(dir);
  } catch (err) {
    console.error(`cannot read the pack in ${dir}: ${err.message}`);
    return 2;
  }
  const result = verifyPackFiles(files, { fingerprint });
  for (const line of result.checked) console.log(`checked: ${line}`);
  for (const p of result.problems)
    console.log(`PROBLEM: ${p.file ? `${p.file}: ` : ''}${p.message}`);
  console.log(
    result.ok
      ? 'VERIFIED: the pack is exactly as signed'
      : `NOT VERIFIED: ${result.problems.length} problem(s)`,
  );
  return result.ok ? 0 : 1;
}

/** Run as a script (`node verify.mjs`), not imported (`vigil evidence verify` imports it). */
function runAsScript() {
  try {
    const script = process.argv[1];
    return !!script && realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (runAsScript()) process.exitCode = main(process.argv.slice(2));
