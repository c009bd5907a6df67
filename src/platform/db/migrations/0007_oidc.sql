-- OAuth 2.0 / OpenID Connect (docs/oidc.md).

-- OAuth clients belong to one organization, or to the platform (the platform organization's id).
-- The secret is a keyring ciphertext; the previous one stays valid until its overlap ends.
CREATE TABLE oauth_clients (
  id text PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('web', 'spa', 'native', 'machine')),
  first_party boolean NOT NULL,
  redirect_uris text[] NOT NULL,
  post_logout_redirect_uris text[] NOT NULL,
  backchannel_logout_uri text,
  grant_types text[] NOT NULL,
  token_lifetimes jsonb NOT NULL,
  secret_enc text,
  previous_secret_enc text,
  previous_secret_expires_at timestamptz,
  status text NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX oauth_clients_org ON oauth_clients (org_id, id);
ALTER TABLE oauth_clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE oauth_clients FORCE ROW LEVEL SECURITY;
CREATE POLICY oauth_clients_tenant ON oauth_clients TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY oauth_clients_platform ON oauth_clients TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON oauth_clients TO vigil_app, vigil_platform;

-- What oidc-provider stores (sessions, interactions, grants, codes, refresh tokens, ...): one
-- row per model and id, the payload as jsonb, with the lookups the provider needs indexed.
CREATE TABLE oidc_models (
  model text NOT NULL,
  id text NOT NULL,
  payload jsonb NOT NULL,
  grant_id text,
  uid text,
  user_code text,
  account_id text,
  expires_at timestamptz,
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oidc_models_grant ON oidc_models (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_models_uid ON oidc_models (uid) WHERE uid IS NOT NULL;
CREATE INDEX oidc_models_user_code ON oidc_models (user_code) WHERE user_code IS NOT NULL;
CREATE INDEX oidc_models_account ON oidc_models (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX oidc_models_expiry ON oidc_models (expires_at) WHERE expires_at IS NOT NULL;
ALTER TABLE oidc_models ENABLE ROW LEVEL SECURITY;
ALTER TABLE oidc_models FORCE ROW LEVEL SECURITY;
CREATE POLICY oidc_models_platform ON oidc_models TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON oidc_models TO vigil_platform;

-- Token signing keys: published in JWKS from `publish_at`, used for signing from `activate_at`,
-- retired (still published) from `retire_at`, dropped from JWKS at `remove_at`.
CREATE TABLE oidc_signing_keys (
  id uuid PRIMARY KEY,
  kid text NOT NULL UNIQUE,
  alg text NOT NULL CHECK (alg IN ('ES256', 'RS256')),
  public_jwk jsonb NOT NULL,
  private_jwk_enc text NOT NULL,
  created_at timestamptz NOT NULL,
  activate_at timestamptz NOT NULL,
  retire_at timestamptz,
  remove_at timestamptz
);
CREATE INDEX oidc_signing_keys_alg ON oidc_signing_keys (alg, activate_at);
ALTER TABLE oidc_signing_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE oidc_signing_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY oidc_signing_keys_platform ON oidc_signing_keys TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON oidc_signing_keys TO vigil_platform;
