import { packFiles } from '../../evidence/layout.ts';
import type { CheckContext, CheckOutcome, Control } from '../control.ts';

const pending =
  (id: string) =>
  async (_ctx: CheckContext): Promise<CheckOutcome> => {
    throw new Error(`${id}: check being written`);
  };

/** Access control: who holds what, why, and who checks it. */
export const accessControls: Control[] = [
  {
    id: 'role-documentation',
    title: 'Documented roles',
    description:
      'Every role, built-in or custom, has a description of what it allows and a documented purpose (the business need it answers); its permissions are listed in the permission matrix with their risk.',
    test: 'Every role of the organization has a non-empty description and purpose.',
    criteria: ['CC6.1', 'CC6.3'],
    scope: 'org',
    evidence: [packFiles.permissionMatrix],
    check: pending('role-documentation'),
  },
  {
    id: 'least-privilege',
    title: 'Least privilege',
    description:
      'Privileged roles need approval by another person, may be given for a limited time, and are reviewed more often; accounts that no longer sign in lose access through dormancy suspension.',
    test: 'No suspended or deprovisioned user still holds a role, and no holder of a privileged role has been inactive past the dormancy limit.',
    criteria: ['CC6.3'],
    scope: 'org',
    evidence: [packFiles.userAccess, packFiles.permissionMatrix],
    check: pending('least-privilege'),
  },
  {
    id: 'access-reviews',
    title: 'Periodic access reviews',
    description:
      'Access review campaigns certify who holds what: privileged access at least quarterly, all access at least yearly. Reviewers keep or revoke each grant; closing a campaign removes what was revoked, and the record is exportable and signed.',
    test: 'A campaign covering privileged access closed within the last 92 days, one covering all access within the last 366 days, and no campaign is past its due date.',
    criteria: ['CC6.2', 'CC6.3'],
    scope: 'org',
    evidence: [packFiles.reviewCampaigns, packFiles.reviewItems, packFiles.policy('reviews')],
    check: pending('access-reviews'),
  },
  {
    id: 'deprovisioning-sla',
    title: 'Timely deprovisioning',
    description:
      'When the HR directory (SCIM) or an administrator ends someone’s employment, their access ends within the deprovisioning SLA: sessions, tokens, API keys and roles are revoked in the same transaction. Each deprovisioning is recorded with its timing.',
    test: 'Every leaver of the last 90 days lost access within the SLA of the lifecycle policy, and no user past their end date is still active.',
    criteria: ['CC6.2', 'CC6.3'],
    scope: 'org',
    evidence: [
      packFiles.deprovisioningLog,
      packFiles.deprovisioningSla,
      packFiles.policy('lifecycle'),
    ],
    check: pending('deprovisioning-sla'),
  },
  {
    id: 'segregation-of-duties',
    title: 'Segregation of duties',
    description:
      'Conflict rules name roles or permissions nobody may hold together; assignments that would break one are refused. Nobody approves their own access request.',
    test: 'No user holds a combination a conflict rule forbids, and no access request was approved by the person it was for.',
    criteria: ['CC6.3'],
    scope: 'org',
    evidence: [packFiles.conflictRules, packFiles.userAccess],
    check: pending('segregation-of-duties'),
  },
];
