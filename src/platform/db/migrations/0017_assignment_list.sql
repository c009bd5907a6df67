-- The admin API's assignment list (issue 18): a page of an organization's assignments in (user,
-- role) order, of every role or of one, answers as fast with 100,000 assignments in the
-- organization as with ten (docs/admin-api.md#assignments, bench/RESULTS.md#assignment-list).
--
-- Every role's: the organization's own index range, in the list's order. The primary key
-- (user_id, role_key) has that order too, but walks every organization's rows to find one's.
CREATE INDEX role_assignments_org_order ON role_assignments (org_id, user_id, role_key);
-- One role's holders: the same range of the role, in user order. It replaces the index of
-- (org_id, role_key), which it serves as well.
CREATE INDEX role_assignments_org_role_order ON role_assignments (org_id, role_key, user_id);
DROP INDEX role_assignments_org_role;
