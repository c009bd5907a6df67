import { Badge, Button, Code, Table, Text, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Access } from '../access.ts';
import { DateTime } from './DateTime.tsx';

/** What API keys and SCIM tokens share as the admin API shows them: never their secret. */
export interface Credential {
  id: string;
  name: string;
  /** Who made it (null: the operator at the CLI). */
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

export type CredentialStatus = 'active' | 'expired' | 'revoked';

/** Where a credential stands now: revoked, past its expiry, or usable. */
export function credentialStatus(credential: Credential, now = Date.now()): CredentialStatus {
  if (credential.revokedAt) return 'revoked';
  return Date.parse(credential.expiresAt) <= now ? 'expired' : 'active';
}

const statusColor = { active: 'green', expired: 'gray', revoked: 'red' } as const;

/** Who made a credential, as the signed-in administrator reads it. */
export function creatorOf(credential: Credential, access: Access): ReactNode {
  if (credential.createdBy === null) return 'the operator (CLI)';
  if (credential.createdBy === access.userId) return 'you';
  return <Code>{credential.createdBy}</Code>;
}

/** A column a kind of credential adds after the name (an API key's permissions). */
export interface CredentialColumn<T> {
  header: string;
  cell: (credential: T) => ReactNode;
}

/**
 * The table of an organization's bearer credentials (API keys, SCIM tokens): name, the kind's own
 * columns, created, expires, last use, status, and Revoke while it is active.
 */
export function CredentialTable<T extends Credential>({
  label,
  credentials,
  empty,
  columns = [],
  createdBy,
  onRevoke,
}: {
  /** The table's accessible name. */
  label: string;
  credentials: T[];
  /** What stands instead of an empty table. */
  empty: string;
  columns?: CredentialColumn<T>[];
  /** Who made it, under its creation date, when no column says so. */
  createdBy?: (credential: T) => ReactNode;
  onRevoke: (credential: T) => void;
}) {
  if (credentials.length === 0) return <Text c="dimmed">{empty}</Text>;
  return (
    <Table striped highlightOnHover aria-label={label}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          {columns.map((column) => (
            <Table.Th key={column.header}>{column.header}</Table.Th>
          ))}
          <Table.Th>Created</Table.Th>
          <Table.Th>Expires</Table.Th>
          <Table.Th>Last used</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {credentials.map((credential) => {
          const status = credentialStatus(credential);
          return (
            <Table.Tr key={credential.id}>
              <Table.Td>{credential.name}</Table.Td>
              {columns.map((column) => (
                <Table.Td key={column.header}>{column.cell(credential)}</Table.Td>
              ))}
              <Table.Td>
                <DateTime value={credential.createdAt} />
                {createdBy && (
                  <Text size="xs" c="dimmed">
                    by {createdBy(credential)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <DateTime value={credential.expiresAt} />
              </Table.Td>
              <Table.Td>
                <DateTime value={credential.lastUsedAt} fallback="never" />
                {credential.lastUsedIp && ` from ${credential.lastUsedIp}`}
              </Table.Td>
              <Table.Td>
                <Badge color={statusColor[status]} variant="light">
                  {status}
                </Badge>
              </Table.Td>
              <Table.Td>
                {status === 'active' && (
                  <Button
                    size="xs"
                    color="red"
                    variant="light"
                    aria-label={`Revoke ${credential.name}`}
                    onClick={() => onRevoke(credential)}
                  >
                    Revoke
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
