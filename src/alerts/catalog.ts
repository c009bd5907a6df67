import type { AnyRule, CheckRule, EventRule } from './rule.ts';
import { privilegedRoleGranted, selfApproval } from './rules/access.ts';
import { auditVerifyFailed } from './rules/audit-verify.ts';
import { certificateExpiring } from './rules/certificate.ts';
import { complianceControlFailed } from './rules/compliance.ts';
import { credentialCreated, mfaReset } from './rules/credentials.ts';
import { signInImpossibleTravel } from './rules/impossible-travel.ts';
import { adminMassAction } from './rules/mass-action.ts';
import { signInNewPlace } from './rules/new-place.ts';
import {
  signInFailuresByAccount,
  signInFailuresByAddress,
  signInLockout,
} from './rules/sign-in.ts';
import { ssoCertificateExpiring } from './rules/sso-certificate.ts';

/**
 * The detection rules over the audit feed, in the order the docs and the API list them
 * (docs/alerts.md#rules). A new rule is one line here.
 */
// biome-ignore lint/suspicious/noExplicitAny: each rule's thresholds type differs; the engine passes each its own
export const eventRules: EventRule<any>[] = [
  signInFailuresByAccount,
  signInFailuresByAddress,
  signInLockout,
  signInNewPlace,
  signInImpossibleTravel,
  privilegedRoleGranted,
  selfApproval,
  credentialCreated,
  mfaReset,
  adminMassAction,
  auditVerifyFailed,
  complianceControlFailed,
];

/** The periodic checks (not driven by events). */
// biome-ignore lint/suspicious/noExplicitAny: as above
export const checkRules: CheckRule<any>[] = [certificateExpiring, ssoCertificateExpiring];

/** Every rule, event rules first. */
export const allRules = (): AnyRule[] => [...eventRules, ...checkRules];

export const isCheck = (rule: AnyRule): rule is CheckRule => rule.kind === 'check';
