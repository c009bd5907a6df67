/**
 * A closed access review campaign as evidence for auditors: every item as CSV and JSON (who held
 * what, who reviewed it, the decision and its justification, when, and when a revocation took
 * effect), sealed into one bundle signed by the platform's audit seal key (review-evidence.ts).
 */
import type { LoadedPlatformKey, PlatformKeys } from '../crypto/index.ts';
import type { Clock, Tx } from '../platform/index.ts';
import type { CampaignRecord, Reviews } from '../reviews/index.ts';
import { toCsv } from './csv.ts';
import { complianceErrors } from './errors.ts';
import { type EvidenceBundle, sealEvidence, serializeBundle } from './review-evidence.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const reviewCsvHeader = [
  'item_id',
  'user_id',
  'user_email',
  'user_name',
  'role_key',
  'api_key_id',
  'api_key_name',
  'client_id',
  'permissions',
  'privileged',
  'held_since',
  'granted_by',
  'source',
  'last_sign_in_at',
  'mfa_enrolled',
  'flags',
  'reviewer_id',
  'reviewer_email',
  'reviewer_basis',
  'decision',
  'dropped_role_keys',
  'justification',
  'decided_by_id',
  'decided_by_email',
  'decided_at',
  'outcome',
  'revoked_at',
];

/** One row per item, in the snapshot's order; lists are space-separated. */
export function reviewRecordCsv(record: CampaignRecord): string {
  return toCsv(
    reviewCsvHeader,
    record.items.map((i) => [
      i.id,
      i.subject.id,
      i.subject.email,
      i.subject.name,
      i.roleKey,
      i.apiKeyId,
      i.apiKeyName,
      i.clientId,
      i.permissions.join(' '),
      i.privileged,
      iso(i.heldSince),
      i.grantedBy,
      i.source,
      iso(i.lastSignInAt),
      i.mfaEnrolled,
      i.flags.join(' '),
      i.reviewer?.id ?? null,
      i.reviewer?.email ?? null,
      i.reviewerBasis,
      i.decision,
      i.droppedRoleKeys?.join(' ') ?? null,
      i.justification,
      i.decidedBy?.id ?? null,
      i.decidedBy?.email ?? null,
      iso(i.decidedAt),
      i.outcome,
      iso(i.revokedAt),
    ]),
  );
}

/** The campaign (with its metrics) and every item; dates as ISO strings. */
export function reviewRecordJson(record: CampaignRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** The file name an auditor receives: `review-<campaign id>.evidence.json`. */
export const evidenceFileName = (campaignId: string) => `review-${campaignId}.evidence.json`;

/**
 * The signed bundle of a closed campaign; refuses an open one (its record is not final).
 * `sealKey` is the platform's active `audit-seal` key.
 */
export function reviewEvidence(
  record: CampaignRecord,
  sealKey: LoadedPlatformKey,
  now: Date,
): { bundle: EvidenceBundle; text: string } {
  const { campaign } = record;
  if (campaign.status !== 'closed' || !campaign.closedAt)
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

export interface ReviewEvidenceDeps {
  reviews: Pick<Reviews, 'record'>;
  keys: PlatformKeys;
  clock: Clock;
}

/** The evidence of a campaign as the admin API and `vigil reviews export` hand it out. */
export function createReviewEvidence(deps: ReviewEvidenceDeps) {
  /** The bundle of a record; a campaign still open is refused (its record may change). */
  async function bundleOf(record: CampaignRecord): Promise<{ fileName: string; text: string }> {
    if (record.campaign.status !== 'closed') throw complianceErrors.reviewCampaignOpen();
    const sealKey = await deps.keys.active('audit-seal');
    const { text } = reviewEvidence(record, sealKey, deps.clock.now());
    return { fileName: evidenceFileName(record.campaign.id), text };
  }
  return {
    /** The bundle's file name and text, the record read in `tx` (the admin API's). */
    export: async (tx: Tx, orgId: string, campaignId: string) =>
      bundleOf(await deps.reviews.record(tx, orgId, campaignId)),
    /** The bundle of a record the caller read (the command line, in its own transaction). */
    bundleOf,
  };
}

export type ReviewEvidence = ReturnType<typeof createReviewEvidence>;
