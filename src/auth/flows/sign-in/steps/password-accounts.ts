import type { SignInCandidate } from '../../../../identity/index.ts';
import { platformStatement, readTogether } from '../../../../platform/index.ts';
import { heldRoleKeysOfUsers } from '../../../../rbac/index.ts';
import { usersWithConfirmedFactor } from '../../../mfa/index.ts';
import { credentialsOf, type StoredCredential } from '../../../password/index.ts';
import type { Client, SignInDeps } from '../types.ts';

/** An account the email names, with what the password step needs to know about it. */
export interface Account {
  user: SignInCandidate;
  credential: StoredCredential | null;
  hasFactor: boolean;
  roleKeys: readonly string[];
}

/**
 * The accounts with this email (in the organization named by `orgSlug`, when given) and whether
 * the client address may still try; `found`: whether any account has the email (an address over
 * its limit gets no accounts). Each module answers for its own tables: identity the accounts, then
 * password, mfa, rbac and lockout together in one statement (`readTogether`), by the accounts'
 * ids. Two statements in platform scope whatever the email, so an unknown one sends what a known
 * one does; a round trip costs the server more than the reads (docs/authentication.md#measured).
 * The credentials read before the organization's transaction are no staler than reads inside
 * it: a password change can commit during the hash either way.
 */
export async function readAccounts(
  deps: SignInDeps,
  input: { email: string; orgSlug?: string },
  client: Client,
): Promise<{ accounts: Account[]; found: boolean }> {
  if (!input.email) return { accounts: [], found: false };
  const now = deps.clock.now();
  const ipAllowedRead = deps.lockout.ipAllowedRead(client.ip);
  const { users, facts } = await platformStatement(deps.database, async (tx) => {
    const users = await deps.identity.signInCandidates(tx, input.email, input.orgSlug);
    const ids = users.map((u) => u.id);
    const facts = await readTogether(tx, {
      credentials: credentialsOf(ids),
      factors: usersWithConfirmedFactor(ids),
      roles: heldRoleKeysOfUsers(ids, now),
      ipAllowed: ipAllowedRead ?? undefined,
    });
    return { users, facts };
  });
  if (users.length === 0) return { accounts: [], found: false };
  // With Redis the address's count is not in the statement; it is read where it lives.
  const ipAllowed =
    facts.ipAllowed ??
    (await platformStatement(deps.database, (tx) => deps.lockout.ipAllowedIn(tx, client.ip)));
  if (!ipAllowed) return { accounts: [], found: true };
  const accounts = users.map((user) => ({
    user,
    credential: facts.credentials.get(user.id) ?? null,
    hasFactor: facts.factors.has(user.id),
    roleKeys: facts.roles.get(user.id) ?? [],
  }));
  return { accounts, found: true };
}
