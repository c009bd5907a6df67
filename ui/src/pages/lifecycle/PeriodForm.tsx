import { Button, Group, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { ReportPeriod } from './api.ts';

const dayMs = 86_400_000;

/** A day (`yyyy-mm-dd`) of the user's calendar, as the date field shows it. */
function dayOf(date: Date): string {
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

/** The first instant of a day of the user's calendar. */
const startOf = (day: string) => new Date(`${day}T00:00`);

/**
 * The days shown (both included) as the report's period: from the first day's midnight to the
 * midnight after the last, in the user's time zone.
 */
export function periodOf(fromDay: string, untilDay: string): ReportPeriod {
  const until = startOf(untilDay);
  until.setDate(until.getDate() + 1);
  return { from: startOf(fromDay).toISOString(), to: until.toISOString() };
}

/** The last 30 days, today included. */
export function lastThirtyDays(now = new Date()) {
  return { fromDay: dayOf(new Date(now.getTime() - 29 * dayMs)), untilDay: dayOf(now) };
}

/** The period's two days, applied on submit (the report is read once per period). */
export function PeriodForm({
  initial,
  onApply,
}: {
  initial: { fromDay: string; untilDay: string };
  onApply: (days: { fromDay: string; untilDay: string }) => void;
}) {
  const [draft, setDraft] = useState(initial);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (draft.fromDay && draft.untilDay) onApply(draft);
  }
  return (
    <form onSubmit={submit} aria-label="Period of the report">
      <Group align="flex-end" gap="sm">
        <TextInput
          label="From"
          type="date"
          required
          value={draft.fromDay}
          onChange={(e) => setDraft({ ...draft, fromDay: e.currentTarget.value })}
        />
        <TextInput
          label="Until (included)"
          type="date"
          required
          value={draft.untilDay}
          onChange={(e) => setDraft({ ...draft, untilDay: e.currentTarget.value })}
        />
        <Button type="submit">Show</Button>
      </Group>
    </form>
  );
}
