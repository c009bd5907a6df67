import { createSplitToken, readSplitToken, splitTokenMatches } from '../../../crypto/index.ts';
import type { SignInCandidate } from '../../../identity/index.ts';
import { newId, type Tx, withOrg, withPlatform } from '../../../platform/index.ts';
import { flowErrors } from '../errors.ts';
import { type Check, firstRefusal } from './checks.ts';
import * as store from './flow.store.ts';
import type { Client, SignInDeps, Stage, StepResult } from './types.ts';

/**
 * A started sign-in between two steps (a `sign_in_flows` row): whose it is, the stage it waits
 * in, the factors proved so far (`amr`), what it still owes (a new password, a factor being
 * enrolled), and until when it may be continued. The browser holds `token`; the row keeps only
 * its hash.
 */
export interface SignInFlowState {
  id: string;
  token: string;
  orgId: string;
  userId: string;
  stage: Stage | 'done';
  amr: string[];
  mustChangePassword: boolean;
  /** The TOTP factor an enrollment started and its first code has yet to confirm. */
  pendingFactorId: string | null;
  expiresAt: Date;
}

/** What a browser presents: its token's secret, and the flow row the token's id names (if any). */
interface Presented {
  secret: string | null;
  row: store.FlowRow | undefined;
  stage: Stage;
  now: Date;
}

/** What makes a presented flow one a step may continue, in order. */
const continuable: readonly Check<Presented>[] = [
  { name: 'token names a flow', check: (p) => (p.secret !== null && p.row ? null : 'unknown') },
  {
    name: 'token secret matches',
    check: (p) =>
      p.secret !== null && p.row && splitTokenMatches(p.secret, p.row.secret_hash)
        ? null
        : 'secret',
  },
  { name: 'not expired', check: (p) => (p.row && p.row.expires_at > p.now ? null : 'expired') },
  { name: 'in the step’s stage', check: (p) => (p.row?.stage === p.stage ? null : 'stage') },
];

const stateOf = (row: store.FlowRow, token: string): SignInFlowState => ({
  id: row.id,
  token,
  orgId: row.org_id,
  userId: row.user_id,
  stage: row.stage,
  amr: row.amr,
  mustChangePassword: row.must_change_password,
  pendingFactorId: row.pending_factor_id,
  expiresAt: row.expires_at,
});

/** The flows' lifecycle: start, load for a step, move on, close; and their housekeeping. */
export function createFlows(deps: SignInDeps) {
  const { database, clock } = deps;
  const flowMinutes = deps.flowMinutes ?? 10;

  /** The live flow behind a token, in the expected stage, locked; otherwise `flowInvalid`. */
  async function load(tx: Tx, token: string, stage: Stage): Promise<SignInFlowState> {
    const parsed = readSplitToken(token);
    const row = parsed ? await store.flowForUpdate(tx, parsed.id) : undefined;
    const presented = { secret: parsed?.secret ?? null, row, stage, now: clock.now() };
    const refusal = await firstRefusal(continuable, presented);
    if (refusal || !row) throw flowErrors.signInFlowInvalid();
    return stateOf(row, token);
  }

  /** The flow row a browser's token names, when the token's secret matches it. */
  async function presented(token: string): Promise<SignInFlowState | null> {
    const parsed = readSplitToken(token);
    if (!parsed) return null;
    const row = await withPlatform(database, (tx) => store.flowForUpdate(tx, parsed.id));
    return row && splitTokenMatches(parsed.secret, row.secret_hash) ? stateOf(row, token) : null;
  }

  /** The flow's user, when the account can still sign in (the same read as the password step). */
  async function userOf(tx: Tx, flow: SignInFlowState): Promise<SignInCandidate | undefined> {
    const user = await deps.identity.findUser(tx, flow.userId);
    if (!user) return undefined;
    const [candidate] = await deps.identity.signInCandidates(tx, user.email);
    const usable =
      candidate?.id === user.id && candidate.status === 'active' && candidate.org.active;
    return usable ? candidate : undefined;
  }

  return {
    load,

    /**
     * Runs a later step: finds the flow's organization in platform scope, then runs `fn` in the
     * organization's transaction with the flow locked and its user, still active.
     */
    async inFlow<T>(
      token: string,
      stage: Stage,
      fn: (tx: Tx, flow: SignInFlowState, user: SignInCandidate) => Promise<T>,
    ): Promise<T> {
      const orgId = await withPlatform(
        database,
        async (tx) => (await load(tx, token, stage)).orgId,
      );
      return withOrg(database, orgId, async (tx) => {
        const flow = await load(tx, token, stage);
        const user = await userOf(tx, flow);
        if (!user) {
          await store.deleteFlow(tx, flow.id);
          throw flowErrors.signInFlowInvalid();
        }
        return fn(tx, flow, user);
      });
    },

    /** Whose sign-in a token belongs to and where it stands, or null (expired flows included). */
    presented,

    /** Opens a flow waiting in `stage`; the browser gets its token. */
    async start(
      tx: Tx,
      user: { id: string; orgId: string },
      next: { stage: Stage; amr: string[]; mustChange: boolean },
      client: Client,
    ): Promise<StepResult> {
      const now = clock.now();
      const token = createSplitToken(newId(now.getTime()));
      await store.insertFlow(tx, {
        id: token.id,
        secret_hash: token.secretHash,
        org_id: user.orgId,
        user_id: user.id,
        stage: next.stage,
        amr: next.amr,
        must_change_password: next.mustChange,
        pending_factor_id: null,
        ip: client.ip,
        user_agent: client.userAgent ?? null,
        created_at: now,
        expires_at: new Date(now.getTime() + flowMinutes * 60_000),
      });
      return { kind: 'continue', stage: next.stage, flowToken: token.token };
    },

    /** Moves a flow on to its next stage, with the factors proved so far. */
    async moveTo(
      tx: Tx,
      flow: SignInFlowState,
      next: { stage: Stage; amr: string[]; mustChange: boolean },
    ): Promise<StepResult> {
      await store.updateFlow(tx, flow.id, {
        stage: next.stage,
        amr: next.amr,
        must_change_password: next.mustChange,
      });
      return { kind: 'continue', stage: next.stage, flowToken: flow.token };
    },

    /** Remembers the factor an enrollment started, for its confirmation. */
    async setPendingFactor(tx: Tx, flow: SignInFlowState, factorId: string): Promise<void> {
      await store.updateFlow(tx, flow.id, { pending_factor_id: factorId });
    },

    /** Ends a flow (signed in, or no longer continuable). */
    close: (tx: Tx, flow: SignInFlowState): Promise<void> => store.deleteFlow(tx, flow.id),

    /** Removes abandoned flows (housekeeping). */
    sweep: (): Promise<number> =>
      withPlatform(database, (tx) => store.deleteExpiredFlows(tx, clock.now())),
  };
}

export type Flows = ReturnType<typeof createFlows>;
