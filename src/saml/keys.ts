import { createSamlKeyPair, type EncryptedColumn, type Keyring } from '../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  newId,
  type SamlKeyState,
  type SamlKeyUse,
  systemActor,
  type Tx,
} from '../platform/index.ts';
import { samlErrors } from './errors.ts';
import * as store from './keys.store.ts';

/** A SAML key's private part: a keyring ciphertext bound to (saml_keys.private_key, id). */
export const samlKeyColumn: EncryptedColumn = {
  table: 'saml_keys',
  column: 'private_key',
  idColumn: 'id',
};

export const samlKeyUses = ['signing', 'encryption'] as const satisfies SamlKeyUse[];

/** A SAML key as the admin API lists it (never its private part). */
export interface SamlKey {
  id: string;
  use: SamlKeyUse;
  state: SamlKeyState;
  fingerprint: string;
  certificate: string;
  notBefore: Date;
  notAfter: Date;
  createdAt: Date;
  activatedAt: Date | null;
  retiringAt: Date | null;
  retiredAt: Date | null;
}

const toKey = (row: store.SamlKeyRow): SamlKey => ({
  id: row.id,
  use: row.use,
  state: row.state,
  fingerprint: row.fingerprint,
  certificate: row.certificate,
  notBefore: row.not_before,
  notAfter: row.not_after,
  createdAt: row.created_at,
  activatedAt: row.activated_at,
  retiringAt: row.retiring_at,
  retiredAt: row.retired_at,
});

/** Order of the published keys: the one in use first, then the coming one, then the leaving. */
const stateRank: Record<SamlKeyState, number> = { active: 0, next: 1, retiring: 2, retired: 3 };

export interface SamlKeysDeps {
  keyring: Keyring;
  audit: AuditWriter;
  clock: Clock;
  /** The organization's name, for the certificate's CN. */
  organizationName(tx: Tx, orgId: string): Promise<string>;
  /** Days a generated certificate is valid (3 years). */
  validDays?: number;
}

/**
 * An organization's SAML keys (docs/sso.md#saml-keys-and-rotation): one active signing and one
 * active encryption key, created on first use; a rotation publishes a `next` key first, then
 * activates it while the old one keeps being published (and still decrypts) as `retiring` until
 * it is retired.
 */
