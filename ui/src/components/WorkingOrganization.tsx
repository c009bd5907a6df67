import { Select, Text } from '@mantine/core';
import { useCallback } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { type Access, firstPathIn } from '../access.ts';
import { api } from '../api.ts';
import { useLoaded } from './useLoaded.ts';

/**
 * The organization the console works in, above its sections: a platform administrator picks
 * any (the page moves to the same section there), anyone else sees the name of their own.
 */
export function WorkingOrganization({ access, orgId }: { access: Access; orgId: string }) {
  return access.permissions.has('platform.orgs') ? (
    <PickOrganization access={access} orgId={orgId} />
  ) : (
    <OwnOrganization orgId={orgId} />
  );
}

function OwnOrganization({ orgId }: { orgId: string }) {
  const org = useLoaded(useCallback(() => api.organization(orgId), [orgId]));
  return (
    <Text size="sm" fw={600} px="sm" py={4} aria-label="Organization">
      {org.data?.name}
    </Text>
  );
}

function PickOrganization({ access, orgId }: { access: Access; orgId: string }) {
  const orgs = useLoaded(useCallback(() => api.organizations(), []));
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const pick = (next: string | null) => {
    if (!next || next === orgId) return;
    // The same section in the other organization, at its start (not one of this one's users).
    const section = /^\/orgs\/[^/]+\/([^/]+)/.exec(pathname)?.[1];
    navigate(
      section
        ? `/orgs/${encodeURIComponent(next)}/${section}`
        : (firstPathIn(access, next) ?? '/orgs'),
    );
  };
  return (
    <Select
      label="Organization"
      size="xs"
      px="xs"
      searchable
      allowDeselect={false}
      placeholder={orgs.error ? 'Could not be read' : 'Loading…'}
      data={(orgs.data ?? []).map((o) => ({ value: o.id, label: `${o.name} (${o.slug})` }))}
      value={orgs.data ? orgId : null}
      onChange={pick}
    />
  );
}
