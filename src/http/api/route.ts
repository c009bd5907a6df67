import { z } from 'zod';
import type { AlertDeliveries, Alerts, WebhookEndpoints } from '../../alerts/index.ts';
import type { ApiKeys } from '../../apikeys/index.ts';
import type {
  AuditArchiver,
  AuditLog,
  AuditVerification,
  RetentionPolicyService,
} from '../../audit/index.ts';
import type { SsoPolicyService } from '../../auth/flows/index.ts';
import type { LockoutService } from '../../auth/lockout/index.ts';
import type { MfaService } from '../../auth/mfa/index.ts';
import type { PasswordService } from '../../auth/password/index.ts';
import type {
  AccessExports,
  ComplianceService,
  EvidencePacks,
  ReviewEvidence,
} from '../../compliance/index.ts';
import type { Connections, SsoCertificates, SsoDomains } from '../../federation/index.ts';
import { type IdentityService, identityErrors, type User } from '../../identity/index.ts';
import type {
  Lifecycle,
  LifecyclePolicyService,
  LifecycleSchedule,
} from '../../lifecycle/index.ts';
import type { OAuth } from '../../oauth/index.ts';
import type { AuditActor, Database, Tx } from '../../platform/index.ts';
import type { Principal, Rbac, UserPrincipal } from '../../rbac/index.ts';
import type { ReviewPolicyService, Reviews } from '../../reviews/index.ts';
import type { SamlApplications, SamlKeys, SamlService } from '../../saml/index.ts';
import type { GroupRoles, ScimTokens } from '../../scim/index.ts';
import type { SessionService } from '../../sessions/index.ts';
import type { SiemStreams } from '../../siem/index.ts';
import type { TenancyService } from '../../tenancy/index.ts';
import { httpErrors } from '../errors.ts';

/** Path ids are UUIDs; the one other path parameter, a role key, is a slug. */
export const roleKeyPattern = /^[a-z][a-z0-9-]{1,62}$/;

export interface ApiServices {
  database: Database;
  audit: AuditLog;
  identity: IdentityService;
  lifecycle: Lifecycle;
  lifecyclePolicy: LifecyclePolicyService;
  lifecycleSchedule: LifecycleSchedule;
  rbac: Rbac;
  tenancy: TenancyService;
  accessExports: AccessExports;
  auditVerification: AuditVerification;
  auditArchiver: AuditArchiver;
  auditRetention: RetentionPolicyService;
  apiKeys: ApiKeys;
  scimTokens: ScimTokens;
  groupRoles: GroupRoles;
  passwords: PasswordService;
  lockout: LockoutService;
  mfa: MfaService;
  sessions: SessionService;
  oauth: OAuth;
  reviews: Reviews;
  reviewsPolicy: ReviewPolicyService;
  reviewEvidence: ReviewEvidence;
  evidencePacks: EvidencePacks;
  webhooks: WebhookEndpoints;
  alertDeliveries: AlertDeliveries;
  siemStreams: SiemStreams;
  ssoConnections: Connections;
  ssoCertificates: SsoCertificates;
  alerts: Alerts;
  compliance: ComplianceService;
  ssoPolicy: SsoPolicyService;
  ssoDomains: SsoDomains;
  /** Vigil as a SAML identity provider: keys, applications, the protocol's identity. */
  saml: { keys: SamlKeys; applications: SamlApplications; service: SamlService };
}

/** The names of a path's parameters: `/orgs/{orgId}/users/{userId}` → `'orgId' | 'userId'`. */
type ParamNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamNames<Rest>
  : never;

/** A path's parameters, each already checked by the runner (ids are UUIDs, a role key a slug). */
export type PathParams<Path extends string> = { [Name in ParamNames<Path>]: string };

/** What a handler gets: its transaction is scoped to the route's organization (or platform). */
export interface ApiCall<Query = unknown, Body = unknown, Params = Record<string, string>> {
  tx: Tx;
  orgId: string;
  params: Params;
  /** Already parsed by the route's `query` schema (absent without one). */
  query: Query;
  /** Already parsed by the route's `body` schema (absent without one). */
  body: Body;
  principal: Principal;
  actor: AuditActor;
  services: ApiServices;
  /** The request's `If-Match`, if any. */
  ifMatch?: string;
}

interface ResultHead {
  status?: number;
  etag?: string;
  /** A download's name: the answer is sent as an attachment (`Content-Disposition`). */
  filename?: string;
}

