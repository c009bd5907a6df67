import type { SignInCandidate } from '../../../../identity/index.ts';
import { isAppError, type Tx, withOrg } from '../../../../platform/index.ts';
import { type Check, firstRefusal } from '../checks.ts';
import { actorOf } from '../progress.ts';
import { defineStep, type StepKit } from '../step.ts';
import type { Client, StepResult } from '../types.ts';
import * as store from './federated.store.ts';

/**
 * What an upstream identity provider proved, as the federation module hands it over once every
 * check of its protocol passed (signature, audience, replay, expiry): docs/sso.md.
 */
export interface FederatedSignIn {
  orgId: string;
  connectionId: string;
  connectionName: string;
  protocol: 'saml' | 'oidc';
  /** jit: an unknown person becomes a user; match: only existing users may sign in. */
  provisioning: 'jit' | 'match';
  identity: {
    /** The upstream's stable identifier (SAML NameID, OIDC `sub`). */
    subject: string;
    /** An email the upstream vouches for (OIDC `email_verified`), or null. */
    email: string | null;
    displayName: string | null;
    /** Whether the upstream proved a second factor. */
    mfa: boolean;
    /** The assertion or ID token that proved it (names the proof in the audit event). */
    reference: string;
  };
}

/** The user a federated sign-in found or made, as its checks see it. */
interface Resolved {
  user: SignInCandidate;
}

/** What a federated sign-in demands of the user it found, in order. */
export const federatedChecks: readonly Check<Resolved>[] = [
  {
    name: 'organization active',
    check: ({ user }) => (user.org.active ? null : 'organization_suspended'),
  },
  {
    name: 'account active',
    check: ({ user }) => (user.status === 'active' ? null : `account_${user.status}`),
  },
];

const failed: StepResult = { kind: 'failed' };

/** The local part of an email, as a display name when the upstream sent none. */
const nameOf = (email: string, displayName: string | null): string =>
  (displayName?.trim() || email.split('@')[0] || email).slice(0, 200);

/**
 * A first factor proved elsewhere: an organization's own identity provider (SAML or OIDC). The
 * identity is found by its link (connection and subject), or by its email in the organization,
 * which links it; under just-in-time provisioning an unknown person becomes a user. The SSO
 * policy decides whether the upstream's MFA counts (docs/sso.md#mfa-with-sso).
 */
