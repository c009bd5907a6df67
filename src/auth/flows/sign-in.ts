import type { AuditLog } from '../../audit/index.ts';
import { createSplitToken, readSplitToken, splitTokenMatches } from '../../crypto/index.ts';
import {
  type IdentityService,
  type SignInCandidate,
  toSignInCandidate,
} from '../../identity/index.ts';
import {
  AppError,
  type AuditActor,
  type Clock,
  type Database,
  isUuid,
  type Logger,
  type Mailer,
  newId,
  platformStatement,
  type Tx,
  withOrg,
  withPlatform,
} from '../../platform/index.ts';
import type { Rbac } from '../../rbac/index.ts';
import type { Session, SessionService } from '../../sessions/index.ts';
import type { LockoutService, TrustedDevice } from '../lockout/index.ts';
import type { MfaService, Webauthn } from '../mfa/index.ts';
import type { PasswordService } from '../password/index.ts';
import * as store from './sign-in.store.ts';

/** The browser's side of a sign-in: where it comes from, for lockout, audit and the session. */
export interface Client {
  ip: string;
  userAgent?: string;
  /** The browser's device tokens (its device cookie): accounts it has signed in to before. */
  deviceTokens?: readonly string[];
}

export type Stage = 'mfa' | 'enroll' | 'password_change';

/**
 * What a step answers. `failed` is deliberately one answer for an unknown email, a wrong password,
 * a locked, throttled, suspended or deprovisioned account (DESIGN §5.5).
 */
export type StepResult =
  | { kind: 'failed' }
  | { kind: 'choose_org'; orgs: { slug: string; name: string }[] }
  | { kind: 'continue'; stage: Stage; flowToken: string }
  /** `deviceToken`: a new token for the browser's device cookie, when it had none for the user. */
  | { kind: 'signed_in'; session: Session; token: string; deviceToken: string | null };

export interface SignInDeps {
  database: Database;
  audit: AuditLog;
  identity: IdentityService;
  rbac: Rbac;
  passwords: PasswordService;
  lockout: LockoutService;
  mfa: MfaService;
  webauthn: Webauthn;
  sessions: SessionService;
  clock: Clock;
  platformOrgId: string;
  /** Tells the owner when their account gets locked. */
  mailer: Mailer;
  logger: Logger;
  /** How long a started sign-in may take between steps. */
  flowMinutes?: number;
}

const acr = { pwd: 'urn:vigil:acr:pwd', mfa: 'urn:vigil:acr:mfa' };
const failed: StepResult = { kind: 'failed' };

