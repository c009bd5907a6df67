import { Stack, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { Deliveries } from './Deliveries.tsx';
import { SiemStreams } from './SiemStreams.tsx';
import { WebhookEndpoints } from './WebhookEndpoints.tsx';

/**
 * Where alerts and the audit log go beyond the console: the webhook endpoints alerts are posted
 * to and what was sent (`alerts.read`), the SIEM streams of the audit log (`audit.read`); each
 * changed with `alerts.manage`.
 */
export function IntegrationsPage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  const may = (permission: string) => access.permissions.has(permission);
  const manages = may('alerts.manage');
  return (
    <Stack gap="xl" key={orgId}>
      <Stack gap="xs">
        <Title order={2}>Integrations</Title>
        <Text size="sm" c="dimmed">
          Alerts go to the inbox, by mail to the administrators and to the webhook endpoints below;
          the audit log streams to a SIEM. Every change here is audited.
        </Text>
      </Stack>
      {may('alerts.read') && (
        <>
          <WebhookEndpoints orgId={orgId} manages={manages} />
          <Deliveries orgId={orgId} manages={manages} />
        </>
      )}
      {may('audit.read') && <SiemStreams orgId={orgId} manages={manages} />}
    </Stack>
  );
}
