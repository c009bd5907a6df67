-- Alerting and SIEM streams (issue 21, docs/alerts.md, docs/siem.md): the alerts the detection
-- rules raise from the audit feed, where they are delivered (mail, signed webhooks), the
-- places users sign in from, and the streams that carry the audit log to a SIEM.

ALTER TABLE security_policies DROP CONSTRAINT security_policies_kind_check;
ALTER TABLE security_policies ADD CONSTRAINT security_policies_kind_check
  CHECK (kind IN ('password', 'lockout', 'session', 'mfa', 'lifecycle', 'reviews', 'alerts',
    'retention'));

-- Where a reader of the audit feed is: every event at or before (position_tx, position_seq) in
-- chain order has been handled. `runner` names the node that handled the last round (a node that
-- did not must rebuild what it keeps in memory before it goes on).
CREATE TABLE audit_feed_cursors (
  name text PRIMARY KEY,
  position_tx bigint NOT NULL,
  position_seq bigint NOT NULL,
  runner text,
  updated_at timestamptz NOT NULL
);
ALTER TABLE audit_feed_cursors ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_feed_cursors FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_feed_cursors_platform ON audit_feed_cursors TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON audit_feed_cursors TO vigil_platform;

-- An alert: what a rule found, grouped. While it is not resolved, later events with the same
-- dedup key (rule + what it is about) add to it instead of raising another.
CREATE TABLE alerts (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  rule text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  dedup_key text NOT NULL,
  title text NOT NULL,
  details jsonb NOT NULL,
  subject_user_id uuid,
  event_count integer NOT NULL CHECK (event_count >= 0),
  -- The first events that made it (at most 100; event_count counts them all).
  event_ids uuid[] NOT NULL,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
  assignee_id uuid REFERENCES users (id),
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at timestamptz,
  resolved_by text,
  resolution_note text,
  created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX alerts_open_dedup ON alerts (org_id, dedup_key) WHERE status <> 'resolved';
CREATE INDEX alerts_org_seen ON alerts (org_id, last_seen_at DESC, id);
ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY alerts_tenant ON alerts TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY alerts_platform ON alerts TO vigil_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON alerts TO vigil_app, vigil_platform;

-- The countries and networks each user has signed in from (new-place rule), and their last
-- located sign-in (impossible-travel rule).
CREATE TABLE sign_in_places (
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid NOT NULL REFERENCES users (id),
  kind text NOT NULL CHECK (kind IN ('country', 'network')),
  place text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, user_id, kind, place)
);
ALTER TABLE sign_in_places ENABLE ROW LEVEL SECURITY;
ALTER TABLE sign_in_places FORCE ROW LEVEL SECURITY;
CREATE POLICY sign_in_places_tenant ON sign_in_places TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY sign_in_places_platform ON sign_in_places TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON sign_in_places TO vigil_app, vigil_platform;

CREATE TABLE sign_in_last_located (
  org_id uuid NOT NULL REFERENCES organizations (id),
  user_id uuid PRIMARY KEY REFERENCES users (id),
  at timestamptz NOT NULL,
  ip text NOT NULL,
  country text NOT NULL,
  latitude double precision NOT NULL,
  longitude double precision NOT NULL
);
ALTER TABLE sign_in_last_located ENABLE ROW LEVEL SECURITY;
ALTER TABLE sign_in_last_located FORCE ROW LEVEL SECURITY;
CREATE POLICY sign_in_last_located_tenant ON sign_in_last_located TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY sign_in_last_located_platform ON sign_in_last_located TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON sign_in_last_located TO vigil_app, vigil_platform;

-- Where an organization's alerts are posted, signed per Standard Webhooks with the endpoint's
-- secret (a keyring ciphertext, the endpoint id as additional data).
CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  name text NOT NULL,
  url text NOT NULL,
  secret_enc text NOT NULL,
  min_severity text NOT NULL CHECK (min_severity IN ('low', 'medium', 'high', 'critical')),
  enabled boolean NOT NULL,
  created_by text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id, created_at);
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_endpoints_tenant ON webhook_endpoints TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY webhook_endpoints_platform ON webhook_endpoints TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO vigil_app, vigil_platform;

-- The outbox of alert notifications: one row per alert and recipient (a mail address or a
-- webhook endpoint), retried with back-off until delivered or, after the last attempt, dead
-- (the dead-letter list, from which an administrator may send it again). `recipient` is the
-- address or the endpoint's URL at the time.
CREATE TABLE alert_deliveries (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  alert_id uuid NOT NULL REFERENCES alerts (id),
  channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
  -- Null once its endpoint is deleted (the row stays as the record of what was sent).
  endpoint_id uuid REFERENCES webhook_endpoints (id) ON DELETE SET NULL,
  recipient text NOT NULL,
  payload text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  last_status integer,
  created_at timestamptz NOT NULL,
  delivered_at timestamptz
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX alert_deliveries_org ON alert_deliveries (org_id, status, created_at DESC);
ALTER TABLE alert_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY alert_deliveries_tenant ON alert_deliveries TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY alert_deliveries_platform ON alert_deliveries TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON alert_deliveries TO vigil_app, vigil_platform;

-- A stream of the audit log to a SIEM: syslog (RFC 5424 over TLS) or a signed webhook. A stream
-- of the platform organization carries every organization's events; any other, its own.
-- (position_tx, position_seq): everything up to here was received. (sent_tx, sent_seq): sent,
-- maybe received; after a failure, events up to here go again marked as possible duplicates.
CREATE TABLE siem_streams (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('syslog', 'webhook')),
  format text NOT NULL CHECK (format IN ('ocsf', 'jsonl')),
  url text NOT NULL,
  secret_enc text,
  ca_pem text,
  enabled boolean NOT NULL,
  position_tx bigint NOT NULL,
  position_seq bigint NOT NULL,
  sent_tx bigint NOT NULL,
  sent_seq bigint NOT NULL,
  failures integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_error text,
  last_delivered_at timestamptz,
  created_by text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK ((kind = 'webhook') = (secret_enc IS NOT NULL))
);
CREATE INDEX siem_streams_org ON siem_streams (org_id, created_at);
ALTER TABLE siem_streams ENABLE ROW LEVEL SECURITY;
ALTER TABLE siem_streams FORCE ROW LEVEL SECURITY;
CREATE POLICY siem_streams_tenant ON siem_streams TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY siem_streams_platform ON siem_streams TO vigil_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON siem_streams TO vigil_app, vigil_platform;
