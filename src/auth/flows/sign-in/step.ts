import type { Flows } from './flow.ts';
import type { Progress } from './progress.ts';
import type { SignInDeps } from './types.ts';

/** What every step is built from: the services, the flows' lifecycle and how a sign-in moves on. */
export interface StepKit {
  readonly deps: SignInDeps;
  readonly flows: Flows;
  readonly progress: Progress;
}

/**
 * One way to prove something during a sign-in (a strategy, in Ory Kratos' words): the password,
 * a second factor, a passkey, an enrollment, a password change; later SAML or an upstream OIDC
 * provider. `create` returns the step's entry points (use cases: each opens its transactions),
 * which become methods of the sign-in flow object. A first-factor step ends with
 * `kit.progress.advance(tx, user, { amr, mustChange }, client)`; a step that continues a flow
 * loads it with `kit.flows.inFlow(token, stage, ...)` and ends with `advance(..., flow)`.
 */
export interface SignInStep<Methods extends object> {
  /** Names the step in errors about the registry (two steps offering the same method). */
  readonly name: string;
  create(kit: StepKit): Methods;
}

/** Declares a step (keeps its methods' types for the flow object). */
export function defineStep<Methods extends object>(step: SignInStep<Methods>): SignInStep<Methods> {
  return step;
}
