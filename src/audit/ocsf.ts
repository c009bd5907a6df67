import { auditActions } from '../platform/index.ts';
import type { AuditEvent } from './model.ts';
import {
  type OcsfClassKey,
  type OcsfMapping,
  ocsfCategories,
  ocsfClasses,
  ocsfMappingOf,
} from './ocsf-classes.ts';

/**
 * Audit events as OCSF events (Open Cybersecurity Schema Framework, docs/siem.md#ocsf) for a
 * SIEM: the class and activity from src/audit/ocsf-classes.ts, the base event's fields, and the
 * original event whole under `unmapped.vigil`, so nothing the mapping leaves out is lost.
 */
export const ocsfVersion = '1.8.0';

export type OcsfEvent = Record<string, unknown> & {
  class_uid: number;
  category_uid: number;
  activity_id: number;
  type_uid: number;
  severity_id: number;
  status_id: number;
  time: number;
  metadata: {
    version: string;
    uid: string;
    product: { name: string; vendor_name: string };
    /** The audit action. */
    event_code: string;
    tenant_uid: string;
  };
  unmapped: { vigil: unknown; possible_duplicate?: true };
};

const severities = { 1: 'Informational', 2: 'Low', 3: 'Medium', 4: 'High', 5: 'Critical' };
type SeverityId = keyof typeof severities;

/** Actions a SOC looks at first, whatever their outcome. */
const notable: Partial<Record<string, SeverityId>> = {
  'auth.account.locked': 3,
  'mfa.factors.reset': 3,
  'apikey.created': 3,
  'oauth.client.secret_rotated': 3,
  'oauth.refresh.reuse_detected': 4,
  'keyring.master_key.rotated': 3,
  'audit.archive.purged': 3,
};

