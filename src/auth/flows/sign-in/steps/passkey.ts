import { isUuid } from '../../../../platform/index.ts';
import { defineStep, type StepKit } from '../step.ts';
import type { Client, StepResult } from '../types.ts';
import { verifySecondFactor } from './second-factor.ts';

/** Step 2 with a passkey (WebAuthn): a challenge, then its signature. */
export const passkeyStep = defineStep({
  name: 'passkey',
  create: (kit: StepKit) => ({
    /** A WebAuthn challenge for the user's passkeys (undefined when they have none). */
    passkeyOptions(flowToken: string) {
      return kit.flows.inFlow(flowToken, 'mfa', (tx, _flow, user) =>
        kit.deps.webauthn.authenticationOptions(tx, user),
      );
    },

    /** Step 2 with a passkey: the signed challenge, counted against the second-factor lockout. */
    passkeyStep(
      flowToken: string,
      challengeId: string,
      response: unknown,
      client: Client,
    ): Promise<StepResult> {
      return verifySecondFactor(
        kit,
        flowToken,
        client,
        'passkey',
        async (tx, user) =>
          isUuid(challengeId) &&
          (await kit.deps.webauthn.verifyAuthentication(tx, user, challengeId, response as never)),
      );
    },
  }),
});
