import type { MailMessage } from '../platform/index.ts';

const dayMs = 86_400_000;

/** The part of the lifecycle policy that suspends unused accounts (dormantDays set). */
export interface DormancyRule {
  dormantDays: number;
  warnDays: number;
}

/** What the schedule reads of a user to decide about their dormancy. */
export interface DormancyFacts {
  created_at: Date;
  last_sign_in_at: Date | null;
  dormancy_warned_at: Date | null;
}

export type DormancyStep =
  | { kind: 'warn'; lastUsedAt: Date; suspendOn: Date }
  | { kind: 'suspend'; lastUsedAt: Date }
  | { kind: 'none' };

/** A user who never signed in is measured from the day their account was made. */
export const lastUseOf = (u: DormancyFacts): Date => u.last_sign_in_at ?? u.created_at;

/**
 * Only users last used before this can be due for a warning or a suspension at `now`: what the
 * schedule reads from the database before deciding about each one.
 */
export const dormancyCutoff = (rule: DormancyRule, now: Date): Date =>
  new Date(now.getTime() - (rule.dormantDays - rule.warnDays) * dayMs);

/**
 * How long after the date a warning named it still stands. Past that, the account was not
 * suspended when it should have been (an administrator suspended it meanwhile and has since
 * reactivated it, or no node ran): it is warned again rather than suspended without fresh notice.
 */
const warningLapsesAfterMs = dayMs;

/**
 * What the schedule does about an active user now (docs/lifecycle.md#dormant-accounts). An
 * account unused for `dormantDays` is suspended, but never before its user has had `warnDays`
 * of notice: the warning goes out `warnDays` before the date (once; a sign-in clears it), and
 * when it went out late (the policy was just switched on, or no node ran for a while) the
 * suspension waits until `warnDays` after it. With `warnDays` 0 nobody is warned.
 */
export function dormancyStep(user: DormancyFacts, rule: DormancyRule, now: Date): DormancyStep {
  const lastUsedAt = lastUseOf(user);
  const dueAt = lastUsedAt.getTime() + rule.dormantDays * dayMs;
  const notice = rule.warnDays * dayMs;
  const at = now.getTime();
  if (rule.warnDays === 0) return at >= dueAt ? { kind: 'suspend', lastUsedAt } : { kind: 'none' };
  const warned = user.dormancy_warned_at?.getTime();
  const suspendOn = warned === undefined ? undefined : Math.max(dueAt, warned + notice);
  if (suspendOn !== undefined && at < suspendOn + warningLapsesAfterMs)
    return at >= suspendOn ? { kind: 'suspend', lastUsedAt } : { kind: 'none' };
  if (at < dueAt - notice) return { kind: 'none' };
  return { kind: 'warn', lastUsedAt, suspendOn: new Date(Math.max(dueAt, at + notice)) };
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The user's warning: when the account was last used, the date of the suspension, how to keep it. */
export function userWarning(
  user: { email: string; display_name: string },
  org: { name: string },
  step: { lastUsedAt: Date; suspendOn: Date },
  rule: DormancyRule,
  accountUrl: string,
): MailMessage {
  return {
    to: user.email,
    subject: `Your ${org.name} account will be suspended on ${day(step.suspendOn)}`,
    text: [
      `Hello ${user.display_name},`,
      '',
      `Your account ${user.email} in ${org.name} has not been used since ${day(step.lastUsedAt)}.`,
      `Accounts not used for ${rule.dormantDays} days are suspended, so this one will be suspended`,
      `on ${day(step.suspendOn)} unless you sign in before then:`,
      '',
      `  ${accountUrl}`,
      '',
      'If you no longer need the account, you need not do anything.',
    ].join('\n'),
  };
}

/** One mail to each administrator per round, naming every account warned in it. */
export function adminNotice(
  admin: { email: string },
  org: { name: string },
  warned: { email: string; lastUsedAt: Date; suspendOn: Date }[],
  rule: DormancyRule,
): MailMessage {
  const count = warned.length === 1 ? 'One account' : `${warned.length} accounts`;
  return {
    to: admin.email,
    subject: `${count} of ${org.name} will be suspended as unused`,
    text: [
      `These accounts of ${org.name} have not been used for ${rule.dormantDays - rule.warnDays} days or more`,
      `and will be suspended unless their users sign in first (their users were told):`,
      '',
      ...warned.map(
        (w) => `  ${w.email}: last used ${day(w.lastUsedAt)}, suspended on ${day(w.suspendOn)}`,
      ),
      '',
      'A suspended account can be reactivated by an administrator.',
    ].join('\n'),
  };
}
