import { withOrg } from '../../../platform/index.ts';
import type { Session } from '../../../sessions/index.ts';
import { createFlows } from './flow.ts';
import { actorOf, createProgress } from './progress.ts';
import type { SignInStep, StepKit } from './step.ts';
import { enrollmentStep } from './steps/enrollment.ts';
import { federatedStep } from './steps/federated.ts';
import { passkeyStep } from './steps/passkey.ts';
import { passwordStep } from './steps/password.ts';
import { passwordChangeStep } from './steps/password-change.ts';
import { codeStep } from './steps/second-factor.ts';
import type { Client, SignInDeps, Stage } from './types.ts';

export type { SignInFlowState } from './flow.ts';
export type { SignInStep, StepKit } from './step.ts';
export { defineStep } from './step.ts';
export type { FederatedSignIn } from './steps/federated.ts';
export type { Client, SignInDeps, Stage, StepResult } from './types.ts';

/**
 * The steps a sign-in is made of, each a module of its own (steps/*.ts). To add a way to sign in
 * (SAML, an upstream OIDC provider): write steps/<name>.ts exporting `defineStep({ name, create })`
 * whose methods start with the new proof and end with `kit.progress.advance(...)`, then add it
 * to this list. No other step changes; the flow object gains the new step's methods.
 */
const steps = [
  passwordStep,
  codeStep,
  passkeyStep,
  enrollmentStep,
  passwordChangeStep,
  federatedStep,
] as const;

type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;
type StepMethods<S extends readonly SignInStep<object>[]> = Intersection<
  ReturnType<S[number]['create']>
>;

/** Every step's methods in one object; two steps may not offer the same method. */
export function mountSteps<const S extends readonly SignInStep<object>[]>(
  list: S,
  kit: StepKit,
): StepMethods<S> {
  const methods: Record<string, unknown> = {};
  const owner = new Map<string, string>();
  for (const step of list) {
    for (const [name, method] of Object.entries(step.create(kit))) {
      const taken = owner.get(name);
      if (taken) throw new Error(`sign-in steps ${taken} and ${step.name} both offer ${name}`);
      owner.set(name, step.name);
      methods[name] = method;
    }
  }
  return methods as StepMethods<S>;
}

/** A sign-in: its steps, plus what the pages ask about a started one. */
export function createSignInFlow(deps: SignInDeps) {
  const flows = createFlows(deps);
  const progress = createProgress(deps, flows);
  const kit: StepKit = { deps, flows, progress };

  return {
    ...mountSteps(steps, kit),

    /** Whose sign-in a flow token belongs to (for auditing refused steps), or null. */
    async subjectOf(flowToken: string): Promise<{ orgId: string; userId: string } | null> {
      const flow = await flows.presented(flowToken);
      return flow ? { orgId: flow.orgId, userId: flow.userId } : null;
    },

    /** Where a started sign-in stands (for rendering its page). */
    async stageOf(flowToken: string): Promise<Stage | null> {
      const flow = await flows.presented(flowToken);
      if (!flow || flow.expiresAt <= deps.clock.now() || flow.stage === 'done') return null;
      return flow.stage;
    },

    /** Ends the browser's session (sign-out). */
    async signOut(session: Pick<Session, 'id' | 'orgId' | 'userId'>, client: Client) {
      const actor = actorOf(client, session.userId);
      await withOrg(deps.database, session.orgId, (tx) =>
        deps.sessions.endOne(tx, session.userId, session.id, 'logout', actor),
      );
    },

    /** Whether MFA is required for the user (org policy, or platform administrator). */
    mfaRequired: progress.mfaRequired,

    /** Removes abandoned flows (housekeeping). */
    sweep: flows.sweep,
  };
}

export type SignInFlow = ReturnType<typeof createSignInFlow>;
