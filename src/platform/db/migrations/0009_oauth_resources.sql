-- Resource servers (RFC 8707) a client may ask access tokens for, and the API scopes it may ask
-- for them: such tokens are ES256 JWTs with the resource as audience (docs/oidc.md#access-tokens).
-- The first resource is the client's default when a request names none.
ALTER TABLE oauth_clients
  ADD COLUMN resources text[] NOT NULL DEFAULT '{}',
  ADD COLUMN api_scopes text[] NOT NULL DEFAULT '{}';
