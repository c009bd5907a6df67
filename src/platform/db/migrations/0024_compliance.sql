-- Compliance center (issue 22, docs/compliance.md): the results of the live control checks, kept
-- as history. A row is one result of one control for one organization (the platform's controls
-- under the platform organization) over a stretch of time: a run that finds the same status and
-- the same exceptions as the latest row only moves its last_seen_at, so the history holds every
-- change and how long each result held, and does not grow with the number of runs.
CREATE TABLE control_results (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations (id),
  control_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('pass', 'fail', 'not_applicable')),
  summary text NOT NULL,
  -- [{ "message": "...", "subject": { "type": "user", "id": "..." } }]: what fails, one per line.
  exceptions jsonb NOT NULL,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  CHECK (last_seen_at >= first_seen_at)
);
CREATE INDEX control_results_latest ON control_results (org_id, control_id, first_seen_at DESC);
CREATE INDEX control_results_seen ON control_results (org_id, last_seen_at);
ALTER TABLE control_results ENABLE ROW LEVEL SECURITY;
ALTER TABLE control_results FORCE ROW LEVEL SECURITY;
CREATE POLICY control_results_tenant ON control_results TO vigil_app
  USING (org_id = vigil_current_org()) WITH CHECK (org_id = vigil_current_org());
CREATE POLICY control_results_platform ON control_results TO vigil_platform
  USING (true) WITH CHECK (true);
-- No DELETE: the history is evidence. UPDATE only moves last_seen_at (the store's one update).
GRANT SELECT, INSERT, UPDATE ON control_results TO vigil_app, vigil_platform;
