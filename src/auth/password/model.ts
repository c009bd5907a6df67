/**
 * Password policy: a pure decision function. The default is the `soc2-baseline` preset
 * (12+ characters, 3 of 4 character classes); per-organization policies, presets, history and the
 * breached-password list arrive with the authentication work and extend this shape.
 */
export interface PasswordPolicy {
  name: string;
  minLength: number;
  maxLength: number;
  /** How many of lower, upper, digit and symbol must appear. */
  requiredClasses: number;
}

export const soc2Baseline: PasswordPolicy = {
  name: 'soc2-baseline',
  minLength: 12,
  maxLength: 128,
  requiredClasses: 3,
};

export interface PasswordContext {
  email?: string;
  displayName?: string;
  orgName?: string;
}

/** Words a password must not contain: the email's local part, name parts, the org name. */
function contextWords(ctx: PasswordContext): string[] {
  const words = [ctx.email?.split('@')[0], ...(ctx.displayName?.split(/\s+/) ?? []), ctx.orgName];
  return words
    .filter((w): w is string => typeof w === 'string')
    .map((w) => w.normalize('NFKC').toLowerCase())
    .filter((w) => w.length >= 4);
}

function classesOf(password: string): number {
  return [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}]/u].filter((re) => re.test(password))
    .length;
}

/** Every rule the password breaks, in plain words; empty when it is acceptable. */
export function passwordProblems(
  password: string,
  policy: PasswordPolicy = soc2Baseline,
  ctx: PasswordContext = {},
): string[] {
  const normalized = password.normalize('NFKC');
  const length = [...normalized].length;
  const problems: string[] = [];
  if (length < policy.minLength) {
    problems.push(`Use at least ${policy.minLength} characters (this one has ${length}).`);
  }
  if (length > policy.maxLength) {
    problems.push(`Use at most ${policy.maxLength} characters.`);
  }
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
  const lower = normalized.toLowerCase();
  for (const word of contextWords(ctx)) {
    if (lower.includes(word)) {
      problems.push('Do not use your name, email address or organization name in the password.');
      break;
    }
  }
  return problems;
}
