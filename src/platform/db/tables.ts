import type { ColumnType, Generated } from 'kysely';
import type {
  AlertDeliveriesTable,
  AlertsTable,
  AuditFeedCursorsTable,
  SiemStreamsTable,
  SignInLastLocatedTable,
  SignInPlacesTable,
  WebhookEndpointsTable,
} from './tables-alerts.ts';
import type { AuditArchivesTable } from './tables-archive.ts';
import type { ControlResultsTable } from './tables-compliance.ts';
import type {
  DeprovisioningsTable,
  GrantSource,
  ScimGroupMembersTable,
  ScimGroupRolesTable,
  ScimGroupsTable,
  ScimTokensTable,
  UserDirectoryColumns,
} from './tables-lifecycle.ts';
import type { ReviewCampaignsTable, ReviewItemsTable } from './tables-reviews.ts';
import type {
  SamlApplicationsTable,
  SamlKeysTable,
  SamlLogoutsTable,
  SamlPendingRequestsTable,
  SamlSessionParticipantsTable,
  SsoConnectionCertificatesTable,
  SsoConnectionsTable,
  SsoDomainsTable,
  SsoIdentitiesTable,
  SsoRequestsTable,
  SsoUsedAssertionsTable,
} from './tables-sso.ts';

/**
 * Row types of every table. src/platform/db/migrations is the source of truth:
 * test/db-tables.test.ts holds every table, column, nullability and type here to the migrated
 * schema.
 */
type Timestamp = ColumnType<Date, Date, Date>;
/** bytea: pg returns a Buffer, PGlite a Uint8Array. */
type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;
/** jsonb: written as JSON text, read back parsed. */
type Json = ColumnType<unknown, string, string>;

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  kind: 'platform' | 'customer';
  status: ColumnType<'active' | 'suspended', 'active' | 'suspended' | undefined>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsersTable extends UserDirectoryColumns {
  id: string;
  org_id: string;
  email: string;
  display_name: string;
  status: ColumnType<
    'active' | 'suspended' | 'deprovisioned',
    'active' | 'suspended' | 'deprovisioned' | undefined
  >;
  created_at: Timestamp;
  updated_at: Timestamp;
  deactivated_at: Timestamp | null;
  /** Lowered email and display name, computed by PostgreSQL (never written): the list's search. */
  search_text: ColumnType<string, never, never>;
}

