-- Foundation: the application role, row-level security helpers, tenancy, identity, keyring and
-- the append-only audit log. Forward-only: never edit a migration that has shipped.

-- Two roles without login, neither a superuser nor BYPASSRLS (docs/adr/0004-rls-scopes.md):
-- vigil_app, which every runtime connection switches to, sees the rows of the organization named
-- by `vigil.org_id`; vigil_platform, taken for one transaction by platform work, sees every row.
DO $$ BEGIN
  CREATE ROLE vigil_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$ BEGIN
  CREATE ROLE vigil_platform NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$ BEGIN
  EXECUTE format('GRANT vigil_app, vigil_platform TO %I', current_user);
EXCEPTION WHEN OTHERS THEN NULL;
END $$;

GRANT USAGE ON SCHEMA public TO vigil_app, vigil_platform;
GRANT SELECT ON schema_migrations TO vigil_app, vigil_platform;

-- The organization of the current transaction; NULL (so no row matches) when none is set.
CREATE FUNCTION vigil_current_org() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('vigil.org_id', true), '')::uuid
$$;

CREATE FUNCTION vigil_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

-- Tenancy ---------------------------------------------------------------------------------------

CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN ('platform', 'customer')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX organizations_one_platform ON organizations (kind) WHERE kind = 'platform';
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY organizations_tenant ON organizations TO vigil_app
  USING (id = vigil_current_org()) WITH CHECK (id = vigil_current_org());
CREATE POLICY organizations_platform ON organizations TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON organizations TO vigil_app, vigil_platform;

-- The platform organization has a fixed id: the operator's own staff live here.
INSERT INTO organizations (id, slug, name, kind, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-000000000001', 'platform', 'Platform', 'platform', now(), now());

-- Identity --------------------------------------------------------------------------------------

CREATE TABLE users (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deprovisioned')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deactivated_at timestamptz
);
CREATE UNIQUE INDEX users_org_email ON users (org_id, lower(email));
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_tenant ON users TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY users_platform ON users TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON users TO vigil_app, vigil_platform;

CREATE TABLE password_credentials (
  user_id uuid PRIMARY KEY REFERENCES users (id),
  org_id uuid NOT NULL REFERENCES organizations (id),
  hash text NOT NULL,
  must_change boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL
);
ALTER TABLE password_credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE password_credentials FORCE ROW LEVEL SECURITY;
CREATE POLICY password_credentials_tenant ON password_credentials TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY password_credentials_platform ON password_credentials TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON password_credentials TO vigil_app, vigil_platform;

-- Built-in role keys only until the access-control work brings the role catalog.
CREATE TABLE role_assignments (
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  role_key text NOT NULL,
  granted_by uuid REFERENCES users (id),
  reason text NOT NULL,
  granted_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, role_key)
);
CREATE INDEX role_assignments_org_role ON role_assignments (org_id, role_key);
ALTER TABLE role_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY role_assignments_tenant ON role_assignments TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY role_assignments_platform ON role_assignments TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON role_assignments TO vigil_app, vigil_platform;

CREATE TABLE bootstrap_tokens (
  id uuid PRIMARY KEY,
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz
);
ALTER TABLE bootstrap_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE bootstrap_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY bootstrap_tokens_platform ON bootstrap_tokens TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON bootstrap_tokens TO vigil_platform;

-- Keyring ---------------------------------------------------------------------------------------

CREATE TABLE keyring_data_keys (
  id integer PRIMARY KEY,
  master_key_id text NOT NULL,
  wrapped_key text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'retired')),
  created_at timestamptz NOT NULL,
  activated_at timestamptz NOT NULL,
  retired_at timestamptz
);
CREATE UNIQUE INDEX keyring_data_keys_one_active ON keyring_data_keys (status) WHERE status = 'active';
ALTER TABLE keyring_data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE keyring_data_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY keyring_data_keys_platform ON keyring_data_keys TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON keyring_data_keys TO vigil_platform;

