import { request, requestAttachment } from '../../api.ts';

export type ControlStatus = 'pass' | 'fail' | 'not_applicable';

/** Something a check found wrong, and what it is about (a user, a role, a client…). */
export interface ControlException {
  message: string;
  subject?: { type: string; id: string };
}

/** A control's latest result: its verdict, held since `since`, last confirmed at `checkedAt`. */
export interface ControlResult {
  status: ControlStatus;
  summary: string;
  exceptions: ControlException[];
  since: string;
  checkedAt: string;
}

/** A control of the catalog as the admin API shows it (docs/compliance.md). */
export interface Control {
  id: string;
  title: string;
  description: string;
  test: string;
  criteria: string[];
  scope: 'org' | 'platform';
  evidence: string[];
  /** Null until the checks have run once for this organization. */
  result: ControlResult | null;
}

/** The controls of an organization, with the sentence of each SOC 2 criterion they map to. */
export interface ControlsAnswer {
  criteria: Record<string, string>;
  lastRunAt: string | null;
  controls: Control[];
}

/** One stretch of a control's history: the same result from `since` until `until` (null: now). */
export interface HistoryStretch {
  status: ControlStatus;
  summary: string;
  exceptions: ControlException[];
  since: string;
  until: string | null;
}

/** How many controls had each status at the end of a day (`unchecked`: no result yet). */
export interface PostureDay {
  day: string;
  pass: number;
  fail: number;
  notApplicable: number;
  unchecked: number;
}

/** Days of the API's calendar (UTC), both included: `from` and `to` as `yyyy-mm-dd`. */
export interface DayPeriod {
  from: string;
  to: string;
}

const compliance = (orgId: string) => `/orgs/${encodeURIComponent(orgId)}/compliance`;
const period = ({ from, to }: DayPeriod) => new URLSearchParams({ from, to }).toString();

export const complianceApi = {
  controls: async (orgId: string) =>
    (await request<ControlsAnswer>(`${compliance(orgId)}/controls`)).body,
  /** Runs every check of the organization now; answers the controls with their new results. */
  run: async (orgId: string) =>
    (await request<ControlsAnswer>(`${compliance(orgId)}/runs`, { method: 'POST', body: {} })).body,
  history: async (orgId: string, controlId: string) =>
    (
      await request<{ results: HistoryStretch[] }>(
        `${compliance(orgId)}/controls/${encodeURIComponent(controlId)}/history`,
      )
    ).body.results,
  posture: async (orgId: string, days: DayPeriod) =>
    (await request<{ days: PostureDay[] }>(`${compliance(orgId)}/posture?${period(days)}`)).body
      .days,
  /** The signed evidence pack of the period (a ZIP) and its name, read with the user's token. */
  evidencePack: (orgId: string, days: DayPeriod) =>
    requestAttachment(
      `/orgs/${encodeURIComponent(orgId)}/evidence-pack?${period(days)}`,
      `vigil-evidence-${days.from}-${days.to}.zip`,
    ),
};
