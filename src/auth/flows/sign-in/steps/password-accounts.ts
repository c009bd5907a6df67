import { type SignInCandidate, signInCandidatesRead } from '../../../../identity/index.ts';
import {
  platformStatement,
  precompiledTogether,
  togetherAfter,
} from '../../../../platform/index.ts';
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

/** The values of the accounts statement (the address's only when PostgreSQL counts it). */
type AccountValue = 'email' | 'orgSlug' | 'now' | 'ip' | 'ipWindow';

/**
 * The accounts with this email (in the organization named by `orgSlug`, when given) and whether
 * the client address may still try; `found`: whether any account has the email (an address over
 * its limit gets no accounts). Each module answers for its own tables through its own read:
 * identity the accounts; password, mfa and rbac about those accounts, by their ids; lockout the
 * address. They travel as one statement in platform scope (`togetherAfter`), the same whatever
 * the email, so an unknown one sends what a known one does; one round trip costs the server more
 * than the reads (docs/authentication.md#measured). The statement is compiled once for each of
 * its four shapes (by slug or not, the address counted by PostgreSQL or by Redis). The
 * credentials read before the organization's transaction are no staler than reads inside it: a
 * password change can commit during the hash either way.
 */
export function createAccountReader(deps: SignInDeps) {
  function accountsStatement(bySlug: boolean, countsIp: boolean) {
    const names: AccountValue[] = ['email', 'now'];
    if (bySlug) names.push('orgSlug');
    if (countsIp) names.push('ip', 'ipWindow');
    return precompiledTogether(names, (p) =>
      togetherAfter(signInCandidatesRead(p.email, bySlug ? p.orgSlug : undefined), (ids) => ({
        credentials: credentialsOf(ids),
        factors: usersWithConfirmedFactor(ids),
        roles: heldRoleKeysOfUsers(ids, p.now),
        ipAllowed: countsIp ? deps.lockout.ipAllowedRead(p.ip, p.ipWindow) : undefined,
      })),
    );
  }
  const statements = new Map<string, ReturnType<typeof accountsStatement>>();
  const statementFor = (bySlug: boolean, countsIp: boolean) => {
    const shape = `${bySlug}/${countsIp}`;
    let statement = statements.get(shape);
    if (!statement) {
      statement = accountsStatement(bySlug, countsIp);
      statements.set(shape, statement);
    }
    return statement;
  };

  return async function readAccounts(
    input: { email: string; orgSlug?: string },
    client: Client,
  ): Promise<{ accounts: Account[]; found: boolean }> {
    if (!input.email) return { accounts: [], found: false };
    const ipWindow = deps.lockout.ipWindowInDatabase();
    const statement = statementFor(Boolean(input.orgSlug), Boolean(ipWindow));
    const values = {
      ...input,
      orgSlug: input.orgSlug,
      now: deps.clock.now(),
      ip: client.ip,
      ipWindow,
    };
    const read = await platformStatement(deps.database, (tx) => statement(tx, values));
    const users = read.first;
    if (users.length === 0) return { accounts: [], found: false };
    // With Redis the address's count is not in the statement; it is read where it lives.
    const ipAllowed =
      read.ipAllowed ??
      (await platformStatement(deps.database, (tx) => deps.lockout.ipAllowedIn(tx, client.ip)));
    if (!ipAllowed) return { accounts: [], found: true };
    const accounts = users.map((user) => ({
      user,
      credential: read.credentials.get(user.id) ?? null,
      hasFactor: read.factors.has(user.id),
      roleKeys: read.roles.get(user.id) ?? [],
    }));
    return { accounts, found: true };
  };
}
