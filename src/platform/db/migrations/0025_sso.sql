-- Enterprise SSO (issue 23, docs/sso.md): Vigil as a SAML 2.0 identity provider for an
-- organization's SAML applications, and an organization's own identity provider (SAML or OIDC)
-- signing its users in to Vigil, found by the verified domain of their email.

ALTER TABLE security_policies DROP CONSTRAINT security_policies_kind_check;
ALTER TABLE security_policies ADD CONSTRAINT security_policies_kind_check
  CHECK (kind IN ('password', 'lockout', 'session', 'mfa', 'lifecycle', 'reviews', 'alerts',
    'retention', 'sso'));

-- An organization's SAML keys: signing (its IdP's responses, its SP's requests) and encryption
-- (assertions an upstream IdP encrypts to it). A rotation publishes the new key in the metadata
-- first (`next`), then signs with it (`active`) while the old one stays published and still
-- decrypts (`retiring`) until it is `retired`. The private key is a keyring ciphertext bound to
-- (saml_keys.private_key, id).
CREATE TABLE saml_keys (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  use text NOT NULL CHECK (use IN ('signing', 'encryption')),
  state text NOT NULL CHECK (state IN ('next', 'active', 'retiring', 'retired')),
  certificate text NOT NULL,
  private_key text NOT NULL,
  -- SHA-256 of the certificate's DER, AA:BB:… (names it in metadata listings and alerts).
  fingerprint text NOT NULL,
  not_before timestamptz NOT NULL,
  not_after timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  activated_at timestamptz,
  retiring_at timestamptz,
  retired_at timestamptz
);
CREATE UNIQUE INDEX saml_keys_one_active ON saml_keys (org_id, use) WHERE state = 'active';
CREATE UNIQUE INDEX saml_keys_one_next ON saml_keys (org_id, use) WHERE state = 'next';
ALTER TABLE saml_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE saml_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY saml_keys_tenant ON saml_keys TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY saml_keys_platform ON saml_keys TO vigil_platform USING (true) WITH CHECK (true);
-- No DELETE: a retired key stays as the record of what signed when.
GRANT SELECT, INSERT, UPDATE ON saml_keys TO vigil_app, vigil_platform;

-- A SAML service provider that signs its users in through Vigil (Vigil is the IdP).
CREATE TABLE saml_applications (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  name text NOT NULL,
  entity_id text NOT NULL,
  -- [{ "url": "https://…", "binding": "post" | "redirect", "index": 0, "isDefault": true }]:
  -- Vigil sends a response to one of these and to nothing else.
  acs_urls jsonb NOT NULL,
  slo_url text,
  slo_binding text CHECK (slo_binding IN ('post', 'redirect')),
  name_id_format text NOT NULL
    CHECK (name_id_format IN ('email', 'persistent', 'transient', 'unspecified')),
  -- [{ "name": "…", "source": "email" | "displayName" | "userId" | "roles" | …, "nameFormat": … }]
  attribute_mapping jsonb NOT NULL,
  sign_response boolean NOT NULL,
  sign_assertion boolean NOT NULL,
  encrypt_assertion boolean NOT NULL,
  -- The SP's certificate (PEM): checks its signed requests, encrypts its assertions.
  sp_certificate text,
  want_requests_signed boolean NOT NULL,
  idp_initiated boolean NOT NULL,
  default_relay_state text,
  enabled boolean NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (org_id, entity_id),
  CHECK (sign_response OR sign_assertion),
  CHECK (NOT encrypt_assertion OR sp_certificate IS NOT NULL),
  CHECK (NOT want_requests_signed OR sp_certificate IS NOT NULL)
);
ALTER TABLE saml_applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE saml_applications FORCE ROW LEVEL SECURITY;
CREATE POLICY saml_applications_tenant ON saml_applications TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY saml_applications_platform ON saml_applications TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON saml_applications TO vigil_app, vigil_platform;

