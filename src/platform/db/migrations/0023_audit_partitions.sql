-- Audit retention (docs/audit.md#retention-and-archives): audit_events becomes partitioned by
-- month of occurred_at, so that archiving a month is dropping its partition, never deleting rows
-- (the append-only triggers stay). Same columns, policies, grants and triggers as 0001.

ALTER TABLE audit_events RENAME TO audit_events_unpartitioned;
ALTER INDEX audit_events_pkey RENAME TO audit_events_unpartitioned_pkey;
ALTER INDEX audit_events_chain_order RENAME TO audit_events_unpartitioned_chain_order;
ALTER INDEX audit_events_org_time RENAME TO audit_events_unpartitioned_org_time;
ALTER INDEX audit_events_org_actor RENAME TO audit_events_unpartitioned_org_actor;
ALTER INDEX audit_events_org_target RENAME TO audit_events_unpartitioned_org_target;

CREATE TABLE audit_events (
  id uuid NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  tx bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
  org_id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id text,
  actor_ip text,
  actor_ua text,
  action text NOT NULL,
  target_type text,
  target_id text,
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  request_id text,
  details text NOT NULL,
  mac_key_id uuid NOT NULL,
  mac bytea NOT NULL,
  -- A unique index on a partitioned table must contain the partition key.
  PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
-- Chain order: unique by construction (seq is an identity), no longer enforceable across partitions.
CREATE INDEX audit_events_chain_order ON audit_events (tx, seq);
CREATE INDEX audit_events_org_time ON audit_events (org_id, occurred_at, id);
CREATE INDEX audit_events_org_actor ON audit_events (org_id, actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_events_org_target ON audit_events (org_id, target_id) WHERE target_id IS NOT NULL;
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_events_read ON audit_events FOR SELECT TO vigil_app
  USING (org_id = vigil_current_org());
CREATE POLICY audit_events_append ON audit_events FOR INSERT TO vigil_app
  WITH CHECK (org_id = vigil_current_org());
CREATE POLICY audit_events_platform_read ON audit_events FOR SELECT TO vigil_platform USING (true);
CREATE POLICY audit_events_platform_append ON audit_events FOR INSERT TO vigil_platform
  WITH CHECK (true);
GRANT SELECT, INSERT ON audit_events TO vigil_app, vigil_platform;
-- Row triggers on the parent are cloned onto every partition; statement (TRUNCATE) triggers are
-- not, so each partition gets its own below.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION vigil_reject_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_reject_change();

-- Rows of months without a partition of their own (a clock far off, months not yet created).
CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT;
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events_default
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_reject_change();

-- The partition of one month, created if missing (true when it was). Rows of that month that
-- already sit in the default partition move into it: the default partition is detached (which
-- drops its cloned row triggers), the rows copied as they are (same seq and tx), removed from
-- it, and it is attached again. Runs as the owner: the application roles own no table.
CREATE FUNCTION vigil_audit_month_partition(month date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  -- Months are UTC months, whatever the session's time zone.
  start timestamptz := date_trunc('month', month)::timestamp AT TIME ZONE 'UTC';
  stop timestamptz := (date_trunc('month', month) + interval '1 month')::timestamp AT TIME ZONE 'UTC';
  name text := 'audit_events_p' || to_char(date_trunc('month', month), 'YYYYMM');
  strays boolean;
BEGIN
  -- Nodes starting together create the same months: one at a time, the others then see them.
  PERFORM pg_advisory_xact_lock(hashtext('vigil audit partitions'));
  IF to_regclass(name) IS NOT NULL THEN
    RETURN false;
  END IF;
  strays := EXISTS (SELECT 1 FROM audit_events_default
                    WHERE occurred_at >= start AND occurred_at < stop);
  IF strays THEN
    ALTER TABLE audit_events DETACH PARTITION audit_events_default;
  END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
                 name, start, stop);
  EXECUTE format('CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON %I '
                 'FOR EACH STATEMENT EXECUTE FUNCTION vigil_reject_change()', name);
  IF strays THEN
    EXECUTE format('INSERT INTO %I OVERRIDING SYSTEM VALUE SELECT * FROM audit_events_default '
                   'WHERE occurred_at >= %L AND occurred_at < %L', name, start, stop);
    DELETE FROM audit_events_default WHERE occurred_at >= start AND occurred_at < stop;
    ALTER TABLE audit_events ATTACH PARTITION audit_events_default DEFAULT;
  END IF;
  RETURN true;
END $$;

-- Creates the partitions of `months` months from `first` on; returns how many were new.
CREATE FUNCTION vigil_audit_ensure_partitions(first date, months integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  created integer := 0;
BEGIN
  FOR i IN 0 .. months - 1 LOOP
    IF vigil_audit_month_partition((date_trunc('month', first) + make_interval(months => i))::date)
    THEN
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;

-- One row per archived month: where its archive is, what it holds, and what became of it.
CREATE TABLE audit_archives (
  month date PRIMARY KEY CHECK (extract(day FROM month) = 1),
  status text NOT NULL CHECK (status IN ('archived', 'dropped', 'restored', 'purged')),
  location text NOT NULL,
  sha256 text NOT NULL,
  manifest_sha256 text NOT NULL,
  event_count integer NOT NULL,
  org_ids uuid[] NOT NULL,
  org_event_counts integer[] NOT NULL,
  first_block bigint,
  last_block bigint,
  -- The chain hash of the month's last block: once purged, the anchor of the next month.
  last_chain_hash bytea,
  archived_at timestamptz NOT NULL,
  dropped_at timestamptz,
  restored_at timestamptz,
  purged_at timestamptz
);
ALTER TABLE audit_archives ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_archives FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_archives_platform ON audit_archives TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON audit_archives TO vigil_platform;

-- Drops a month's partition once its archive is recorded and holds exactly its rows (counted
-- here, as the owner). Nothing else can remove audit rows.
CREATE FUNCTION vigil_audit_drop_month(month date) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  name text := 'audit_events_p' || to_char(date_trunc('month', month), 'YYYYMM');
  archived integer;
  present bigint;
BEGIN
  SELECT event_count INTO archived FROM audit_archives
  WHERE audit_archives.month = date_trunc('month', vigil_audit_drop_month.month)::date
    AND status IN ('archived', 'restored');
  IF archived IS NULL THEN
    RAISE EXCEPTION 'audit month % has no archive to drop it for', month
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF to_regclass(name) IS NULL THEN
    RAISE EXCEPTION 'audit month % has no partition', month USING ERRCODE = 'undefined_table';
  END IF;
  EXECUTE format('SELECT count(*) FROM %I', name) INTO present;
  IF present <> archived THEN
    RAISE EXCEPTION 'audit month % holds % events, its archive %', month, present, archived
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  EXECUTE format('DROP TABLE %I', name);
  RETURN present;
END $$;

REVOKE ALL ON FUNCTION vigil_audit_month_partition(date) FROM PUBLIC;
REVOKE ALL ON FUNCTION vigil_audit_ensure_partitions(date, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION vigil_audit_drop_month(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vigil_audit_ensure_partitions(date, integer) TO vigil_platform;
GRANT EXECUTE ON FUNCTION vigil_audit_month_partition(date) TO vigil_platform;
GRANT EXECUTE ON FUNCTION vigil_audit_drop_month(date) TO vigil_platform;

-- Every month with events, through three months ahead, then the rows, as they were.
DO $$
DECLARE
  first_month date := date_trunc('month', least(
    coalesce((SELECT min(occurred_at) FROM audit_events_unpartitioned), now()), now())
    AT TIME ZONE 'UTC')::date;
  this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
BEGIN
  PERFORM vigil_audit_ensure_partitions(first_month,
    ((extract(year FROM this_month) - extract(year FROM first_month)) * 12
      + extract(month FROM this_month) - extract(month FROM first_month))::integer + 4);
END $$;
INSERT INTO audit_events OVERRIDING SYSTEM VALUE
SELECT id, seq, tx, org_id, occurred_at, actor_type, actor_id, actor_ip, actor_ua, action,
       target_type, target_id, outcome, request_id, details, mac_key_id, mac
FROM audit_events_unpartitioned;
SELECT setval(pg_get_serial_sequence('audit_events', 'seq'),
              coalesce((SELECT max(seq) FROM audit_events_unpartitioned), 0) + 1, false);
-- Its triggers reject DELETE and TRUNCATE; DROP is the one way out, and the rows are copied.
DROP TABLE audit_events_unpartitioned;
