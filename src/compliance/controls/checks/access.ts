import { packFiles } from '../../evidence/layout.ts';
import type { Control } from '../control.ts';
import { checkSegregationOfDuties } from './access-duties.ts';
import { checkDeprovisioningSla } from './access-leavers.ts';
import { checkAccessReviews } from './access-reviews.ts';
import { checkLeastPrivilege, checkRoleDocumentation } from './access-roles.ts';

/** Access control: who holds what, why, and who checks it. */
export const accessControls: Control[] = [
  {
    id: 'role-documentation',
    title: 'Documented roles',
    description:
      'Every role, built-in or custom, has a description of what it allows and a documented purpose (the business need it answers); its permissions are listed in the permission matrix with their risk.',
    test: 'Every role of the organization, built-in or custom, has a non-empty description and purpose and grants only permissions of the permission catalog.',
    criteria: ['CC6.1', 'CC6.3'],
    scope: 'org',
    evidence: [packFiles.permissionMatrix],
    check: checkRoleDocumentation,
  },
  {
    id: 'least-privilege',
    title: 'Least privilege',
    description:
      'Privileged roles need approval by another person, may be given for a limited time, and are reviewed more often; accounts that no longer sign in lose access through dormancy suspension.',
    test: 'No suspended or deprovisioned user still holds a role, and no active holder of a privileged role has gone without a sign-in (since their account was created, if never) past the lifecycle policy’s dormancy limit, or 90 days when it sets none.',
    criteria: ['CC6.3'],
    scope: 'org',
    evidence: [packFiles.userAccess, packFiles.permissionMatrix],
    check: checkLeastPrivilege,
  },
  {
    id: 'access-reviews',
    title: 'Periodic access reviews',
    description:
      'Access review campaigns certify who holds what: privileged access at least quarterly, all access at least yearly. Reviewers keep or revoke each grant; closing a campaign removes what was revoked, and the record is exportable and signed.',
    test: 'A campaign covering privileged access (privileged roles or all assignments) closed within the review policy’s cadence, one covering all assignments too (a quarter is 92 days, a year 366; without a cadence, 92 days privileged and 366 days all), and no campaign is still open past its due date.',
    criteria: ['CC6.2', 'CC6.3'],
    scope: 'org',
    evidence: [packFiles.reviewCampaigns, packFiles.reviewItems, packFiles.policy('reviews')],
    check: checkAccessReviews,
  },
  {
    id: 'deprovisioning-sla',
    title: 'Timely deprovisioning',
    description:
      'When the HR directory (SCIM) or an administrator ends someone’s employment, their access ends within the deprovisioning SLA: sessions, tokens, API keys and roles are revoked in the same transaction. Each deprovisioning is recorded with its timing.',
    test: 'Every deactivation (leaver or suspension) asked for in the last 90 days lost all access, OAuth included, within the lifecycle policy’s SLA in force when it was asked for, and no user past their end date is still active.',
    criteria: ['CC6.2', 'CC6.3'],
    scope: 'org',
    evidence: [
      packFiles.deprovisioningLog,
      packFiles.deprovisioningSla,
      packFiles.policy('lifecycle'),
    ],
    check: checkDeprovisioningSla,
  },
  {
    id: 'segregation-of-duties',
    title: 'Segregation of duties',
    description:
      'Conflict rules name roles or permissions nobody may hold together; assignments that would break one are refused. Nobody approves their own access request.',
    test: 'No user holds a combination a conflict rule forbids, and no approved access request was decided by the person it was for or who asked for it.',
    criteria: ['CC6.3'],
    scope: 'org',
    evidence: [packFiles.conflictRules, packFiles.userAccess],
    check: checkSegregationOfDuties,
  },
];
