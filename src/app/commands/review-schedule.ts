import { createServices } from '../services.ts';
import { type Command, onlyOptions, positional, print, withCore } from './kit.ts';

/**
 * The access review schedule from the command line (docs/reviews.md#schedules-reminders-and-escalation):
 * one round now (operators, cron, or after a long downtime).
 */
export const reviewScheduleCommands: Record<string, Command> = {
  async 'reviews run'(ctx) {
    const command = 'reviews run';
    onlyOptions(ctx, command, []);
    positional(ctx, command, []);
    return withCore(ctx, async (core) => {
      const report = await createServices(core).reviewSchedule.runRound();
      const human = report.ran
        ? [
            `campaigns launched: ${report.launched}`,
            `campaigns whose reviewers were reminded: ${report.reminded}`,
            `overdue campaigns escalated to their admins: ${report.escalated}`,
            `campaigns closed by the schedule: ${report.closed}`,
            ...(report.failed > 0 ? [`failed (see the log): ${report.failed}`] : []),
          ].join('\n')
        : 'another node is running the review schedule; nothing done';
      print(ctx, human, report);
      return report.failed > 0 ? 1 : 0;
    });
  },
};
