import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useState } from 'react';
import { Link } from 'react-router';
import { type Access, firstPathIn } from '../access.ts';
import { api, type Organization } from '../api.ts';
import { LoadState } from '../components/LoadState.tsx';
import { fieldError, RefusalAlert } from '../components/Refusal.tsx';
import { useLoaded } from '../components/useLoaded.ts';
import { useSending } from '../components/useSending.ts';
import { OrganizationStatusAction } from './OrganizationStatus.tsx';

/** A platform administrator sees every organization; anyone else their own. */
async function visibleOrganizations(access: Access): Promise<Organization[]> {
  if (access.permissions.has('platform.orgs')) return api.organizations();
  return [await api.organization(access.orgId)];
}

export function Organizations({ access }: { access: Access }) {
  const orgs = useLoaded(useCallback(() => visibleOrganizations(access), [access]));
  return (
    <Stack>
      <Title order={2}>Organizations</Title>
      {access.permissions.has('platform.orgs') && <CreateOrganization onCreated={orgs.reload} />}
      <LoadState error={orgs.error} loading={!orgs.data} what="the organizations" />
      {orgs.data && <OrganizationTable access={access} orgs={orgs.data} onChanged={orgs.reload} />}
    </Stack>
  );
}

function OrganizationTable({
  access,
  orgs,
  onChanged,
}: {
  access: Access;
  orgs: Organization[];
  onChanged: () => Promise<void>;
}) {
  // A platform administrator suspends customer organizations, never their own (the platform).
  const managesOrgs = access.permissions.has('platform.orgs');
  if (orgs.length === 0)
    return <Text c="dimmed">No organizations yet: create the first one above.</Text>;
  return (
    <Table striped highlightOnHover aria-label="Organizations">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Slug</Table.Th>
          <Table.Th>Status</Table.Th>
          {managesOrgs && <Table.Th>Actions</Table.Th>}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {orgs.map((org) => (
          <Table.Tr key={org.id}>
            <Table.Td>
              <OrganizationName access={access} org={org} />
            </Table.Td>
            <Table.Td>
              <code>{org.slug}</code>
            </Table.Td>
            <Table.Td>
              <Badge color={org.status === 'active' ? 'green' : 'red'} variant="light">
                {org.status}
              </Badge>
            </Table.Td>
            {managesOrgs && (
              <Table.Td>
                {org.id !== access.orgId && (
                  <OrganizationStatusAction org={org} onChanged={onChanged} />
                )}
              </Table.Td>
            )}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** A link into the organization's first section this user may open (its users, say). */
function OrganizationName({ access, org }: { access: Access; org: Organization }) {
  const path = firstPathIn(access, org.id);
  if (!path) return <>{org.name}</>;
  return (
    <Anchor component={Link} to={path}>
      {org.name}
    </Anchor>
  );
}

/** The create form: the problem's `detail` above it, each field's error next to the field. */
function CreateOrganization({ onCreated }: { onCreated: () => Promise<void> }) {
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const { busy, refusal, send } = useSending();

  function submit(event: FormEvent) {
    event.preventDefault();
    void send(async () => {
      await api.createOrganization({ slug: slug.trim(), name: name.trim() });
      setSlug('');
      setName('');
      await onCreated();
    });
  }

  return (
    <Card withBorder component="form" onSubmit={submit} aria-label="Create an organization">
      <Stack gap="sm">
        <Title order={3} size="h5">
          Create an organization
        </Title>
        <RefusalAlert refusal={refusal} title="Not created" />
        <Group align="flex-start" grow>
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(refusal, 'name')}
          />
          <TextInput
            label="Slug"
            description="Lowercase letters, digits and hyphens; users type it to sign in"
            required
            value={slug}
            onChange={(e) => setSlug(e.currentTarget.value)}
            error={fieldError(refusal, 'slug')}
          />
        </Group>
        <Group>
          <Button type="submit" loading={busy}>
            Create
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