export const federatedStep = defineStep({
  name: 'federated',
  create({ deps, progress }: StepKit) {
    const { audit, clock } = deps;

    /** The usable sign-in view of a user of this organization (undefined when gone). */
    async function candidate(tx: Tx, userId: string): Promise<SignInCandidate | undefined> {
      const user = await deps.identity.findUser(tx, userId);
      if (!user) return undefined;
      const candidates = await deps.identity.signInCandidates(tx, user.email);
      return candidates.find((c) => c.id === user.id);
    }

    /** The user of the organization with this email, if any (RLS keeps the read to it). */
    async function byEmail(tx: Tx, orgId: string, email: string) {
      const candidates = await deps.identity.signInCandidates(tx, email);
      return candidates.find((c) => c.orgId === orgId);
    }

    async function refuse(
      tx: Tx,
      input: FederatedSignIn,
      client: Client,
      reason: string,
      userId?: string,
    ): Promise<StepResult> {
      await audit.record(tx, {
        orgId: input.orgId,
        action: 'sso.login.failed',
        outcome: 'failure',
        actor: actorOf(client),
        target: userId ? { type: 'user', id: userId } : undefined,
        details: {
          connectionId: input.connectionId,
          connectionName: input.connectionName,
          protocol: input.protocol,
          subject: input.identity.subject,
          reference: input.identity.reference,
          reason,
        },
      });
      return failed;
    }

    /** A new user from the upstream's attributes: `user.created` (source sso), then provisioned. */
    async function provision(
      tx: Tx,
      input: FederatedSignIn,
      email: string,
      client: Client,
    ): Promise<string | { refused: string }> {
      const { identity } = input;
      const actor = { ...actorOf(client), type: 'system' as const, id: 'sso' };
      try {
        const user = await deps.directory.create(
          tx,
          input.orgId,
          {
            email,
            displayName: nameOf(email, identity.displayName),
            externalId: null,
            userName: null,
            givenName: null,
            familyName: null,
            employeeNumber: null,
            department: null,
            managerId: null,
            endAt: null,
          },
          actor,
          'sso',
        );
        await audit.record(tx, {
          orgId: input.orgId,
          action: 'sso.user.provisioned',
          actor,
          target: { type: 'user', id: user.id },
          details: {
            connectionId: input.connectionId,
            connectionName: input.connectionName,
            protocol: input.protocol,
            subject: identity.subject,
            email: user.email,
            displayName: user.displayName,
          },
        });
        return user.id;
      } catch (err) {
        // The email belongs to no user but is another's directory userName, or is no email:
        // the sign-in is refused, audited, rather than answered with an error page.
        if (isAppError(err) && err.code.startsWith('user.')) return { refused: err.code };
        throw err;
      }
    }

    /** The linked user, or the one the email names (linked now), or a new one (jit). */
    async function resolve(
      tx: Tx,
      input: FederatedSignIn,
      client: Client,
    ): Promise<{ userId: string; linked: boolean; provisioned: boolean } | { refused: string }> {
      const { connectionId, identity } = input;
      // Two first sign-ins of the same person at once: the second waits for the first's link
      // (or user) instead of creating a second one and failing on the unique index.
      await store.lockIdentity(tx, connectionId, identity.subject);
      const linked = await store.linkedUser(tx, connectionId, identity.subject);
      if (linked) return { userId: linked, linked: false, provisioned: false };
      const email = identity.email?.trim();
      if (!email) return { refused: 'no_email' };
      await store.lockEmail(tx, input.orgId, email);
      const existing = await byEmail(tx, input.orgId, email);
      if (existing) return { userId: existing.id, linked: true, provisioned: false };
      if (input.provisioning !== 'jit') return { refused: 'unknown_user' };
      const created = await provision(tx, input, email, client);
      if (typeof created !== 'string') return created;
      return { userId: created, linked: true, provisioned: true };
    }

    return {
      /**
       * A sign-in an organization's identity provider proved: the user found (or made) in the
       * organization's transaction, checked, linked, audited (sso.login.succeeded or
       * sso.login.failed), then on to the second factor the policy asks, or the session.
       */
      federatedStep(input: FederatedSignIn, client: Client): Promise<StepResult> {
        return withOrg(deps.database, input.orgId, async (tx) => {
          // Before anything is linked or provisioned: a suspended organization makes nobody.
          if (!(await deps.tenancy.isActive(tx, input.orgId)))
            return refuse(tx, input, client, 'organization_suspended');
          if (!(await store.connectionUsable(tx, input.orgId, input.connectionId)))
            return refuse(tx, input, client, 'connection_unusable');
          const { policy } = await deps.ssoPolicy.policy(tx, input.orgId);
          const found = await resolve(tx, input, client);
          if ('refused' in found) return refuse(tx, input, client, found.refused);
          const user = await candidate(tx, found.userId);
          if (!user || user.orgId !== input.orgId)
            return refuse(tx, input, client, 'unknown_user', found.userId);
          const refusal = await firstRefusal(federatedChecks, { user });
          if (refusal) return refuse(tx, input, client, refusal.reason, user.id);
          const now = clock.now();
          const link = { connectionId: input.connectionId, subject: input.identity.subject };
          if (found.linked)
            await store.link(tx, { ...link, orgId: input.orgId, userId: user.id, at: now });
          else await store.signedInAt(tx, link.connectionId, link.subject, now);
          const upstreamMfa = input.identity.mfa && policy.mfa === 'upstream';
          await audit.record(tx, {
            orgId: input.orgId,
            action: 'sso.login.succeeded',
            actor: actorOf(client, user.id),
            target: { type: 'user', id: user.id },
            details: {
              connectionId: input.connectionId,
              connectionName: input.connectionName,
              protocol: input.protocol,
              subject: input.identity.subject,
              reference: input.identity.reference,
              upstreamMfa: input.identity.mfa,
              mfaPolicy: policy.mfa,
              ...(found.linked ? { linked: true } : {}),
              ...(found.provisioned ? { provisioned: true } : {}),
            },
          });
          const proved = {
            amr: upstreamMfa ? ['ext', 'mfa'] : ['ext'],
            mustChange: false,
            // Vigil's own second factor after every federated sign-in, whatever upstream said.
            mfaRequired: policy.mfa === 'vigil',
          };
          return progress.advance(tx, user, proved, client);
        });
      },
    };
  },
});
