-- Access control (docs/access-control.md): custom roles, assignment expiry, conflict rules
-- (segregation of duties) and access requests that need another person's approval.

-- Custom roles of an organization; built-in roles live in code (src/rbac/catalog.ts).
CREATE TABLE roles (
  org_id uuid NOT NULL REFERENCES organizations (id),
  key text NOT NULL,
  name text NOT NULL,
  description text NOT NULL,
  purpose text NOT NULL,
  permissions text[] NOT NULL,
  owner_user_id uuid NOT NULL REFERENCES users (id),
  privileged boolean NOT NULL,
  require_mfa boolean NOT NULL,
  requires_approval boolean NOT NULL,
  version integer NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, key)
);
ALTER TABLE roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE roles FORCE ROW LEVEL SECURITY;
CREATE POLICY roles_tenant ON roles TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY roles_platform ON roles TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON roles TO vigil_app, vigil_platform;

ALTER TABLE role_assignments ADD COLUMN expires_at timestamptz;
CREATE INDEX role_assignments_expiry ON role_assignments (expires_at) WHERE expires_at IS NOT NULL;

-- Sets of roles and permissions one user must not hold together.
CREATE TABLE conflict_rules (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  name text NOT NULL,
  description text NOT NULL,
  roles text[] NOT NULL,
  permissions text[] NOT NULL,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL
);
CREATE INDEX conflict_rules_org ON conflict_rules (org_id);
ALTER TABLE conflict_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE conflict_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY conflict_rules_tenant ON conflict_rules TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY conflict_rules_platform ON conflict_rules TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON conflict_rules TO vigil_app, vigil_platform;

-- A role asked for someone: takes effect only when approved by another authorized user.
CREATE TABLE access_requests (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  role_key text NOT NULL,
  requested_by uuid REFERENCES users (id),
  reason text NOT NULL,
  assignment_expires_at timestamptz,
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
  decided_by uuid REFERENCES users (id),
  decided_at timestamptz,
  decision_note text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX access_requests_org_status ON access_requests (org_id, status);
CREATE INDEX access_requests_pending_expiry ON access_requests (expires_at) WHERE status = 'pending';
ALTER TABLE access_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY access_requests_tenant ON access_requests TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY access_requests_platform ON access_requests TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON access_requests TO vigil_app, vigil_platform;
