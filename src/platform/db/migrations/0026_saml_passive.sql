-- A SAML request with IsPassive="true" (docs/sso.md#fresh-and-passive-sign-in): the user must
-- not be asked to sign in, so a request that cannot be answered from the browser's session is
-- answered with the NoPassive status instead of the sign-in page.
ALTER TABLE saml_pending_requests ADD COLUMN is_passive boolean NOT NULL DEFAULT false;