export interface PasswordCredentialsTable {
  user_id: string;
  org_id: string;
  hash: string;
  must_change: ColumnType<boolean, boolean | undefined>;
  created_at: Timestamp;
  /** When the current password was set (age rules). */
  changed_at: Timestamp;
  /** Set by its owner (the minimum age applies) rather than by an administrator. */
  set_by_owner: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface SecurityPoliciesTable {
  org_id: string;
  kind:
    | 'password'
    | 'lockout'
    | 'session'
    | 'mfa'
    | 'lifecycle'
    | 'reviews'
    | 'alerts'
    | 'retention'
    | 'sso';
  version: number;
  settings: ColumnType<unknown, string, string>;
  changed_by: string | null;
  changed_at: Timestamp;
}

export interface PasswordHistoryTable {
  id: string;
  user_id: string;
  org_id: string;
  hash: string;
  created_at: Timestamp;
}

export interface AuthLockoutsTable {
  user_id: string;
  org_id: string;
  factor: 'password' | 'second_factor';
  failures: number;
  last_failure_at: Timestamp | null;
  locked_until: Timestamp | null;
  lock_count: number;
  locked_permanently: boolean;
}

/** A browser that has signed in to the account, with its own password lockout counter. */
export interface TrustedDevicesTable {
  id: string;
  org_id: string;
  user_id: string;
  secret_hash: Bytes;
  created_at: Timestamp;
  last_used_at: Timestamp;
  revoked_at: Timestamp | null;
  /** The browser's user agent when it was trusted (at most 500 characters). */
  user_agent: string | null;
  failures: Generated<number>;
  last_failure_at: Timestamp | null;
  locked_until: Timestamp | null;
  lock_count: Generated<number>;
  locked_permanently: Generated<boolean>;
}

export interface AuthIpFailuresTable {
  ip: string;
  window_start: Timestamp;
  failures: number;
}

export type SessionEndReason =
  | 'logout'
  | 'idle'
  | 'expired'
  | 'user'
  | 'admin'
  | 'password_change'
  | 'deprovisioned'
  | 'privilege_change';

export interface SessionsTable {
  id: string;
  org_id: string;
  user_id: string;
  secret_hash: Bytes;
  amr: string[];
  acr: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  idle_expires_at: Timestamp;
  absolute_expires_at: Timestamp;
  ended_at: Timestamp | null;
  end_reason: SessionEndReason | null;
}

export interface RoleAssignmentsTable {
  org_id: string;
  user_id: string;
  role_key: string;
  granted_by: string | null;
  reason: string;
  granted_at: Timestamp;
  expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  source: ColumnType<GrantSource, GrantSource | undefined, GrantSource>;
}

export interface ApiKeysTable {
  id: string;
  org_id: string;
  name: string;
  secret_hash: Bytes;
  permissions: string[];
  created_by: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  last_used_at: Timestamp | null;
  last_used_ip: string | null;
}

export interface RolesTable {
  org_id: string;
  key: string;
  name: string;
  description: string;
  purpose: string;
  permissions: string[];
  owner_user_id: string;
  privileged: boolean;
  require_mfa: boolean;
  requires_approval: boolean;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConflictRulesTable {
  id: string;
  org_id: string;
  name: string;
  description: string;
  roles: string[];
  permissions: string[];
  created_by: string | null;
  created_at: Timestamp;
}

export interface AccessRequestsTable {
  id: string;
  org_id: string;
  user_id: string;
  role_key: string;
  requested_by: string | null;
  reason: string;
  assignment_expires_at: Timestamp | null;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_note: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  source: ColumnType<GrantSource, GrantSource | undefined, GrantSource>;
}

export interface BootstrapTokensTable {
  id: string;
  secret_hash: Bytes;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface KeyringDataKeysTable {
  id: number;
  master_key_id: string;
  wrapped_key: string;
  status: 'active' | 'retired';
  created_at: Timestamp;
  activated_at: Timestamp;
  retired_at: Timestamp | null;
}

export interface KeyringRotationsTable {
  id: string;
  to_key_id: number;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  reencrypted: ColumnType<number, number | undefined, number>;
}

export interface PlatformKeysTable {
  id: string;
  purpose: string;
  algorithm: string;
  public_key: string | null;
  private_key_enc: string;
  status: 'active' | 'retired';
  created_at: Timestamp;
  activated_at: Timestamp | null;
  retired_at: Timestamp | null;
}

export interface AuditEventsTable {
  id: string;
  /** int8 arrives as a string (pg) or a number (PGlite): compare as BigInt. */
  seq: ColumnType<string, never, never>;
  tx: ColumnType<string, never, never>;
  org_id: string;
  occurred_at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  actor_ip: string | null;
  actor_ua: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: 'success' | 'failure' | 'denied';
  request_id: string | null;
  details: string;
  mac_key_id: string;
  mac: Bytes;
}

export interface AuditSealBlocksTable {
  block_no: string;
  first_tx: string;
  first_seq: string;
  last_tx: string;
  last_seq: string;
  event_count: number;
  event_ids: string[];
  prev_hash: Bytes;
  chain_hash: Bytes;
  key_id: string;
  signature: Bytes;
  sealed_at: Timestamp;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Timestamp;
}

export interface MfaFactorsTable {
  id: string;
  org_id: string;
  user_id: string;
  kind: 'totp' | 'webauthn';
  label: string;
  secret_enc: string | null;
  /** int8: a string from pg, a number from PGlite. */
  last_used_step: ColumnType<
    string | number | null,
    string | number | null,
    string | number | null
  >;
  credential_id: string | null;
  public_key: Bytes | null;
  sign_count: ColumnType<string | number | null, string | number | null, string | number | null>;
  transports: string[] | null;
  created_at: Timestamp;
  confirmed_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface RecoveryCodesTable {
  id: string;
  org_id: string;
  user_id: string;
  hash: string;
  created_at: Timestamp;
  used_at: Timestamp | null;
}

export interface SignInFlowsTable {
  id: string;
  secret_hash: Bytes;
  org_id: string;
  user_id: string;
  stage: 'mfa' | 'enroll' | 'password_change' | 'done';
  amr: string[];
  must_change_password: boolean;
  pending_factor_id: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface PasswordResetsTable {
  id: string;
  org_id: string;
  user_id: string;
  secret_hash: Bytes;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface WebauthnChallengesTable {
  id: string;
  org_id: string;
  user_id: string;
  purpose: 'registration' | 'authentication';
  challenge: string;
  expires_at: Timestamp;
}

export interface OauthClientsTable {
  id: string;
  org_id: string;
  name: string;
  kind: 'web' | 'spa' | 'native' | 'machine';
  first_party: boolean;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string | null;
  grant_types: string[];
  token_lifetimes: Json;
  secret_enc: string | null;
  previous_secret_enc: string | null;
  previous_secret_expires_at: Timestamp | null;
  status: 'active' | 'disabled';
  created_at: Timestamp;
  updated_at: Timestamp;
  resources: ColumnType<string[], string[] | undefined, string[]>;
  api_scopes: ColumnType<string[], string[] | undefined, string[]>;
}

export interface OidcModelsTable {
  model: string;
  id: string;
  payload: Json;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  account_id: string | null;
  expires_at: Timestamp | null;
  consumed_at: Timestamp | null;
}

export interface OidcSessionLinksTable {
  oidc_session_id: string;
  vigil_session_id: string;
  account_id: string;
  expires_at: Timestamp;
}

export interface OidcSigningKeysTable {
  id: string;
  kid: string;
  alg: 'ES256' | 'RS256';
  public_jwk: Json;
  private_jwk_enc: string;
  created_at: Timestamp;
  activate_at: Timestamp;
  retire_at: Timestamp | null;
  remove_at: Timestamp | null;
}

export interface DB {
  organizations: OrganizationsTable;
  users: UsersTable;
  password_credentials: PasswordCredentialsTable;
  role_assignments: RoleAssignmentsTable;
  bootstrap_tokens: BootstrapTokensTable;
  keyring_data_keys: KeyringDataKeysTable;
  keyring_rotations: KeyringRotationsTable;
  platform_keys: PlatformKeysTable;
  audit_events: AuditEventsTable;
  audit_seal_blocks: AuditSealBlocksTable;
  audit_archives: AuditArchivesTable;
  schema_migrations: SchemaMigrationsTable;
  security_policies: SecurityPoliciesTable;
  password_history: PasswordHistoryTable;
  auth_lockouts: AuthLockoutsTable;
  trusted_devices: TrustedDevicesTable;
  auth_ip_failures: AuthIpFailuresTable;
  sessions: SessionsTable;
  mfa_factors: MfaFactorsTable;
  recovery_codes: RecoveryCodesTable;
  sign_in_flows: SignInFlowsTable;
  password_resets: PasswordResetsTable;
  webauthn_challenges: WebauthnChallengesTable;
  oauth_clients: OauthClientsTable;
  oidc_models: OidcModelsTable;
  oidc_signing_keys: OidcSigningKeysTable;
  oidc_session_links: OidcSessionLinksTable;
  roles: RolesTable;
  conflict_rules: ConflictRulesTable;
  access_requests: AccessRequestsTable;
  api_keys: ApiKeysTable;
  scim_tokens: ScimTokensTable;
  scim_groups: ScimGroupsTable;
  scim_group_members: ScimGroupMembersTable;
  scim_group_roles: ScimGroupRolesTable;
  deprovisionings: DeprovisioningsTable;
  review_campaigns: ReviewCampaignsTable;
  review_items: ReviewItemsTable;
  audit_feed_cursors: AuditFeedCursorsTable;
  alerts: AlertsTable;
  sign_in_places: SignInPlacesTable;
  sign_in_last_located: SignInLastLocatedTable;
  webhook_endpoints: WebhookEndpointsTable;
  alert_deliveries: AlertDeliveriesTable;
  siem_streams: SiemStreamsTable;
  control_results: ControlResultsTable;
  saml_keys: SamlKeysTable;
  saml_applications: SamlApplicationsTable;
  saml_pending_requests: SamlPendingRequestsTable;
  saml_session_participants: SamlSessionParticipantsTable;
  saml_logouts: SamlLogoutsTable;
  sso_connections: SsoConnectionsTable;
  sso_connection_certificates: SsoConnectionCertificatesTable;
  sso_domains: SsoDomainsTable;
  sso_requests: SsoRequestsTable;
  sso_used_assertions: SsoUsedAssertionsTable;
  sso_identities: SsoIdentitiesTable;
}

export type { Generated };
