import { passwordErrors } from '../../../password/index.ts';
import { type Check, firstRefusal } from '../checks.ts';
import { actorOf } from '../progress.ts';
import { defineStep, type StepKit } from '../step.ts';
import type { Client, StepResult } from '../types.ts';

/** What a forced password change demands before the password service's own policy, in order. */
export const passwordChangeChecks: readonly Check<{ password: string; confirmation: string }>[] = [
  {
    name: 'entries agree',
    check: ({ password, confirmation }) => (password === confirmation ? null : 'differ'),
  },
];

/** The last stage when the password is temporary or expired: a new one, then the session. */
export const passwordChangeStep = defineStep({
  name: 'password change',
  create: ({ deps, flows, progress }: StepKit) => ({
    /** Forced password change (temporary or expired password); ends the user's other sessions. */
    passwordChangeStep(
      flowToken: string,
      password: string,
      confirmation: string,
      client: Client,
    ): Promise<StepResult> {
      return flows.inFlow(flowToken, 'password_change', async (tx, flow, user) => {
        if (await firstRefusal(passwordChangeChecks, { password, confirmation })) {
          const problems = ['The two passwords differ.'];
          throw passwordErrors.policy({ problems: problems.join(' '), details: { problems } });
        }
        const actor = actorOf(client, user.id);
        await deps.passwords.set(tx, user, password, { actor, temporary: false, byOwner: false });
        await deps.sessions.endAllForUser(tx, user.id, 'password_change', actor);
        await flows.close(tx, flow);
        return progress.finish(tx, user, flow.amr, client);
      });
    },
  }),
});
