import type { ColumnType } from 'kysely';

/**
 * Row types of the enterprise SSO tables (migration 0025, docs/sso.md): Vigil as a SAML IdP
 * (keys, applications, waiting requests, session participants) and an organization's upstream
 * IdPs (connections, their certificates, domains, requests in flight, used assertions, linked
 * identities). Kept apart from tables.ts only for its size; the same rules hold
 * (test/db-tables.test.ts).
 */
type Timestamp = ColumnType<Date, Date, Date>;
/** A nullable column an insert may leave out. */
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** jsonb: written as JSON text, read back parsed. */
type Json = ColumnType<unknown, string, string>;

export type SamlKeyUse = 'signing' | 'encryption';
export type SamlKeyState = 'next' | 'active' | 'retiring' | 'retired';
export type SamlBinding = 'post' | 'redirect';
export type SamlNameIdFormat = 'email' | 'persistent' | 'transient' | 'unspecified';
export type SsoProtocol = 'saml' | 'oidc';
export type SsoProvisioning = 'jit' | 'match';

export interface SamlKeysTable {
  id: string;
  org_id: string;
  use: SamlKeyUse;
  state: SamlKeyState;
  certificate: string;
  private_key: string;
  fingerprint: string;
  not_before: Timestamp;
  not_after: Timestamp;
  created_at: Timestamp;
  activated_at: Optional<Date>;
  retiring_at: Optional<Date>;
  retired_at: Optional<Date>;
}

export interface SamlApplicationsTable {
  id: string;
  org_id: string;
  name: string;
  entity_id: string;
  acs_urls: Json;
  slo_url: Optional<string>;
  slo_binding: Optional<SamlBinding>;
  name_id_format: SamlNameIdFormat;
  attribute_mapping: Json;
  sign_response: boolean;
  sign_assertion: boolean;
  encrypt_assertion: boolean;
  sp_certificate: Optional<string>;
  want_requests_signed: boolean;
  idp_initiated: boolean;
  default_relay_state: Optional<string>;
  enabled: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SamlPendingRequestsTable {
  id: string;
  org_id: string;
  application_id: string;
  request_id: Optional<string>;
  acs_url: string;
  relay_state: Optional<string>;
  force_authn: boolean;
  is_passive: boolean;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** A single logout in progress (migration 0026): the applications still to be told. */
export interface SamlLogoutsTable {
  id: string;
  org_id: string;
  session_id: string;
  remaining: Json;
  awaiting: Optional<string>;
  answer: ColumnType<object | null, string | null, string | null>;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface SamlSessionParticipantsTable {
  session_id: string;
  application_id: string;
  org_id: string;
  name_id: string;
  name_id_format: string;
  session_index: string;
  created_at: Timestamp;
}

export interface SsoConnectionsTable {
  id: string;
  org_id: string;
  name: string;
  protocol: SsoProtocol;
  enabled: boolean;
  idp_entity_id: Optional<string>;
  idp_sso_url: Optional<string>;
  idp_slo_url: Optional<string>;
  metadata_url: Optional<string>;
  issuer: Optional<string>;
  client_id: Optional<string>;
  client_secret: Optional<string>;
  scopes: Optional<string[]>;
  provisioning: SsoProvisioning;
  attribute_mapping: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SsoConnectionCertificatesTable {
  id: string;
  org_id: string;
  connection_id: string;
  certificate: string;
  fingerprint: string;
  subject: string;
  not_after: Timestamp;
  added_at: Timestamp;
}

export interface SsoDomainsTable {
  id: string;
  org_id: string;
  domain: string;
  connection_id: Optional<string>;
  verification: Optional<'file' | 'attestation'>;
  verified_at: Optional<Date>;
  verified_by: Optional<string>;
  created_at: Timestamp;
}

export interface SsoRequestsTable {
  id: string;
  org_id: string;
  connection_id: string;
  correlation: string;
  secret: Optional<string>;
  fresh: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface SsoUsedAssertionsTable {
  connection_id: string;
  assertion_id: string;
  org_id: string;
  expires_at: Timestamp;
}

export interface SsoIdentitiesTable {
  connection_id: string;
  subject: string;
  org_id: string;
  user_id: string;
  created_at: Timestamp;
  last_sign_in_at: Timestamp;
}
