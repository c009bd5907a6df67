import { Alert } from '@mantine/core';
import { ApiError } from '../api.ts';

/** Why the API refused a change: the problem's `detail`, and each failed field's message. */
export interface Refusal {
  detail: string;
  fields: Record<string, string>;
}

/** The refusal a form shows; anything but an API refusal is a fault and goes on up. */
export function refusalOf(err: unknown): Refusal {
  if (!(err instanceof ApiError)) throw err;
  return { detail: err.message, fields: err.fieldErrors() };
}

/**
 * The message for a field next to its input: its own, or that of one of its items (a list
 * field's errors name the item, `redirectUris.1`).
 */
export function fieldError(refusal: Refusal | undefined, field: string): string | undefined {
  if (!refusal) return undefined;
  const item = Object.keys(refusal.fields).find((path) => path.startsWith(`${field}.`));
  return refusal.fields[field] ?? (item && refusal.fields[item]);
}

/** The problem's `detail` above the form that was refused. */
export function RefusalAlert({ refusal, title }: { refusal: Refusal | undefined; title: string }) {
  if (!refusal) return null;
  return (
    <Alert color="red" title={title} role="alert">
      {refusal.detail}
    </Alert>
  );
}
