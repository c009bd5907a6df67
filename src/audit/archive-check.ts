/**
 * Offline verification of archived months (`vigil audit verify --archive`): no database, only
 * the files and, optionally, the platform's published seal key. A changed byte in an event line
 * names that event.
 */
import { gunzipSync } from 'node:zlib';
import {
  canonicalJson,
  ed25519PublicKeyFrom,
  type KeyObject,
  publicKeyFingerprint,
  sha256,
  verifyEd25519,
} from '../crypto/index.ts';
import {
  type ArchivedEvent,
  type ArchiveManifest,
  archiveFormat,
  blockRowOf,
  eventLine,
} from './archive-format.ts';
import { blockSigningBytes, chainHash } from './sealer.ts';

export interface ArchiveFinding {
  month: string;
  /** The event concerned, when one is. */
  eventId?: string;
  message: string;
}

export interface MonthCheck {
  month: string;
  events: ArchivedEvent[];
  manifest: ArchiveManifest | null;
  findings: ArchiveFinding[];
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function parseManifest(
  bytes: Buffer,
  month: string,
  findings: ArchiveFinding[],
): { manifest: ArchiveManifest; signature: string } | null {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (isRecord(parsed) && isRecord(parsed.manifest) && typeof parsed.signature === 'string') {
      const manifest = parsed.manifest as unknown as ArchiveManifest;
      if (manifest.format === archiveFormat && Array.isArray(manifest.blocks))
        return { manifest, signature: parsed.signature };
    }
  } catch {
    // Reported below.
  }
  findings.push({ month, message: `the manifest of ${month} is not a ${archiveFormat} manifest` });
  return null;
}

function publicKeys(manifest: ArchiveManifest): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const k of manifest.keys ?? []) {
    try {
      const key = ed25519PublicKeyFrom(k.publicKeyJwk);
      if (publicKeyFingerprint(key) === k.fingerprint) keys.set(k.id, key);
    } catch {
      // A key that is no Ed25519 key verifies nothing.
    }
  }
  return keys;
}

function checkSignature(
  manifest: ArchiveManifest,
  signature: string,
  keys: Map<string, KeyObject>,
  expected: KeyObject | undefined,
  findings: ArchiveFinding[],
): void {
  const month = manifest.month;
  const signer = keys.get(manifest.signer);
  const bytes = Buffer.from(signature, 'base64url');
  if (
    !signer ||
    bytes.length !== 64 ||
    !verifyEd25519(signer, Buffer.from(canonicalJson(manifest)), bytes)
  )
    findings.push({ month, message: `the manifest signature of ${month} does not verify` });
  else if (expected && publicKeyFingerprint(expected) !== publicKeyFingerprint(signer))
    findings.push({
      month,
      message: `the manifest of ${month} is signed by ${publicKeyFingerprint(signer)}, not by the expected key`,
    });
}

/** Each line against its hash in the manifest; returns the events that parse. */
function checkLines(
  manifest: ArchiveManifest,
  gz: Buffer,
  findings: ArchiveFinding[],
): ArchivedEvent[] {
  const month = manifest.month;
  if (hex(sha256(gz)) !== manifest.file.sha256)
    findings.push({ month, message: `${manifest.file.name}: SHA-256 differs from the manifest` });
  let text: string;
  try {
    text = gunzipSync(gz).toString('utf8');
  } catch {
    findings.push({ month, message: `${manifest.file.name}: not a gzip file` });
    return [];
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== manifest.eventCount || lines.length !== manifest.events.length)
    findings.push({
      month,
      message: `${manifest.file.name} holds ${lines.length} events, its manifest ${manifest.eventCount}`,
    });
  const events: ArchivedEvent[] = [];
  lines.forEach((line, i) => {
    const listed = manifest.events[i];
    let event: ArchivedEvent | null = null;
    try {
      event = JSON.parse(line) as ArchivedEvent;
    } catch {
      event = null;
    }
    const eventId = listed?.id ?? event?.id ?? `line ${i + 1}`;
    if (!listed || hex(sha256(line)) !== listed.sha256 || !event || event.id !== listed.id) {
      findings.push({
        month,
        eventId,
        message: `event ${eventId} (line ${i + 1} of ${manifest.file.name}) was changed`,
      });
    } else if (eventLine(event) !== line) {
      findings.push({ month, eventId, message: `event ${eventId} is not in the archive's form` });
    } else events.push(event);
  });
  return events;
}

