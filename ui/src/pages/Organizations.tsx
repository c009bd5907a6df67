import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { type Access, firstPathIn } from '../access.ts';
import { ApiError, api, type Organization } from '../api.ts';

/** A platform administrator sees every organization; anyone else their own. */
async function visibleOrganizations(access: Access): Promise<Organization[]> {
  if (access.permissions.has('platform.orgs')) return api.organizations();
  return [await api.organization(access.orgId)];
}

export function Organizations({ access }: { access: Access }) {
  const [orgs, setOrgs] = useState<Organization[]>();
  const [error, setError] = useState<string>();
  const reload = useCallback(
    () =>
      visibleOrganizations(access).then(setOrgs, (err: unknown) =>
        setError(err instanceof Error ? err.message : String(err)),
      ),
    [access],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  return (
    <Stack>
      <Title order={2}>Organizations</Title>
      {access.permissions.has('platform.orgs') && <CreateOrganization onCreated={reload} />}
      {error && (
        <Alert color="red" title="The organizations could not be read" role="alert">
          {error}
        </Alert>
      )}
      {!orgs && !error && <Loader aria-label="Loading organizations" />}
      {orgs && <OrganizationTable access={access} orgs={orgs} />}
    </Stack>
  );
}

function OrganizationTable({ access, orgs }: { access: Access; orgs: Organization[] }) {
  if (orgs.length === 0)
    return <Text c="dimmed">No organizations yet: create the first one above.</Text>;
  return (
    <Table striped highlightOnHover aria-label="Organizations">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Slug</Table.Th>
          <Table.Th>Status</Table.Th>
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
              <Badge color={org.status === 'active' ? 'green' : 'gray'} variant="light">
                {org.status}
              </Badge>
            </Table.Td>
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
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ detail: string; fields: Record<string, string> }>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setRefusal(undefined);
    try {
      await api.createOrganization({ slug: slug.trim(), name: name.trim() });
      setSlug('');
      setName('');
      await onCreated();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setRefusal({ detail: err.message, fields: err.fieldErrors() });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card withBorder component="form" onSubmit={submit} aria-label="Create an organization">
      <Stack gap="sm">
        <Title order={3} size="h5">
          Create an organization
        </Title>
        {refusal && (
          <Alert color="red" title="Not created" role="alert">
            {refusal.detail}
          </Alert>
        )}
        <Group align="flex-start" grow>
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={refusal?.fields.name}
          />
          <TextInput
            label="Slug"
            description="Lowercase letters, digits and hyphens; users type it to sign in"
            required
            value={slug}
            onChange={(e) => setSlug(e.currentTarget.value)}
            error={refusal?.fields.slug}
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