export function createSamlKeys(deps: SamlKeysDeps) {
  const { keyring, clock } = deps;

  async function generate(tx: Tx, orgId: string, use: SamlKeyUse, state: SamlKeyState) {
    const now = clock.now();
    const pair = await createSamlKeyPair(
      `${await deps.organizationName(tx, orgId)} SAML ${use}`,
      deps.validDays,
      now,
    );
    const id = newId(now.getTime());
    const row: store.SamlKeyRow = {
      id,
      org_id: orgId,
      use,
      state,
      certificate: pair.certificate,
      private_key: keyring.encrypt(pair.privateKey, { ...samlKeyColumn, rowId: id }),
      fingerprint: pair.fingerprint,
      not_before: pair.notBefore,
      not_after: pair.notAfter,
      created_at: now,
      activated_at: state === 'active' ? now : null,
      retiring_at: null,
      retired_at: null,
    };
    await store.insertKey(tx, row);
    return row;
  }

  const auditKey = (
    tx: Tx,
    row: store.SamlKeyRow,
    action: 'saml.key.created' | 'saml.key.activated' | 'saml.key.retired',
    actor: AuditActor,
    details: Record<string, unknown> = {},
  ) =>
    deps.audit(tx, {
      orgId: row.org_id,
      action,
      actor,
      target: { type: 'saml_key', id: row.id },
      details: {
        use: row.use,
        fingerprint: row.fingerprint,
        notAfter: row.not_after.toISOString(),
        ...details,
      },
    });

  /** Creates the active signing and encryption keys the organization lacks (first use). */
  async function ensure(tx: Tx, orgId: string, actor: AuditActor): Promise<void> {
    const missing = async () => {
      const live = await store.liveKeys(tx, orgId, 'signing');
      const enc = await store.liveKeys(tx, orgId, 'encryption');
      return samlKeyUses.filter(
        (use) => !(use === 'signing' ? live : enc).some((k) => k.state === 'active'),
      );
    };
    if ((await missing()).length === 0) return;
    await store.lockKeys(tx, orgId);
    for (const use of await missing()) {
      const row = await generate(tx, orgId, use, 'active');
      await auditKey(tx, row, 'saml.key.created', actor);
      await auditKey(tx, row, 'saml.key.activated', actor, { replaced: null });
    }
  }

  async function live(tx: Tx, orgId: string, use: SamlKeyUse, actor: AuditActor) {
    await ensure(tx, orgId, actor);
    const rows = await store.liveKeys(tx, orgId, use);
    return rows.sort((a, b) => stateRank[a.state] - stateRank[b.state]);
  }

  const open = async (row: store.SamlKeyRow) => ({
    id: row.id,
    certificate: row.certificate,
    privateKey: (
      await keyring.decrypt(row.private_key, { ...samlKeyColumn, rowId: row.id })
    ).toString('utf8'),
  });

  async function found(tx: Tx, orgId: string, id: string) {
    const row = await store.findKey(tx, orgId, id);
    if (!row) throw samlErrors.keyNotFound();
    return row;
  }

  return {
    ensure,

    /** The active signing key, opened (created on first use). */
    async signingKey(
      tx: Tx,
      orgId: string,
      actor: AuditActor = systemActor,
    ): Promise<{ id: string; certificate: string; privateKey: string }> {
      const [active] = await live(tx, orgId, 'signing', actor);
      if (active?.state !== 'active') throw samlErrors.keyNotFound();
      return open(active);
    },

    /**
     * Every encryption key that may have been used to encrypt to the organization (next, active,
     * retiring), opened, the active one first.
     */
    async decryptionKeys(
      tx: Tx,
      orgId: string,
      actor: AuditActor = systemActor,
    ): Promise<{ certificate: string; privateKey: string }[]> {
      const rows = await live(tx, orgId, 'encryption', actor);
      return Promise.all(rows.map(open));
    },

    /** The certificates of one use the metadata publishes (active, next, retiring). */
    async publishedCertificates(
      tx: Tx,
      orgId: string,
      use: SamlKeyUse,
      actor: AuditActor = systemActor,
    ): Promise<string[]> {
      return (await live(tx, orgId, use, actor)).map((k) => k.certificate);
    },

    async list(tx: Tx, orgId: string, actor: AuditActor): Promise<SamlKey[]> {
      await ensure(tx, orgId, actor);
      return (await store.keysOf(tx, orgId)).map(toKey);
    },

    /** Rotation, step 1: a new key of `use`, published in the metadata but not used yet. */
    async create(tx: Tx, orgId: string, use: SamlKeyUse, actor: AuditActor): Promise<SamlKey> {
      await ensure(tx, orgId, actor);
      await store.lockKeys(tx, orgId);
      const pending = (await store.liveKeys(tx, orgId, use)).find((k) => k.state === 'next');
      if (pending)
        throw samlErrors.keyState({
          state: 'next',
          problem: `activate or keep the published next ${use} key ${pending.id} first`,
        });
      const row = await generate(tx, orgId, use, 'next');
      await auditKey(tx, row, 'saml.key.created', actor);
      return toKey(row);
    },

    /**
     * Rotation, step 2: the `next` key signs (or decrypts first) from now on; the active one
     * becomes `retiring`, still published and still decrypting.
     */
    async activate(tx: Tx, orgId: string, id: string, actor: AuditActor): Promise<SamlKey> {
      await store.lockKeys(tx, orgId);
      const row = await found(tx, orgId, id);
      if (row.state !== 'next')
        throw samlErrors.keyState({
          state: row.state,
          problem: 'only a next key can be activated',
        });
      const now = clock.now();
      const previous = (await store.liveKeys(tx, orgId, row.use)).find((k) => k.state === 'active');
      if (previous) await store.updateKey(tx, previous.id, { state: 'retiring', retiring_at: now });
      await store.updateKey(tx, row.id, { state: 'active', activated_at: now });
      await auditKey(tx, row, 'saml.key.activated', actor, {
        replaced: previous ? { id: previous.id, fingerprint: previous.fingerprint } : null,
      });
      return toKey({ ...row, state: 'active', activated_at: now });
    },

    /** Rotation, step 3: a retiring key leaves the metadata and is used no more. */
    async retire(tx: Tx, orgId: string, id: string, actor: AuditActor): Promise<SamlKey> {
      await store.lockKeys(tx, orgId);
      const row = await found(tx, orgId, id);
      if (row.state !== 'retiring')
        throw samlErrors.keyState({
          state: row.state,
          problem: 'only a retiring key can be retired',
        });
      const now = clock.now();
      await store.updateKey(tx, row.id, { state: 'retired', retired_at: now });
      await auditKey(tx, row, 'saml.key.retired', actor);
      return toKey({ ...row, state: 'retired', retired_at: now });
    },
  };
}

export type SamlKeys = ReturnType<typeof createSamlKeys>;
