import { Anchor, Badge, Button, Code, Group, Stack, Text, Title } from '@mantine/core';
import { type ReactNode, useCallback, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { type Connection, ssoApi } from './api.ts';
import { ConnectionCertificates } from './ConnectionCertificates.tsx';
import { ConnectionDialog } from './ConnectionDialog.tsx';
import { protocolLabel, provisioningLabel } from './Connections.tsx';
import {
  CopyValue,
  EnabledBadge,
  messageOf,
  type Notice,
  NoticeAlert,
  SettingsTable,
  Values,
} from './parts.tsx';

/**
 * One connection to an upstream identity provider: what to give that provider (Vigil's SP
 * details or redirect URI, with copy buttons), its settings, and a SAML one's certificates. With
 * `sso.manage`: edit, enable or disable, refresh its metadata, delete (after a confirmation).
 */
export function ConnectionPage({ access }: { access: Access }) {
  const { orgId = access.orgId, connectionId = '' } = useParams();
  const read = useLoaded(
    useCallback(() => ssoApi.connection(orgId, connectionId), [orgId, connectionId]),
  );
  const [asking, setAsking] = useState<'edit' | 'delete'>();
  const [notice, setNotice] = useState<Notice>();
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const manages = access.permissions.has('sso.manage');
  const list = `/orgs/${encodeURIComponent(orgId)}/sso/connections`;
  const c = read.data;

  /** A change made at once (enable, disable, refresh): its outcome above the page. */
  async function run(change: () => Promise<string>) {
    setNotice(undefined);
    setBusy(true);
    try {
      const text = await change();
      setNotice({ ok: true, text });
      await read.reload();
    } catch (err) {
      setNotice({ ok: false, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack>
      <Anchor component={Link} to={list} size="sm">
        ← Connections
      </Anchor>
      <LoadState error={read.error} loading={!c} what="the connection" />
      {c && (
        <>
          <Group justify="space-between">
            <Group>
              <Title order={2}>{c.name}</Title>
              <Badge variant="light" color="gray">
                {protocolLabel[c.protocol]}
              </Badge>
              <EnabledBadge enabled={c.enabled} />
            </Group>
            {manages && (
              <Group>
                <Button variant="default" onClick={() => setAsking('edit')}>
                  Edit
                </Button>
                <Button
                  variant="default"
                  disabled={busy}
                  onClick={() =>
                    void run(async () => {
                      await ssoApi.updateConnection(orgId, c.id, { enabled: !c.enabled });
                      return `${c.name} ${c.enabled ? 'disabled' : 'enabled'}.`;
                    })
                  }
                >
                  {c.enabled ? 'Disable' : 'Enable'}
                </Button>
                {c.saml?.metadataUrl && (
                  <Button
                    variant="default"
                    loading={busy}
                    onClick={() =>
                      void run(async () => {
                        await ssoApi.refreshMetadata(orgId, c.id);
                        return `${c.name}: metadata read again from its URL.`;
                      })
                    }
                  >
                    Refresh metadata
                  </Button>
                )}
                <Button color="red" variant="light" onClick={() => setAsking('delete')}>
                  Delete
                </Button>
              </Group>
            )}
          </Group>
          <NoticeAlert notice={notice} />
          <ServiceProvider connection={c} />
          <ConnectionSettings connection={c} />
          {c.protocol === 'saml' && (
            <ConnectionCertificates
              orgId={orgId}
              connection={c}
              manages={manages}
              onChanged={read.reload}
            />
          )}
        </>
      )}
      {asking === 'edit' && c && (
        <ConnectionDialog
          connection={c}
          onClose={() => setAsking(undefined)}
          save={async (input) => {
            const saved = await ssoApi.updateConnection(orgId, c.id, input);
            setAsking(undefined);
            setNotice({ ok: true, text: `${saved.name} saved.` });
            await read.reload();
          }}
        />
      )}
      <ConfirmDialog
        opened={asking === 'delete'}
        title="Delete this connection?"
        confirmLabel="Delete connection"
        danger
        onConfirm={async () => {
          await ssoApi.deleteConnection(orgId, connectionId);
          navigate(list);
        }}
        onClose={() => setAsking(undefined)}
      >
        <Text>
          Users can no longer sign in through <strong>{c?.name}</strong>; its domains lead nowhere
          until they are linked to another connection, and the links between its identities and
          Vigil's users are forgotten. The users themselves stay. With the SSO policy requiring SSO,
          they cannot sign in until another connection serves them.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}

/** What the upstream identity provider is given about Vigil. */
function ServiceProvider({ connection: c }: { connection: Connection }) {
  const sp = c.serviceProvider;
  const rows: [string, ReactNode][] =
    c.protocol === 'saml'
      ? [
          ['Entity ID (audience)', <CopyValue key="e" label="SP entity ID" value={sp.entityId} />],
          ['ACS URL (reply URL)', <CopyValue key="a" label="ACS URL" value={sp.acsUrl} />],
          ['Metadata URL', <CopyValue key="m" label="SP metadata URL" value={sp.metadataUrl} />],
        ]
      : [['Redirect URI', <CopyValue key="r" label="Redirect URI" value={sp.redirectUri} />]];
  return (
    <Stack component="section" aria-label="Give the identity provider" gap="xs">
      <Title order={3} size="h4">
        Give the identity provider
      </Title>
      <Text size="sm" c="dimmed">
        {c.protocol === 'saml'
          ? 'Register Vigil as a SAML application there with these (or its metadata URL alone).'
          : 'Register Vigil as a web application there with this redirect URI.'}
      </Text>
      <SettingsTable label="Service provider details" rows={rows} />
    </Stack>
  );
}

function ConnectionSettings({ connection: c }: { connection: Connection }) {
  const mapping = c.attributeMapping;
  const rows: [string, ReactNode][] = [];
  if (c.saml)
    rows.push(
      ['Identity provider entity ID', <Code key="e">{c.saml.idpEntityId}</Code>],
      ['Sign-in (SSO) URL', <Code key="s">{c.saml.idpSsoUrl}</Code>],
      ['Logout (SLO) URL', c.saml.idpSloUrl ? <Code key="l">{c.saml.idpSloUrl}</Code> : '—'],
      [
        'Metadata URL',
        c.saml.metadataUrl ? (
          <Code key="m">{c.saml.metadataUrl}</Code>
        ) : (
          'none (uploaded or entered)'
        ),
      ],
    );
  if (c.oidc)
    rows.push(
      ['Issuer', <Code key="i">{c.oidc.issuer}</Code>],
      ['Client ID', <Code key="c">{c.oidc.clientId}</Code>],
      ['Client secret', c.oidc.hasClientSecret ? 'set' : 'not set (public client, PKCE)'],
      ['Scopes', c.oidc.scopes.join(' ')],
    );
  rows.push(
    ['Users', provisioningLabel[c.provisioning]],
    ['Email from', mapping.email ?? 'the protocol’s default'],
    ['Name from', mapping.displayName ?? 'the protocol’s default'],
    ['Second factor when', <Values key="mfa" values={mapping.mfaValues ?? []} />],
    ['Added', <DateTime key="c" value={c.createdAt} />],
    ['Changed', <DateTime key="u" value={c.updatedAt} />],
  );
  return <SettingsTable label="Connection settings" rows={rows} />;
}