/**
 * A handler's answer: JSON that the route's `response` schema turns into the answer's body
 * (dropping every field it does not declare), or the text or stream of another content type.
 */
export type ApiResult<Json = unknown> =
  | (ResultHead & { type?: undefined; body: Json })
  | (ResultHead & { type: string; body: string | NodeJS.ReadableStream });

/** One admin route: the route table is the API, its OpenAPI document and its access matrix. */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI form: `/orgs/{orgId}/users`. */
  path: string;
  summary: string;
  /**
   * The permission the central check demands (docs/architecture.md#data-and-tenancy,
   * docs/access-control.md).
   */
  permission: string;
  /** `org` routes act on `{orgId}`; `platform` routes on the platform itself. */
  scope: 'org' | 'platform';
  query?: z.ZodObject;
  body?: z.ZodType;
  /** A valid body, shown in OpenAPI (and sent by the access-matrix test). */
  example?: unknown;
  /**
   * The JSON answer: the handler's result goes through it (`parse`), so it maps the domain
   * object (dates to ISO strings) and strips what it does not declare. Absent when the route
   * answers only in `alternatives`.
   */
  response?: z.ZodType;
  /** Content types answered instead of (or besides) JSON, on request (`?format=`), as text. */
  alternatives?: string[];
  /** Updates that need `If-Match` (OpenAPI lists their 412 and 428). */
  conditional?: boolean;
  handler(call: ApiCall): Promise<ApiResult>;
}

/** What a schema gives a handler (nothing without a schema). */
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A route as written: its handler typed by its path and schemas. */
export interface RouteDefinition<
  Path extends string,
  Query extends z.ZodObject | undefined,
  Body extends z.ZodType | undefined,
  Response extends z.ZodType,
> extends Omit<ApiRoute, 'path' | 'query' | 'body' | 'example' | 'response' | 'handler'> {
  path: Path;
  query?: Query;
  body?: Body;
  example?: Body extends z.ZodType ? z.input<Body> : never;
  response?: Response;
  handler(
    call: ApiCall<Parsed<Query>, Parsed<Body>, PathParams<Path>>,
  ): Promise<ApiResult<z.input<Response>>>;
}

/**
 * One route of the table. The handler gets `query` and `body` as the route's schemas parse
 * them and `params` as its path names them, and must answer what its `response` schema takes.
 * (TypeScript widens a literal the handler returns while it infers the schemas: answer a
 * `z.literal(true)` with `true as const`.)
 */
export function defineRoute<
  const Path extends string,
  Query extends z.ZodObject | undefined = undefined,
  Body extends z.ZodType | undefined = undefined,
  Response extends z.ZodType = z.ZodNever,
>(route: RouteDefinition<Path, Query, Body, Response>): ApiRoute {
  const { handler, ...rest } = route;
  // The runner parses query and body with these same schemas and checks the path's parameters
  // before it calls the handler: the one place where the table's erased types meet the route's.
  return { ...rest, handler: (call) => handler(call as Parameters<typeof handler>[0]) };
}

/** A domain `Date`, answered as an ISO 8601 string. */
export const isoDate = z
  .date()
  .transform((date) => date.toISOString())
  .pipe(z.iso.datetime());

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Why an administrator did something destructive: kept in the audit event. */
export const reasonBody = z.object({ reason: z.string().trim().min(1).max(2000) }).strict();

/** The user of the path, in the route's organization (a platform caller's transaction sees all). */
export async function userIn(call: ApiCall<unknown, unknown, { userId: string }>): Promise<User> {
  const user = await call.services.identity.findUser(call.tx, call.params.userId);
  if (user?.orgId !== call.orgId) throw identityErrors.userNotFound();
  return user;
}

/** Approving and creating keys need a person: segregation of duties names who did it. */
export function userOnly(call: Pick<ApiCall, 'principal'>): UserPrincipal {
  if ('apiKeyId' in call.principal) throw httpErrors.apiUserRequired();
  return call.principal;
}

/** A weak ETag over a version number (roles, policies) or a change time (users). */
export const versionEtag = (version: number) => `W/"v${version}"`;

/**
 * The version an `If-Match` names; required for updates (RFC 6585: 428 without one, 412 when it
 * is not an ETag this API gave).
 */
export function versionOf(ifMatch: string | undefined): number {
  if (!ifMatch) throw httpErrors.apiIfMatchRequired();
  const version = /^W\/"v(\d{1,15})"$/.exec(ifMatch)?.[1];
  if (!version) throw httpErrors.apiIfMatchInvalid();
  return Number(version);
}
