import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  type Tx,
  withPlatform,
} from '../platform/index.ts';
import { open, seal } from './aead.ts';
import { cryptoErrors } from './errors.ts';
import * as store from './keyring.store.ts';
import type { MasterKey, MasterKeys } from './master-key.ts';
import { randomBytesOf } from './primitives.ts';
import { insertRotation } from './rotation.store.ts';

/** Where a ciphertext lives; it is bound to this place as additional authenticated data. */
export interface CipherLocation {
  table: string;
  column: string;
  rowId: string;
}

const formatVersion = 'v1';

function aadOf(where: CipherLocation): string {
  return `vigil:${where.table}.${where.column}:${where.rowId}`;
}

/** `v1:<data key id>:<base64url(iv ‖ ciphertext ‖ tag)>` — every ciphertext names its key version. */
export function keyIdOf(ciphertext: string): number {
  const [version, id, body] = ciphertext.split(':');
  const keyId = Number(id);
  if (version !== formatVersion || !Number.isInteger(keyId) || keyId < 1 || !body) {
    throw cryptoErrors.ciphertextMalformed({ problem: 'not a Vigil ciphertext' });
  }
  return keyId;
}

export interface Keyring {
  /**
   * Creates the first data key inside the caller's transaction when there is none, so that its
   * creation is audited in that transaction; returns whether it did.
   */
  initialize(tx: Tx): Promise<boolean>;
  readonly masterKeyId: string;
  activeKeyId(): number;
  encrypt(plaintext: string | Uint8Array, where: CipherLocation): string;
  decrypt(ciphertext: string, where: CipherLocation): Promise<Buffer>;
  /** Reloads data keys from the database (another node may have rotated). */
  refresh(): Promise<void>;
  /** Creates and activates a new data key; the caller then runs the re-encryption job. */
  rotateDataKey(actor: AuditActor): Promise<{ keyId: number; rotationId: string }>;
  /** Re-wraps every data key under `next`; returns how many were re-wrapped. */
  rotateMasterKey(next: MasterKey, actor: AuditActor): Promise<number>;
  listDataKeys(): Promise<store.DataKeyRow[]>;
}

export interface KeyringDeps {
  database: Database;
  masterKeys: MasterKeys;
  audit: AuditWriter;
  clock: Clock;
  platformOrgId: string;
}

function wrap(master: MasterKey, keyId: number, key: Uint8Array): string {
  return `${formatVersion}:${seal(master.key, key, `vigil:data-key:${keyId}`).toString('base64url')}`;
}

function unwrap(masters: MasterKey[], row: store.DataKeyRow): Buffer {
  const master = masters.find((m) => m.id === row.master_key_id);
  if (!master) {
    // Fail closed (docs/architecture.md#invariant-7): without the right master key nothing can be
    // decrypted.
    throw cryptoErrors.masterKeyMissing({ keyId: row.id, masterKeyId: row.master_key_id });
  }
  const body = row.wrapped_key.slice(formatVersion.length + 1);
  return open(master.key, Buffer.from(body, 'base64url'), `vigil:data-key:${row.id}`);
}

export async function openKeyring(deps: KeyringDeps): Promise<Keyring> {
  const { database, clock } = deps;
  const masters = [deps.masterKeys.current, ...deps.masterKeys.previous];
  let keys = new Map<number, Buffer>();
  let active = 0;

  const newDataKeyRow = (id: number, now: Date): store.DataKeyRow => ({
    id,
    master_key_id: deps.masterKeys.current.id,
    wrapped_key: wrap(deps.masterKeys.current, id, randomBytesOf(32)),
    status: 'active',
    created_at: now,
    activated_at: now,
    retired_at: null,
  });

  function install(rows: store.DataKeyRow[]): void {
    const next = new Map<number, Buffer>();
    for (const row of rows) next.set(row.id, unwrap(masters, row));
    keys = next;
    active = rows.find((r) => r.status === 'active')?.id ?? 0;
  }

  async function load(): Promise<void> {
    install(await withPlatform(database, (tx) => store.listDataKeys(tx)));
  }

  await load();

  const keyring: Keyring = {
    async initialize(tx) {
      const created =
        (await store.listDataKeys(tx)).length === 0
          ? await store.insertDataKey(tx, newDataKeyRow(1, clock.now()))
          : false;
      install(await store.listDataKeys(tx));
      return created;
    },
    masterKeyId: deps.masterKeys.current.id,
    activeKeyId: () => active,
    encrypt(plaintext, where) {
      const key = keys.get(active);
      if (!key) throw cryptoErrors.noActiveKey();
      const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      return `${formatVersion}:${active}:${seal(key, data, aadOf(where)).toString('base64url')}`;
    },
    async decrypt(ciphertext, where) {
      const keyId = keyIdOf(ciphertext);
      if (!keys.has(keyId)) await load();
      const key = keys.get(keyId);
      if (!key) {
        throw cryptoErrors.keyUnknown({ keyId });
      }
      const body = ciphertext.slice(ciphertext.indexOf(':', formatVersion.length + 1) + 1);
      return open(key, Buffer.from(body, 'base64url'), aadOf(where));
    },
    refresh: load,
    async rotateDataKey(actor) {
      const result = await withPlatform(database, async (tx) => {
        await store.lockKeyring(tx);
        const rows = await store.listDataKeys(tx);
        const previous = rows.find((r) => r.status === 'active');
        const keyId = Math.max(0, ...rows.map((r) => r.id)) + 1;
        const now = clock.now();
        await store.retireActiveDataKey(tx, now);
        await store.insertDataKey(tx, newDataKeyRow(keyId, now));
        const rotationId = await insertRotation(tx, keyId, now);
        await deps.audit(tx, {
          orgId: deps.platformOrgId,
          action: 'keyring.data_key.rotated',
          actor,
          target: { type: 'data_key', id: String(keyId) },
          details: { keyId, previousKeyId: previous?.id ?? null, rotationId },
        });
        return { keyId, rotationId };
      });
      await load();
      return result;
    },
    async rotateMasterKey(next, actor) {
      const count = await withPlatform(database, async (tx) => {
        await store.lockKeyring(tx);
        const rows = await store.listDataKeys(tx);
        for (const row of rows) {
          await store.rewrapDataKey(tx, row.id, next.id, wrap(next, row.id, unwrap(masters, row)));
        }
        await deps.audit(tx, {
          orgId: deps.platformOrgId,
          action: 'keyring.master_key.rotated',
          actor,
          details: { from: deps.masterKeys.current.id, to: next.id, dataKeys: rows.length },
        });
        return rows.length;
      });
      masters.unshift(next);
      return count;
    },
    listDataKeys: () => withPlatform(database, (tx) => store.listDataKeys(tx)),
  };
  return keyring;
}
