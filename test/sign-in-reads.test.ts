import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { usersWithConfirmedFactor } from '../src/auth/mfa/index.ts';
import { credentialsOf } from '../src/auth/password/index.ts';
import { fixedClock, newId, withOrg, withPlatform } from '../src/platform/index.ts';
import { heldRoleKeysOfUsers } from '../src/rbac/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { recordStatements } from './support/database.ts';

const minute = 60_000;
const password = 'Stable-Genius-2026!';
const client = { ip: '198.51.100.77', userAgent: 'sign-in-reads-test' };

describe('the sign-in’s reads: each module answers for its own tables, for all the accounts at once', () => {
  const clock = fixedClock(new Date('2026-08-01T09:00:00Z'));
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  const orgs: string[] = [];

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    for (const slug of ['acme', 'globex', 'initech']) orgs.push(await core.createOrg(slug));
  });
  after(() => core.close());

  it('answers for several users in one query per module: credentials, confirmed factors, roles held', async () => {
    const [orgA = ''] = orgs;
    const ann = await auth.createUser(orgA, 'ann@example.test', password, true);
    const ben = await auth.createUser(orgA, 'ben@example.test', password);
    const now = clock.now();
    await withOrg(core.database, orgA, async (tx) => {
      const factor = {
        org_id: orgA,
        kind: 'totp' as const,
        label: 'phone',
        secret_enc: 'not-a-real-seed',
        created_at: now,
      };
      await tx
        .insertInto('mfa_factors')
        .values([
          { ...factor, id: newId(), user_id: ann.id, confirmed_at: now },
          { ...factor, id: newId(), user_id: ben.id, confirmed_at: null },
        ])
        .execute();
      const grant = { org_id: orgA, granted_by: null, reason: 'test', granted_at: now };
      await tx
        .insertInto('role_assignments')
        .values([
          { ...grant, user_id: ann.id, role_key: 'org-auditor', expires_at: null },
          {
            ...grant,
            user_id: ann.id,
            role_key: 'org-admin',
            expires_at: new Date(now.getTime() - minute),
          },
          {
            ...grant,
            user_id: ben.id,
            role_key: 'org-admin',
            expires_at: new Date(now.getTime() + minute),
          },
        ])
        .execute();
    });
    const ids = [ann.id, ben.id, newId()];
    const recording = recordStatements();
    const answers = await withPlatform(core.database, async (tx) => ({
      credentials: await credentialsOf(tx, ids),
      factors: await usersWithConfirmedFactor(tx, ids),
      roles: await heldRoleKeysOfUsers(tx, ids, now),
    }));
    recording.stop();
    assert.equal(recording.statements.filter((q) => /^\s*select\b/i.test(q)).length, 3);
    assert.deepEqual([...answers.credentials.keys()].sort(), [ann.id, ben.id].sort());
    const annCredential = answers.credentials.get(ann.id);
    assert.ok(annCredential?.changedAt instanceof Date);
    assert.equal(annCredential.changedAt.getTime(), now.getTime());
    assert.equal(annCredential.mustChange, true, 'a temporary password must be changed');
    assert.equal(answers.credentials.get(ben.id)?.mustChange, false);
    assert.deepEqual([...answers.factors], [ann.id], 'only confirmed factors count');
    assert.deepEqual(
      answers.roles.get(ann.id),
      ['org-auditor'],
      'an expired assignment no longer counts',
    );
    assert.deepEqual(answers.roles.get(ben.id), ['org-admin']);
    assert.equal(answers.roles.get(ids[2] ?? ''), undefined, 'no roles: no entry');
  });

  it('answers an empty list of users with empty answers, still sending each query', async () => {
    const recording = recordStatements();
    const answers = await withPlatform(core.database, async (tx) => ({
      credentials: await credentialsOf(tx, []),
      factors: await usersWithConfirmedFactor(tx, []),
      roles: await heldRoleKeysOfUsers(tx, [], clock.now()),
    }));
    recording.stop();
    assert.equal(answers.credentials.size, 0);
    assert.equal(answers.factors.size, 0);
    assert.equal(answers.roles.size, 0);
    assert.equal(
      recording.statements.filter((q) => /^\s*select\b/i.test(q)).length,
      3,
      'an unknown email’s reads are the same as a known one’s',
    );
  });

  it('the password step sends the same reads however many accounts share the email', async () => {
    const accountReads = (statements: string[]) =>
      statements.filter(
        (q) =>
          /\b(users|password_credentials|mfa_factors|role_assignments|auth_ip_failures)\b/.test(
            q,
          ) && /^\s*select\b/i.test(q),
      );
    const [orgA = ''] = orgs;
    await auth.createUser(orgA, 'edna@example.test', password);
    for (const orgId of orgs) await auth.createUser(orgId, 'carla@example.test', password);
    const statementsOf = async (email: string) => {
      const recording = recordStatements();
      const result = await auth.signIn.passwordStep({ email, password: 'wrong-password' }, client);
      recording.stop();
      assert.deepEqual(result, { kind: 'failed' });
      return recording.statements;
    };
    const one = await statementsOf('edna@example.test');
    const three = await statementsOf('carla@example.test');
    const reads = accountReads(three);
    assert.equal(reads.length, 5, reads.join('\n'));
    assert.deepEqual(reads, accountReads(one));
    const lockoutReads = three.filter((q) => /from "auth_lockouts"/.test(q));
    assert.equal(
      lockoutReads.length,
      3,
      'each account’s counter is still read, in its organization',
    );
  });

  it('offers the organizations in the order of their slugs, whatever order the accounts were made in', async () => {
    for (const orgId of [...orgs].reverse()) {
      await auth.createUser(orgId, 'dora@example.test', password);
    }
    const choice = await auth.signIn.passwordStep({ email: 'dora@example.test', password }, client);
    assert.deepEqual(choice, {
      kind: 'choose_org',
      orgs: ['acme', 'globex', 'initech'].map((slug) => ({ slug, name: slug })),
    });
  });
});
