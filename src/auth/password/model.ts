import { z } from 'zod';

/**
 * Password policy: versioned per organization (policy.store.ts), decided here by pure functions.
 * Presets are named starting points an administrator picks; any field may then be adjusted
 * (the preset name becomes `custom`).
 */
export const passwordPolicySchema = z
  .object({
    preset: z.enum(['soc2-baseline', 'nist-800-63b-4', 'pci-dss-4', 'custom']),
    minLength: z.number().int().min(8).max(64),
    /** A lower minimum for users who have MFA enforced (NIST SP 800-63B-4: 8 with MFA). */
    minLengthWithMfa: z.number().int().min(8).max(64).nullable(),
    maxLength: z.number().int().min(128).max(1024),
    /** How many of lowercase, uppercase, digit and symbol must appear (0: no composition rule). */
    requiredClasses: z.number().int().min(0).max(4),
    /** At least one letter and one digit (PCI DSS 4.0 §8.3.6). */
    requireLetterAndDigit: z.boolean(),
    /** The last N passwords (the current one included) may not be reused. */
    history: z.number().int().min(0).max(24),
    /** Force a change at the next sign-in after this many days (null: never). */
    maxAgeDays: z.number().int().min(1).max(3650).nullable(),
    /** Apply `maxAgeDays` only to users signing in with the password alone (PCI DSS 4.0 §8.3.9). */
    maxAgeOnlyWithoutMfa: z.boolean(),
    /** A new password may not replace one younger than this (stops cycling through history). */
    minAgeHours: z.number().int().min(1).max(720).nullable(),
    /** Refuse the shipped list of common and breached passwords. */
    blockCommonPasswords: z.boolean(),
    /** Organization-specific words a password may not contain (product names, …). */
    blockedWords: z.array(z.string().trim().min(3).max(64)).max(500),
    /** Refuse passwords containing the user's name, email local part or organization name. */
    blockContextWords: z.boolean(),
    /** Minimum zxcvbn strength score, 0–4 (null: not checked). */
    minStrengthScore: z.number().int().min(0).max(4).nullable(),
  })
  .strict()
  .refine((p) => p.minLengthWithMfa === null || p.minLengthWithMfa <= p.minLength, {
    message: 'minLengthWithMfa cannot exceed minLength',
    path: ['minLengthWithMfa'],
  });

export type PasswordPolicy = z.output<typeof passwordPolicySchema>;

const common = {
  maxLength: 128,
  blockCommonPasswords: true,
  blockedWords: [],
  blockContextWords: true,
  minStrengthScore: null,
} as const;

export const passwordPresets: Record<
  Exclude<PasswordPolicy['preset'], 'custom'>,
  PasswordPolicy
> = {
  /** The default: 12+, 3 of 4 character classes, history 5. */
  'soc2-baseline': {
    ...common,
    blockedWords: [],
    preset: 'soc2-baseline',
    minLength: 12,
    minLengthWithMfa: null,
    requiredClasses: 3,
    requireLetterAndDigit: false,
    history: 5,
    maxAgeDays: null,
    maxAgeOnlyWithoutMfa: false,
    minAgeHours: 24,
  },
  /** NIST SP 800-63B-4: 15 without MFA, 8 with; no composition rules, no expiry. */
  'nist-800-63b-4': {
    ...common,
    blockedWords: [],
    preset: 'nist-800-63b-4',
    minLength: 15,
    minLengthWithMfa: 8,
    requiredClasses: 0,
    requireLetterAndDigit: false,
    history: 0,
    maxAgeDays: null,
    maxAgeOnlyWithoutMfa: false,
    minAgeHours: null,
  },
  /** PCI DSS 4.0: 12+, letters and digits, history 4, 90 days when the password is the only factor. */
  'pci-dss-4': {
    ...common,
    blockedWords: [],
    preset: 'pci-dss-4',
    minLength: 12,
    minLengthWithMfa: null,
    requiredClasses: 0,
    requireLetterAndDigit: true,
    history: 4,
    maxAgeDays: 90,
    maxAgeOnlyWithoutMfa: true,
    minAgeHours: 24,
  },
};

export const defaultPasswordPolicy = passwordPresets['soc2-baseline'];

/** What a password is judged against besides the policy. */
export interface PasswordContext {
  email?: string;
  displayName?: string;
  orgName?: string;
  /** The user has MFA enforced (lower minimum length under NIST, no expiry under PCI). */
  hasMfa?: boolean;
}

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

function contextWords(policy: PasswordPolicy, ctx: PasswordContext): string[] {
  const words = [...policy.blockedWords];
  if (policy.blockContextWords) {
    words.push(ctx.email?.split('@')[0] ?? '', ...(ctx.displayName?.split(/\s+/) ?? []));
    words.push(...(ctx.orgName?.split(/\s+/) ?? []));
  }
  return words.map((w) => normalizePassword(w).toLowerCase()).filter((w) => w.length >= 4);
}

function classesOf(password: string): number {
  return [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}]/u].filter((re) => re.test(password))
    .length;
}

export function minLengthFor(policy: PasswordPolicy, ctx: PasswordContext): number {
  return ctx.hasMfa && policy.minLengthWithMfa !== null
    ? policy.minLengthWithMfa
    : policy.minLength;
}

/**
 * Every rule the password breaks, in plain words (empty when acceptable). The checks that need
 * storage or the blocklist (history, minimum age, common passwords, strength) are in service.ts.
 */
export function compositionProblems(
  password: string,
  policy: PasswordPolicy,
  ctx: PasswordContext = {},
): string[] {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  const min = minLengthFor(policy, ctx);
  const problems: string[] = [];
  if (length < min) problems.push(`Use at least ${min} characters (this one has ${length}).`);
  if (length > policy.maxLength) problems.push(`Use at most ${policy.maxLength} characters.`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused on purpose.
  if (/[\u0000-\u001f\u007f]/.test(normalized)) {
    problems.push('Control characters are not allowed.');
  }
  const classes = classesOf(normalized);
  if (classes < policy.requiredClasses) {
    problems.push(
      `Mix at least ${policy.requiredClasses} of: lowercase letters, uppercase letters, digits, symbols (this one has ${classes}).`,
    );
  }
  if (policy.requireLetterAndDigit && !(/\p{L}/u.test(normalized) && /\p{Nd}/u.test(normalized))) {
    problems.push('Use at least one letter and one digit.');
  }
  const lower = normalized.toLowerCase();
  if (contextWords(policy, ctx).some((word) => lower.includes(word))) {
    problems.push(
      'Do not use your name, email address, organization name or other blocked words in the password.',
    );
  }
  return problems;
}

/** Whether the password has expired under the policy (forces a change at sign-in). */
export function passwordExpired(
  policy: PasswordPolicy,
  setAt: Date,
  now: Date,
  hasMfa: boolean,
): boolean {
  if (policy.maxAgeDays === null) return false;
  if (policy.maxAgeOnlyWithoutMfa && hasMfa) return false;
  return now.getTime() - setAt.getTime() >= policy.maxAgeDays * 86_400_000;
}

/** Whether the current password is too young to be replaced by its owner. */
export function passwordTooYoung(policy: PasswordPolicy, setAt: Date, now: Date): boolean {
  if (policy.minAgeHours === null) return false;
  return now.getTime() - setAt.getTime() < policy.minAgeHours * 3_600_000;
}
