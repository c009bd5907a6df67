import type { AuditLog } from '../audit/index.ts';
import type { Client, StepResult } from '../auth/flows/index.ts';
import type { Keyring } from '../crypto/index.ts';
import {
  type AppError,
  type AuditActor,
  type Clock,
  type Database,
  isAppError,
  newId,
  orgScopeRunner,
  type SsoProtocol,
  type SsoProvisioning,
  type Tx,
  withOrg,
  withPlatform,
} from '../platform/index.ts';
import * as connectionStore from './connections.store.ts';
import type { Connections } from './connections.ts';
import type { ConnectionInput, ConnectionUpdate } from './connections-model.ts';
import { serviceProviderUrls } from './connections-model.ts';
import { federationErrors } from './errors.ts';
import type {
  Connection,
  Departure,
  FederationProtocol,
  StartOptions,
  UpstreamAnswer,
  UpstreamIdentity,
} from './protocol.ts';
import * as store from './requests.store.ts';
import { type SamlSpKeys, spMetadataXml } from './saml-sp/index.ts';

/** What a request in flight keeps secret (OIDC: PKCE verifier, nonce): the request's id as AAD. */
export const ssoRequestSecretColumn = { table: 'sso_requests', column: 'secret', idColumn: 'id' };

/** How long the upstream has to answer a request. */
export const requestMinutes = 10;
/** How long a used SAML assertion ID is remembered (longer than any assertion is accepted). */
const usedAssertionHours = 24;

/** The sign-in step a federated identity goes through (src/auth/flows, signIn.federatedStep). */
export interface FederatedSignInInput {
  orgId: string;
  connectionId: string;
  connectionName: string;
  protocol: SsoProtocol;
  provisioning: SsoProvisioning;
  identity: Pick<UpstreamIdentity, 'subject' | 'email' | 'displayName' | 'mfa' | 'reference'>;
}

export interface FederatedSignIn {
  federatedStep(input: FederatedSignInInput, client: Client): Promise<StepResult>;
}

/** The saml module's key service, as far as the SP side uses it. */
export interface SamlKeySource {
  signingKey(tx: Tx, orgId: string): Promise<{ certificate: string; privateKey: string }>;
  decryptionKeys(tx: Tx, orgId: string): Promise<{ certificate: string; privateKey: string }[]>;
  publishedCertificates(tx: Tx, orgId: string, use: 'signing' | 'encryption'): Promise<string[]>;
}

/** The SAML SP's view of the organization's keys, each read in the organization's scope. */
export function samlSpKeysOf(database: Database, source: SamlKeySource | undefined): SamlSpKeys {
  return {
    signingKey: async (orgId) =>
      source ? withOrg(database, orgId, (tx) => source.signingKey(tx, orgId)) : null,
    decryptionKeys: async (orgId) =>
      source ? withOrg(database, orgId, (tx) => source.decryptionKeys(tx, orgId)) : [],
  };
}

export interface FederationDeps {
  database: Database;
  audit: AuditLog;
  keyring: Keyring;
  clock: Clock;
  platformOrgId: string;
  publicUrl: string;
  connections: Connections;
  protocols: readonly FederationProtocol[];
  signIn: FederatedSignIn;
  samlKeys?: SamlKeySource;
}

/**
 * Federated sign-in (docs/sso.md): `start` sends the browser to the organization's IdP with a
 * request remembered for 10 minutes; `finish` takes the answer, uses up that request at once,
 * lets the protocol check the answer, refuses a replayed assertion, and hands the identity to
 * the sign-in flow. Every refusal is audited as sso.login.failed with the connection and reason.
 */
