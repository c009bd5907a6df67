-- Authentication: versioned security policies, password history, lockout counters, sessions.

-- Per-organization policies, one row per version; the highest version is in force. Rows are
-- never updated, so every earlier policy stays on record (evidence of what applied when).
CREATE TABLE security_policies (
  org_id uuid NOT NULL REFERENCES organizations (id),
  kind text NOT NULL CHECK (kind IN ('password', 'lockout', 'session', 'mfa')),
  version integer NOT NULL CHECK (version > 0),
  settings jsonb NOT NULL,
  changed_by text,
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, kind, version)
);
ALTER TABLE security_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE security_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY security_policies_tenant ON security_policies TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY security_policies_platform ON security_policies TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON security_policies TO vigil_app, vigil_platform;

-- Every password hash a user has had (the current one included), for the history rule.
CREATE TABLE password_history (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  org_id uuid NOT NULL REFERENCES organizations (id),
  hash text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, created_at DESC);
ALTER TABLE password_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE password_history FORCE ROW LEVEL SECURITY;
CREATE POLICY password_history_tenant ON password_history TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY password_history_platform ON password_history TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON password_history TO vigil_app, vigil_platform;

-- When the current password was set, and by whom (the minimum age binds only the owner's own
-- changes: a password an administrator set can be replaced at once).
ALTER TABLE password_credentials ADD COLUMN set_by_owner boolean NOT NULL DEFAULT false;
ALTER TABLE password_credentials ADD COLUMN changed_at timestamptz;
UPDATE password_credentials SET changed_at = created_at;
ALTER TABLE password_credentials ALTER COLUMN changed_at SET NOT NULL;

-- Failed-attempt counters per account and factor; separate for the password and the second
-- factor so that one cannot be used to lock the other (docs/authentication.md).
CREATE TABLE auth_lockouts (
  user_id uuid NOT NULL REFERENCES users (id),
  org_id uuid NOT NULL REFERENCES organizations (id),
  factor text NOT NULL CHECK (factor IN ('password', 'second_factor')),
  failures integer NOT NULL DEFAULT 0,
  last_failure_at timestamptz,
  locked_until timestamptz,
  lock_count integer NOT NULL DEFAULT 0,
  locked_permanently boolean NOT NULL DEFAULT false,
  PRIMARY KEY (user_id, factor)
);
ALTER TABLE auth_lockouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_lockouts FORCE ROW LEVEL SECURITY;
CREATE POLICY auth_lockouts_tenant ON auth_lockouts TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY auth_lockouts_platform ON auth_lockouts TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON auth_lockouts TO vigil_app, vigil_platform;

-- Failed sign-ins per client address and time window, across every account and organization
-- (credential stuffing). Platform-wide by nature.
CREATE TABLE auth_ip_failures (
  ip text NOT NULL,
  window_start timestamptz NOT NULL,
  failures integer NOT NULL,
  PRIMARY KEY (ip, window_start)
);
ALTER TABLE auth_ip_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_ip_failures FORCE ROW LEVEL SECURITY;
CREATE POLICY auth_ip_failures_platform ON auth_ip_failures TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON auth_ip_failures TO vigil_platform;

-- Server-side sessions: the cookie holds `<id>.<secret>`, the row only SHA-256(secret).
CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  secret_hash bytea NOT NULL,
  amr text[] NOT NULL,
  acr text NOT NULL,
  ip text,
  user_agent text,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  idle_expires_at timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  ended_at timestamptz,
  end_reason text CHECK (end_reason IN ('logout', 'idle', 'expired', 'user', 'admin', 'password_change', 'deprovisioned', 'privilege_change'))
);
CREATE INDEX sessions_user_active ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_org_active ON sessions (org_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_expiry ON sessions (LEAST(idle_expires_at, absolute_expires_at)) WHERE ended_at IS NULL;
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_tenant ON sessions TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY sessions_platform ON sessions TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON sessions TO vigil_app, vigil_platform;
