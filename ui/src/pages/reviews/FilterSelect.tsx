import { Select } from '@mantine/core';
import type { ItemTraitFilter } from './api.ts';
import { flagInfo, flagKeys } from './ItemParts.tsx';

/** What "no filter" is among the options (Mantine's clear button is not reachable by keyboard). */
const any = 'any';

/**
 * One filter of a list: its options and a first one that sets no filter ("Any flag"), so that
 * a filter is undone with the keyboard or the pointer alike.
 */
export function FilterSelect<V extends string>({
  label,
  anyLabel,
  options,
  value,
  onChange,
}: {
  label: string;
  anyLabel: string;
  options: { value: V; label: string }[];
  value: V | undefined;
  onChange: (value: V | undefined) => void;
}) {
  return (
    <Select
      label={label}
      allowDeselect={false}
      data={[{ value: any, label: anyLabel }, ...options]}
      value={value ?? any}
      onChange={(v) => onChange(v === null || v === any ? undefined : (v as V))}
    />
  );
}

/** The flag and privileged filters of a list of review items (a campaign's, a reviewer's queue). */
export function ItemTraitFilters({
  filter,
  onChange,
}: {
  filter: ItemTraitFilter;
  onChange: (patch: ItemTraitFilter) => void;
}) {
  return (
    <>
      <FilterSelect
        label="Flag"
        anyLabel="Any flag"
        options={flagKeys.map((f) => ({ value: f, label: flagInfo[f].label }))}
        value={filter.flag}
        onChange={(v) => onChange({ flag: v })}
      />
      <FilterSelect
        label="Privileged"
        anyLabel="Either"
        options={[
          { value: 'true', label: 'Privileged only' },
          { value: 'false', label: 'Not privileged' },
        ]}
        value={filter.privileged}
        onChange={(v) => onChange({ privileged: v })}
      />
    </>
  );
}
