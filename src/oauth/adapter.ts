import type { Adapter, AdapterPayload } from 'oidc-provider';
import { sha256 } from '../crypto/index.ts';
import {
  type Clock,
  type Database,
  isCleanText,
  platformStatement,
  type Tx,
} from '../platform/index.ts';
import * as store from './models.store.ts';

export interface AdapterDeps {
  database: Database;
  clock: Clock;
  /**
   * A refresh token used again within this many seconds of its first use is honoured once more
   * (two tabs refreshing at once); later reuse revokes the grant (docs/oidc.md).
   */
  refreshReuseGraceSeconds: number;
  /** Client metadata for oidc-provider, from `oauth_clients` (the `Client` model). */
  findClient(id: string): Promise<AdapterPayload | undefined>;
}

/**
 * Models whose id is the bearer value handed out: stored under its SHA-256 and without the value
 * in the payload (docs/architecture.md#invariant-2), so the table never holds a usable token.
 */
const bearerModels = new Set([
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'ClientCredentials',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'RegistrationAccessToken',
  'InitialAccessToken',
]);

/**
 * oidc-provider's storage: every model in `oidc_models`, in platform scope (artifacts are found by
 * id before their organization is known; the client decides which organization may sign in).
 */
export function createAdapterClass(deps: AdapterDeps): new (name: string) => Adapter {
  const { database, clock } = deps;
  // Every adapter operation is one statement: no transaction needed around it.
  const run = <T>(fn: (tx: Tx) => Promise<T>) => platformStatement(database, fn);

  function present(name: string, row: store.ModelRow | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    const now = clock.now().getTime();
    if (row.expiresAt && row.expiresAt.getTime() <= now) return undefined;
    const payload = row.payload as AdapterPayload;
    if (!row.consumedAt) return payload;
    const graceMs = name === 'RefreshToken' ? deps.refreshReuseGraceSeconds * 1000 : 0;
    if (now - row.consumedAt.getTime() < graceMs) return payload;
    return { ...payload, consumed: Math.floor(row.consumedAt.getTime() / 1000) };
  }

  return class PostgresAdapter implements Adapter {
    readonly name: string;
    private readonly bearer: boolean;
    constructor(name: string) {
      this.name = name;
      this.bearer = bearerModels.has(name);
    }

    /** The stored id: the SHA-256 of a bearer value, any other id as it is. */
    private key(id: string): string {
      return this.bearer ? sha256(id).toString('base64url') : id;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(clock.now().getTime() + expiresIn * 1000) : null;
      await run((tx) =>
        store.upsertModel(tx, {
          model: this.name,
          id: this.key(id),
          payload: (this.bearer ? { ...payload, jti: undefined } : payload) as Record<
            string,
            unknown
          >,
          expiresAt,
        }),
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      // Vigil never issues an id with a control character; PostgreSQL would refuse a NUL (a 500).
      if (!isCleanText(id)) return undefined;
      if (this.name === 'Client') return deps.findClient(id);
      const found = present(
        this.name,
        await run((tx) => store.findModel(tx, this.name, { id: this.key(id) })),
      );
      return found && this.bearer ? { ...found, jti: id } : found;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (!isCleanText(uid)) return undefined;
      return present(this.name, await run((tx) => store.findModel(tx, this.name, { uid })));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      if (!isCleanText(userCode)) return undefined;
      return present(this.name, await run((tx) => store.findModel(tx, this.name, { userCode })));
    }

    async consume(id: string): Promise<void> {
      await run((tx) => store.consumeModel(tx, this.name, this.key(id), clock.now()));
    }

    async destroy(id: string): Promise<void> {
      await run((tx) => store.deleteModel(tx, this.name, this.key(id)));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await run((tx) => store.deleteByGrant(tx, this.name, grantId));
    }
  };
}
