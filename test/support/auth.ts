import { createSignInFlow } from '../../src/auth/flows/index.ts';
import { createLockoutService } from '../../src/auth/lockout/index.ts';
import { createMfaService } from '../../src/auth/mfa/index.ts';
import { createPasswordService } from '../../src/auth/password/index.ts';
import { createIdentityService, type User } from '../../src/identity/index.ts';
import { operatorActor, platformOrgId, withOrg } from '../../src/platform/index.ts';
import { createSessionService } from '../../src/sessions/index.ts';
import type { TestCore } from './core.ts';

/** The authentication services over a test core, wired as the server wires them. */
export function authServices(core: TestCore) {
  const deps = { audit: core.audit.record, clock: core.clock };
  const identity = createIdentityService(deps);
  const passwords = createPasswordService(deps);
  const lockout = createLockoutService({
    ...deps,
    database: core.database,
    ipMaxFailures: 1000,
    ipWindowMinutes: 15,
  });
  const mfa = createMfaService({ ...deps, keyring: core.keyring, issuer: 'Vigil' });
  const sessions = createSessionService({ ...deps, database: core.database });
  const signIn = createSignInFlow({
    database: core.database,
    audit: core.audit,
    identity,
    passwords,
    lockout,
    mfa,
    sessions,
    clock: core.clock,
    platformOrgId,
  });
  /** A user with a password (temporary when asked). */
  async function createUser(
    orgId: string,
    email: string,
    password: string,
    temporary = false,
  ): Promise<User> {
    return withOrg(core.database, orgId, async (tx) => {
      const user = await identity.createUser(
        tx,
        orgId,
        { email, displayName: email.split('@')[0] ?? email },
        operatorActor,
      );
      await passwords.set(tx, user, password, { actor: operatorActor, temporary, byOwner: false });
      return user;
    });
  }
  return { identity, passwords, lockout, mfa, sessions, signIn, createUser };
}