-- A SAML request waiting for its user to sign in: the browser comes back to it by its id
-- (the return cookie), and the response goes to the ACS URL chosen when it arrived.
CREATE TABLE saml_pending_requests (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  application_id uuid NOT NULL REFERENCES saml_applications (id) ON DELETE CASCADE,
  -- The AuthnRequest's ID (InResponseTo of the answer); null for an IdP-initiated sign-in.
  request_id text,
  acs_url text NOT NULL,
  relay_state text,
  force_authn boolean NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX saml_pending_requests_expiry ON saml_pending_requests (expires_at);
ALTER TABLE saml_pending_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE saml_pending_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY saml_pending_requests_tenant ON saml_pending_requests TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY saml_pending_requests_platform ON saml_pending_requests TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON saml_pending_requests TO vigil_app, vigil_platform;

-- The applications a Vigil session signed in to by SAML, for single logout.
CREATE TABLE saml_session_participants (
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  application_id uuid NOT NULL REFERENCES saml_applications (id) ON DELETE CASCADE,
  org_id uuid NOT NULL REFERENCES organizations (id),
  name_id text NOT NULL,
  name_id_format text NOT NULL,
  session_index text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (session_id, application_id)
);
ALTER TABLE saml_session_participants ENABLE ROW LEVEL SECURITY;
ALTER TABLE saml_session_participants FORCE ROW LEVEL SECURITY;
CREATE POLICY saml_session_participants_tenant ON saml_session_participants TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY saml_session_participants_platform ON saml_session_participants TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON saml_session_participants TO vigil_app, vigil_platform;

-- An organization's own identity provider (upstream), by SAML or OIDC.
CREATE TABLE sso_connections (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  name text NOT NULL,
  protocol text NOT NULL CHECK (protocol IN ('saml', 'oidc')),
  enabled boolean NOT NULL,
  -- SAML: the IdP's entity ID, where its sign-in and logout are, and where its metadata came from.
  idp_entity_id text,
  idp_sso_url text,
  idp_slo_url text,
  metadata_url text,
  -- OIDC: the issuer (discovered), the client Vigil is registered as there, and the scopes asked.
  issuer text,
  client_id text,
  -- A keyring ciphertext bound to (sso_connections.client_secret, id).
  client_secret text,
  scopes text[],
  -- jit: an unknown user is created on first sign-in; match: only existing users may sign in.
  provisioning text NOT NULL CHECK (provisioning IN ('jit', 'match')),
  -- { "email": "…", "displayName": "…", "mfa": "…" }: which upstream attribute or claim is which.
  attribute_mapping jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (org_id, name),
  CHECK (protocol <> 'saml' OR (idp_entity_id IS NOT NULL AND idp_sso_url IS NOT NULL)),
  CHECK (protocol <> 'oidc' OR (issuer IS NOT NULL AND client_id IS NOT NULL))
);
ALTER TABLE sso_connections ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_connections FORCE ROW LEVEL SECURITY;
CREATE POLICY sso_connections_tenant ON sso_connections TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY sso_connections_platform ON sso_connections TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON sso_connections TO vigil_app, vigil_platform;

-- The signing certificates of an upstream SAML IdP (uploaded or read from its metadata), tracked
-- with their expiry.
CREATE TABLE sso_connection_certificates (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  connection_id uuid NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
  certificate text NOT NULL,
  fingerprint text NOT NULL,
  subject text NOT NULL,
  not_after timestamptz NOT NULL,
  added_at timestamptz NOT NULL,
  UNIQUE (connection_id, fingerprint)
);
ALTER TABLE sso_connection_certificates ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_connection_certificates FORCE ROW LEVEL SECURITY;
CREATE POLICY sso_connection_certificates_tenant ON sso_connection_certificates TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY sso_connection_certificates_platform ON sso_connection_certificates
  TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON sso_connection_certificates TO vigil_app, vigil_platform;

-- An email domain an organization claims for home-realm discovery. Verified by a signed file the
-- domain serves, or by an administrator's attestation (both audited); once verified, no other
-- organization can hold it.
CREATE TABLE sso_domains (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  domain text NOT NULL CHECK (domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
  connection_id uuid REFERENCES sso_connections (id) ON DELETE SET NULL,
  verification text CHECK (verification IN ('file', 'attestation')),
  verified_at timestamptz,
  verified_by text,
  created_at timestamptz NOT NULL,
  UNIQUE (org_id, domain)
);
CREATE UNIQUE INDEX sso_domains_verified ON sso_domains (domain) WHERE verified_at IS NOT NULL;
ALTER TABLE sso_domains ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_domains FORCE ROW LEVEL SECURITY;
CREATE POLICY sso_domains_tenant ON sso_domains TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY sso_domains_platform ON sso_domains TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON sso_domains TO vigil_app, vigil_platform;

-- A sign-in sent to an upstream IdP and not yet back: our AuthnRequest ID (SAML) or state
-- (OIDC), what the answer must match (nonce; the PKCE verifier as a keyring ciphertext bound to
-- (sso_requests.secret, id)), and where the browser goes after. Deleted when the answer is used:
-- a second answer to the same request is refused.
CREATE TABLE sso_requests (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  connection_id uuid NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
  -- SAML: the AuthnRequest ID; OIDC: the state parameter.
  correlation text NOT NULL UNIQUE,
  secret text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sso_requests_expiry ON sso_requests (expires_at);
ALTER TABLE sso_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY sso_requests_tenant ON sso_requests TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY sso_requests_platform ON sso_requests TO vigil_platform
  USING (true) WITH CHECK (true);
-- UPDATE only for the data-key rotation, which re-encrypts `secret` in place.
GRANT SELECT, INSERT, UPDATE, DELETE ON sso_requests TO vigil_app, vigil_platform;

-- Assertion IDs already used, until they expire: a replayed response is refused.
CREATE TABLE sso_used_assertions (
  connection_id uuid NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
  assertion_id text NOT NULL,
  org_id uuid NOT NULL REFERENCES organizations (id),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (connection_id, assertion_id)
);
CREATE INDEX sso_used_assertions_expiry ON sso_used_assertions (expires_at);
ALTER TABLE sso_used_assertions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_used_assertions FORCE ROW LEVEL SECURITY;
CREATE POLICY sso_used_assertions_tenant ON sso_used_assertions TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY sso_used_assertions_platform ON sso_used_assertions TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON sso_used_assertions TO vigil_app, vigil_platform;

-- Which upstream identity is which user: the connection and the upstream's stable subject
-- (SAML NameID, OIDC sub).
CREATE TABLE sso_identities (
  connection_id uuid NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
  subject text NOT NULL,
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL,
  last_sign_in_at timestamptz NOT NULL,
  PRIMARY KEY (connection_id, subject)
);
CREATE INDEX sso_identities_user ON sso_identities (user_id);
ALTER TABLE sso_identities ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_identities FORCE ROW LEVEL SECURITY;
CREATE POLICY sso_identities_tenant ON sso_identities TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY sso_identities_platform ON sso_identities TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON sso_identities TO vigil_app, vigil_platform;
