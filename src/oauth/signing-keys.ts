import { generateSigningJwk, type JwkSigningAlg, type Keyring } from '../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  newId,
  type Tx,
  withPlatform,
} from '../platform/index.ts';
import * as store from './signing-keys.store.ts';

export const signingKeyColumn = {
  table: 'oidc_signing_keys',
  column: 'private_jwk_enc',
  idColumn: 'id',
};

const algs: JwkSigningAlg[] = ['ES256', 'RS256'];

export interface SigningKeysDeps {
  database: Database;
  keyring: Keyring;
  audit: AuditWriter;
  clock: Clock;
  platformOrgId: string;
  /** A signing key is replaced after this many days. */
  rotationDays: number;
  /** A new key is published this long before it signs (nodes reload, clients refetch JWKS). */
  publishAheadSeconds: number;
  /** A retired key stays in JWKS this long: longer than any token it signed lives. */
  keepAfterRetireSeconds: number;
}

/**
 * Where a key is in its life: `published` (in JWKS, not signing yet), `active` (signing),
 * `retired` (in JWKS for what it signed, not signing), `removed` (gone from JWKS).
 */
export type SigningKeyState = 'published' | 'active' | 'retired' | 'removed';

export interface SigningKeyInfo {
  kid: string;
  alg: JwkSigningAlg;
  state: SigningKeyState;
  createdAt: Date;
  /** Signs from then on (published from `createdAt`). */
  activateAt: Date;
  /** Stops signing then; null while no successor is scheduled. */
  retireAt: Date | null;
  /** Leaves JWKS then. */
  removeAt: Date | null;
}

/** One rotation: the new key, when it starts signing, and the keys it replaces then. */
export interface SigningKeyRotation {
  kid: string;
  alg: JwkSigningAlg;
  activateAt: Date;
  replaces: { kid: string; retireAt: Date; removeAt: Date }[];
}

function stateOf(row: store.SigningKeyRow, now: Date): SigningKeyState {
  if (row.remove_at !== null && row.remove_at <= now) return 'removed';
  if (row.retire_at !== null && row.retire_at <= now) return 'retired';
  return row.activate_at > now ? 'published' : 'active';
}

/** The keys oidc-provider gets: private JWKs, the signing key of each algorithm first. */
export interface ProviderKeys {
  keys: Record<string, unknown>[];
  /** Their public halves, as JWKS publishes them (for verifying tokens this node issued). */
  publicKeys: Record<string, unknown>[];
  /** Changes whenever the set or the order changes: nodes rebuild their provider then. */
  fingerprint: string;
}

/**
 * Token signing keys (docs/keys.md): ES256 and RS256, private parts encrypted by the keyring,
 * rotated on a schedule with publication before use and retirement after the longest token
 * lifetime. The database is the source; every node reloads from it.
 */
