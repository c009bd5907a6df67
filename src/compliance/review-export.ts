/**
 * A closed access review campaign as evidence for auditors: every item as CSV and JSON (who held
 * what, who reviewed it, the decision and its justification, when, and when a revocation took
 * effect), sealed into one bundle signed by the platform's audit seal key (review-evidence.ts).
 */
import type { LoadedPlatformKey } from '../crypto/index.ts';
import { toCsv } from './csv.ts';
import { type EvidenceBundle, sealEvidence, serializeBundle } from './review-evidence.ts';

export interface ReviewRecordItem {
  id: string;
  userId: string;
  userEmail: string | null;
  /** What the user held when the snapshot was taken (role keys, client, API key). */
  holds: string[];
  grantedAt: Date | null;
  grantedBy: string | null;
  reviewerId: string | null;
  decision: 'keep' | 'revoke' | 'reduce' | null;
  /** For `reduce`: the roles dropped. */
  removed: string[];
  justification: string | null;
  decidedAt: Date | null;
  decidedBy: string | null;
  /** Set when the decision came from the campaign's close policy, not a reviewer. */
  decidedByPolicy: boolean;
  /** When the revocation or reduction took effect (sessions and tokens ended). */
  revokedAt: Date | null;
}

export interface ReviewRecord {
  campaign: {
    id: string;
    orgId: string;
    name: string;
    scope: string;
    snapshotHash: string;
    launchedAt: Date;
    dueAt: Date;
    closedAt: Date | null;
  };
  items: ReviewRecordItem[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const reviewCsvHeader = [
  'item_id',
  'user_id',
  'user_email',
  'holds',
  'granted_at',
  'granted_by',
  'reviewer_id',
  'decision',
  'removed',
  'justification',
  'decided_at',
  'decided_by',
  'decided_by_policy',
  'revoked_at',
];

export function reviewRecordCsv(record: ReviewRecord): string {
  return toCsv(
    reviewCsvHeader,
    record.items.map((i) => [
      i.id,
      i.userId,
      i.userEmail,
      i.holds.join(' '),
      iso(i.grantedAt),
      i.grantedBy,
      i.reviewerId,
      i.decision,
      i.removed.join(' '),
      i.justification,
      iso(i.decidedAt),
      i.decidedBy,
      i.decidedByPolicy,
      iso(i.revokedAt),
    ]),
  );
}

export function reviewRecordJson(record: ReviewRecord): string {
  const { campaign } = record;
  return `${JSON.stringify(
    {
      campaign: {
        ...campaign,
        launchedAt: iso(campaign.launchedAt),
        dueAt: iso(campaign.dueAt),
        closedAt: iso(campaign.closedAt),
      },
      items: record.items.map((i) => ({
        ...i,
        grantedAt: iso(i.grantedAt),
        decidedAt: iso(i.decidedAt),
        revokedAt: iso(i.revokedAt),
      })),
    },
    null,
    2,
  )}\n`;
}

/** The file name an auditor receives: `review-<campaign id>.evidence.json`. */
export const evidenceFileName = (campaignId: string) => `review-${campaignId}.evidence.json`;

/**
 * The signed bundle of a closed campaign; refuses an open one (its record is not final).
 * `sealKey` is the platform's active `audit-seal` key.
 */
export function reviewEvidence(
  record: ReviewRecord,
  sealKey: LoadedPlatformKey,
  now: Date,
): { bundle: EvidenceBundle; text: string } {
  const { campaign } = record;
  if (!campaign.closedAt)
    throw new Error(`campaign ${campaign.id} is not closed; only a closed campaign is evidence`);
  const bundle = sealEvidence(
    sealKey,
    {
      campaignId: campaign.id,
      orgId: campaign.orgId,
      closedAt: campaign.closedAt,
      exportedAt: now,
    },
    [
      { name: `review-${campaign.id}.csv`, content: reviewRecordCsv(record) },
      { name: `review-${campaign.id}.json`, content: reviewRecordJson(record) },
    ],
  );
  return { bundle, text: serializeBundle(bundle) };
}
