-- Access reviews, second part (issue 20, docs/reviews.md): campaigns the schedule launches from
-- the organization's review policy, their reminders and escalation, and the users of one OAuth
-- client as a scope.

ALTER TABLE security_policies DROP CONSTRAINT security_policies_kind_check;
ALTER TABLE security_policies ADD CONSTRAINT security_policies_kind_check
  CHECK (kind IN ('password', 'lockout', 'session', 'mfa', 'lifecycle', 'reviews'));

-- A campaign the schedule launched names its period ('privileged_roles:2026-10-01'): at most one
-- per organization and period, so a round after downtime, or on a second node, never launches
-- it twice. Null for a campaign launched by hand.
ALTER TABLE review_campaigns ADD COLUMN schedule_key text;
CREATE UNIQUE INDEX review_campaigns_schedule ON review_campaigns (org_id, schedule_key)
  WHERE schedule_key IS NOT NULL;
-- The last reminder round that mailed this campaign's unfinished reviewers, and when the
-- organization's admins were told it was overdue (once).
ALTER TABLE review_campaigns ADD COLUMN reminded_at timestamptz;
ALTER TABLE review_campaigns ADD COLUMN escalated_at timestamptz;

-- A 'client_users' item: the user's consent (oidc-provider Grant) to this OAuth client; its
-- permissions column holds the scopes granted.
ALTER TABLE review_items ADD COLUMN client_id text;
ALTER TABLE review_items DROP CONSTRAINT review_items_check;
ALTER TABLE review_items ADD CONSTRAINT review_items_one_access
  CHECK (num_nonnulls(role_key, api_key_id, client_id) = 1);

-- The provider's store had no tenant policy: only the platform role read it. A 'client_users'
-- campaign reads and revokes an organization's grants in that organization's transaction, so
-- the tenant role now sees exactly the rows of its own users (the users table's own policy
-- limits the subquery to the current organization).
CREATE POLICY oidc_models_tenant ON oidc_models TO vigil_app
  USING (account_id IN (SELECT id::text FROM users))
  WITH CHECK (account_id IN (SELECT id::text FROM users));
GRANT SELECT, DELETE ON oidc_models TO vigil_app;

-- The same columns as the UNIQUE (campaign_id, position) constraint's index: a second index to
-- keep up on every item inserted, for nothing.
DROP INDEX review_items_campaign;
