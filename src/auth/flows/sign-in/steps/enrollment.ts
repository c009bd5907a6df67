import { mfaErrors } from '../../../mfa/index.ts';
import { type Check, firstRefusal } from '../checks.ts';
import type { SignInFlowState } from '../flow.ts';
import { actorOf, withSecondFactor } from '../progress.ts';
import { defineStep, type StepKit } from '../step.ts';
import type { Client, StepResult } from '../types.ts';

/** What confirming an enrollment demands, in order. */
export const enrollConfirmChecks: readonly Check<SignInFlowState>[] = [
  {
    name: 'enrollment started',
    check: (flow) => (flow.pendingFactorId ? null : 'no_pending_factor'),
  },
];

/**
 * Forced enrollment, when the organization or a role held requires a second factor and the user
 * has none: a new TOTP seed, then its first code confirms it and recovery codes follow.
 */
export const enrollmentStep = defineStep({
  name: 'enrollment',
  create: ({ deps, flows, progress }: StepKit) => ({
    /** Forced enrollment, first half: a new TOTP seed for the QR code. */
    enrollStart(flowToken: string): Promise<{ uri: string; secret: string }> {
      return flows.inFlow(flowToken, 'enroll', async (tx, flow, user) => {
        const started = await deps.mfa.startTotp(tx, user);
        await flows.setPendingFactor(tx, flow, started.factorId);
        return { uri: started.uri, secret: started.secret };
      });
    },

    /** Forced enrollment, second half: the first code confirms the factor; recovery codes follow. */
    enrollConfirm(
      flowToken: string,
      code: string,
      client: Client,
    ): Promise<{ result: StepResult; recoveryCodes: string[] | null }> {
      return flows.inFlow(flowToken, 'enroll', async (tx, flow, user) => {
        const refusal = await firstRefusal(enrollConfirmChecks, flow);
        if (refusal || !flow.pendingFactorId) throw mfaErrors.noPendingFactor();
        const { recoveryCodes } = await deps.mfa.confirmTotp(
          tx,
          user,
          flow.pendingFactorId,
          code,
          actorOf(client, user.id),
        );
        const proved = {
          amr: withSecondFactor(flow.amr, ['otp']),
          mustChange: flow.mustChangePassword,
        };
        const result = await progress.advance(tx, user, proved, client, flow);
        return { result, recoveryCodes };
      });
    },
  }),
});
