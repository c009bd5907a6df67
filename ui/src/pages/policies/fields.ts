import type { PolicyKind } from './api.ts';

/** One setting of a policy, as its form and its diff show it. The API checks the limits. */
export type Field = { key: string; label: string; description?: string } & (
  | {
      type: 'number';
      /** What an empty value (null) means, for a setting that may be off. */
      whenEmpty?: string;
    }
  | { type: 'boolean' }
  /** One of a few values, by their labels; `whenEmpty` names what null means. */
  | { type: 'choice'; choices: { value: string; label: string }[]; whenEmpty?: string }
  /** A list of words, one a line. */
  | { type: 'words' }
  /** A line of text; `whenEmpty` names what an empty one (null) means. */
  | { type: 'text'; whenEmpty?: string }
);

export const policyKinds: {
  kind: PolicyKind;
  label: string;
  hasPresets: boolean;
  /** The permission a change needs, when not `org.settings` (the API's rule for the kind). */
  permission?: string;
}[] = [
  { kind: 'password', label: 'Password', hasPresets: true },
  { kind: 'mfa', label: 'MFA', hasPresets: false },
  { kind: 'session', label: 'Sessions', hasPresets: false },
  { kind: 'lockout', label: 'Lockout', hasPresets: false },
  { kind: 'lifecycle', label: 'Lifecycle', hasPresets: true },
  { kind: 'reviews', label: 'Access reviews', hasPresets: true },
  { kind: 'retention', label: 'Retention', hasPresets: false },
  { kind: 'sso', label: 'Single sign-on', hasPresets: false, permission: 'sso.manage' },
];

/** How often the schedule launches a scope's access review (a UTC calendar quarter or year). */
const reviewEvery = [
  { value: 'quarter', label: 'Every quarter' },
  { value: 'year', label: 'Every year' },
];

