import type { Keyring } from '../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  newId,
  type Outbound,
  parseInput,
  type SsoProtocol,
  type Tx,
} from '../platform/index.ts';
import * as store from './connections.store.ts';
import {
  type ConnectionInput,
  type ConnectionUpdate,
  connectionInputSchema,
  connectionUpdateSchema,
  defaultOidcScopes,
  type SsoConnectionView,
  upstreamUrlProblem,
} from './connections-model.ts';
import { createSamlSettings, invalid } from './connections-saml.ts';
import { settingsOf, toView } from './connections-view.ts';
import { federationErrors } from './errors.ts';
import type { Connection, FederationProtocol } from './protocol.ts';

/** OIDC client secrets of connections: keyring ciphertexts, the connection's id as AAD. */
export const ssoClientSecretColumn = {
  table: 'sso_connections',
  column: 'client_secret',
  idColumn: 'id',
};

export interface ConnectionsDeps {
  keyring: Keyring;
  audit: AuditWriter;
  clock: Clock;
  /** The outbound client (SSRF guard) that fetches metadata URLs. */
  outbound: () => Outbound;
  publicUrl: string;
  /** The protocol of a name, to check a connection against its upstream on create and change. */
  protocolOf: (protocol: SsoProtocol) => FederationProtocol | undefined;
}

/**
 * An organization's upstream identity providers (docs/sso.md#connecting-your-identity-provider):
 * SAML from metadata (uploaded or fetched) or fields, OIDC by issuer and client; each change
 * checked against the upstream by its protocol and audited with before and after.
 */
