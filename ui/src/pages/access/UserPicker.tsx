import { Select } from '@mantine/core';
import { useEffect, useState } from 'react';
import { accessApi, type UserSummary } from './api.ts';

/**
 * A user of the organization, found by what the administrator types (email or name): the
 * admin API searches, so an organization of any size answers a few matches.
 */
export function UserPicker({
  orgId,
  value,
  onChange,
  error,
}: {
  orgId: string;
  value: string | null;
  onChange: (userId: string | null) => void;
  error?: string;
}) {
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<UserSummary[]>([]);
  const [chosen, setChosen] = useState<UserSummary>();
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    // Choosing a user puts their label in the search box: nothing to look for then.
    if (chosen && search === labelOf(chosen)) return;
    let live = true;
    // A pause while typing: one search for the word, not one per key.
    const timer = setTimeout(() => {
      accessApi.findUsers(orgId, search.trim()).then(
        (users) => {
          if (!live) return;
          setFound(users);
          setFailure(undefined);
        },
        (err: unknown) => live && setFailure(err instanceof Error ? err.message : String(err)),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [orgId, search, chosen]);

  const options = chosen ? [chosen, ...found.filter((u) => u.id !== chosen.id)] : found;

  return (
    <Select
      label="User"
      description="Type part of their email or name"
      required
      searchable
      clearable
      filter={({ options }) => options}
      searchValue={search}
      onSearchChange={setSearch}
      data={options.map((u) => ({ value: u.id, label: labelOf(u) }))}
      value={value}
      onChange={(userId) => {
        setChosen(options.find((u) => u.id === userId));
        onChange(userId);
      }}
      nothingFoundMessage={search ? 'No active user matches' : 'Type to search'}
      error={error ?? failure}
    />
  );
}

const labelOf = (user: UserSummary) =>
  user.displayName ? `${user.displayName} <${user.email}>` : user.email;
