import { Badge, Group, Stack, Text, Title } from '@mantine/core';
import { useCallback } from 'react';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { ssoApi } from './api.ts';
import { CopyValue, SettingsTable } from './parts.tsx';

const stateColor = { next: 'blue', active: 'green', retiring: 'orange', retired: 'gray' } as const;

/**
 * What a SAML application is given about Vigil as its identity provider: the entity ID, the
 * metadata URL (which carries everything else, the certificates included), the sign-in and
 * logout URLs, and the fingerprints of the signing certificates published now (a rotation's
 * next key is published before it signs, so an application can trust it in time).
 */
export function IdpDetails({ orgId }: { orgId: string }) {
  const read = useLoaded(
    useCallback(async () => {
      const [idp, keys] = await Promise.all([ssoApi.idp(orgId), ssoApi.keys(orgId)]);
      return { idp, keys };
    }, [orgId]),
  );
  const signing = read.data?.keys.filter((k) => k.use === 'signing' && k.state !== 'retired');
  return (
    <Stack component="section" aria-label="Identity provider details" gap="xs">
      <Title order={3} size="h4">
        Vigil as identity provider
      </Title>
      <Text size="sm" c="dimmed">
        Give these to each application, or just its metadata URL: applications that read metadata
        follow a key rotation by themselves.
      </Text>
      <LoadState error={read.error} loading={!read.data} what="the identity provider's details" />
      {read.data && signing && (
        <SettingsTable
          label="Identity provider details"
          rows={[
            [
              'Entity ID',
              <CopyValue key="e" label="IdP entity ID" value={read.data.idp.entityId} />,
            ],
            [
              'Metadata URL',
              <CopyValue key="m" label="IdP metadata URL" value={read.data.idp.metadataUrl} />,
            ],
            [
              'Sign-in (SSO) URL',
              <CopyValue key="s" label="IdP SSO URL" value={read.data.idp.ssoUrl} />,
            ],
            [
              'Logout (SLO) URL',
              <CopyValue key="l" label="IdP SLO URL" value={read.data.idp.sloUrl} />,
            ],
            [
              'Signing certificates (SHA-256)',
              signing.length === 0 ? (
                <Text key="c" size="sm" c="dimmed">
                  None yet: the first is made when an application first signs in.
                </Text>
              ) : (
                <Stack key="c" gap={4}>
                  {signing.map((k) => (
                    <Group key={k.id} gap="xs" wrap="nowrap">
                      <Badge variant="light" color={stateColor[k.state]}>
                        {k.state}
                      </Badge>
                      <CopyValue
                        label={`${k.state} signing certificate fingerprint`}
                        value={k.fingerprint}
                      />
                    </Group>
                  ))}
                </Stack>
              ),
            ],
          ]}
        />
      )}
    </Stack>
  );
}
