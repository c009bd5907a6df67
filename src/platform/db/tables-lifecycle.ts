import type { ColumnType } from 'kysely';

/**
 * Row types of the lifecycle tables (migration 0018: SCIM provisioning, groups mapped to roles,
 * deprovisioning records). Kept apart from tables.ts only for its size; the same rules hold.
 */
type Timestamp = ColumnType<Date, Date, Date>;
type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;
/** A nullable column an insert may leave out. */
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;

/** The users columns migration 0018 added: what the directory says and lifecycle dates. */
export interface UserDirectoryColumns {
  external_id: Optional<string>;
  /** SCIM userName when it differs from the email; the userName is coalesce(user_name, email). */
  user_name: Optional<string>;
  given_name: Optional<string>;
  family_name: Optional<string>;
  employee_number: Optional<string>;
  department: Optional<string>;
  manager_id: Optional<string>;
  /** Scheduled end: deprovisioned at this time. */
  end_at: Optional<Date>;
  last_sign_in_at: Optional<Date>;
  dormancy_warned_at: Optional<Date>;
  /** lower(email), stored (migration 0019): lookups ignoring case that an index serves. */
  email_key: ColumnType<string, never, never>;
  /** lower(coalesce(user_name, email)), stored (migration 0019). */
  user_name_key: ColumnType<string, never, never>;
}

export interface ScimTokensTable {
  id: string;
  org_id: string;
  name: string;
  secret_hash: Bytes;
  created_by: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Optional<Date>;
  revoked_by: Optional<string>;
  last_used_at: Optional<Date>;
  last_used_ip: Optional<string>;
}

export interface ScimGroupsTable {
  id: string;
  org_id: string;
  display_name: string;
  external_id: Optional<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ScimGroupMembersTable {
  org_id: string;
  group_id: string;
  user_id: string;
  added_at: Timestamp;
}

export interface ScimGroupRolesTable {
  org_id: string;
  group_id: string;
  role_key: string;
  created_by: string | null;
  created_at: Timestamp;
}

export type DeprovisioningSource = 'admin' | 'scim' | 'schedule' | 'dormant' | 'review';

export interface DeprovisioningsTable {
  id: string;
  org_id: string;
  user_id: string;
  status: 'suspended' | 'deprovisioned';
  source: DeprovisioningSource;
  /** When the directory, an administrator or the schedule asked. */
  requested_at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  /** The commit that ended sessions, device cookies, API keys and roles. */
  denied_at: Timestamp;
  /** When the user's OAuth grants and tokens were revoked (after the commit). */
  oauth_revoked_at: Optional<Date>;
}

/** Where an assignment or an access request came from. */
export type GrantSource = 'admin' | 'scim';
