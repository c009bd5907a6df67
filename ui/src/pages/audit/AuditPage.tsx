import { Group, Stack, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import type { Access } from '../../access.ts';
import { RefusalAlert } from '../../components/Refusal.tsx';
import { Unreachable } from '../../components/Unreachable.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { useUserNames } from '../../components/useUserNames.ts';
import { ArchivesCard } from './ArchivesCard.tsx';
import { AuditFilters } from './AuditFilters.tsx';
import { type AuditEvent, type AuditFilter, auditApi } from './api.ts';
import { filterOfQuery } from './auditLink.ts';
import { EventDrawer } from './EventDrawer.tsx';
import { EventTable, userIdsOf } from './EventTable.tsx';
import { ExportButtons } from './ExportButtons.tsx';
import { useEventPages } from './useEventPages.ts';
import { VerificationCard } from './VerificationCard.tsx';

/**
 * The organization's audit log for its administrators and auditors (`audit.read`): whether it is
 * intact, its events filtered and read as the user scrolls, one event in full, and its export.
 */
export function AuditPage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  // Another organization starts afresh: no filter, no open event carried over.
  return (
    <AuditLog
      key={orgId}
      orgId={orgId}
      readsUsers={access.permissions.has('users.read')}
      // The audit archives are the platform's: its own organization, for `platform.settings`.
      showsArchives={orgId === access.orgId && access.permissions.has('platform.settings')}
    />
  );
}

function AuditLog({
  orgId,
  readsUsers,
  showsArchives,
}: {
  orgId: string;
  readsUsers: boolean;
  showsArchives: boolean;
}) {
  // A link from another page (an alert's events) opens the log on its filter.
  const [params] = useSearchParams();
  const [filter, setFilter] = useState<AuditFilter>(() => filterOfQuery(params));
  const [open, setOpen] = useState<AuditEvent>();
  const actions = useLoaded(useCallback(() => auditApi.actions(orgId), [orgId]));
  const pages = useEventPages(orgId, filter);
  const names = useUserNames(orgId, userIdsOf(pages.events ?? []), readsUsers);
  const filtered = Object.values(filter).some(Boolean);

  function narrow(next: AuditFilter) {
    setOpen(undefined);
    setFilter(next);
  }

  // Another organization's log (or one the user may not read): nothing of it, not even its tools.
  if (actions.error?.status === 403)
    return (
      <Stack>
        <Title order={2}>Audit log</Title>
        <Unreachable problem={actions.error} what="the audit log of this organization" />
      </Stack>
    );
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Audit log</Title>
        <ExportButtons orgId={orgId} filter={filter} />
      </Group>
      <VerificationCard orgId={orgId} />
      {showsArchives && <ArchivesCard orgId={orgId} />}
      <AuditFilters
        actions={actions.data}
        applied={filter}
        refusal={pages.refusal}
        onApply={setFilter}
      />
      <RefusalAlert refusal={pages.refusal} title="The events could not be read" />
      <EventTable pages={pages} names={names} filtered={filtered} onOpen={setOpen} />
      <EventDrawer
        event={open}
        actions={actions.data}
        names={names}
        onClose={() => setOpen(undefined)}
        onFilter={narrow}
      />
    </Stack>
  );
}
