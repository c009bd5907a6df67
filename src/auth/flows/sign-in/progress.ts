import type { SignInCandidate } from '../../../identity/index.ts';
import type { AuditActor, Tx } from '../../../platform/index.ts';
import type { TrustedDevice } from '../../lockout/index.ts';
import type { Flows, SignInFlowState } from './flow.ts';
import type { Client, SignInDeps, Stage, StepResult } from './types.ts';

const acr = { pwd: 'urn:vigil:acr:pwd', mfa: 'urn:vigil:acr:mfa' };

/** What a step already read about the user, so that moving on does not read it again. */
export interface KnownFacts {
  hasFactor: boolean;
  roleKeys: readonly string[];
  /** The browser's device for this user (device cookie), or null. */
  device: TrustedDevice | null;
}

/** What the steps so far proved, and what the user still owes. */
export interface Proved {
  /** The factors proved (RFC 8176): `pwd`, `ext` (an upstream identity provider), `otp`, `mfa`… */
  amr: string[];
  /** A temporary or expired password must be replaced first. */
  mustChange: boolean;
  /** A second factor is owed whatever the MFA policy says (enrolment when the user has none). */
  mfaRequired?: boolean;
}

/**
 * The factors after a second one: the first factor's (`pwd`, `ext`) kept, the second's added
 * (a federated sign-in then Vigil's TOTP is `ext otp mfa`, not `pwd`).
 */
export const withSecondFactor = (first: readonly string[], second: readonly string[]): string[] => [
  ...new Set([...first.filter((m) => m !== 'mfa'), ...second, 'mfa']),
];

export const actorOf = (client: Client, userId?: string): AuditActor => ({
  type: userId ? 'user' : 'anonymous',
  id: userId,
  ip: client.ip,
  userAgent: client.userAgent,
});

/**
 * How a sign-in moves on once a step has proved a factor: the next stage it owes (a second
 * factor, an enrollment, a new password), or the session. Every step ends through `advance`.
 */
export function createProgress(deps: SignInDeps, flows: Flows) {
  const { audit, clock } = deps;

  /**
   * MFA applies to holders of a role marked `requireMfa` (platform administrators among them)
   * always, and to everyone when the org requires it.
   */
  async function mfaRequired(
    tx: Tx,
    user: { id: string; orgId: string; createdAt: Date },
    /** The keys of the roles the user holds now, when the caller read them already. */
    heldRoleKeys?: readonly string[],
  ): Promise<{ required: boolean; graceUntil: Date | null }> {
    if (await deps.rbac.requiresMfa(tx, { userId: user.id, orgId: user.orgId }, heldRoleKeys)) {
      return { required: true, graceUntil: null };
    }
    const { policy } = await deps.mfa.policy(tx, user.orgId);
    if (!policy.required) return { required: false, graceUntil: null };
    const graceUntil =
      policy.gracePeriodDays === null
        ? null
        : new Date(user.createdAt.getTime() + policy.gracePeriodDays * 86_400_000);
    return { required: true, graceUntil };
  }

  /** The stage the user still owes after the factors in `amr`, or null: sign them in. */
  async function stageOwed(
    tx: Tx,
    user: SignInCandidate,
    proved: Proved,
    known?: KnownFacts,
  ): Promise<Stage | null> {
    const { amr, mustChange } = proved;
    if (!amr.includes('mfa')) {
      if (known?.hasFactor ?? (await deps.mfa.hasFactor(tx, user.id))) return 'mfa';
      // A step that demands Vigil's own second factor (the SSO policy's `vigil`): no grace.
      if (proved.mfaRequired) return 'enroll';
      const { required, graceUntil } = await mfaRequired(tx, user, known?.roleKeys);
      if (required && !(graceUntil && graceUntil > clock.now())) return 'enroll';
    }
    return mustChange ? 'password_change' : null;
  }

  /**
   * Creates the session (a new id every time); the browser is now one the user has signed in
   * from (`device`: its device, when the caller has read it already).
   */
  async function finish(
    tx: Tx,
    user: { id: string; orgId: string },
    amr: string[],
    client: Client,
    device?: TrustedDevice | null,
  ): Promise<StepResult> {
    const actor = actorOf(client, user.id);
    const known =
      device ?? (await deps.lockout.devices.presented(tx, user, client.deviceTokens ?? []));
    const deviceToken = await deps.lockout.devices.signedIn(tx, user, known, actor);
    const { session, token } = await deps.sessions.create(
      tx,
      {
        user,
        amr,
        acr: amr.includes('mfa') ? acr.mfa : acr.pwd,
        ip: client.ip,
        userAgent: client.userAgent,
      },
      actor,
    );
    await audit.record(tx, {
      orgId: user.orgId,
      action: 'auth.login.succeeded',
      actor,
      target: { type: 'user', id: user.id },
      details: { amr, sessionId: session.id },
    });
    return { kind: 'signed_in', session, token, deviceToken };
  }

  /**
   * After the factors proved so far: a flow waiting in the next stage (a new one, or `flow`
   * moved on), or the session (closing `flow`).
   */
  async function advance(
    tx: Tx,
    user: SignInCandidate,
    proved: Proved,
    client: Client,
    flow?: SignInFlowState,
    known?: KnownFacts,
  ): Promise<StepResult> {
    const stage = await stageOwed(tx, user, proved, known);
    if (stage) {
      const next = { stage, amr: proved.amr, mustChange: proved.mustChange };
      return flow ? flows.moveTo(tx, flow, next) : flows.start(tx, user, next, client);
    }
    if (flow) await flows.close(tx, flow);
    return finish(tx, user, proved.amr, client, known?.device);
  }

  /** Mail goes out after the answer, so a lock does not show in the response time. */
  function notifyLocked(emails: readonly string[]): void {
    if (emails.length === 0) return;
    setImmediate(() => {
      for (const to of emails) {
        deps.mailer
          .send({
            to,
            subject: 'Your account was locked',
            text: 'Your account was locked after repeated failed sign-in attempts. It unlocks by itself after a while; if these attempts were not yours, change your password once you are back in, and tell your administrator.',
          })
          .catch((err: unknown) => deps.logger.error({ err }, 'lock notice mail failed'));
      }
    });
  }

  return { mfaRequired, advance, finish, notifyLocked };
}

export type Progress = ReturnType<typeof createProgress>;