-- One row per data-key rotation; `finished_at` stays null until every ciphertext is re-encrypted,
-- so a node that starts after a crash resumes the work.
CREATE TABLE keyring_rotations (
  id uuid PRIMARY KEY,
  to_key_id integer NOT NULL REFERENCES keyring_data_keys (id),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  reencrypted integer NOT NULL DEFAULT 0
);
ALTER TABLE keyring_rotations ENABLE ROW LEVEL SECURITY;
ALTER TABLE keyring_rotations FORCE ROW LEVEL SECURITY;
CREATE POLICY keyring_rotations_platform ON keyring_rotations TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON keyring_rotations TO vigil_platform;

-- Platform keys: the audit MAC key and the audit seal (checkpoint) signing key; later the
-- OIDC signing keys. Private parts are keyring ciphertexts.
CREATE TABLE platform_keys (
  id uuid PRIMARY KEY,
  purpose text NOT NULL,
  algorithm text NOT NULL,
  public_key text,
  private_key_enc text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'retired')),
  created_at timestamptz NOT NULL,
  activated_at timestamptz,
  retired_at timestamptz
);
CREATE UNIQUE INDEX platform_keys_one_active ON platform_keys (purpose) WHERE status = 'active';
ALTER TABLE platform_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_keys_platform ON platform_keys TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON platform_keys TO vigil_platform;

-- Audit -----------------------------------------------------------------------------------------

-- `tx` is the writing transaction's id: the sealer appends events to the chain in (tx, seq)
-- order once every transaction below the snapshot horizon has finished (docs/audit.md). It is
-- stored as bigint (a 64-bit xid8 always fits) so that comparisons on it use the index.
CREATE TABLE audit_events (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  tx bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
  org_id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id text,
  actor_ip text,
  actor_ua text,
  action text NOT NULL,
  target_type text,
  target_id text,
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  request_id text,
  details text NOT NULL,
  mac_key_id uuid NOT NULL,
  mac bytea NOT NULL
);
CREATE UNIQUE INDEX audit_events_chain_order ON audit_events (tx, seq);
CREATE INDEX audit_events_org_time ON audit_events (org_id, occurred_at, id);
CREATE INDEX audit_events_org_actor ON audit_events (org_id, actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_events_org_target ON audit_events (org_id, target_id) WHERE target_id IS NOT NULL;
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_events_read ON audit_events FOR SELECT TO vigil_app
  USING (org_id = vigil_current_org());
CREATE POLICY audit_events_append ON audit_events FOR INSERT TO vigil_app
  WITH CHECK (org_id = vigil_current_org());
CREATE POLICY audit_events_platform_read ON audit_events FOR SELECT TO vigil_platform USING (true);
CREATE POLICY audit_events_platform_append ON audit_events FOR INSERT TO vigil_platform
  WITH CHECK (true);
GRANT SELECT, INSERT ON audit_events TO vigil_app, vigil_platform;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION vigil_reject_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_reject_change();

CREATE TABLE audit_seal_blocks (
  block_no bigint PRIMARY KEY,
  first_tx bigint NOT NULL,
  first_seq bigint NOT NULL,
  last_tx bigint NOT NULL,
  last_seq bigint NOT NULL,
  event_count integer NOT NULL,
  event_ids uuid[] NOT NULL,
  prev_hash bytea NOT NULL,
  chain_hash bytea NOT NULL,
  key_id uuid NOT NULL,
  signature bytea NOT NULL,
  sealed_at timestamptz NOT NULL
);
ALTER TABLE audit_seal_blocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_seal_blocks FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_seal_blocks_read ON audit_seal_blocks FOR SELECT TO vigil_platform USING (true);
CREATE POLICY audit_seal_blocks_append ON audit_seal_blocks FOR INSERT TO vigil_platform
  WITH CHECK (true);
GRANT SELECT, INSERT ON audit_seal_blocks TO vigil_platform;
CREATE TRIGGER audit_seal_blocks_no_update BEFORE UPDATE OR DELETE ON audit_seal_blocks
  FOR EACH ROW EXECUTE FUNCTION vigil_reject_change();
CREATE TRIGGER audit_seal_blocks_no_truncate BEFORE TRUNCATE ON audit_seal_blocks
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_reject_change();
