import { Select, TextInput } from '@mantine/core';
import { fieldError, type Refusal } from '../../components/Refusal.tsx';
import type { RoleDetail } from './api.ts';

/** What a role is given with: which role, why, and until when (empty: no end). */
export interface Grant {
  roleKey: string | null;
  reason: string;
  /** As a `datetime-local` input gives it: the user's local time, without a zone. */
  expires: string;
}

export const emptyGrant: Grant = { roleKey: null, reason: '', expires: '' };

/** A role's name as a picker shows it: whether giving it waits for an approver. */
const roleOption = (role: RoleDetail) => ({
  value: role.key,
  label: role.requiresApproval ? `${role.name} (needs approval)` : role.name,
});

/** The grant as the API takes it: the expiry as an instant (the local time was the user's). */
export const grantBody = (grant: Grant) => ({
  roleKey: grant.roleKey ?? '',
  reason: grant.reason,
  expiresAt: grant.expires ? new Date(grant.expires).toISOString() : undefined,
});

/** How a form words the fields: an administrator assigns for someone, a member asks for themselves. */
export interface GrantWords {
  role: string;
  reason: string;
  expiresLabel: string;
  expires: string;
}

/** The role, the reason and the expiry of an assignment or of a request for one. */
export function GrantFields({
  roles,
  grant,
  onChange,
  refusal,
  words,
}: {
  roles: RoleDetail[];
  grant: Grant;
  onChange: (change: (grant: Grant) => Grant) => void;
  refusal: Refusal | undefined;
  words: GrantWords;
}) {
  const set = (change: Partial<Grant>) => onChange((before) => ({ ...before, ...change }));
  return (
    <>
      <Select
        label="Role"
        description={words.role}
        required
        searchable
        data={roles.map(roleOption)}
        value={grant.roleKey}
        onChange={(roleKey) => set({ roleKey })}
        error={fieldError(refusal, 'roleKey')}
      />
      <TextInput
        label="Reason"
        description={words.reason}
        required
        value={grant.reason}
        onChange={(e) => set({ reason: e.currentTarget.value })}
        error={fieldError(refusal, 'reason')}
      />
      <TextInput
        type="datetime-local"
        label={words.expiresLabel}
        description={words.expires}
        value={grant.expires}
        onChange={(e) => set({ expires: e.currentTarget.value })}
        error={fieldError(refusal, 'expiresAt')}
      />
    </>
  );
}
