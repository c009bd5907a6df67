import { Anchor, Button, Code, Group, Stack, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { ApplicationDialog } from './ApplicationDialog.tsx';
import { attributeSources, nameIdFormats, type SamlApplication, ssoApi } from './api.ts';
import {
  CopyValue,
  EnabledBadge,
  messageOf,
  type Notice,
  NoticeAlert,
  SettingsTable,
  Values,
} from './parts.tsx';

const binding = { post: 'HTTP-POST', redirect: 'HTTP-Redirect' } as const;
const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/**
 * One SAML application: every setting, the IdP-initiated link when it allows one, and for
 * `sso.manage` edit, enable or disable, and delete (after a confirmation).
 */
export function ApplicationPage({ access }: { access: Access }) {
  const { orgId = access.orgId, applicationId = '' } = useParams();
  const app = useLoaded(
    useCallback(() => ssoApi.application(orgId, applicationId), [orgId, applicationId]),
  );
  const [asking, setAsking] = useState<'edit' | 'delete'>();
  const [notice, setNotice] = useState<Notice>();
  const navigate = useNavigate();
  const manages = access.permissions.has('sso.manage');
  const list = `/orgs/${encodeURIComponent(orgId)}/sso/applications`;

  async function toggle(a: SamlApplication) {
    setNotice(undefined);
    try {
      await ssoApi.updateApplication(orgId, a.id, { enabled: !a.enabled });
      setNotice({ ok: true, text: `${a.name} ${a.enabled ? 'disabled' : 'enabled'}.` });
      await app.reload();
    } catch (err) {
      setNotice({ ok: false, text: messageOf(err) });
    }
  }

  return (
    <Stack>
      <Anchor component={Link} to={list} size="sm">
        ← SAML applications
      </Anchor>
      <LoadState error={app.error} loading={!app.data} what="the SAML application" />
      {app.data && (
        <>
          <Group justify="space-between">
            <Group>
              <Title order={2}>{app.data.name}</Title>
              <EnabledBadge enabled={app.data.enabled} />
            </Group>
            {manages && (
              <Group>
                <Button variant="default" onClick={() => setAsking('edit')}>
                  Edit
                </Button>
                <Button variant="default" onClick={() => app.data && void toggle(app.data)}>
                  {app.data.enabled ? 'Disable' : 'Enable'}
                </Button>
                <Button color="red" variant="light" onClick={() => setAsking('delete')}>
                  Delete
                </Button>
              </Group>
            )}
          </Group>
          <NoticeAlert notice={notice} />
          {app.data.idpInitiated && app.data.initiateUrl && (
            <Stack gap={4}>
              <Text fw={600}>IdP-initiated sign-in link</Text>
              <Text size="sm" c="dimmed">
                A link for a portal or a bookmark: it signs the user in (through Vigil's sign-in if
                need be) and posts a response to the application's default ACS URL.
              </Text>
              <CopyValue label="IdP-initiated sign-in link" value={app.data.initiateUrl} />
            </Stack>
          )}
          <ApplicationSettings app={app.data} />
        </>
      )}
      {asking === 'edit' && app.data && (
        <ApplicationDialog
          application={app.data}
          onClose={() => setAsking(undefined)}
          save={async (input) => {
            const saved = await ssoApi.updateApplication(orgId, applicationId, input);
            setAsking(undefined);
            setNotice({ ok: true, text: `${saved.name} saved.` });
            await app.reload();
          }}
        />
      )}
      <ConfirmDialog
        opened={asking === 'delete'}
        title="Delete this application?"
        confirmLabel="Delete application"
        danger
        onConfirm={async () => {
          await ssoApi.deleteApplication(orgId, applicationId);
          navigate(list);
        }}
        onClose={() => setAsking(undefined)}
      >
        <Text>
          <strong>{app.data?.name}</strong> can no longer sign anyone in through Vigil, and its
          sign-ins in progress are refused. To stop it only for a while, disable it instead.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}

function ApplicationSettings({ app }: { app: SamlApplication }) {
  return (
    <SettingsTable
      label="Application settings"
      rows={[
        ['Entity ID', <Code key="e">{app.entityId}</Code>],
        [
          'ACS URLs',
          <Stack key="acs" gap={2}>
            {app.acsUrls.map((a) => (
              <Text key={`${a.index}-${a.url}`} size="sm">
                <Code style={{ wordBreak: 'break-all' }}>{a.url}</Code> HTTP-POST, index {a.index}
                {a.isDefault && ' (default)'}
              </Text>
            ))}
          </Stack>,
        ],
        [
          'Single logout',
          app.sloUrl ? (
            <Text key="slo" size="sm">
              <Code style={{ wordBreak: 'break-all' }}>{app.sloUrl}</Code>{' '}
              {app.sloBinding && binding[app.sloBinding]}
            </Text>
          ) : (
            'not supported'
          ),
        ],
        ['NameID format', nameIdFormats[app.nameIdFormat]],
        [
          'Attributes sent',
          <Values
            key="attrs"
            values={app.attributeMapping.map(
              (a) =>
                `${a.name} ← ${attributeSources[a.source]}${a.nameFormat ? ` (${a.nameFormat.replace(/^urn:oasis:names:tc:SAML:2\.0:attrname-format:/, '')})` : ''}`,
            )}
          />,
        ],
        ['Signed response', yesNo(app.signResponse)],
        ['Signed assertion', yesNo(app.signAssertion)],
        ['Encrypted assertion', yesNo(app.encryptAssertion)],
        ['Signed requests required', yesNo(app.wantRequestsSigned)],
        ['Application certificate', app.spCertificate ? 'given' : 'none'],
        ['IdP-initiated sign-in', app.idpInitiated ? 'allowed' : 'not allowed'],
        ['Default RelayState', app.defaultRelayState ?? '—'],
        ['Added', <DateTime key="c" value={app.createdAt} />],
        ['Changed', <DateTime key="u" value={app.updatedAt} />],
      ]}
    />
  );
}
