import type { SignInCandidate } from '../../../../identity/index.ts';
import type { Tx } from '../../../../platform/index.ts';
import type { Gate } from '../../../lockout/index.ts';
import { type Check, firstRefusal } from '../checks.ts';
import { actorOf, withSecondFactor } from '../progress.ts';
import { defineStep, type StepKit } from '../step.ts';
import type { Client, StepResult } from '../types.ts';

export type SecondFactorMethod = 'totp' | 'recovery_code' | 'passkey';

/** A second-factor attempt, as its checks see it. */
export interface FactorAttempt {
  attempt: Gate;
  /** Checks the factor the browser sent (a code, a signed challenge). */
  verify(): Promise<boolean>;
}

/** The second step's checks, in order: the second-factor lock answers before the factor. */
export const secondFactorChecks: readonly Check<FactorAttempt>[] = [
  { name: 'not locked', check: ({ attempt }) => (attempt.open ? null : attempt.reason) },
  { name: 'factor verifies', check: async (a) => ((await a.verify()) ? null : 'wrong_factor') },
];

/** The factor each method proves (`amr`, RFC 8176), added to the first factor's. */
const amrOf: Record<SecondFactorMethod, string[]> = {
  totp: ['otp'],
  recovery_code: ['otp'],
  passkey: ['hwk'],
};

/**
 * The second step, whatever the factor: gated and counted by the second-factor lockout, audited
 * either way; on success the sign-in moves on with the factor's `amr`. A refused factor leaves
 * the flow where it was.
 */
export function verifySecondFactor(
  kit: StepKit,
  flowToken: string,
  client: Client,
  method: SecondFactorMethod,
  verify: (tx: Tx, user: SignInCandidate) => Promise<boolean>,
): Promise<StepResult> {
  const { deps, flows, progress } = kit;
  return flows.inFlow(flowToken, 'mfa', async (tx, flow, user) => {
    const attempt = await deps.lockout.attempt(tx, user, 'second_factor');
    const refusal = await firstRefusal(secondFactorChecks, {
      attempt,
      verify: () => verify(tx, user),
    });
    const actor = actorOf(client, user.id);
    if (refusal) {
      if (attempt.open) await attempt.failed(actor);
      else await attempt.refused();
      await deps.audit.record(tx, {
        orgId: user.orgId,
        action: 'auth.mfa.failed',
        outcome: 'failure',
        actor,
        target: { type: 'user', id: user.id },
        details: { reason: refusal.reason, method },
      });
      return { kind: 'continue', stage: 'mfa', flowToken } satisfies StepResult;
    }
    await attempt.succeeded();
    await deps.audit.record(tx, {
      orgId: user.orgId,
      action: 'auth.mfa.succeeded',
      actor,
      target: { type: 'user', id: user.id },
      details: { method },
    });
    const proved = {
      amr: withSecondFactor(flow.amr, amrOf[method]),
      mustChange: flow.mustChangePassword,
    };
    return progress.advance(tx, user, proved, client, flow);
  });
}

/** A recovery code has letters or dashes, or is 10 characters long; otherwise a TOTP code. */
export const isRecoveryCode = (code: string): boolean =>
  /[a-z-]/i.test(code.trim()) || code.replace(/\s/g, '').length === 10;

/** Step 2 with a code: TOTP, or one of the recovery codes. */
export const codeStep = defineStep({
  name: 'code',
  create: (kit: StepKit) => ({
    /** Step 2: a TOTP code or a recovery code, counted against the second-factor lockout. */
    secondFactorStep(flowToken: string, code: string, client: Client): Promise<StepResult> {
      const { mfa } = kit.deps;
      if (isRecoveryCode(code)) {
        return verifySecondFactor(kit, flowToken, client, 'recovery_code', (tx, user) =>
          mfa.useRecoveryCode(tx, user, code, actorOf(client, user.id)),
        );
      }
      return verifySecondFactor(kit, flowToken, client, 'totp', (tx, user) =>
        mfa.verifyTotp(tx, user, code),
      );
    },
  }),
});
