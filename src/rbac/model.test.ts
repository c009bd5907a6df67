import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../platform/index.ts';
import { builtInRoles } from './catalog.ts';
import {
  approvalRefusal,
  brokenRules,
  conflictRuleInputSchema,
  holdingsOf,
  normalized,
  platformPermissionsIn,
  privilegeFlags,
  roleInputSchema,
  roleUpdateSchema,
} from './model.ts';

const role = {
  key: 'support-lead',
  name: 'Support lead',
  description: 'Helps users',
  purpose: 'First-line support',
  permissions: ['users.read'],
  ownerUserId: '01a21818-0000-7000-8000-000000000000',
};

describe('role input', () => {
  it('accepts a custom role and trims its texts', () => {
    const parsed = roleInputSchema.parse({ ...role, name: '  Support lead  ' });
    assert.equal(parsed.name, 'Support lead');
  });

  it('refuses built-in keys, malformed keys, unknown permissions, blank texts and extra keys', () => {
    for (const bad of [
      { key: 'org-admin' },
      { key: 'Support' },
      { key: 's' },
      { key: '1support' },
      { permissions: ['users.read', 'users.delete'] },
      { purpose: '   ' },
      { ownerUserId: 'not-a-uuid' },
      { builtIn: true },
    ]) {
      assert.equal(
        roleInputSchema.safeParse({ ...role, ...bad }).success,
        false,
        JSON.stringify(bad),
      );
    }
  });

  it('lets an update change anything but the key', () => {
    assert.equal(roleUpdateSchema.safeParse({ name: 'Renamed' }).success, true);
    assert.equal(roleUpdateSchema.safeParse({ key: 'other-key' }).success, false);
  });
});

describe('privilegeFlags', () => {
  it('makes a role with a high- or critical-risk permission privileged, with MFA and approval', () => {
    const all = { privileged: true, requireMfa: true, requiresApproval: true };
    assert.deepEqual(privilegeFlags(['users.read', 'roles.assign'], {}), all);
    assert.deepEqual(privilegeFlags(['platform.orgs'], {}), all);
    assert.deepEqual(privilegeFlags(['access.approve'], { privileged: true }), all);
  });

  it('refuses lowering a flag of a high-risk role, naming the flags and permissions', () => {
    assert.throws(
      () => privilegeFlags(['roles.assign', 'users.read'], { requireMfa: false }),
      (error: unknown) => {
        assert.ok(isAppError(error));
        assert.equal(error.code, 'rbac.privilege_required');
        assert.equal(error.kind, 'invalid');
        assert.deepEqual(error.details, { flags: ['requireMfa'], highRisk: ['roles.assign'] });
        return true;
      },
    );
  });

  it('lets MFA and approval follow privileged for other roles', () => {
    const none = { privileged: false, requireMfa: false, requiresApproval: false };
    assert.deepEqual(privilegeFlags(['users.read'], {}), none);
    assert.deepEqual(privilegeFlags([], { privileged: true }), {
      privileged: true,
      requireMfa: true,
      requiresApproval: true,
    });
    assert.deepEqual(
      privilegeFlags(['audit.read'], { privileged: true, requiresApproval: false }),
      {
        privileged: true,
        requireMfa: true,
        requiresApproval: false,
      },
    );
  });

  it('keeps the current flags where the change says nothing', () => {
    const current = { privileged: true, requireMfa: false, requiresApproval: true };
    assert.deepEqual(privilegeFlags(['users.read'], {}, current), current);
    assert.deepEqual(privilegeFlags(['users.read'], { requiresApproval: false }, current), {
      ...current,
      requiresApproval: false,
    });
  });
});

describe('permission lists', () => {
  it('are stored without repeats, sorted', () => {
    assert.deepEqual(normalized(['users.write', 'users.read', 'users.write']), [
      'users.read',
      'users.write',
    ]);
  });

  it('name the platform permissions they hold', () => {
    assert.deepEqual(platformPermissionsIn(['users.read', 'platform.orgs', 'platform.settings']), [
      'platform.orgs',
      'platform.settings',
    ]);
    assert.deepEqual(platformPermissionsIn(['users.read', 'org.settings']), []);
  });
});

describe('conflict rules', () => {
  const roles = (...keys: string[]) => holdingsOf(builtInRoles.filter((r) => keys.includes(r.key)));

  it('need at least two distinct roles or permissions', () => {
    const rule = { name: 'Maker-checker', description: 'No self-approval' };
    assert.equal(conflictRuleInputSchema.safeParse({ ...rule, roles: ['a', 'b'] }).success, true);
    assert.equal(
      conflictRuleInputSchema.safeParse({ ...rule, roles: ['a'], permissions: ['audit.read'] })
        .success,
      true,
    );
    for (const bad of [{ roles: ['a'] }, { roles: ['a', 'a'] }, {}])
      assert.equal(conflictRuleInputSchema.safeParse({ ...rule, ...bad }).success, false);
    assert.equal(
      conflictRuleInputSchema.safeParse({ ...rule, permissions: ['audit.read', 'nope.nope'] })
        .success,
      false,
    );
  });

  it('are broken only when every role and permission of the rule is held at once', () => {
    const held = roles('org-auditor', 'member');
    assert.ok(held.roles.has('org-auditor'));
    assert.ok(held.permissions.has('audit.read'));
    const rules = [
      { id: 'both-roles', name: '', roles: ['org-auditor', 'member'], permissions: [] },
      { id: 'role-and-permission', name: '', roles: ['member'], permissions: ['audit.read'] },
      { id: 'one-missing', name: '', roles: ['org-auditor', 'org-admin'], permissions: [] },
      {
        id: 'permission-missing',
        name: '',
        roles: [],
        permissions: ['audit.read', 'roles.assign'],
      },
    ];
    assert.deepEqual(
      brokenRules(held, rules).map((r) => r.id),
      ['both-roles', 'role-and-permission'],
    );
    assert.deepEqual(brokenRules(roles(), rules), []);
  });
});

describe('approvalRefusal', () => {
  const approver = holdingsOf(builtInRoles.filter((r) => r.permissions.includes('access.approve')));
  const request = { userId: 'beneficiary', requestedBy: 'requester' };

  it('refuses the beneficiary and the requester, even holding access.approve', () => {
    assert.match(approvalRefusal(request, 'beneficiary', approver) ?? '', /beneficiary/);
    assert.match(approvalRefusal(request, 'requester', approver) ?? '', /requester/);
  });

  it('refuses an approver without access.approve', () => {
    const member = holdingsOf(builtInRoles.filter((r) => r.key === 'member'));
    assert.match(approvalRefusal(request, 'someone', member) ?? '', /access\.approve/);
  });

  it('lets a third party holding access.approve decide, also a request nobody filed', () => {
    assert.equal(approvalRefusal(request, 'someone', approver), null);
    assert.equal(
      approvalRefusal({ userId: 'beneficiary', requestedBy: null }, 'someone', approver),
      null,
    );
  });
});
