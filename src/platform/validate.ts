import type { z } from 'zod';
import type { AppError, RaiseOptions } from './errors.ts';

/**
 * Characters no text Vigil takes may carry: the C0 controls other than tab, line feed and
 * carriage return, DEL, and the C1 controls. PostgreSQL cannot store NUL in `text` or `jsonb`
 * (the insert fails), and the others have no place in a name, an address or a reason: they hide
 * or rewrite text in logs, exports and pages.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job.
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Text Vigil accepts: well-formed Unicode (no lone surrogate) without control characters. */
export function isCleanText(value: string): boolean {
  return value.isWellFormed() && !controlCharacter.test(value);
}

const uncleanMessage = 'contains a control character or is not valid Unicode';

/** The path of every string in `input`, object keys included, that is not clean text. */
function uncleanPaths(input: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  if (typeof input === 'string') return isCleanText(input) ? [] : [path];
  if (Array.isArray(input)) return input.flatMap((item, i) => uncleanPaths(item, [...path, i]));
  if (input === null || typeof input !== 'object') return [];
  return Object.entries(input).flatMap(([key, value]) =>
    isCleanText(key) ? uncleanPaths(value, [...path, key]) : [[...path, key]],
  );
}

interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  errors?: Issue[][];
}

/**
 * The issues of an input no branch of a union takes, as the branch it came closest to reports
 * them (the fewest issues): `{ privilegedEvery: 'month' }` against "a preset or every setting"
 * names `privilegedEvery` rather than a bare "Invalid input". Branch paths are relative.
 */
function closestBranch(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return [issue];
  const closest = issue.errors.reduce((best, branch) =>
    branch.length < best.length ? branch : best,
  );
  if (closest.length === 0) return [issue];
  return closest.flatMap((inner) =>
    closestBranch({ ...inner, path: [...issue.path, ...inner.path] }),
  );
}

/** The registry error for input that fails its schema: `{field}: {problem}`. */
export type InvalidInput = (params: { field: string; problem: string } & RaiseOptions) => AppError;

/**
 * Parses input with its zod schema: the one gate for text from outside (admin API bodies and
 * queries, service input). Any problem, a string with a control character included, becomes an
 * `invalid` AppError whose message names the first field (`email: Invalid email address`) and
 * whose details list every one. `invalid` is the module's registry error for it.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  invalid: InvalidInput,
): z.output<S> {
  const parsed = schema.safeParse(input);
  const issues = [
    ...uncleanPaths(input).map((path) => ({ path, message: uncleanMessage })),
    ...(parsed.success ? [] : parsed.error.issues.flatMap(closestBranch)),
  ];
  const first = issues[0];
  if (parsed.success && !first) return parsed.data;
  throw invalid({
    field: String(first?.path[0] ?? 'input'),
    problem: String(first?.message),
    details: {
      errors: issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    },
  });
}
