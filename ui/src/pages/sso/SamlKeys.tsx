import { Badge, Button, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { type KeyUse, type SamlKey, ssoApi } from './api.ts';
import { DaysLeft, daysUntil, type Notice, NoticeAlert } from './parts.tsx';

const stateColor = { next: 'blue', active: 'green', retiring: 'orange', retired: 'gray' } as const;

type Asking = { what: 'create'; use: KeyUse } | { what: 'activate' | 'retire'; key: SamlKey };

/**
 * The organization's SAML keys, signing and encryption. A rotation overlaps: the next key is
 * published in the metadata first, while the active one still signs; activating it makes it sign
 * and the old one retiring (still published, still decrypting); retiring that one at last drops
 * it from the metadata. Each step asks first, saying what it changes for the applications.
 */
export function SamlKeys({
  orgId,
  manages,
  onChanged,
}: {
  orgId: string;
  manages: boolean;
  onChanged: () => Promise<void>;
}) {
  const keys = useLoaded(useCallback(() => ssoApi.keys(orgId), [orgId]));
  const [asking, setAsking] = useState<Asking>();
  const [notice, setNotice] = useState<Notice>();
  const close = () => setAsking(undefined);

  /** After a step: the keys read again first, so that the message comes with what it says. */
  async function changed(text: string) {
    close();
    await Promise.all([keys.reload(), onChanged()]);
    setNotice({ ok: true, text });
  }

  const hasNext = (use: KeyUse) => keys.data?.some((k) => k.use === use && k.state === 'next');
  const label = (k: SamlKey) => `${k.state} ${k.use} key ${k.fingerprint.slice(0, 11)}`;

  return (
    <Stack component="section" aria-label="SAML keys">
      <Group justify="space-between">
        <Title order={3} size="h4">
          SAML keys
        </Title>
        {manages && keys.data && (
          <Group>
            {(['signing', 'encryption'] as const).map((use) => (
              <Button
                key={use}
                variant="default"
                disabled={hasNext(use)}
                title={hasNext(use) ? `A next ${use} key is waiting: activate it first` : undefined}
                onClick={() => setAsking({ what: 'create', use })}
              >
                Create next {use} key
              </Button>
            ))}
          </Group>
        )}
      </Group>
      <Text size="sm" c="dimmed">
        Signing keys sign Vigil's SAML responses and requests; encryption keys decrypt the
        assertions identity providers encrypt to Vigil. Private keys are kept encrypted and never
        leave Vigil.
      </Text>
      <NoticeAlert notice={notice} />
      <LoadState error={keys.error} loading={!keys.data} what="the SAML keys" />
      {keys.data?.length === 0 && (
        <Text c="dimmed">No key yet: the first of each kind is made when it is first needed.</Text>
      )}
      {keys.data && keys.data.length > 0 && (
        <Table striped aria-label="SAML keys">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Use</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Fingerprint (SHA-256)</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Activated</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Left</Table.Th>
              {manages && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {keys.data.map((k) => (
              <Table.Tr key={k.id}>
                <Table.Td>{k.use}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={stateColor[k.state]}>
                    {k.state}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Code style={{ wordBreak: 'break-all' }}>{k.fingerprint}</Code>
                </Table.Td>
                <Table.Td>
                  <DateTime value={k.createdAt} />
                </Table.Td>
                <Table.Td>
                  <DateTime value={k.activatedAt} fallback="—" />
                </Table.Td>
                <Table.Td>
                  <DateTime value={k.notAfter} />
                </Table.Td>
                <Table.Td>
                  {k.state === 'retired' ? '—' : <DaysLeft days={daysUntil(k.notAfter)} />}
                </Table.Td>
                {manages && (
                  <Table.Td>
                    {k.state === 'next' && (
                      <Button
                        size="xs"
                        variant="default"
                        aria-label={`Activate the ${label(k)}`}
                        onClick={() => setAsking({ what: 'activate', key: k })}
                      >
                        Activate
                      </Button>
                    )}
                    {k.state === 'retiring' && (
                      <Button
                        size="xs"
                        color="red"
                        variant="light"
                        aria-label={`Retire the ${label(k)}`}
                        onClick={() => setAsking({ what: 'retire', key: k })}
                      >
                        Retire
                      </Button>
                    )}
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <ConfirmDialog
        opened={asking?.what === 'create'}
        title={`Create the next ${asking?.what === 'create' ? asking.use : ''} key?`}
        confirmLabel="Create next key"
        onConfirm={async () => {
          if (asking?.what !== 'create') return;
          await ssoApi.createKey(orgId, asking.use);
          await changed(`A next ${asking.use} key is published; the active one still works.`);
        }}
        onClose={close}
      >
        <Text>
          A new key is made and published in the metadata at once, beside the active one, which
          keeps{' '}
          {asking?.what === 'create' && asking.use === 'encryption' ? 'decrypting' : 'signing'}.
          Nothing changes for the applications yet: give those that do not read the metadata the new
          certificate, then activate it.
        </Text>
      </ConfirmDialog>
      <ConfirmDialog
        opened={asking?.what === 'activate'}
        title="Activate this key?"
        confirmLabel="Activate key"
        onConfirm={async () => {
          if (asking?.what !== 'activate') return;
          await ssoApi.activateKey(orgId, asking.key.id);
          await changed(
            `The ${asking.key.use} key ${asking.key.fingerprint.slice(0, 11)}… is active.`,
          );
        }}
        onClose={close}
      >
        <Text>
          {asking?.what === 'activate' && asking.key.use === 'encryption'
            ? 'Identity providers are told to encrypt to it from now on. '
            : 'Vigil signs with it from now on. '}
          The key active until now becomes retiring: still published in the metadata and still
          {asking?.what === 'activate' && asking.key.use === 'encryption'
            ? ' decrypting'
            : ' trusted by the applications that know it'}
          , so nothing breaks during the overlap. Retire it once every application trusts the new
          one.
        </Text>
      </ConfirmDialog>
      <ConfirmDialog
        opened={asking?.what === 'retire'}
        title="Retire this key?"
        confirmLabel="Retire key"
        danger
        onConfirm={async () => {
          if (asking?.what !== 'retire') return;
          await ssoApi.retireKey(orgId, asking.key.id);
          await changed(
            `The ${asking.key.use} key ${asking.key.fingerprint.slice(0, 11)}… is retired.`,
          );
        }}
        onClose={close}
      >
        <Text>
          The overlap ends: the key leaves the metadata for good
          {asking?.what === 'retire' && asking.key.use === 'encryption'
            ? ', and assertions still encrypted to it can no longer be read'
            : ', and an application that still trusts only it refuses Vigil’s responses'}
          . It stays listed as the record of what it signed. This cannot be undone.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}
