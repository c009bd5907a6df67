-- WebAuthn ceremonies in progress: the challenge a registration or authentication must sign.
CREATE TABLE webauthn_challenges (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  purpose text NOT NULL CHECK (purpose IN ('registration', 'authentication')),
  challenge text NOT NULL,
  expires_at timestamptz NOT NULL
);
ALTER TABLE webauthn_challenges ENABLE ROW LEVEL SECURITY;
ALTER TABLE webauthn_challenges FORCE ROW LEVEL SECURITY;
CREATE POLICY webauthn_challenges_tenant ON webauthn_challenges TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY webauthn_challenges_platform ON webauthn_challenges TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON webauthn_challenges TO vigil_app, vigil_platform;
