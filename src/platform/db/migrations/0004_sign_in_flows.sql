-- Sign-in flows: the state between the password step and the session (second factor, forced
-- enrollment, forced password change). The browser holds `<id>.<secret>`; the row only the hash.
CREATE TABLE sign_in_flows (
  id uuid PRIMARY KEY,
  secret_hash bytea NOT NULL,
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  stage text NOT NULL CHECK (stage IN ('mfa', 'enroll', 'password_change', 'done')),
  amr text[] NOT NULL,
  must_change_password boolean NOT NULL,
  pending_factor_id uuid,
  ip text,
  user_agent text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sign_in_flows_expiry ON sign_in_flows (expires_at);
ALTER TABLE sign_in_flows ENABLE ROW LEVEL SECURITY;
ALTER TABLE sign_in_flows FORCE ROW LEVEL SECURITY;
CREATE POLICY sign_in_flows_tenant ON sign_in_flows TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY sign_in_flows_platform ON sign_in_flows TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_flows TO vigil_app, vigil_platform;
