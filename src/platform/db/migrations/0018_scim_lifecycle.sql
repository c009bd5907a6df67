-- Lifecycle from the HR directory (issue 19, docs/lifecycle.md and docs/scim.md): SCIM 2.0
-- provisioning, groups mapped to roles, scheduled and dormant deactivation, and the record each
-- deactivation leaves for the deprovisioning SLA report.

-- A user as the directory knows them. `user_name` is SCIM's userName when it differs from the
-- email (Entra sends the UPN); the SCIM userName of a user is coalesce(user_name, email), unique
-- in the organization ignoring case like the email.
ALTER TABLE users ADD COLUMN external_id text;
ALTER TABLE users ADD COLUMN user_name text;
ALTER TABLE users ADD COLUMN given_name text;
ALTER TABLE users ADD COLUMN family_name text;
ALTER TABLE users ADD COLUMN employee_number text;
ALTER TABLE users ADD COLUMN department text;
ALTER TABLE users ADD COLUMN manager_id uuid REFERENCES users (id);
-- The scheduled end of employment: the user is deprovisioned at that time (docs/lifecycle.md).
ALTER TABLE users ADD COLUMN end_at timestamptz;
-- The last successful sign-in (a new session), for dormant-account deactivation.
ALTER TABLE users ADD COLUMN last_sign_in_at timestamptz;
-- When the user and the admins were warned that the account is about to be suspended as dormant.
ALTER TABLE users ADD COLUMN dormancy_warned_at timestamptz;
CREATE UNIQUE INDEX users_org_user_name ON users (org_id, lower(coalesce(user_name, email)));
CREATE INDEX users_org_external_id ON users (org_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX users_end_at ON users (end_at) WHERE end_at IS NOT NULL AND status = 'active';

-- SCIM bearer tokens: split tokens `id.secret`, only the SHA-256 of the secret stored; one
-- organization each, SCIM resources only, expiring, revocable, last use recorded.
CREATE TABLE scim_tokens (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  name text NOT NULL,
  secret_hash bytea NOT NULL,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users (id),
  last_used_at timestamptz,
  last_used_ip text
);
CREATE INDEX scim_tokens_org ON scim_tokens (org_id, created_at);

-- SCIM groups and their members, as the directory pushed them.
CREATE TABLE scim_groups (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  display_name text NOT NULL,
  external_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX scim_groups_org ON scim_groups (org_id, id);
CREATE TABLE scim_group_members (
  org_id uuid NOT NULL REFERENCES organizations (id),
  group_id uuid NOT NULL REFERENCES scim_groups (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id),
  added_at timestamptz NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX scim_group_members_user ON scim_group_members (user_id);

-- Which roles the members of a SCIM group hold (docs/scim.md#groups-and-roles).
CREATE TABLE scim_group_roles (
  org_id uuid NOT NULL REFERENCES organizations (id),
  group_id uuid NOT NULL REFERENCES scim_groups (id) ON DELETE CASCADE,
  role_key text NOT NULL,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (group_id, role_key)
);

-- Where an assignment or a request came from: an administrator (or the user) or the directory.
-- The directory's assignments follow group membership; an administrator's are never touched by it.
ALTER TABLE role_assignments ADD COLUMN source text NOT NULL DEFAULT 'admin'
  CHECK (source IN ('admin', 'scim'));
ALTER TABLE access_requests ADD COLUMN source text NOT NULL DEFAULT 'admin'
  CHECK (source IN ('admin', 'scim'));

-- One row per deactivation (docs/lifecycle.md#sla-report): who asked and when, when the user's
-- sessions, cookies, API keys and roles were denied (the commit) and when their OAuth grants and
-- tokens were (after the commit).
CREATE TABLE deprovisionings (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  status text NOT NULL CHECK (status IN ('suspended', 'deprovisioned')),
  source text NOT NULL CHECK (source IN ('admin', 'scim', 'schedule', 'dormant', 'review')),
  requested_at timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id text,
  actor_label text,
  denied_at timestamptz NOT NULL,
  oauth_revoked_at timestamptz
);
CREATE INDEX deprovisionings_org_time ON deprovisionings (org_id, requested_at);

ALTER TABLE security_policies DROP CONSTRAINT security_policies_kind_check;
ALTER TABLE security_policies ADD CONSTRAINT security_policies_kind_check
  CHECK (kind IN ('password', 'lockout', 'session', 'mfa', 'lifecycle'));

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['scim_tokens', 'scim_groups', 'scim_group_members', 'scim_group_roles',
                           'deprovisionings'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I TO vigil_app USING (org_id = vigil_current_org()) '
                   'WITH CHECK (org_id = vigil_current_org())', t || '_tenant', t);
    EXECUTE format('CREATE POLICY %I ON %I TO vigil_platform USING (true) WITH CHECK (true)',
                   t || '_platform', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE ON scim_tokens, deprovisionings TO vigil_app, vigil_platform;
GRANT SELECT, INSERT, UPDATE, DELETE ON scim_groups, scim_group_members, scim_group_roles
  TO vigil_app, vigil_platform;