/** The OCSF severity id of an event: informational, low when refused, higher for what a SOC watches. */
export function ocsfSeverityOf(e: AuditEvent): SeverityId {
  if (e.action === 'audit.verified' && e.outcome !== 'success') return 5;
  if (e.action === 'role.assigned' && e.details.privileged === true) return 3;
  return notable[e.action] ?? (e.outcome === 'success' ? 1 : 2);
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** OCSF user type ids: 1 User, 2 Admin, 3 System, 99 Other (then `type` names it). */
const actorUserType: Record<string, [number, string]> = {
  user: [1, 'User'],
  operator: [2, 'Admin'],
  system: [3, 'System'],
  anonymous: [0, 'Unknown'],
};

function actorOf(e: AuditEvent): Record<string, unknown> {
  const { type, id } = e.actor;
  if (type === 'client') return { app_uid: id ?? undefined, app_name: 'OAuth client' };
  const [typeId, typeName] = actorUserType[type] ?? [99, type];
  return { user: { uid: id ?? undefined, type_id: typeId, type: typeName } };
}

/** The user an event is about: its target, the user its details name, or the acting user. */
function userOf(e: AuditEvent): Record<string, unknown> {
  if (e.target.type === 'user' && e.target.id) return { uid: e.target.id };
  const named = str(e.details.userId);
  if (named) return { uid: named };
  const email = str(e.details.email);
  if (email) return { name: email, email_addr: email };
  if (e.actor.type === 'user' && e.actor.id) return { uid: e.actor.id };
  return { type_id: 0, type: 'Unknown' };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** What a role, consent or group change gives or takes: role keys or scopes. */
function privilegesOf(e: AuditEvent): string[] {
  const role = str(e.details.role);
  if (role) return [role];
  const scopes = e.details.scopes;
  if (typeof scopes === 'string') return scopes.split(' ').filter(Boolean);
  return [...strings(scopes), ...strings(e.details.roles), ...strings(e.details.after)];
}

const apiMethods: Record<string, OcsfMapping> = {
  GET: { class: 'api_activity', activity: 'Read' },
  POST: { class: 'api_activity', activity: 'Create' },
  PUT: { class: 'api_activity', activity: 'Update' },
  PATCH: { class: 'api_activity', activity: 'Update' },
  DELETE: { class: 'api_activity', activity: 'Delete' },
};

/**
 * What the event's details tell beyond its action: the HTTP method of a refused API request,
 * who joined or left a SCIM group, whether its roles grew.
 */
function refined(e: AuditEvent, mapping: OcsfMapping): OcsfMapping {
  if (e.action === 'api.request.denied') return apiMethods[str(e.details.method) ?? ''] ?? mapping;
  if (e.action === 'scim.group.members_changed' && strings(e.details.added).length === 0)
    return { class: 'group_management', activity: 'Remove User' };
  if (e.action === 'scim.group.roles_changed') {
    const before = new Set(strings(e.details.before));
    const added = strings(e.details.after).some((r) => !before.has(r));
    if (!added) return { class: 'group_management', activity: 'Revoke Privileges' };
  }
  return mapping;
}

function sessionOf(e: AuditEvent): { uid: string } | undefined {
  if (e.target.type === 'session' && e.target.id) return { uid: e.target.id };
  const id = str(e.details.sessionId);
  return id ? { uid: id } : undefined;
}

/** The fields of the event's class (each class's required ones among them). */
function classFields(key: OcsfClassKey, e: AuditEvent): Record<string, unknown> {
  const resource = e.target.id ? { uid: e.target.id, type: e.target.type ?? undefined } : undefined;
  switch (key) {
    case 'authentication':
      return {
        user: userOf(e),
        service: { name: 'Vigil' },
        is_mfa: e.action.startsWith('auth.mfa.') || undefined,
        auth_protocol_id: e.action.startsWith('oauth.') ? 4 : undefined,
        auth_protocol: e.action.startsWith('oauth.') ? 'OpenID' : undefined,
        session: sessionOf(e),
      };
    case 'account_change':
      return { user: userOf(e) };
    case 'user_access':
      return { user: userOf(e), privileges: privilegesOf(e), resource };
    case 'group_management':
      return {
        group: { uid: e.target.id ?? undefined, name: str(e.details.displayName) },
        privileges: e.action === 'scim.group.roles_changed' ? privilegesOf(e) : undefined,
      };
    case 'api_activity':
      return {
        api: {
          operation: str(e.details.route) ?? e.action,
          service: { name: e.action.startsWith('oauth.') ? 'Vigil OAuth' : 'Vigil admin API' },
          request: e.requestId ? { uid: e.requestId } : undefined,
        },
        resources: resource ? [resource] : undefined,
      };
    case 'entity_management':
      return { entity: resource ?? { type: e.action.split('.')[0] } };
  }
}

/** The first sentence of the catalog's description: what happened, in words. */
function messageOf(action: string): string {
  const described: string | undefined = (auditActions as Record<string, string>)[action];
  return described ? (described.split(/\.\s/)[0] ?? action).replace(/\.$/, '') : action;
}

/** Drops the undefined fields JSON would drop anyway (the tests compare objects). */
function defined<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/**
 * One audit event as an OCSF event. `possibleDuplicate`: a stream sends it again after a
 * failure and the receiver may already have it (docs/siem.md#duplicates).
 */
export function toOcsf(e: AuditEvent, options: { possibleDuplicate?: boolean } = {}): OcsfEvent {
  const mapping = refined(e, ocsfMappingOf(e.action));
  const cls = ocsfClasses[mapping.class];
  const activities: Record<string, number> = cls.activities;
  const activityId = activities[mapping.activity] ?? 99;
  const severityId = ocsfSeverityOf(e);
  const ok = e.outcome === 'success';
  const ip = e.actor.ip ?? undefined;
  const reason = str(e.details.reason);
  return defined({
    class_uid: cls.uid,
    class_name: cls.name,
    category_uid: cls.category,
    category_name: ocsfCategories[cls.category],
    activity_id: activityId,
    activity_name: mapping.activity,
    type_uid: cls.uid * 100 + activityId,
    type_name: `${cls.name}: ${mapping.activity}`,
    severity_id: severityId,
    severity: severities[severityId],
    status_id: ok ? 1 : 2,
    status: ok ? 'Success' : 'Failure',
    ...(ok ? {} : { status_detail: e.outcome === 'denied' ? 'denied' : (reason ?? e.outcome) }),
    time: e.occurredAt.getTime(),
    message: messageOf(e.action),
    metadata: defined({
      version: ocsfVersion,
      uid: e.id,
      product: { name: 'Vigil', vendor_name: 'Vigil' },
      event_code: e.action,
      log_name: 'audit',
      tenant_uid: e.orgId,
      correlation_uid: e.requestId ?? undefined,
    }),
    actor: actorOf(e),
    // API Activity requires a source: the caller's address, or what kind of caller it was.
    src_endpoint: ip
      ? { ip }
      : mapping.class === 'api_activity'
        ? { name: e.actor.type }
        : undefined,
    http_request: e.actor.userAgent
      ? defined({ user_agent: e.actor.userAgent, http_method: str(e.details.method) })
      : undefined,
    ...defined(classFields(mapping.class, e)),
    unmapped: {
      vigil: e,
      ...(options.possibleDuplicate ? { possible_duplicate: true as const } : {}),
    },
  });
}
