import { createServices } from '../../src/app/services.ts';
import type { User } from '../../src/identity/index.ts';
import { operatorActor, withOrg } from '../../src/platform/index.ts';
import type { TestCore } from './core.ts';

/** The authentication services over a test core, wired as the server wires them. */
export function authServices(core: TestCore) {
  const services = createServices(core);
  const { identity, passwords } = services;
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
  return { ...services, createUser };
}
