import { Anchor, Box, Code, List, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback } from 'react';
import { Link } from 'react-router';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { type Control, type ControlException, complianceApi, type HistoryStretch } from './api.ts';
import { ControlStatusBadge } from './Badges.tsx';

/** An open control: what an auditor reads about it, what its check found, and its history. */
export function ControlDetails({
  orgId,
  control,
  criteria,
  linksUsers,
}: {
  orgId: string;
  control: Control;
  criteria: Record<string, string>;
  linksUsers: boolean;
}) {
  const { result } = control;
  return (
    <Stack gap="md">
      <Text size="sm">{control.description}</Text>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack gap={4}>
          <Title order={4} size="h6">
            What the check tests
          </Title>
          <Text size="sm">{control.test}</Text>
          <Text size="sm" c="dimmed">
            {control.scope === 'platform'
              ? 'Checked once for the whole installation.'
              : 'Checked in this organization.'}
          </Text>
        </Stack>
        <Stack gap={4}>
          <Title order={4} size="h6">
            SOC 2 criteria
          </Title>
          <Box component="dl" m={0}>
            {control.criteria.map((c) => (
              <div key={c}>
                <Text component="dt" size="sm" fw={600}>
                  {c}
                </Text>
                <Text component="dd" size="sm" ml={0} mb={4}>
                  {criteria[c] ?? 'Not described by the API.'}
                </Text>
              </div>
            ))}
          </Box>
        </Stack>
      </SimpleGrid>

      <Stack gap={4}>
        <Title order={4} size="h6">
          Latest result
        </Title>
        {result ? (
          <>
            <Text size="sm">
              {sentence(result.summary)} Checked <DateTime value={result.checkedAt} />, the same
              since <DateTime value={result.since} />.
            </Text>
            {result.exceptions.length > 0 && (
              <List size="sm" aria-label={`Exceptions of ${control.title}`}>
                {result.exceptions.map((e) => (
                  <List.Item key={`${e.subject?.type}:${e.subject?.id}:${e.message}`}>
                    <ExceptionText exception={e} orgId={orgId} linksUsers={linksUsers} />
                  </List.Item>
                ))}
              </List>
            )}
          </>
        ) : (
          <Text size="sm" c="dimmed">
            Not checked yet: the checks run on a schedule, or now with “Run checks now”.
          </Text>
        )}
      </Stack>

      <Stack gap={4}>
        <Title order={4} size="h6">
          Evidence in the pack
        </Title>
        <List size="sm" aria-label={`Evidence files of ${control.title}`}>
          {control.evidence.map((file) => (
            <List.Item key={file}>
              <Code>{file}</Code>
            </List.Item>
          ))}
        </List>
      </Stack>

      <History orgId={orgId} control={control} />
    </Stack>
  );
}

/** An exception's line, and what it is about: a link to the user when it is one. */
function ExceptionText({
  exception,
  orgId,
  linksUsers,
}: {
  exception: ControlException;
  orgId: string;
  linksUsers: boolean;
}) {
  const { message, subject } = exception;
  if (!subject) return <>{message}</>;
  const about =
    subject.type === 'user' && linksUsers ? (
      <Anchor
        component={Link}
        to={`/orgs/${encodeURIComponent(orgId)}/users/${encodeURIComponent(subject.id)}`}
      >
        the user
      </Anchor>
    ) : (
      <Code>
        {subject.type} {subject.id}
      </Code>
    );
  return (
    <>
      {message}{' '}
      <Text span size="xs" c="dimmed">
        ({about})
      </Text>
    </>
  );
}

/** Every stretch of equal results of the control, newest first. */
function History({ orgId, control }: { orgId: string; control: Control }) {
  const history = useLoaded(
    useCallback(() => complianceApi.history(orgId, control.id), [orgId, control.id]),
  );
  const what = `the history of ${control.title}`;
  return (
    <Stack gap={4}>
      <Title order={4} size="h6">
        History
      </Title>
      <LoadState error={history.error} loading={!history.data} what={what} />
      {history.data &&
        (history.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            No result recorded yet.
          </Text>
        ) : (
          <Table striped aria-label={`History of ${control.title}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Status</Table.Th>
                <Table.Th>Result</Table.Th>
                <Table.Th>Exceptions</Table.Th>
                <Table.Th>First found</Table.Th>
                <Table.Th>Last found</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {newestFirst(history.data).map((stretch) => (
                <Table.Tr key={stretch.since}>
                  <Table.Td>
                    <ControlStatusBadge status={stretch.status} />
                  </Table.Td>
                  <Table.Td>{stretch.summary}</Table.Td>
                  <Table.Td>{stretch.exceptions.length}</Table.Td>
                  <Table.Td>
                    <DateTime value={stretch.since} />
                  </Table.Td>
                  <Table.Td>
                    <DateTime value={stretch.until} fallback="now" />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ))}
    </Stack>
  );
}

const newestFirst = (stretches: HistoryStretch[]) =>
  [...stretches].sort((a, b) => Date.parse(b.since) - Date.parse(a.since));

/** A summary as a sentence of its own, ending with a full stop (the checks' do not all have one). */
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
