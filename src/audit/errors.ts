import { defineErrors } from '../platform/index.ts';

export const auditErrors = defineErrors({
  badCursor: {
    code: 'audit.bad_cursor',
    kind: 'invalid',
    message: 'The cursor is not one this API returned',
    meaning: 'An audit query sent a page cursor that this API did not hand out.',
  },
  badOrg: {
    code: 'audit.bad_org',
    kind: 'internal',
    message: 'Audit events need an organization id',
    meaning:
      'An audit event was recorded without a valid organization id; the change it accompanies is refused.',
  },
  badMacKey: {
    code: 'audit.bad_mac_key',
    kind: 'internal',
    message: 'The audit MAC key is not HS256',
    meaning:
      'The active audit MAC key cannot compute a MAC; every audited change is refused until it is fixed.',
  },
});
