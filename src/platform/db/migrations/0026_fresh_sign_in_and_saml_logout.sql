-- A SAML request with IsPassive="true" (docs/sso.md#fresh-and-passive-sign-in): the user must
-- not be asked to sign in, so a request that cannot be answered from the browser's session is
-- answered with the NoPassive status instead of the sign-in page.
ALTER TABLE saml_pending_requests ADD COLUMN is_passive boolean NOT NULL DEFAULT false;

-- A single logout in progress (docs/sso.md#single-logout): the browser is sent to each SAML
-- application of the ended session in turn, with a signed LogoutRequest whose RelayState names
-- this row; the application's LogoutResponse brings it back for the next one. At the end the
-- application that asked gets its LogoutResponse, or (signed out at Vigil) the user a page.
CREATE TABLE saml_logouts (
  id uuid PRIMARY KEY,
  -- The ended session's organization.
  org_id uuid NOT NULL REFERENCES organizations (id),
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  -- The applications still to be told, in order:
  -- [{ "applicationId", "orgId", "nameId", "nameIdFormat", "sessionIndex" }].
  remaining jsonb NOT NULL,
  -- The ID of the LogoutRequest the current application answers (its InResponseTo).
  awaiting text,
  -- The application that asked, to answer at the end ({ "applicationId", "orgId", "requestId",
  -- "relayState" }); null when the user signed out at Vigil.
  answer jsonb,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX saml_logouts_expiry ON saml_logouts (expires_at);
ALTER TABLE saml_logouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE saml_logouts FORCE ROW LEVEL SECURITY;
CREATE POLICY saml_logouts_tenant ON saml_logouts TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY saml_logouts_platform ON saml_logouts TO vigil_platform
  USING (true) WITH CHECK (true);
-- UPDATE: the chain moves on (remaining shrinks, awaiting changes).
GRANT SELECT, INSERT, UPDATE, DELETE ON saml_logouts TO vigil_app, vigil_platform;

-- A federated sign-in over a live session (docs/sso.md#fresh-and-passive-sign-in) asks the
-- organization's IdP for a fresh authentication (ForceAuthn, prompt=login), and its answer must
-- show one made after the request (AuthnInstant, auth_time).
ALTER TABLE sso_requests ADD COLUMN fresh boolean NOT NULL DEFAULT false;