/** Block numbering, linkage from the anchor, chain hashes and signatures. */
function checkBlocks(
  manifest: ArchiveManifest,
  events: ArchivedEvent[],
  keys: Map<string, KeyObject>,
  findings: ArchiveFinding[],
): void {
  const month = manifest.month;
  const macs = new Map<string, string>();
  for (const o of manifest.otherMacs ?? []) macs.set(o.id, o.mac);
  for (const e of events) macs.set(e.id, e.mac);
  const sealed = new Set<string>();
  let prev = manifest.anchor;
  let prevNo: bigint | null = null;
  for (const b of manifest.blocks) {
    const no = BigInt(b.blockNo);
    if (prevNo !== null && no !== prevNo + 1n)
      findings.push({ month, message: `seal blocks ${prevNo + 1n}..${no - 1n} are missing` });
    if (b.prevHash !== prev)
      findings.push({
        month,
        message: `seal block ${b.blockNo} does not link to the block before it`,
      });
    const listed = b.eventIds.map((id) => macs.get(id));
    if (listed.some((m) => m === undefined))
      findings.push({ month, message: `seal block ${b.blockNo} lists events the archive lacks` });
    else if (
      hex(
        chainHash(
          Buffer.from(b.prevHash, 'hex'),
          listed.map((m) => Buffer.from(m ?? '', 'hex')),
        ),
      ) !== b.chainHash
    )
      findings.push({
        month,
        message: `the chain hash of seal block ${b.blockNo} does not match its events`,
      });
    const key = keys.get(b.keyId);
    const row = blockRowOf(b);
    if (!key || !verifyEd25519(key, blockSigningBytes(row), row.signature))
      findings.push({ month, message: `seal block ${b.blockNo} has an invalid signature` });
    for (const id of b.eventIds) sealed.add(id);
    prev = b.chainHash;
    prevNo = no;
  }
  if (prev !== manifest.lastChainHash)
    findings.push({ month, message: `the last chain hash of ${month} is not its last block's` });
  for (const e of events)
    if (!sealed.has(e.id))
      findings.push({
        month,
        eventId: e.id,
        message: `event ${e.id} is in no seal block of ${month}`,
      });
}

/** Checks one month's two files. */
export function checkMonth(
  month: string,
  manifestBytes: Buffer | null,
  eventsBytes: Buffer | null,
  expected?: KeyObject,
): MonthCheck {
  const findings: ArchiveFinding[] = [];
  if (!manifestBytes || !eventsBytes) {
    findings.push({ month, message: `the archive of ${month} is incomplete (a file is missing)` });
    return { month, events: [], manifest: null, findings };
  }
  const parsed = parseManifest(manifestBytes, month, findings);
  if (!parsed) return { month, events: [], manifest: null, findings };
  const { manifest, signature } = parsed;
  if (manifest.month !== month)
    findings.push({
      month,
      message: `the manifest of ${month} is the manifest of ${manifest.month}`,
    });
  const keys = publicKeys(manifest);
  checkSignature(manifest, signature, keys, expected, findings);
  const events = checkLines(manifest, eventsBytes, findings);
  checkBlocks(manifest, events, keys, findings);
  return { month, events, manifest, findings };
}

/**
 * The chain continues from one month to the next: the later month's first block is the earlier
 * month's last (a block spanning both) or the one after it, linked to its chain hash.
 */
export function checkContinuity(
  earlier: ArchiveManifest,
  later: ArchiveManifest,
): ArchiveFinding[] {
  const last = earlier.blocks[earlier.blocks.length - 1];
  const first = later.blocks[0];
  if (!last || !first) return [];
  const lastNo = BigInt(last.blockNo);
  const firstNo = BigInt(first.blockNo);
  if (firstNo === lastNo && first.chainHash === last.chainHash) return [];
  if (firstNo === lastNo + 1n && later.anchor === earlier.lastChainHash) return [];
  return [
    {
      month: later.month,
      message: `the chain does not continue from ${earlier.month} (block ${last.blockNo}) to ${later.month} (block ${first.blockNo})`,
    },
  ];
}
