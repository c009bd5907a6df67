-- Which Vigil session an oidc-provider session (one per browser) was last confirmed by
-- (docs/oidc.md#logout): when the Vigil session ends, every client signed in through that browser
-- gets a back-channel logout. Rows go with the provider session or at the Vigil session's end.
CREATE TABLE oidc_session_links (
  oidc_session_id text PRIMARY KEY,
  vigil_session_id uuid NOT NULL REFERENCES sessions (id),
  account_id text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX oidc_session_links_vigil ON oidc_session_links (vigil_session_id);
CREATE INDEX oidc_session_links_expiry ON oidc_session_links (expires_at);
ALTER TABLE oidc_session_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE oidc_session_links FORCE ROW LEVEL SECURITY;
CREATE POLICY oidc_session_links_platform ON oidc_session_links TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON oidc_session_links TO vigil_platform;
