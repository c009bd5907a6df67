import { isAppError, operatorActor } from '../../platform/index.ts';
import { createServices } from '../services.ts';
import {
  type Command,
  findOrg,
  iso,
  onlyOptions,
  positional,
  print,
  required,
  UsageError,
  withCore,
} from './kit.ts';

/** `--at`: an ISO date-time with its offset (or a date, midnight UTC), or `none` to clear it. */
function endAtOf(value: string): Date | null {
  if (value === 'none') return null;
  const dated = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
  const at = new Date(value);
  if (!dated.test(value) || Number.isNaN(at.getTime()))
    throw new UsageError('--at must be an ISO date or date-time with its offset (Z), or none');
  return at;
}

/**
 * The lifecycle schedule from the command line (docs/lifecycle.md): a user's end date, and one
 * round of the schedule now (operators, cron, or after a long downtime).
 */
export const scheduleCommands: Record<string, Command> = {
  async 'users end-date'(ctx) {
    const command = 'users end-date';
    onlyOptions(ctx, command, ['org', 'user', 'at']);
    positional(ctx, command, []);
    const slug = required(ctx, command, 'org', 'SLUG');
    const who = required(ctx, command, 'user', 'EMAIL_OR_ID');
    const endAt = endAtOf(required(ctx, command, 'at', 'ISO|none'));
    return withCore(ctx, async (core) => {
      const { tenancy, lifecycleSchedule } = createServices(core);
      const org = findOrg(await tenancy.organizations(), slug);
      const set = await lifecycleSchedule
        .setEndDateNow(org.id, who, endAt, operatorActor)
        .catch((err: unknown) => {
          if (isAppError(err) && err.code === 'user.not_found')
            throw new UsageError(`--user: there is no user ${who} in ${org.slug}`);
          throw err;
        });
      const human = endAt
        ? `${set.email} ends on ${iso(endAt)}: the lifecycle schedule deprovisions them then${endAt <= core.clock.now() ? ' (at its next round: the date has passed)' : ''}`
        : `${set.email} has no end date any more`;
      print(ctx, human, { ...set, endAt: set.endAt?.toISOString() ?? null });
      return 0;
    });
  },

  async 'lifecycle run'(ctx) {
    const command = 'lifecycle run';
    onlyOptions(ctx, command, []);
    positional(ctx, command, []);
    return withCore(ctx, async (core) => {
      const report = await createServices(core).lifecycleSchedule.runRound();
      const human = report.ran
        ? [
            `deprovisioned (end date reached): ${report.deprovisioned}`,
            `warned (dormant): ${report.warned}`,
            `suspended (dormant): ${report.suspended}`,
            ...(report.failed > 0 ? [`failed (see the log): ${report.failed}`] : []),
          ].join('\n')
        : 'another node is running the lifecycle schedule; nothing done';
      print(ctx, human, report);
      return report.failed > 0 ? 1 : 0;
    });
  },
};
