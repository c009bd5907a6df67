import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  newId,
  type Tx,
  withPlatform,
} from '../platform/index.ts';
import { cryptoErrors } from './errors.ts';
import type { Keyring } from './keyring.ts';
import * as store from './platform-keys.store.ts';
import {
  ed25519PrivateKey,
  ed25519PublicKey,
  generateEd25519,
  hmacSha256With,
  type KeyObject,
  randomBytesOf,
} from './primitives.ts';
import type { EncryptedColumn } from './rotation.store.ts';

export type PlatformKeyPurpose = 'audit-mac' | 'audit-seal' | 'oidc-cookies';

const algorithmOf: Record<PlatformKeyPurpose, 'HS256' | 'Ed25519'> = {
  'audit-mac': 'HS256',
  'audit-seal': 'Ed25519',
  // Signs oidc-provider's cookies.
  'oidc-cookies': 'HS256',
};

export const platformKeysColumn: EncryptedColumn = {
  table: 'platform_keys',
  column: 'private_key_enc',
  idColumn: 'id',
};

export interface LoadedPlatformKey {
  id: string;
  purpose: string;
  algorithm: string;
  /** HMAC key bytes (HS256) or the PKCS#8 PEM bytes (Ed25519). */
  secret: Buffer;
  /** HMAC-SHA-256 under this key (HS256 keys). */
  mac?: (data: string | Uint8Array) => Buffer;
  privateKey?: KeyObject;
  publicKey?: KeyObject;
}

export interface PlatformKeys {
  /**
   * First start: the keyring's first data key and every platform key, with their audit events,
   * in one transaction (nothing is created when they exist).
   */
  initialize(actor: AuditActor): Promise<void>;
  /** Creates the active key of `purpose` when there is none; returns whether it did. */
  ensure(tx: Tx, purpose: PlatformKeyPurpose, actor: AuditActor): Promise<boolean>;
  /** The active key, cached; loaded on first use. */
  active(purpose: PlatformKeyPurpose): Promise<LoadedPlatformKey>;
  /** The cached active key; throws when `active` has not loaded it (hot paths). */
  activeCached(purpose: PlatformKeyPurpose): LoadedPlatformKey;
  byId(id: string): Promise<LoadedPlatformKey>;
  rotate(purpose: PlatformKeyPurpose, actor: AuditActor): Promise<string>;
  list(): Promise<store.PlatformKeyRow[]>;
}

export interface PlatformKeysDeps {
  database: Database;
  keyring: Keyring;
  audit: AuditWriter;
  clock: Clock;
  platformOrgId: string;
}

export function createPlatformKeys(deps: PlatformKeysDeps): PlatformKeys {
  const byIdCache = new Map<string, LoadedPlatformKey>();
  const activeCache = new Map<string, LoadedPlatformKey>();

  async function decode(row: store.PlatformKeyRow): Promise<LoadedPlatformKey> {
    const secret = await deps.keyring.decrypt(row.private_key_enc, {
      ...platformKeysColumn,
      rowId: row.id,
    });
    const key: LoadedPlatformKey = {
      id: row.id,
      purpose: row.purpose,
      algorithm: row.algorithm,
      secret,
    };
    if (row.algorithm === 'HS256') key.mac = hmacSha256With(secret);
    if (row.algorithm === 'Ed25519') {
      key.privateKey = ed25519PrivateKey(secret.toString('utf8'));
      if (row.public_key) key.publicKey = ed25519PublicKey(row.public_key);
    }
    return key;
  }

  async function create(tx: Tx, purpose: PlatformKeyPurpose, actor: AuditActor) {
    const now = deps.clock.now();
    const id = newId(now.getTime());
    const algorithm = algorithmOf[purpose];
    let secret: Buffer;
    let publicKey: string | null = null;
    if (algorithm === 'Ed25519') {
      const pair = generateEd25519();
      secret = Buffer.from(pair.privateKeyPem, 'utf8');
      publicKey = pair.publicKeyPem;
    } else {
      secret = randomBytesOf(32);
    }
    const row: store.PlatformKeyRow = {
      id,
      purpose,
      algorithm,
      public_key: publicKey,
      private_key_enc: deps.keyring.encrypt(secret, { ...platformKeysColumn, rowId: id }),
      status: 'active',
      created_at: now,
      activated_at: now,
      retired_at: null,
    };
    if (!(await store.insertActiveKey(tx, row))) return undefined;
    const loaded = await decode(row);
    // Cached before the audit write: the first audit-mac key MACs its own creation event.
    activeCache.set(purpose, loaded);
    byIdCache.set(id, loaded);
    await deps.audit(tx, {
      orgId: deps.platformOrgId,
      action: 'platform_key.created',
      actor,
      target: { type: 'platform_key', id },
      details: { purpose, algorithm, dataKeyId: deps.keyring.activeKeyId() },
    });
    return loaded;
  }

  const keys: PlatformKeys = {
    initialize: (actor) =>
      withPlatform(deps.database, async (tx) => {
        const createdDataKey = await deps.keyring.initialize(tx);
        await keys.ensure(tx, 'audit-mac', actor);
        await keys.ensure(tx, 'audit-seal', actor);
        await keys.ensure(tx, 'oidc-cookies', actor);
        if (createdDataKey) {
          await deps.audit(tx, {
            orgId: deps.platformOrgId,
            action: 'keyring.data_key.created',
            actor,
            target: { type: 'data_key', id: '1' },
            details: { keyId: 1, masterKeyId: deps.keyring.masterKeyId },
          });
        }
      }),
    async ensure(tx, purpose, actor) {
      let created = false;
      try {
        if (!(await store.activeKey(tx, purpose))) {
          created = (await create(tx, purpose, actor)) !== undefined;
        }
        // Another node may have created it concurrently: load whichever is active now.
        const row = await store.activeKey(tx, purpose);
        if (!row) throw cryptoErrors.platformKeyMissing({ purpose });
        const loaded = await decode(row);
        activeCache.set(purpose, loaded);
        byIdCache.set(loaded.id, loaded);
        return created;
      } catch (err) {
        activeCache.delete(purpose);
        throw err;
      }
    },
    async active(purpose) {
      const cached = activeCache.get(purpose);
      if (cached) return cached;
      const row = await withPlatform(deps.database, (tx) => store.activeKey(tx, purpose));
      if (!row) {
        throw cryptoErrors.platformKeyMissing({ purpose });
      }
      const loaded = await decode(row);
      activeCache.set(purpose, loaded);
      byIdCache.set(loaded.id, loaded);
      return loaded;
    },
    activeCached(purpose) {
      const cached = activeCache.get(purpose);
      if (!cached) {
        throw cryptoErrors.platformKeyMissing({ purpose });
      }
      return cached;
    },
    async byId(id) {
      const cached = byIdCache.get(id);
      if (cached) return cached;
      const rows = await withPlatform(deps.database, (tx) => store.keysOf(tx));
      const row = rows.find((r) => r.id === id);
      if (!row) throw cryptoErrors.platformKeyUnknown({ id });
      const loaded = await decode(row);
      byIdCache.set(id, loaded);
      return loaded;
    },
    async rotate(purpose, actor) {
      const id = await withPlatform(deps.database, async (tx) => {
        const current = await store.activeKey(tx, purpose);
        if (current) await store.retireKey(tx, current.id, deps.clock.now());
        activeCache.delete(purpose);
        const created = await create(tx, purpose, actor);
        if (!created) throw cryptoErrors.rotationRace();
        return created.id;
      });
      return id;
    },
    list: () => withPlatform(deps.database, (tx) => store.keysOf(tx)),
  };
  return keys;
}
