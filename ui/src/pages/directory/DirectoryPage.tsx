import { Divider, Stack, Text, Title } from '@mantine/core';
import { useCallback } from 'react';
import { useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { useLoaded } from '../../components/useLoaded.ts';
import { directoryApi, scimBaseUrl } from './api.ts';
import { GroupRoles } from './GroupRoles.tsx';
import { ScimTokens } from './ScimTokens.tsx';

/**
 * The organization's HR directory (the section needs `scim.manage`): the tokens it provisions
 * with, and the roles its groups map to (docs/scim.md).
 */
export function DirectoryPage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  const org = useLoaded(useCallback(() => directoryApi.organization(orgId), [orgId]));
  const baseUrl = org.data && scimBaseUrl(org.data.slug);
  return (
    <Stack gap="xl">
      <Stack gap="xs">
        <Title order={2}>Directory (SCIM)</Title>
        <Text c="dimmed">
          Users and groups come from the HR directory through SCIM 2.0: joiners are created, movers
          updated, and leavers deactivated at once.
        </Text>
      </Stack>
      <ScimTokens orgId={orgId} access={access} baseUrl={baseUrl} />
      <Divider />
      <GroupRoles orgId={orgId} />
    </Stack>
  );
}
