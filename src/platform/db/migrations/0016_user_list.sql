-- The admin API's user list (issue 18): a page of an organization's users in id order, filtered
-- by status and searched by a fragment of the email or the display name, answers in under 100 ms
-- with 100,000 users in the organization (docs/admin-api.md#users).
--
-- A page walks the organization's users in id (creation) order, an index range of its own.
CREATE INDEX users_org_order ON users (org_id, id);
-- The search matches a fragment anywhere in the email or the display name, ignoring case. No
-- index serves it under row-level security: the planner may use an index for a condition of the
-- query only when the condition's functions are leakproof, because the policy's condition must
-- run first, and LIKE, ILIKE, lower() and pg_trgm's operators are not (marking them so takes a
-- superuser). So the search filters the organization's index range, and what makes that fast is
-- this column: both fields lowered once when they are written, so that a row costs one plain LIKE
-- instead of two lower() or ILIKE calls, several times as many (bench/RESULTS.md#user-list).
-- The separator, U+0001, is in no email, name or search (Vigil refuses control characters in
-- every text it takes), so a fragment never matches across the two fields.
ALTER TABLE users ADD COLUMN search_text text NOT NULL
  GENERATED ALWAYS AS (lower(email) || E'\x01' || lower(display_name)) STORED;
