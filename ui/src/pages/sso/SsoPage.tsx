import { Anchor, Stack, Tabs, Text, Title } from '@mantine/core';
import { Link, useNavigate, useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { Applications } from './Applications.tsx';
import { Certificates } from './Certificates.tsx';
import { Connections } from './Connections.tsx';
import { Domains } from './Domains.tsx';

const tabs = [
  { value: 'applications', label: 'SAML applications' },
  { value: 'connections', label: 'Connections' },
  { value: 'domains', label: 'Domains' },
  { value: 'certificates', label: 'Certificates' },
] as const;

type Tab = (typeof tabs)[number]['value'];

/**
 * Single sign-on (docs/sso.md), one section with a tab each: the SAML applications that sign in
 * through Vigil, the organization's own identity providers (connections), the email domains that
 * lead to them, and every certificate involved. The open tab is the address's last part
 * (`…/sso/domains`), so a link or a reload opens it again. Reading needs `org.read`; every
 * change `sso.manage`, without which no action is offered.
 */
export function SsoPage({ access }: { access: Access }) {
  const { orgId = access.orgId, tab: named } = useParams();
  const navigate = useNavigate();
  const tab: Tab = tabs.find((t) => t.value === named)?.value ?? 'applications';
  const manages = access.permissions.has('sso.manage');
  // An attestation is the platform's word: the API takes it from its administrators only.
  const attests = manages && access.permissions.has('platform.orgs');
  const base = `/orgs/${encodeURIComponent(orgId)}`;
  return (
    <Stack key={orgId}>
      <Title order={2}>Single sign-on</Title>
      <Text size="sm" c="dimmed">
        Vigil signs users in to SAML applications as their identity provider, and signs this
        organization's users in through its own identity provider (SAML or OpenID Connect), found by
        the verified domain of their email. Whether they must, and whose second factor counts, is
        the{' '}
        <Anchor component={Link} to={`${base}/policies?tab=sso`} underline="always">
          Single sign-on policy
        </Anchor>
        . Every change here is audited.
      </Text>
      <Tabs
        value={tab}
        keepMounted={false}
        onChange={(next) => next && navigate(`${base}/sso/${next}`, { replace: true })}
      >
        <Tabs.List>
          {tabs.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="applications" pt="md">
          <Applications orgId={orgId} manages={manages} />
        </Tabs.Panel>
        <Tabs.Panel value="connections" pt="md">
          <Connections orgId={orgId} manages={manages} />
        </Tabs.Panel>
        <Tabs.Panel value="domains" pt="md">
          <Domains orgId={orgId} manages={manages} attests={attests} />
        </Tabs.Panel>
        <Tabs.Panel value="certificates" pt="md">
          <Certificates orgId={orgId} manages={manages} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
