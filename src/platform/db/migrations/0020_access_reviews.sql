-- Access reviews (issue 20, docs/reviews.md): a campaign reviews a scope of an organization's
-- access as of a snapshot taken at launch. The items are that snapshot: nothing that changes the
-- assignments later changes them; only the review columns (reviewer, decision, revocation) move.
CREATE TABLE review_campaigns (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  name text NOT NULL,
  scope_kind text NOT NULL
    CHECK (scope_kind IN ('privileged_roles', 'all_assignments', 'client_users', 'api_keys')),
  -- The OAuth client of a 'client_users' campaign; null for the other scopes.
  scope_client_id text,
  created_by uuid REFERENCES users (id),
  launched_at timestamptz NOT NULL,
  due_at timestamptz NOT NULL,
  -- What close does with the items nobody decided.
  undecided_policy text NOT NULL CHECK (undecided_policy IN ('revoke', 'keep')),
  -- SHA-256 (hex) of the canonical JSON of the items as launched (docs/reviews.md#snapshot).
  snapshot_sha256 text NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'closed')),
  closed_at timestamptz,
  closed_by uuid REFERENCES users (id),
  CHECK ((scope_kind = 'client_users') = (scope_client_id IS NOT NULL)),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX review_campaigns_org ON review_campaigns (org_id, launched_at);

-- One held access of one user as of the launch: a role (role_key) or an API key (api_key_id,
-- whose permissions are `permissions`).
CREATE TABLE review_items (
  id uuid PRIMARY KEY,
  campaign_id uuid NOT NULL REFERENCES review_campaigns (id),
  org_id uuid NOT NULL REFERENCES organizations (id),
  -- The order of the item in the snapshot (the order the hash was computed in).
  position integer NOT NULL,
  subject_user_id uuid NOT NULL REFERENCES users (id),
  subject_email text NOT NULL,
  subject_name text NOT NULL,
  role_key text,
  api_key_id uuid REFERENCES api_keys (id),
  api_key_name text,
  permissions text[] NOT NULL,
  held_since timestamptz NOT NULL,
  granted_by uuid REFERENCES users (id),
  source text NOT NULL CHECK (source IN ('admin', 'scim')),
  last_sign_in_at timestamptz,
  mfa_enrolled boolean NOT NULL,
  flags text[] NOT NULL,
  privileged boolean NOT NULL,
  -- Who reviews it and why them (role_owner, manager, admin); null: nobody but the subject could.
  reviewer_id uuid REFERENCES users (id),
  reviewer_basis text CHECK (reviewer_basis IN ('role_owner', 'manager', 'admin', 'reassigned')),
  decision text CHECK (decision IN ('keep', 'revoke', 'reduce')),
  -- reduce: the role keys dropped (the item's subject keeps the others).
  dropped_role_keys text[],
  justification text,
  decided_by uuid REFERENCES users (id),
  decided_at timestamptz,
  -- At close: what happened to the item, and when a revocation took effect.
  outcome text CHECK (outcome IN ('kept', 'revoked', 'reduced', 'already_gone')),
  revoked_at timestamptz,
  CHECK ((role_key IS NULL) <> (api_key_id IS NULL)),
  UNIQUE (campaign_id, position)
);
CREATE INDEX review_items_campaign ON review_items (campaign_id, position);
CREATE INDEX review_items_reviewer ON review_items (reviewer_id, campaign_id)
  WHERE decision IS NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['review_campaigns', 'review_items'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I TO vigil_app USING (org_id = vigil_current_org()) '
                   'WITH CHECK (org_id = vigil_current_org())', t || '_tenant', t);
    EXECUTE format('CREATE POLICY %I ON %I TO vigil_platform USING (true) WITH CHECK (true)',
                   t || '_platform', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE ON review_campaigns, review_items TO vigil_app, vigil_platform;
