import type { SignInCandidate } from '../../../../identity/index.ts';
import { withPlatform } from '../../../../platform/index.ts';
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
 * its limit gets no accounts). Each module answers for its own tables through its own function:
 * identity the accounts; password, mfa and rbac about all of those accounts at once, by their
 * ids; lockout the address. They run one after another in one platform-scope transaction, the
 * same statements whatever the email: an unknown one (no ids) sends what a known one does
 * (docs/authentication.md#timing). The credentials read before the organization's transaction
 * are no staler than reads inside it: a password change can commit during the hash either way.
 */
export function createAccountReader(deps: SignInDeps) {
  return async function readAccounts(
    input: { email: string; orgSlug?: string },
    client: Client,
  ): Promise<{ accounts: Account[]; found: boolean }> {
    if (!input.email) return { accounts: [], found: false };
    const read = await withPlatform(deps.database, async (tx) => {
      const users = await deps.identity.signInCandidates(tx, input.email, input.orgSlug);
      const ids = users.map((user) => user.id);
      const credentials = await credentialsOf(tx, ids);
      const factors = await usersWithConfirmedFactor(tx, ids);
      const roles = await heldRoleKeysOfUsers(tx, ids, deps.clock.now());
      const ipAllowed = await deps.lockout.ipAllowedIn(tx, client.ip);
      return { users, credentials, factors, roles, ipAllowed };
    });
    if (read.users.length === 0) return { accounts: [], found: false };
    if (!read.ipAllowed) return { accounts: [], found: true };
    const accounts = read.users.map((user) => ({
      user,
      credential: read.credentials.get(user.id) ?? null,
      hasFactor: read.factors.has(user.id),
      roleKeys: read.roles.get(user.id) ?? [],
    }));
    return { accounts, found: true };
  };
}