export function createFederation(deps: FederationDeps) {
  const { database, clock, keyring } = deps;
  const inOrg = orgScopeRunner(database, deps.platformOrgId);

  const protocolOf = (connection: Connection): FederationProtocol => {
    const found = deps.protocols.find((p) => p.protocol === connection.protocol);
    if (!found) throw federationErrors.connectionDisabled();
    return found;
  };

  /** The connection's organization (platform scope: the browser names only the connection). */
  async function orgOf(connectionId: string): Promise<string> {
    const orgId = await withPlatform(database, (tx) =>
      connectionStore.orgOfConnection(tx, connectionId),
    );
    if (!orgId) throw federationErrors.connectionNotFound();
    return orgId;
  }

  async function refused(connection: Connection, err: AppError, client: Client): Promise<never> {
    await deps.audit.append({
      orgId: connection.orgId,
      action: 'sso.login.failed',
      outcome: 'failure',
      actor: { type: 'anonymous', ip: client.ip, userAgent: client.userAgent },
      details: {
        connectionId: connection.id,
        connectionName: connection.name,
        protocol: connection.protocol,
        reason: err.code,
        problem: err.message,
      },
    });
    throw err;
  }

  /** Anything a protocol throws that is not one of its refusals is still a refusal here. */
  const asRefusal = (err: unknown): AppError =>
    isAppError(err) ? err : federationErrors.responseInvalid({ problem: 'unreadable' });

  async function loaded(connectionId: string): Promise<Connection> {
    const orgId = await orgOf(connectionId);
    const connection = await withOrg(database, orgId, (tx) =>
      deps.connections.load(tx, connectionId),
    );
    if (!connection) throw federationErrors.connectionNotFound();
    return connection;
  }

  return {
    /**
     * Sends the browser to the IdP: a redirect, or a self-posting form. `correlation` names the
     * request in flight: the caller binds it to the browser (a cookie), and `finish` takes only
     * an answer to the browser's own request.
     */
    async start(
      connectionId: string,
      client: Client,
      options: StartOptions = { fresh: false },
    ): Promise<{ departure: Departure; correlation: string }> {
      const connection = await loaded(connectionId);
      if (!connection.enabled)
        return refused(connection, federationErrors.connectionDisabled(), client);
      const protocol = protocolOf(connection);
      const { departure, pending } = await protocol
        .start(connection, options)
        // A refusal of the protocol's is audited; anything else (the database, the keyring)
        // fails closed as it is.
        .catch((err: unknown) =>
          isAppError(err) ? refused(connection, err, client) : Promise.reject(err),
        );
      const now = clock.now();
      const id = newId(now.getTime());
      await withOrg(database, connection.orgId, async (tx) => {
        await store.deleteExpiredRequests(tx, connection.id, now);
        await store.insertRequest(tx, {
          id,
          org_id: connection.orgId,
          connection_id: connection.id,
          correlation: pending.correlation,
          fresh: options.fresh,
          secret:
            pending.secret === null
              ? null
              : keyring.encrypt(pending.secret, { ...ssoRequestSecretColumn, rowId: id }),
          created_at: now,
          expires_at: new Date(now.getTime() + requestMinutes * 60_000),
        });
      });
      return { departure, correlation: pending.correlation };
    },

    /**
     * Takes the IdP's answer (ACS POST or callback GET). Returns the sign-in step's result, or
     * throws the refusal (already audited). `startedHere`: the correlation of the request this
     * browser started (its cookie); an answer to another request is refused before it is
     * looked at, so nobody can sign a victim's browser in to the attacker's account (login
     * CSRF) and the other browser's request stays usable.
     */
    async finish(
      connectionId: string,
      answer: UpstreamAnswer,
      client: Client,
      startedHere: string | undefined,
    ): Promise<StepResult> {
      const connection = await loaded(connectionId);
      const refuse = (err: unknown) => refused(connection, asRefusal(err), client);
      if (!connection.enabled) return refuse(federationErrors.connectionDisabled());
      const protocol = protocolOf(connection);
      const correlation = protocol.correlationOf(answer);
      if (!correlation || correlation !== startedHere)
        return refuse(federationErrors.requestUnknown());
      const now = clock.now();
      // Its own transaction, committed before the answer is looked at: one answer per request.
      const request = await withOrg(database, connection.orgId, (tx) =>
        store.takeRequest(tx, connection.id, correlation),
      );
      if (!request || request.expires_at <= now) return refuse(federationErrors.requestUnknown());
      const secret =
        request.secret === null
          ? null
          : (
              await keyring.decrypt(request.secret, {
                ...ssoRequestSecretColumn,
                rowId: request.id,
              })
            ).toString('utf8');
      const identity = await protocol
        .complete(connection, answer, {
          correlation,
          secret,
          freshSince: request.fresh ? request.created_at : null,
        })
        .catch(refuse);
      if (connection.protocol === 'saml') {
        const fresh = await withOrg(database, connection.orgId, async (tx) => {
          await store.deleteExpiredAssertions(tx, connection.id, now);
          return store.recordAssertion(tx, {
            connection_id: connection.id,
            assertion_id: identity.reference,
            org_id: connection.orgId,
            expires_at: new Date(now.getTime() + usedAssertionHours * 3_600_000),
          });
        });
        if (!fresh) return refuse(federationErrors.replayed());
      }
      return deps.signIn.federatedStep(
        {
          orgId: connection.orgId,
          connectionId: connection.id,
          connectionName: connection.name,
          protocol: connection.protocol,
          provisioning: connection.provisioning,
          identity: {
            subject: identity.subject,
            email: identity.email,
            displayName: identity.displayName,
            mfa: identity.mfa,
            reference: identity.reference,
          },
        },
        client,
      );
    },

    /** Vigil's SP metadata for a SAML connection: entity ID, ACS and the organization's keys. */
    async metadata(connectionId: string): Promise<string> {
      const connection = await loaded(connectionId);
      if (connection.protocol !== 'saml') throw federationErrors.connectionNotFound();
      const sp = serviceProviderUrls(deps.publicUrl, connection.id);
      const keys = deps.samlKeys;
      const published = (use: 'signing' | 'encryption') =>
        keys
          ? withOrg(database, connection.orgId, (tx) =>
              keys.publishedCertificates(tx, connection.orgId, use),
            )
          : Promise.resolve([]);
      return spMetadataXml({
        entityId: sp.entityId,
        acsUrl: sp.acsUrl,
        signingCertificates: await published('signing'),
        encryptionCertificates: await published('encryption'),
      });
    },

    /** The connection use cases in their own transaction, for the CLI. */
    inOrg: {
      list: (orgId: string) => inOrg(orgId, (tx) => deps.connections.list(tx, orgId)),
      get: (orgId: string, id: string) => inOrg(orgId, (tx) => deps.connections.get(tx, orgId, id)),
      create: (orgId: string, input: ConnectionInput, actor: AuditActor) =>
        inOrg(orgId, (tx) => deps.connections.create(tx, orgId, input, actor)),
      update: (orgId: string, id: string, input: ConnectionUpdate, actor: AuditActor) =>
        inOrg(orgId, (tx) => deps.connections.update(tx, orgId, id, input, actor)),
      remove: (orgId: string, id: string, actor: AuditActor) =>
        inOrg(orgId, (tx) => deps.connections.remove(tx, orgId, id, actor)),
      addCertificate: (orgId: string, id: string, pem: string, actor: AuditActor) =>
        inOrg(orgId, (tx) => deps.connections.addCertificate(tx, orgId, id, pem, actor)),
      removeCertificate: (orgId: string, id: string, certId: string, actor: AuditActor) =>
        inOrg(orgId, (tx) => deps.connections.removeCertificate(tx, orgId, id, certId, actor)),
      refreshMetadata: (orgId: string, id: string, actor: AuditActor) =>
        inOrg(orgId, (tx) => deps.connections.refreshMetadata(tx, orgId, id, actor)),
    },
  };
}

export type Federation = ReturnType<typeof createFederation>;