/** Each kind's settings (docs/authentication.md), in the order the form shows them. */
export const fieldsOf: Record<PolicyKind, Field[]> = {
  password: [
    { key: 'minLength', label: 'Minimum length', type: 'number' },
    {
      key: 'minLengthWithMfa',
      label: 'Minimum length with MFA',
      description: 'A lower minimum for users who must use a second factor',
      type: 'number',
      whenEmpty: 'same as without',
    },
    { key: 'maxLength', label: 'Maximum length', type: 'number' },
    {
      key: 'requiredClasses',
      label: 'Character classes required',
      description: 'How many of lowercase, uppercase, digits and symbols (0: no rule)',
      type: 'number',
    },
    { key: 'requireLetterAndDigit', label: 'At least one letter and one digit', type: 'boolean' },
    {
      key: 'history',
      label: 'Previous passwords refused',
      description: 'The current one included (0: none)',
      type: 'number',
    },
    {
      key: 'maxAgeDays',
      label: 'Change required after (days)',
      type: 'number',
      whenEmpty: 'never',
    },
    {
      key: 'maxAgeOnlyWithoutMfa',
      label: 'Only for users without a second factor',
      description: 'Applies the change above only to password-only sign-ins',
      type: 'boolean',
    },
    {
      key: 'minAgeHours',
      label: 'Minimum age before a change (hours)',
      type: 'number',
      whenEmpty: 'none',
    },
    { key: 'blockCommonPasswords', label: 'Refuse common and breached passwords', type: 'boolean' },
    {
      key: 'blockContextWords',
      label: "Refuse the user's name, email and organization name",
      type: 'boolean',
    },
    {
      key: 'blockedWords',
      label: 'Blocked words',
      description: 'One a line: words of this organization a password may not contain',
      type: 'words',
    },
    {
      key: 'minStrengthScore',
      label: 'Minimum strength score (0–4)',
      type: 'number',
      whenEmpty: 'not checked',
    },
  ],
  mfa: [
    { key: 'required', label: 'Every member must use a second factor', type: 'boolean' },
    {
      key: 'gracePeriodDays',
      label: 'Grace period to enroll (days)',
      type: 'number',
      whenEmpty: 'none',
    },
  ],
  session: [
    { key: 'absoluteHours', label: 'Session lifetime (hours)', type: 'number' },
    { key: 'idleMinutes', label: 'Idle timeout (minutes)', type: 'number' },
    {
      key: 'revokeOAuthOnPasswordChange',
      label: "A password change also ends the user's OAuth access",
      type: 'boolean',
    },
  ],
  lockout: [
    { key: 'threshold', label: 'Failures before a lock', type: 'number' },
    { key: 'lockMinutes', label: 'Lock length (minutes)', type: 'number' },
    { key: 'delayFromFailure', label: 'Delays start at failure', type: 'number' },
    { key: 'maxDelaySeconds', label: 'Longest delay (seconds)', type: 'number' },
    {
      key: 'permanentAfterLocks',
      label: 'Locked until an administrator unlocks, after this many locks',
      type: 'number',
      whenEmpty: 'never',
    },
  ],
  lifecycle: [
    {
      key: 'dormantDays',
      label: 'Suspend accounts unused for (days)',
      description: 'Since the last sign-in, or since creation for a user who never signed in',
      type: 'number',
      whenEmpty: 'never',
    },
    {
      key: 'warnDays',
      label: 'Warn the user and the administrators before (days)',
      description: 'By mail, once; a sign-in keeps the account (0: no warning)',
      type: 'number',
    },
    {
      key: 'slaHours',
      label: 'Deprovisioning SLA (hours)',
      description: 'Within this time a leaver must have lost every access (the leavers report)',
      type: 'number',
    },
  ],
  reviews: [
    {
      key: 'privilegedEvery',
      label: 'Review privileged roles',
      description: 'A campaign launched by the schedule at the start of each period',
      type: 'choice',
      choices: reviewEvery,
      whenEmpty: 'never by the schedule',
    },
    {
      key: 'allEvery',
      label: 'Review all role assignments',
      type: 'choice',
      choices: reviewEvery,
      whenEmpty: 'never by the schedule',
    },
    {
      key: 'dueDays',
      label: 'Reviewers have (days)',
      description: 'From the launch of a scheduled campaign to its due date',
      type: 'number',
    },
    {
      key: 'remindEveryDays',
      label: 'Remind unfinished reviewers every (days)',
      description:
        'By mail, until the due date; after it the admins are told once (0: no reminders)',
      type: 'number',
    },
    {
      key: 'closeAfterDays',
      label: 'Close scheduled campaigns after the due date (days)',
      description: "Undecided items then follow the campaign's policy (privileged: revoked)",
      type: 'number',
      whenEmpty: 'never: closed by hand',
    },
  ],
  sso: [
    {
      key: 'required',
      label: 'Users must sign in through SSO',
      description:
        'Their passwords are refused and no reset is mailed; platform administrators keep a break-glass path. Set it once a connection and a verified domain serve every user',
      type: 'boolean',
    },
    {
      key: 'mfa',
      label: 'Second factor with SSO',
      type: 'choice',
      choices: [
        { value: 'upstream', label: "The identity provider's, when it says one was used" },
        { value: 'vigil', label: "Vigil's, asked after every SSO sign-in" },
      ],
    },
  ],
  retention: [
    {
      key: 'retentionDays',
      label: 'Keep audit events for (days)',
      description:
        'At least 365: a year of audit log is the floor Vigil keeps, whatever is set. Past the hot period events are archived, and purged only after this',
      type: 'number',
    },
    {
      key: 'legalHold',
      label: 'Legal hold',
      description: "Nothing of this organization's audit log is purged while it is on",
      type: 'boolean',
    },
    {
      key: 'legalHoldReason',
      label: 'Reason for the legal hold',
      description: 'The matter or request it is for, kept with the policy version',
      type: 'text',
      whenEmpty: 'none',
    },
  ],
};

/** A setting's value in words, for the diff and the read-only view. */
export function shown(field: Field, value: unknown): string {
  if (field.type === 'boolean') return value ? 'yes' : 'no';
  if (field.type === 'choice')
    return field.choices.find((c) => c.value === value)?.label ?? field.whenEmpty ?? String(value);
  if (field.type === 'words')
    return Array.isArray(value) && value.length > 0 ? value.join(', ') : 'none';
  return value === null || value === undefined ? (field.whenEmpty ?? 'none') : String(value);
}