export function createSignInFlow(deps: SignInDeps) {
  const { database, audit, clock } = deps;
  const flowMinutes = deps.flowMinutes ?? 10;

  const actorOf = (client: Client, userId?: string): AuditActor => ({
    type: userId ? 'user' : 'anonymous',
    id: userId,
    ip: client.ip,
    userAgent: client.userAgent,
  });

  /** Mail goes out after the answer, so a lock does not show in the response time. */
  function notifyLocked(emails: string[]): void {
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

  /**
   * Creates the session (a new id every time) and closes the flow; the browser is now one the
   * user has signed in from (`device`: its device, when the caller has read it already).
   */
  async function finish(
    tx: Tx,
    user: { id: string; orgId: string },
    amr: string[],
    client: Client,
    device?: TrustedDevice | null,
  ): Promise<StepResult> {
    const known =
      device ?? (await deps.lockout.devices.presented(tx, user, client.deviceTokens ?? []));
    const deviceToken = await deps.lockout.devices.signedIn(
      tx,
      user,
      known,
      actorOf(client, user.id),
    );
    const multi = amr.includes('mfa');
    const { session, token } = await deps.sessions.create(
      tx,
      { user, amr, acr: multi ? acr.mfa : acr.pwd, ip: client.ip, userAgent: client.userAgent },
      actorOf(client, user.id),
    );
    await audit.record(tx, {
      orgId: user.orgId,
      action: 'auth.login.succeeded',
      actor: actorOf(client, user.id),
      target: { type: 'user', id: user.id },
      details: { amr, sessionId: session.id },
    });
    return { kind: 'signed_in', session, token, deviceToken };
  }

  async function startFlow(
    tx: Tx,
    user: { id: string; orgId: string },
    stage: Stage,
    amr: string[],
    mustChange: boolean,
    client: Client,
  ): Promise<StepResult> {
    const now = clock.now();
    const token = createSplitToken(newId(now.getTime()));
    await store.insertFlow(tx, {
      id: token.id,
      secret_hash: token.secretHash,
      org_id: user.orgId,
      user_id: user.id,
      stage,
      amr,
      must_change_password: mustChange,
      pending_factor_id: null,
      ip: client.ip,
      user_agent: client.userAgent ?? null,
      created_at: now,
      expires_at: new Date(now.getTime() + flowMinutes * 60_000),
    });
    return { kind: 'continue', stage, flowToken: token.token };
  }

  /** After the factors checked so far: the next stage, or the session. */
  async function advance(
    tx: Tx,
    user: SignInCandidate,
    amr: string[],
    mustChange: boolean,
    client: Client,
    /** The flow being continued (its row and the token the browser holds), if any. */
    flow?: { id: string; token: string },
    /** What the caller already read: second factor, roles held, the browser's device. */
    known?: { hasFactor: boolean; roleKeys: readonly string[]; device: TrustedDevice | null },
  ): Promise<StepResult> {
    const hasMfa = amr.includes('mfa');
    let stage: Stage | null = null;
    if (!hasMfa && (known?.hasFactor ?? (await deps.mfa.hasFactor(tx, user.id)))) stage = 'mfa';
    else if (!hasMfa) {
      const { required, graceUntil } = await mfaRequired(tx, user, known?.roleKeys);
      if (required && !(graceUntil && graceUntil > clock.now())) stage = 'enroll';
    }
    if (!stage && mustChange) stage = 'password_change';
    if (flow) {
      if (stage) {
        await store.updateFlow(tx, flow.id, { stage, amr, must_change_password: mustChange });
        return { kind: 'continue', stage, flowToken: flow.token };
      }
      await store.deleteFlow(tx, flow.id);
    } else if (stage) {
      return startFlow(tx, user, stage, amr, mustChange, client);
    }
    return finish(tx, user, amr, client, known?.device);
  }

  /** The live flow behind a token, in the expected stage, locked; otherwise an `invalid` error. */
  async function loadFlow(tx: Tx, flowToken: string, stage: Stage): Promise<store.FlowRow> {
    const expired = new AppError(
      'unauthenticated',
      'signin.flow_invalid',
      'This sign-in has expired. Please sign in again.',
    );
    const parsed = readSplitToken(flowToken);
    if (!parsed) throw expired;
    const row = await store.flowForUpdate(tx, parsed.id);
    if (
      !row ||
      !splitTokenMatches(parsed.secret, row.secret_hash) ||
      row.expires_at <= clock.now() ||
      row.stage !== stage
    ) {
      throw expired;
    }
    return row;
  }

  /**
   * The second step, whatever the factor: gated and counted by the second-factor lockout, audited
   * either way; on success the sign-in moves on with the factor's `amr`.
   */
  function secondFactor(
    flowToken: string,
    client: Client,
    method: 'totp' | 'recovery_code' | 'passkey',
    check: (tx: Tx, user: SignInCandidate) => Promise<boolean>,
  ): Promise<StepResult> {
    return inFlow(flowToken, 'mfa', async (tx, flow, user) => {
      const attempt = await deps.lockout.attempt(tx, user, 'second_factor');
      const ok = attempt.open && (await check(tx, user));
      const actor = actorOf(client, user.id);
      if (!ok) {
        if (attempt.open) await attempt.failed(actor);
        else await attempt.refused();
        await audit.record(tx, {
          orgId: user.orgId,
          action: 'auth.mfa.failed',
          outcome: 'failure',
          actor,
          target: { type: 'user', id: user.id },
          details: { reason: attempt.open ? 'wrong_factor' : attempt.reason, method },
        });
        return { kind: 'continue', stage: 'mfa', flowToken } satisfies StepResult;
      }
      await attempt.succeeded();
      await audit.record(tx, {
        orgId: user.orgId,
        action: 'auth.mfa.succeeded',
        actor,
        target: { type: 'user', id: user.id },
        details: { method },
      });
      const amr = method === 'passkey' ? ['pwd', 'hwk', 'mfa'] : ['pwd', 'otp', 'mfa'];
      return advance(tx, user, amr, flow.must_change_password, client, {
        id: flow.id,
        token: flowToken,
      });
    });
  }

  /** The flow row a browser's token names, when the token's secret matches it. */
  async function presentedFlow(flowToken: string): Promise<store.FlowRow | null> {
    const parsed = readSplitToken(flowToken);
    if (!parsed) return null;
    const row = await withPlatform(database, (tx) => store.flowForUpdate(tx, parsed.id));
    return row && splitTokenMatches(parsed.secret, row.secret_hash) ? row : null;
  }

  /** Loads the flow's user in platform scope, then runs `fn` in the user's organization. */
  async function inFlow<T>(
    flowToken: string,
    stage: Stage,
    fn: (tx: Tx, flow: store.FlowRow, user: SignInCandidate) => Promise<T>,
  ): Promise<T> {
    const orgId = await withPlatform(
      database,
      async (tx) => (await loadFlow(tx, flowToken, stage)).org_id,
    );
    return withOrg(database, orgId, async (tx) => {
      const flow = await loadFlow(tx, flowToken, stage);
      const user = await candidateById(tx, flow);
      if (user?.status !== 'active') {
        await store.deleteFlow(tx, flow.id);
        throw new AppError(
          'unauthenticated',
          'signin.flow_invalid',
          'This sign-in has expired. Please sign in again.',
        );
      }
      return fn(tx, flow, user);
    });
  }

  async function candidateById(tx: Tx, flow: store.FlowRow): Promise<SignInCandidate | undefined> {
    const user = await deps.identity.findUser(tx, flow.user_id);
    if (!user) return undefined;
    const [candidate] = await deps.identity.signInCandidates(tx, user.email);
    return candidate?.id === user.id ? candidate : undefined;
  }

  return {
    /** Step 1: email (and organization, when asked) and password. */
    async passwordStep(
      input: { email: string; password: string; orgSlug?: string },
      client: Client,
    ): Promise<StepResult> {
      const email = input.email.trim();
      // One read in platform scope, one round trip (ADR 0007): the accounts, what the step needs
      // to know about them, and the address's failures. The credential read before the
      // organization's transaction is no staler than one read inside it: a password change can
      // commit during the hash either way. The lockout counter is read again, locked, inside.
      const ipWindow = deps.lockout.ipWindowInDatabase();
      const rows = email
        ? await platformStatement(database, (tx) =>
            store.passwordStepAccounts(tx, {
              email,
              orgSlug: input.orgSlug || undefined,
              now: clock.now(),
              ip: client.ip,
              ipWindow,
            }),
          )
        : [];
      // The address's count comes with the accounts (with Redis, on its own). Without accounts
      // it is read where an account's counter would be (`refusedWithoutAccount`).
      const [firstRow] = rows;
      const ipOk = !firstRow
        ? false
        : ipWindow
          ? deps.lockout.ipFailuresAllowed(firstRow.ip_failures)
          : await platformStatement(database, (tx) => deps.lockout.ipAllowedIn(tx, client.ip));
      const candidates = ipOk
        ? rows.map((row) => ({
            user: toSignInCandidate(row),
            hasFactor: row.has_factor,
            roleKeys: row.role_keys,
            credential:
              row.password_hash && row.password_changed_at
                ? {
                    hash: row.password_hash,
                    changedAt: row.password_changed_at,
                    mustChange: row.password_must_change ?? false,
                  }
                : null,
          }))
        : [];
      if (candidates.length === 0) {
        // An unknown account still costs what a known one's refusal does: one password hash
        // verification, and a transaction with the same statements (docs/authentication.md#timing).
        await deps.passwords.verifyWithoutAccount(input.password);
        await withPlatform(database, async (tx) => {
          const ipAllowed = await deps.lockout.refusedWithoutAccount(
            tx,
            client.ip,
            client.deviceTokens ?? [],
          );
          await audit.record(tx, {
            orgId: deps.platformOrgId,
            action: 'auth.login.failed',
            outcome: 'failure',
            actor: actorOf(client),
            details: {
              email: email.slice(0, 320),
              reason: (firstRow ? ipOk : ipAllowed) ? 'unknown_account' : 'ip_limited',
            },
          });
        });
        await deps.lockout.recordIpFailure(client.ip);
        return failed;
      }
      const matched: { user: SignInCandidate; mustChange: boolean }[] = [];
      const lockNotices: string[] = [];
      // With one candidate (the usual case) the check and what follows share one transaction.
      let signedIn: StepResult | undefined;
      for (const { user, hasFactor, roleKeys, credential } of candidates) {
        // The hash comes first, outside the transaction: a sign-in waiting for its turn at the
        // hash holds no pooled connection and no lock. It is checked even when the account turns
        // out to be locked, so a locked account costs the same time.
        const matches = await deps.passwords.matches(credential, input.password);
        // The rest of the step, in the organization's transaction, on one path for every
        // outcome: the counter is read and written back whatever the password and the lock.
        const decided = await withOrg(database, user.orgId, async (tx) => {
          // A browser the user signed in from before has a counter of its own (device cookie).
          const device = await deps.lockout.devices.presented(tx, user, client.deviceTokens ?? []);
          const attempt = await deps.lockout.attempt(tx, user, 'password', device);
          // A locked account's right password goes no further (no rehash): the lock answers.
          const accepted =
            matches && credential && attempt.open
              ? await deps.passwords.accepted(tx, user, credential, input.password, hasFactor)
              : null;
          const usable = user.status === 'active' && user.org.active;
          let reason: string | null = null;
          if (!attempt.open) reason = attempt.reason;
          else if (!accepted) reason = 'bad_password';
          else if (!usable)
            reason = user.org.active ? `account_${user.status}` : 'organization_suspended';
          // (Without `accepted` there is always a reason; the test also tells the type checker.)
          if (reason || !accepted) {
            // A wrong password counts; a refusal for another reason writes the counter back.
            let locked: 'temporary' | 'permanent' | null = null;
            if (attempt.open && !matches) locked = await attempt.failed(actorOf(client, user.id));
            else await attempt.refused();
            await audit.record(tx, {
              orgId: user.orgId,
              action: 'auth.login.failed',
              outcome: 'failure',
              actor: actorOf(client),
              target: { type: 'user', id: user.id },
              details: { reason, factor: 'password' },
            });
            return { matched: null, locked, signedIn: undefined };
          }
          await attempt.succeeded();
          const next =
            candidates.length === 1
              ? await advance(tx, user, ['pwd'], accepted.mustChange, client, undefined, {
                  hasFactor,
                  roleKeys,
                  device,
                })
              : undefined;
          return {
            matched: { user, mustChange: accepted.mustChange },
            locked: null,
            signedIn: next,
          };
        });
        if (decided.locked) lockNotices.push(user.email);
        if (decided.matched) matched.push(decided.matched);
        signedIn ??= decided.signedIn;
      }
      if (lockNotices.length > 0) notifyLocked(lockNotices);
      if (signedIn) return signedIn;
      const [first] = matched;
      if (!first) {
        await deps.lockout.recordIpFailure(client.ip);
        return failed;
      }
      // The password proved the person; only now may they see which organizations they are in.
      if (matched.length > 1) {
        return {
          kind: 'choose_org',
          orgs: matched.map((m) => ({ slug: m.user.org.slug, name: m.user.org.name })),
        };
      }
      return withOrg(database, first.user.orgId, (tx) =>
        advance(tx, first.user, ['pwd'], first.mustChange, client),
      );
    },

    /** Whose sign-in a flow token belongs to (for auditing refused steps), or null. */
    async subjectOf(flowToken: string): Promise<{ orgId: string; userId: string } | null> {
      const row = await presentedFlow(flowToken);
      return row ? { orgId: row.org_id, userId: row.user_id } : null;
    },

    /** Where a started sign-in stands (for rendering its page). */
    async stageOf(flowToken: string): Promise<Stage | null> {
      const row = await presentedFlow(flowToken);
      return row && row.expires_at > clock.now() && row.stage !== 'done' ? row.stage : null;
    },

    /** Step 2: a TOTP code or a recovery code, counted against the second-factor lockout. */
    async secondFactorStep(flowToken: string, code: string, client: Client): Promise<StepResult> {
      const isRecovery = /[a-z-]/i.test(code.trim()) || code.replace(/\s/g, '').length === 10;
      return secondFactor(flowToken, client, isRecovery ? 'recovery_code' : 'totp', (tx, user) =>
        isRecovery
          ? deps.mfa.useRecoveryCode(tx, user, code, actorOf(client, user.id))
          : deps.mfa.verifyTotp(tx, user, code),
      );
    },

    /** A WebAuthn challenge for the user's passkeys (undefined when they have none). */
    async passkeyOptions(flowToken: string) {
      return inFlow(flowToken, 'mfa', (tx, _flow, user) =>
        deps.webauthn.authenticationOptions(tx, user),
      );
    },

    /** Step 2 with a passkey: the signed challenge, counted against the second-factor lockout. */
    async passkeyStep(
      flowToken: string,
      challengeId: string,
      response: unknown,
      client: Client,
    ): Promise<StepResult> {
      return secondFactor(
        flowToken,
        client,
        'passkey',
        async (tx, user) =>
          isUuid(challengeId) &&
          (await deps.webauthn.verifyAuthentication(tx, user, challengeId, response as never)),
      );
    },

    /** Forced enrollment, first half: a new TOTP seed for the QR code. */
    async enrollStart(flowToken: string): Promise<{ uri: string; secret: string }> {
      return inFlow(flowToken, 'enroll', async (tx, flow, user) => {
        const started = await deps.mfa.startTotp(tx, user);
        await store.updateFlow(tx, flow.id, { pending_factor_id: started.factorId });
        return { uri: started.uri, secret: started.secret };
      });
    },

    /** Forced enrollment, second half: the first code confirms the factor; recovery codes follow. */
    async enrollConfirm(
      flowToken: string,
      code: string,
      client: Client,
    ): Promise<{ result: StepResult; recoveryCodes: string[] | null }> {
      return inFlow(flowToken, 'enroll', async (tx, flow, user) => {
        if (!flow.pending_factor_id)
          throw new AppError('invalid', 'mfa.no_pending_factor', 'Start the enrollment again.');
        const { recoveryCodes } = await deps.mfa.confirmTotp(
          tx,
          user,
          flow.pending_factor_id,
          code,
          actorOf(client, user.id),
        );
        const result = await advance(
          tx,
          user,
          ['pwd', 'otp', 'mfa'],
          flow.must_change_password,
          client,
          {
            id: flow.id,
            token: flowToken,
          },
        );
        return { result, recoveryCodes };
      });
    },

    /** Forced password change (temporary or expired password); ends the user's other sessions. */
    async passwordChangeStep(
      flowToken: string,
      password: string,
      confirmation: string,
      client: Client,
    ): Promise<StepResult> {
      return inFlow(flowToken, 'password_change', async (tx, flow, user) => {
        if (password !== confirmation) {
          throw new AppError('invalid', 'password.policy', 'The two passwords differ.', {
            details: { problems: ['The two passwords differ.'] },
          });
        }
        await deps.passwords.set(tx, user, password, {
          actor: actorOf(client, user.id),
          temporary: false,
          byOwner: false,
        });
        await deps.sessions.endAllForUser(tx, user.id, 'password_change', actorOf(client, user.id));
        await store.deleteFlow(tx, flow.id);
        return finish(tx, user, flow.amr, client);
      });
    },

    /** Whether MFA is required for the user (org policy, or platform administrator). */
    mfaRequired,

    /** Removes abandoned flows (housekeeping). */
    sweep: () => withPlatform(database, (tx) => store.deleteExpiredFlows(tx, clock.now())),
  };
}

export type SignInFlow = ReturnType<typeof createSignInFlow>;