export function createSigningKeys(deps: SigningKeysDeps) {
  const { keyring, clock } = deps;
  const live = (row: store.SigningKeyRow, now: Date) =>
    row.activate_at <= now && (row.retire_at === null || row.retire_at > now);

  /** A new key of `alg`, published from `now`, signing from `activateAt` (audited). */
  async function addKey(
    tx: Tx,
    alg: JwkSigningAlg,
    now: Date,
    activateAt: Date,
    actor: AuditActor,
  ) {
    const id = newId(now.getTime());
    const kid = `${alg.toLowerCase()}-${id}`;
    const { privateJwk, publicJwk } = generateSigningJwk(alg);
    const meta = { kid, alg, use: 'sig' };
    await store.insertKey(tx, {
      id,
      kid,
      alg,
      public_jwk: JSON.stringify({ ...publicJwk, ...meta }),
      private_jwk_enc: keyring.encrypt(JSON.stringify({ ...privateJwk, ...meta }), {
        ...signingKeyColumn,
        rowId: id,
      }),
      created_at: now,
      activate_at: activateAt,
      retire_at: null,
      remove_at: null,
    });
    await deps.audit(tx, {
      orgId: deps.platformOrgId,
      action: 'oauth.signing_key.created',
      actor,
      target: { type: 'signing_key', id: kid },
      details: { alg, activateAt: activateAt.toISOString() },
    });
    return kid;
  }

  /**
   * Replaces the signing key of `alg`: the new key is published at once and signs from
   * `publishAheadSeconds` on (nodes reload, relying parties refetch JWKS meanwhile); the keys it
   * replaces stop signing then and stay in JWKS for `keepAfterRetireSeconds` more. When no key of
   * `alg` signs now (none made yet), there is nothing to wait for: the new key signs at once.
   */
  async function rotateIn(
    tx: Tx,
    alg: JwkSigningAlg,
    actor: AuditActor,
  ): Promise<SigningKeyRotation> {
    const now = clock.now();
    const published = (await store.publishedKeys(tx, now)).filter((row) => row.alg === alg);
    const activateAt = published.some((row) => live(row, now))
      ? new Date(now.getTime() + deps.publishAheadSeconds * 1000)
      : now;
    const removeAt = new Date(activateAt.getTime() + deps.keepAfterRetireSeconds * 1000);
    const replaces: SigningKeyRotation['replaces'] = [];
    for (const row of published) {
      if (row.retire_at === null || row.retire_at > activateAt) {
        await store.scheduleRetirement(tx, row.id, activateAt, removeAt);
        replaces.push({ kid: row.kid, retireAt: activateAt, removeAt });
      }
    }
    const kid = await addKey(tx, alg, now, activateAt, actor);
    await deps.audit(tx, {
      orgId: deps.platformOrgId,
      action: 'oauth.signing_key.rotated',
      actor,
      target: { type: 'signing_key', id: kid },
      details: {
        alg,
        activateAt: activateAt.toISOString(),
        replaced: replaces.map((r) => r.kid),
        previousRetiredAt: activateAt.toISOString(),
        previousRemovedAt: removeAt.toISOString(),
      },
    });
    return { kid, alg, activateAt, replaces };
  }

  return {
    /** First start: one key per algorithm, signing at once (nothing was signed before). */
    ensure: (actor: AuditActor): Promise<void> =>
      withPlatform(deps.database, async (tx) => {
        const now = clock.now();
        const published = await store.publishedKeys(tx, now);
        for (const alg of algs) {
          if (!published.some((row) => row.alg === alg)) await addKey(tx, alg, now, now, actor);
        }
      }),

    /**
     * Manual rotation (`vigil keys rotate --signing [--alg]`): `alg`, or both algorithms, each
     * audited. Serialised with the schedule of every node.
     */
    rotate: (alg: JwkSigningAlg | undefined, actor: AuditActor): Promise<SigningKeyRotation[]> =>
      withPlatform(deps.database, async (tx) => {
        await store.lockSchedule(tx);
        const rotated: SigningKeyRotation[] = [];
        for (const each of alg ? [alg] : algs) rotated.push(await rotateIn(tx, each, actor));
        return rotated;
      }),

    /** The schedule: rotates an algorithm whose signing key is due and has no successor yet. */
    rotateDue: (actor: AuditActor) =>
      withPlatform(deps.database, async (tx) => {
        await store.lockSchedule(tx); // one node at a time decides
        const now = clock.now();
        const rows = await store.publishedKeys(tx, now);
        const rotated: string[] = [];
        for (const alg of algs) {
          const mine = rows.filter((row) => row.alg === alg);
          const pending = mine.some((row) => row.activate_at > now);
          const current = mine.filter((row) => live(row, now)).at(-1);
          const dueAt = current
            ? current.activate_at.getTime() +
              deps.rotationDays * 86_400_000 -
              deps.publishAheadSeconds * 1000
            : 0;
          if (!pending && dueAt <= now.getTime())
            rotated.push((await rotateIn(tx, alg, actor)).kid);
        }
        return rotated;
      }),

    /** What the provider signs and publishes with, now. */
    async providerKeys(): Promise<ProviderKeys> {
      const now = clock.now();
      const rows = await withPlatform(deps.database, (tx) => store.publishedKeys(tx, now));
      // oidc-provider signs with the first key of an algorithm: the newest live one goes first.
      const ordered = [
        ...rows.filter((row) => live(row, now)).reverse(),
        ...rows.filter((row) => !live(row, now)),
      ];
      const keys = await Promise.all(
        ordered.map(async (row) =>
          JSON.parse(
            (
              await keyring.decrypt(row.private_jwk_enc, { ...signingKeyColumn, rowId: row.id })
            ).toString(),
          ),
        ),
      );
      return {
        keys,
        publicKeys: ordered.map((row) => row.public_jwk as Record<string, unknown>),
        fingerprint: ordered.map((row) => row.kid).join(','),
      };
    },

    /** Every signing key ever made, oldest activation first, with its state now (no secrets). */
    async list(): Promise<SigningKeyInfo[]> {
      const now = clock.now();
      const rows = await withPlatform(deps.database, (tx) => store.allKeys(tx));
      return rows.map((row) => ({
        kid: row.kid,
        alg: row.alg,
        state: stateOf(row, now),
        createdAt: row.created_at,
        activateAt: row.activate_at,
        retireAt: row.retire_at,
        removeAt: row.remove_at,
      }));
    },
  };
}

export type SigningKeys = ReturnType<typeof createSigningKeys>;