export function createConnections(deps: ConnectionsDeps) {
  const { clock, keyring } = deps;
  const { certificateOf, resolveSaml, replaceCertificates, samlOf } = createSamlSettings(deps);

  async function rowIn(tx: Tx, orgId: string, id: string): Promise<store.ConnectionRow> {
    const row = await store.findConnection(tx, id);
    if (row?.org_id !== orgId) throw federationErrors.connectionNotFound();
    return row;
  }

  async function viewOf(tx: Tx, row: store.ConnectionRow) {
    return toView(deps.publicUrl, row, await store.certificatesOf(tx, [row.id]));
  }

  /** The connection as the protocols see it, its secret opened only when asked. */
  function connectionOf(view: SsoConnectionView, row: store.ConnectionRow): Connection {
    return {
      id: view.id,
      orgId: view.orgId,
      name: view.name,
      protocol: view.protocol,
      enabled: view.enabled,
      provisioning: view.provisioning,
      attributeMapping: view.attributeMapping,
      saml: view.saml && {
        ...view.saml,
        certificates: [], // filled by load(): the PEMs are not part of the view
      },
      oidc: view.oidc && {
        issuer: view.oidc.issuer,
        clientId: view.oidc.clientId,
        scopes: view.oidc.scopes,
        clientSecret: async () => {
          const sealed = row.client_secret;
          if (sealed === null) return null;
          const open = await keyring.decrypt(sealed, { ...ssoClientSecretColumn, rowId: row.id });
          return open.toString('utf8');
        },
      },
    };
  }

  async function load(tx: Tx, id: string): Promise<Connection | null> {
    const row = await store.findConnection(tx, id);
    if (!row) return null;
    const certs = await store.certificatesOf(tx, [row.id]);
    const connection = connectionOf(toView(deps.publicUrl, row, certs), row);
    if (connection.saml) connection.saml.certificates = certs.map((c) => c.certificate);
    return connection;
  }

  function checkOidc(oidc: { issuer: string; scopes?: string[] }) {
    const problem = upstreamUrlProblem(oidc.issuer);
    if (problem) throw invalid('oidc.issuer', problem);
    if (oidc.scopes && !oidc.scopes.includes('openid'))
      throw invalid('oidc.scopes', 'must include openid');
  }

  /** Checks the stored connection against its upstream (OIDC discovery), inside the change. */
  async function verifyUpstream(tx: Tx, id: string) {
    const connection = await load(tx, id);
    if (connection) await deps.protocolOf(connection.protocol)?.verifyConfiguration?.(connection);
  }

  async function audited(
    tx: Tx,
    orgId: string,
    id: string,
    before: SsoConnectionView,
    actor: AuditActor,
  ): Promise<SsoConnectionView> {
    const after = await viewOf(tx, await rowIn(tx, orgId, id));
    await deps.audit(tx, {
      orgId,
      action: 'sso.connection.updated',
      actor,
      target: { type: 'sso_connection', id },
      details: { before: settingsOf(before), after: settingsOf(after) },
    });
    return after;
  }

  const service = {
    load,

    async create(tx: Tx, orgId: string, input: ConnectionInput, actor: AuditActor) {
      const data = parseInput(connectionInputSchema, input, federationErrors.connectionInvalid);
      if (await store.nameTaken(tx, orgId, data.name))
        throw federationErrors.connectionExists({ name: data.name });
      const now = clock.now();
      const id = newId(now.getTime());
      const base = {
        id,
        org_id: orgId,
        name: data.name,
        protocol: data.protocol,
        enabled: data.enabled,
        provisioning: data.provisioning,
        attribute_mapping: JSON.stringify(data.attributeMapping),
        created_at: now,
        updated_at: now,
      };
      let certificates: string[] = [];
      if (data.protocol === 'saml') {
        if (!data.saml) throw invalid('saml', 'is required for a SAML connection');
        if (data.oidc) throw invalid('oidc', 'is only for an OIDC connection');
        const saml = await resolveSaml(data.saml, null);
        certificates = saml.certificates ?? [];
        await store.insertConnection(tx, {
          ...base,
          idp_entity_id: saml.idpEntityId,
          idp_sso_url: saml.idpSsoUrl,
          idp_slo_url: saml.idpSloUrl,
          metadata_url: saml.metadataUrl,
        });
      } else {
        if (!data.oidc) throw invalid('oidc', 'is required for an OIDC connection');
        if (data.saml) throw invalid('saml', 'is only for a SAML connection');
        checkOidc(data.oidc);
        const secret = data.oidc.clientSecret ?? null;
        await store.insertConnection(tx, {
          ...base,
          issuer: data.oidc.issuer,
          client_id: data.oidc.clientId,
          client_secret:
            secret === null
              ? null
              : keyring.encrypt(secret, { ...ssoClientSecretColumn, rowId: id }),
          scopes: data.oidc.scopes ?? defaultOidcScopes,
        });
      }
      const row = await rowIn(tx, orgId, id);
      if (certificates.length > 0) await replaceCertificates(tx, row, certificates);
      await verifyUpstream(tx, id);
      const view = await viewOf(tx, row);
      await deps.audit(tx, {
        orgId,
        action: 'sso.connection.created',
        actor,
        target: { type: 'sso_connection', id },
        details: settingsOf(view),
      });
      return view;
    },

    async list(tx: Tx, orgId: string): Promise<SsoConnectionView[]> {
      const rows = await store.connectionsOf(tx, orgId);
      const certs = await store.certificatesOf(
        tx,
        rows.map((r) => r.id),
      );
      return rows.map((row) => toView(deps.publicUrl, row, certs));
    },

    get: async (tx: Tx, orgId: string, id: string) => viewOf(tx, await rowIn(tx, orgId, id)),

    async update(tx: Tx, orgId: string, id: string, input: ConnectionUpdate, actor: AuditActor) {
      const data = parseInput(connectionUpdateSchema, input, federationErrors.connectionInvalid);
      if (Object.keys(data).length === 0) throw invalid('input', 'names nothing to change');
      const row = await rowIn(tx, orgId, id);
      const before = await viewOf(tx, row);
      if (data.protocol !== undefined && data.protocol !== row.protocol)
        throw invalid('protocol', 'cannot change; create another connection instead');
      if (data.name !== undefined && (await store.nameTaken(tx, orgId, data.name, id)))
        throw federationErrors.connectionExists({ name: data.name });
      const settings: store.ConnectionSettings = {
        name: data.name,
        enabled: data.enabled,
        provisioning: data.provisioning,
        attribute_mapping:
          data.attributeMapping === undefined ? undefined : JSON.stringify(data.attributeMapping),
        updated_at: clock.now(),
      };
      if (data.saml && row.protocol !== 'saml')
        throw invalid('saml', 'is only for a SAML connection');
      if (data.oidc && row.protocol !== 'oidc')
        throw invalid('oidc', 'is only for an OIDC connection');
      if (data.saml) {
        const saml = await resolveSaml(data.saml, samlOf(row));
        Object.assign(settings, {
          idp_entity_id: saml.idpEntityId,
          idp_sso_url: saml.idpSsoUrl,
          idp_slo_url: saml.idpSloUrl,
          metadata_url: saml.metadataUrl,
        });
        if (saml.certificates) await replaceCertificates(tx, row, saml.certificates);
      }
      if (data.oidc) {
        const oidc = {
          issuer: data.oidc.issuer ?? row.issuer ?? '',
          scopes: data.oidc.scopes ?? row.scopes ?? defaultOidcScopes,
        };
        checkOidc(oidc);
        Object.assign(settings, {
          issuer: oidc.issuer,
          client_id: data.oidc.clientId,
          scopes: oidc.scopes,
          client_secret:
            data.oidc.clientSecret === undefined
              ? undefined
              : data.oidc.clientSecret === null
                ? null
                : keyring.encrypt(data.oidc.clientSecret, { ...ssoClientSecretColumn, rowId: id }),
        });
      }
      await store.updateConnection(tx, id, settings);
      if (data.saml || data.oidc) await verifyUpstream(tx, id);
      return audited(tx, orgId, id, before, actor);
    },

    async remove(tx: Tx, orgId: string, id: string, actor: AuditActor): Promise<void> {
      const row = await rowIn(tx, orgId, id);
      const before = await viewOf(tx, row);
      await store.deleteConnection(tx, id);
      await deps.audit(tx, {
        orgId,
        action: 'sso.connection.deleted',
        actor,
        target: { type: 'sso_connection', id },
        details: settingsOf(before),
      });
    },

    /** Tracks one more IdP signing certificate (a rollover: the next one before it signs). */
    async addCertificate(tx: Tx, orgId: string, id: string, pem: string, actor: AuditActor) {
      const row = await rowIn(tx, orgId, id);
      if (row.protocol !== 'saml') throw federationErrors.notSaml();
      const before = await viewOf(tx, row);
      const cert = certificateOf(String(pem ?? ''), 'certificate');
      if (before.certificates.some((c) => c.fingerprint === cert.fingerprint256))
        throw federationErrors.certificateInvalid({ problem: 'is already on this connection' });
      const now = clock.now();
      await store.insertCertificate(tx, {
        id: newId(now.getTime()),
        org_id: orgId,
        connection_id: id,
        certificate: cert.pem,
        fingerprint: cert.fingerprint256,
        subject: cert.subject,
        not_after: cert.notAfter,
        added_at: now,
      });
      await store.updateConnection(tx, id, { updated_at: now });
      return audited(tx, orgId, id, before, actor);
    },

    async removeCertificate(tx: Tx, orgId: string, id: string, certId: string, actor: AuditActor) {
      const row = await rowIn(tx, orgId, id);
      if (row.protocol !== 'saml') throw federationErrors.notSaml();
      const before = await viewOf(tx, row);
      if (!before.certificates.some((c) => c.id === certId))
        throw federationErrors.certificateNotFound();
      if (before.certificates.length === 1) throw federationErrors.lastCertificate();
      await store.deleteCertificate(tx, id, certId);
      await store.updateConnection(tx, id, { updated_at: clock.now() });
      return audited(tx, orgId, id, before, actor);
    },

    /** Reads the metadata URL again: endpoints and certificates follow the IdP's. */
    async refreshMetadata(tx: Tx, orgId: string, id: string, actor: AuditActor) {
      const row = await rowIn(tx, orgId, id);
      if (row.protocol !== 'saml') throw federationErrors.notSaml();
      if (!row.metadata_url) throw federationErrors.noMetadataUrl();
      const before = await viewOf(tx, row);
      const saml = await resolveSaml({ metadataUrl: row.metadata_url }, samlOf(row));
      await store.updateConnection(tx, id, {
        idp_entity_id: saml.idpEntityId,
        idp_sso_url: saml.idpSsoUrl,
        idp_slo_url: saml.idpSloUrl,
        updated_at: clock.now(),
      });
      if (saml.certificates) await replaceCertificates(tx, row, saml.certificates);
      return audited(tx, orgId, id, before, actor);
    },
  };
  return service;
}

export type Connections = ReturnType<typeof createConnections>;
