import type { z } from 'zod';
import { AppError } from './errors.ts';

/**
 * Parses service input with its zod schema; the first problem becomes an `invalid` AppError
 * whose message names the field (`email: Invalid email address`).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  code: string,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AppError('invalid', code, `${String(issue?.path[0] ?? 'input')}: ${issue?.message}`, {
    details: {
      errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  });
}
