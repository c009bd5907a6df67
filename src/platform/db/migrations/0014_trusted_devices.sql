-- Browsers that have signed in to an account before (device cookies, the OWASP pattern): each one
-- has a password lockout counter of its own, apart from the account's counter for every other
-- client, so that an attacker's failures lock out only browsers the account has never used
-- (docs/authentication.md#lockout-and-throttling). The cookie is a split token: only the SHA-256
-- of its secret is kept.
CREATE TABLE trusted_devices (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  revoked_at timestamptz,
  failures integer NOT NULL DEFAULT 0,
  last_failure_at timestamptz,
  locked_until timestamptz,
  lock_count integer NOT NULL DEFAULT 0,
  locked_permanently boolean NOT NULL DEFAULT false
);
CREATE INDEX trusted_devices_user ON trusted_devices (user_id) WHERE revoked_at IS NULL;
ALTER TABLE trusted_devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE trusted_devices FORCE ROW LEVEL SECURITY;
CREATE POLICY trusted_devices_tenant ON trusted_devices TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY trusted_devices_platform ON trusted_devices TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON trusted_devices TO vigil_app, vigil_platform;
