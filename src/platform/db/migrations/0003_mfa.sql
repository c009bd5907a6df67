-- Second factors: TOTP (seed encrypted with the keyring) and WebAuthn passkeys; recovery codes.

CREATE TABLE mfa_factors (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  kind text NOT NULL CHECK (kind IN ('totp', 'webauthn')),
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
  -- TOTP: the seed as a keyring ciphertext; the last time step accepted (never accepted again).
  secret_enc text,
  last_used_step bigint,
  -- WebAuthn: credential id (base64url), COSE public key, signature counter, transports.
  credential_id text UNIQUE,
  public_key bytea,
  sign_count bigint,
  transports text[],
  created_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  last_used_at timestamptz,
  CHECK (kind <> 'totp' OR secret_enc IS NOT NULL),
  CHECK (kind <> 'webauthn' OR (credential_id IS NOT NULL AND public_key IS NOT NULL))
);
CREATE INDEX mfa_factors_user ON mfa_factors (user_id);
ALTER TABLE mfa_factors ENABLE ROW LEVEL SECURITY;
ALTER TABLE mfa_factors FORCE ROW LEVEL SECURITY;
CREATE POLICY mfa_factors_tenant ON mfa_factors TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY mfa_factors_platform ON mfa_factors TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON mfa_factors TO vigil_app, vigil_platform;

CREATE TABLE recovery_codes (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  hash text NOT NULL,
  created_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id) WHERE used_at IS NULL;
ALTER TABLE recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY recovery_codes_tenant ON recovery_codes TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY recovery_codes_platform ON recovery_codes TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON recovery_codes TO vigil_app, vigil_platform;
