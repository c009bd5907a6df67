import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  newId,
  parseInput,
  type Tx,
} from '../platform/index.ts';
import * as store from './applications.store.ts';
import {
  type AcsUrl,
  type ApplicationSettings,
  type AttributeMapping,
  applicationChangeSchema,
  applicationCreateSchema,
  settle,
} from './applications-model.ts';
import { samlErrors } from './errors.ts';
import { readSpMetadata } from './sp-metadata.ts';

/** A SAML application (an SP that signs its users in through Vigil) as the API shows it. */
export interface SamlApplication extends ApplicationSettings {
  id: string;
  orgId: string;
  /** Where an IdP-initiated sign-in starts (null unless `idpInitiated`). */
  initiateUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** `jsonb` arrives parsed from PostgreSQL and PGlite alike; a string is parsed for safety. */
const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

export function settingsOf(row: store.ApplicationRow): ApplicationSettings {
  return {
    name: row.name,
    entityId: row.entity_id,
    acsUrls: json<AcsUrl[]>(row.acs_urls),
    sloUrl: row.slo_url,
    sloBinding: row.slo_binding,
    nameIdFormat: row.name_id_format,
    attributeMapping: json<AttributeMapping[]>(row.attribute_mapping),
    signResponse: row.sign_response,
    signAssertion: row.sign_assertion,
    encryptAssertion: row.encrypt_assertion,
    spCertificate: row.sp_certificate,
    wantRequestsSigned: row.want_requests_signed,
    idpInitiated: row.idp_initiated,
    defaultRelayState: row.default_relay_state,
    enabled: row.enabled,
  };
}

const columnsOf = (s: ApplicationSettings) => ({
  name: s.name,
  entity_id: s.entityId,
  acs_urls: JSON.stringify(s.acsUrls),
  slo_url: s.sloUrl,
  slo_binding: s.sloBinding,
  name_id_format: s.nameIdFormat,
  attribute_mapping: JSON.stringify(s.attributeMapping),
  sign_response: s.signResponse,
  sign_assertion: s.signAssertion,
  encrypt_assertion: s.encryptAssertion,
  sp_certificate: s.spCertificate,
  want_requests_signed: s.wantRequestsSigned,
  idp_initiated: s.idpInitiated,
  default_relay_state: s.defaultRelayState,
  enabled: s.enabled,
});

/** What the audit log keeps of an application: its settings, the certificate by its length. */
const audited = (s: ApplicationSettings) => ({
  ...s,
  spCertificate: s.spCertificate ? 'present' : null,
});

export interface SamlApplicationsDeps {
  audit: AuditWriter;
  clock: Clock;
  /** `${public URL}/saml/${org slug}`: the base of the organization's SAML endpoints. */
  idpBase(tx: Tx, orgId: string): Promise<string>;
}

/** The SAML applications of an organization (docs/sso.md#vigil-as-a-saml-identity-provider). */
export function createSamlApplications(deps: SamlApplicationsDeps) {
  const { clock } = deps;

  async function view(tx: Tx, row: store.ApplicationRow): Promise<SamlApplication> {
    const settings = settingsOf(row);
    return {
      id: row.id,
      orgId: row.org_id,
      ...settings,
      initiateUrl: settings.idpInitiated
        ? `${await deps.idpBase(tx, row.org_id)}/apps/${row.id}/start`
        : null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async function found(tx: Tx, orgId: string, id: string, lock = false) {
    const row = await store.findApplication(tx, orgId, id, lock);
    if (!row) throw samlErrors.applicationNotFound();
    return row;
  }

  function settled(input: Parameters<typeof settle>[0]): ApplicationSettings {
    const result = settle(input);
    if ('field' in result) throw samlErrors.applicationInvalid(result);
    return result.settings;
  }

  async function entityIdFree(tx: Tx, orgId: string, entityId: string, except?: string) {
    const other = await store.applicationByEntityId(tx, orgId, entityId);
    if (other && other.id !== except) throw samlErrors.entityIdTaken({ entityId });
  }

  /** A create body: explicit settings win over what an uploaded SP metadata document says. */
  function createInput(input: unknown): unknown {
    if (typeof input !== 'object' || input === null || !('metadataXml' in input)) return input;
    const { metadataXml, ...explicit } = input as Record<string, unknown>;
    if (typeof metadataXml !== 'string') return input;
    const read = readSpMetadata(metadataXml);
    if (typeof read === 'string') throw samlErrors.metadataInvalid({ problem: read });
    const { signAssertion, ...fromMetadata } = read;
    return {
      ...fromMetadata,
      ...(signAssertion === undefined ? {} : { signAssertion }),
      ...explicit,
    };
  }

  return {
    view,

    async create(
      tx: Tx,
      orgId: string,
      input: unknown,
      actor: AuditActor,
    ): Promise<SamlApplication> {
      const data = parseInput(
        applicationCreateSchema,
        createInput(input),
        samlErrors.applicationInvalid,
      );
      const { metadataXml: _ignored, ...explicit } = data;
      const settings = settled(explicit as Parameters<typeof settle>[0]);
      await entityIdFree(tx, orgId, settings.entityId);
      const now = clock.now();
      const row = {
        id: newId(now.getTime()),
        org_id: orgId,
        ...columnsOf(settings),
        created_at: now,
        updated_at: now,
      };
      await store.insertApplication(tx, row);
      await deps.audit(tx, {
        orgId,
        action: 'saml.application.created',
        actor,
        target: { type: 'saml_application', id: row.id },
        details: { after: audited(settings) },
      });
      return view(tx, row as store.ApplicationRow);
    },

    list: async (tx: Tx, orgId: string): Promise<SamlApplication[]> =>
      Promise.all((await store.applicationsOf(tx, orgId)).map((row) => view(tx, row))),

    get: async (tx: Tx, orgId: string, id: string): Promise<SamlApplication> =>
      view(tx, await found(tx, orgId, id)),

    /** The stored row (the protocol's use), or undefined. */
    row: (tx: Tx, orgId: string, id: string) => store.findApplication(tx, orgId, id),
    byEntityId: store.applicationByEntityId,

    async update(
      tx: Tx,
      orgId: string,
      id: string,
      input: unknown,
      actor: AuditActor,
    ): Promise<SamlApplication> {
      const change = parseInput(applicationChangeSchema, input, samlErrors.applicationInvalid);
      const row = await found(tx, orgId, id, true);
      const before = settingsOf(row);
      const defined = Object.fromEntries(
        Object.entries(change).filter(([, v]) => v !== undefined),
      ) as Partial<ApplicationSettings>;
      const after = settled({ ...before, ...defined });
      if (after.entityId !== before.entityId) await entityIdFree(tx, orgId, after.entityId, id);
      const now = clock.now();
      await store.updateApplication(tx, id, { ...columnsOf(after), updated_at: now });
      await deps.audit(tx, {
        orgId,
        action: 'saml.application.updated',
        actor,
        target: { type: 'saml_application', id },
        details: { before: audited(before), after: audited(after) },
      });
      return view(tx, { ...row, ...columnsOf(after), updated_at: now });
    },

    async remove(tx: Tx, orgId: string, id: string, actor: AuditActor): Promise<void> {
      const row = await found(tx, orgId, id, true);
      await store.deleteApplication(tx, id);
      await deps.audit(tx, {
        orgId,
        action: 'saml.application.deleted',
        actor,
        target: { type: 'saml_application', id },
        details: { before: audited(settingsOf(row)) },
      });
    },
  };
}

export type SamlApplications = ReturnType<typeof createSamlApplications>;
