-- Users found by email or SCIM userName, ignoring case, through an index (issue 19: SCIM creates
-- at 500/s; bench/RESULTS.md#scim). Under row-level security the planner uses an index for a
-- condition only when the condition's functions are leakproof (migration 0016): `lower(email) =
-- lower($1)` applies lower() to the row, so each such lookup read every user of the organization
-- (a SCIM create's duplicate check, an admin API create's, Okta's `userName eq`), and the
-- sign-in's read by email, which no index led with, read every user of every organization.
-- These columns hold the lowered values, computed once when the row is written: `email_key =
-- lower($1)` compares a column with a parameter, leakproof, and uses the indexes below.
ALTER TABLE users ADD COLUMN email_key text NOT NULL GENERATED ALWAYS AS (lower(email)) STORED;
ALTER TABLE users ADD COLUMN user_name_key text NOT NULL
  GENERATED ALWAYS AS (lower(coalesce(user_name, email))) STORED;
-- The same uniqueness as before, on the stored values. The email comes first so that the
-- sign-in's lookup across organizations uses the index too.
DROP INDEX users_org_email;
CREATE UNIQUE INDEX users_org_email ON users (email_key, org_id);
DROP INDEX users_org_user_name;
CREATE UNIQUE INDEX users_org_user_name ON users (org_id, user_name_key);
