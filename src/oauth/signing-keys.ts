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

/** The keys oidc-provider gets: private JWKs, the signing key of each algorithm first. */
export interface ProviderKeys {
  keys: Record<string, unknown>[];
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

  async function addKey(tx: Tx, alg: JwkSigningAlg, activateAt: Date, actor: AuditActor) {
    const id = newId(clock.now().getTime());
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
      created_at: clock.now(),
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

  /** Replaces the signing key of `alg`: the new one signs from `publishAheadSeconds` on. */
  async function rotateIn(tx: Tx, alg: JwkSigningAlg, actor: AuditActor): Promise<string> {
    const now = clock.now();
    const activateAt = new Date(now.getTime() + deps.publishAheadSeconds * 1000);
    const removeAt = new Date(activateAt.getTime() + deps.keepAfterRetireSeconds * 1000);
    for (const row of await store.publishedKeys(tx, now)) {
      if (row.alg === alg && (row.retire_at === null || row.retire_at > activateAt))
        await store.scheduleRetirement(tx, row.id, activateAt, removeAt);
    }
    const kid = await addKey(tx, alg, activateAt, actor);
    await deps.audit(tx, {
      orgId: deps.platformOrgId,
      action: 'oauth.signing_key.rotated',
      actor,
      target: { type: 'signing_key', id: kid },
      details: {
        alg,
        activateAt: activateAt.toISOString(),
        previousRemovedAt: removeAt.toISOString(),
      },
    });
    return kid;
  }

  return {
    /** First start: one key per algorithm, signing at once (nothing was signed before). */
    async ensure(tx: Tx, actor: AuditActor): Promise<void> {
      const published = await store.publishedKeys(tx, clock.now());
      for (const alg of algs) {
        if (!published.some((row) => row.alg === alg)) await addKey(tx, alg, clock.now(), actor);
      }
    },

    /** `vigil keys rotate --signing`: both algorithms, each audited. */
    rotate: (actor: AuditActor) =>
      withPlatform(deps.database, async (tx) => {
        const kids: string[] = [];
        for (const alg of algs) kids.push(await rotateIn(tx, alg, actor));
        return kids;
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
          if (!pending && dueAt <= now.getTime()) rotated.push(await rotateIn(tx, alg, actor));
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
      return { keys, fingerprint: ordered.map((row) => row.kid).join(',') };
    },

    list: () => withPlatform(deps.database, (tx) => store.allKeys(tx)),
  };
}

export type SigningKeys = ReturnType<typeof createSigningKeys>;
