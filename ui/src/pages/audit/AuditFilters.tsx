import { Button, Group, Select, TextInput } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { fieldError, type Refusal } from '../../components/Refusal.tsx';
import type { AuditAction, AuditFilter, Outcome } from './api.ts';

const outcomes: { value: Outcome; label: string }[] = [
  { value: 'success', label: 'Success' },
  { value: 'failure', label: 'Failure' },
  { value: 'denied', label: 'Denied' },
];

/** The catalog as choices, grouped by their first word, each group led by all of its actions. */
function actionChoices(actions: AuditAction[]) {
  const groups = new Map<string, string[]>();
  for (const { action } of actions) {
    const family = action.split('.')[0] ?? action;
    groups.set(family, [...(groups.get(family) ?? []), action]);
  }
  return [...groups].map(([family, members]) => ({
    group: family,
    items: [
      ...(members.length > 1 ? [{ value: `${family}.*`, label: `Any ${family}.* action` }] : []),
      ...members.map((action) => ({ value: action, label: action })),
    ],
  }));
}

/** A datetime-local field's value (the user's time zone) as ISO 8601, and back. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);
function localOf(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** The filter being edited: applied on submit, so that typing an id does not query each key. */
export function AuditFilters({
  actions,
  applied,
  refusal,
  onApply,
}: {
  actions: AuditAction[] | undefined;
  applied: AuditFilter;
  refusal: Refusal | undefined;
  onApply: (filter: AuditFilter) => void;
}) {
  const [draft, setDraft] = useState(applied);
  // A filter set from elsewhere (an event's actor or target) shows in the form.
  useEffect(() => setDraft(applied), [applied]);
  const set = (name: keyof AuditFilter) => (value: string | null) =>
    setDraft((d) => ({ ...d, [name]: value?.trim() || undefined }));
  const error = (name: keyof AuditFilter) => fieldError(refusal, name);

  function submit(event: FormEvent) {
    event.preventDefault();
    onApply(draft);
  }

  return (
    <form onSubmit={submit} aria-label="Filter the audit log">
      <Group align="flex-end" gap="sm">
        <Select
          label="Action"
          placeholder={actions ? 'Any action' : 'Loading actions…'}
          data={actionChoices(actions ?? [])}
          value={draft.action ?? null}
          onChange={set('action')}
          searchable
          clearable
          error={error('action')}
          w={260}
        />
        <Select
          label="Outcome"
          placeholder="Any outcome"
          data={outcomes}
          value={draft.outcome ?? null}
          onChange={set('outcome')}
          clearable
          error={error('outcome')}
          w={150}
        />
        <TextInput
          label="Actor id"
          placeholder="A user, API key or client id"
          value={draft.actorId ?? ''}
          onChange={(e) => set('actorId')(e.currentTarget.value)}
          error={error('actorId')}
        />
        <TextInput
          label="Target id"
          value={draft.targetId ?? ''}
          onChange={(e) => set('targetId')(e.currentTarget.value)}
          error={error('targetId')}
        />
        <TextInput
          label="From"
          type="datetime-local"
          value={localOf(draft.from)}
          onChange={(e) => set('from')(isoOf(e.currentTarget.value) ?? null)}
          error={error('from')}
        />
        <TextInput
          label="Until"
          type="datetime-local"
          value={localOf(draft.to)}
          onChange={(e) => set('to')(isoOf(e.currentTarget.value) ?? null)}
          error={error('to')}
        />
        <Button type="submit">Apply filters</Button>
        <Button variant="default" onClick={() => onApply({})}>
          Clear
        </Button>
      </Group>
    </form>
  );
}
