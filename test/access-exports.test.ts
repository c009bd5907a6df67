import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as OTPAuth from 'otpauth';
import { totpCode } from '../src/auth/mfa/index.ts';
import { toCsv } from '../src/compliance/index.ts';
import { operatorActor, type Tx, withOrg } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';

describe('access exports for the auditor', () => {
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let acme: string;
  const inAcme = <T>(fn: (tx: Tx) => Promise<T>) => withOrg(core.database, acme, fn);

  before(async () => {
    core = await openTestCore();
    auth = authServices(core);
    acme = await core.createOrg('acme');
    const password = 'Correct-Horse-Battery-9';
    const dana = await auth.createUser(acme, 'dana@acme.test', password);
    const eve = await auth.createUser(acme, 'eve@acme.test', password);
    await auth.createUser(acme, 'fay@acme.test', password);
    await inAcme(async (tx) => {
      await auth.rbac.assign(
        tx,
        { orgId: acme, userId: dana.id, roleKey: 'org-owner', reason: 'founder' },
        null,
        operatorActor,
      );
      await auth.rbac.assign(
        tx,
        { orgId: acme, userId: eve.id, roleKey: 'org-auditor', reason: 'audit' },
        null,
        operatorActor,
      );
      await auth.rbac.createRole(
        tx,
        acme,
        {
          key: 'support',
          name: 'Support, "tier 1"',
          description: 'Reads users to answer tickets.',
          purpose: '=HYPERLINK("https://evil.test") must not run in a spreadsheet',
          permissions: ['users.read'],
          ownerUserId: dana.id,
        },
        null,
        operatorActor,
      );
      const started = await auth.mfa.startTotp(tx, dana);
      const seed = new Uint8Array(OTPAuth.Secret.fromBase32(started.secret).buffer as ArrayBuffer);
      await auth.mfa.confirmTotp(
        tx,
        dana,
        started.factorId,
        totpCode(seed, new Date()),
        operatorActor,
      );
    });
    await withOrg(core.database, acme, (tx) =>
      auth.lifecycle.deactivate(tx, eve.id, 'suspended', operatorActor, { source: 'admin' }),
    );
    await auth.signIn.passwordStep(
      { email: 'fay@acme.test', password },
      { ip: '192.0.2.1', userAgent: 'test' },
    );
  });
  after(() => core.close());

  it('lists every role with its purpose, flags and permissions (JSON and CSV)', async () => {
    const matrix = await inAcme((tx) => auth.accessExports.permissionMatrix(tx, acme));
    assert.deepEqual(
      matrix.roles.map((r) => r.key),
      ['org-owner', 'org-admin', 'org-auditor', 'member', 'support'],
      'built-in roles of an organization (no platform roles) and its custom roles',
    );
    assert.ok(matrix.permissions.every((p) => p.description && p.risk));
    const csv = await inAcme((tx) => auth.accessExports.permissionMatrixCsv(tx, acme));
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines.length, 1 + matrix.roles.length);
    assert.match(
      lines[0] ?? '',
      /^role,name,description,purpose,built_in,privileged,require_mfa,requires_approval,users\.read,/,
    );
    const support = lines.find((l) => l.startsWith('support,')) ?? '';
    assert.match(
      support,
      /^support,"Support, ""tier 1""",Reads users to answer tickets\.,"'=HYPERLINK\(""https:\/\/evil\.test""\) must not run in a spreadsheet",false,false,false,false,x,/,
    );
  });

  it('lists every user with status, roles, privilege, MFA and last sign-in', async () => {
    const users = await inAcme((tx) => auth.accessExports.userAccess(tx, acme));
    const byEmail = Object.fromEntries(users.map((u) => [u.email, u]));
    assert.deepEqual(
      [
        byEmail['dana@acme.test']?.roles,
        byEmail['dana@acme.test']?.privileged,
        byEmail['dana@acme.test']?.mfaEnrolled,
      ],
      [['org-owner'], true, true],
    );
    assert.equal(byEmail['eve@acme.test']?.status, 'suspended');
    assert.ok(byEmail['eve@acme.test']?.deactivated);
    assert.ok(byEmail['fay@acme.test']?.lastSignIn, 'signed in once');
    assert.equal(byEmail['dana@acme.test']?.lastSignIn, null);
    const csv = await inAcme((tx) => auth.accessExports.userAccessCsv(tx, acme));
    const [header, ...rows] = csv.trimEnd().split('\r\n');
    assert.equal(
      header,
      'user_id,email,name,status,roles,privileged,mfa_enrolled,last_sign_in,created,deactivated',
    );
    assert.equal(rows.length, 3);
    assert.match(rows.find((r) => r.includes('dana@')) ?? '', /,active,org-owner,true,true,,/);
  });

  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    assert.equal(
      toCsv(
        ['a', 'b'],
        [
          ['-1+2', 'x,y'],
          ['@SUM(A1)', null],
          ['line\nbreak', true],
        ],
      ),
      'a,b\r\n\'-1+2,"x,y"\r\n\'@SUM(A1),\r\n"line\nbreak",true\r\n',
    );
  });
});
