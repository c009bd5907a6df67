import { type Expression, type SelectQueryBuilder, sql } from 'kysely';
import { precompiled } from './precompiled.ts';
import type { Tx } from './scope.ts';
import type { DB } from './tables.ts';

/** A row as PostgreSQL's JSON gives it: timestamps arrive as ISO strings, numbers as numbers. */
export type JsonRow = Record<string, unknown>;

// biome-ignore lint/suspicious/noExplicitAny: a read may select any columns of any tables.
type AnySelect = SelectQueryBuilder<DB, any, any>;

/**
 * One module's answer to a question, in a form that travels with other modules' answers in one
 * statement (`together`). The module keeps both halves: its own query (over its own tables) and
 * how its rows become the answer, so a caller learns the answer without learning the tables.
 * `decode` must not depend on the read's values: a precompiled statement decodes every run with
 * the reads it was built from.
 */
export interface BatchRead<T> {
  query(db: Tx): AnySelect;
  decode(rows: readonly JsonRow[]): T;
}

/** A list of ids a read filters on (`= ANY(ids)`): values, or the ids of a first read's rows. */
export type IdList = readonly string[] | Expression<readonly string[]>;

type Reads = Record<string, BatchRead<unknown> | undefined>;
/** A read's answer; an absent read answers undefined. */
type AnswerOf<Read> = Read extends BatchRead<infer T> ? T : undefined;
type Answers<R extends Reads> = { [K in keyof R]: AnswerOf<R[K]> };

/** Several modules' reads as one statement: its query, and how its one row becomes the answers. */
export interface Together<T> {
  query(db: Tx): AnySelect;
  decode(row: Record<string, unknown> | undefined): T;
}

const firstName = 'first';

/** A read's rows as one JSON array column: `(SELECT json_agg(t) FROM (<read>) t) AS name`. */
function column(db: Tx, name: string, read: BatchRead<unknown>) {
  return sql<
    JsonRow[]
  >`(SELECT coalesce(json_agg(t), '[]'::json) FROM (${read.query(db)}) AS t)`.as(name);
}

function present(reads: Reads): [string, BatchRead<unknown>][] {
  return Object.entries(reads).filter(
    (entry): entry is [string, BatchRead<unknown>] => entry[1] !== undefined,
  );
}

function decodeAll(
  reads: [string, BatchRead<unknown>][],
  row: Record<string, unknown> | undefined,
) {
  const answers: Record<string, unknown> = {};
  for (const [name, read] of reads) answers[name] = read.decode((row?.[name] as JsonRow[]) ?? []);
  return answers;
}

/**
 * Independent reads of several modules in one statement, one round trip: each read's rows travel
 * as one JSON array column, decoded by the module that wrote the read. For hot paths where a
 * round trip costs the server more than the reads themselves (docs/architecture.md). Values are
 * bound as parameters, as in any Kysely query.
 */
export function together<const R extends Reads>(reads: R): Together<Answers<R>> {
  const list = present(reads);
  if (list.length === 0) throw new Error('together needs at least one read');
  return {
    query: (db) => db.selectNoFrom(list.map(([name, read]) => column(db, name, read))) as AnySelect,
    decode: (row) => decodeAll(list, row) as Answers<R>,
  };
}

/**
 * A first read and reads about its rows (by their `id` column), in one statement: the first read
 * runs once, as a common table expression, and `then` gets its rows' ids as the list to filter on.
 * The answers are the first read's as `first`, and `then`'s reads'.
 */
export function togetherAfter<F, const R extends Reads>(
  first: BatchRead<F>,
  then: (ids: IdList) => R,
): Together<{ first: F } & Answers<R>> {
  const ids = sql<readonly string[]>`ARRAY(SELECT id FROM ${sql.table(firstName)})`;
  const list = present(then(ids));
  const firstRows: BatchRead<F> = {
    query: (db) => db.selectFrom(firstName as never).selectAll() as AnySelect,
    decode: first.decode,
  };
  const all: [string, BatchRead<unknown>][] = [[firstName, firstRows], ...list];
  return {
    query: (db) =>
      db
        .with(firstName, () => first.query(db))
        .selectNoFrom(all.map(([name, read]) => column(db, name, read))) as AnySelect,
    decode: (row) => decodeAll(all, row) as { first: F } & Answers<R>,
  };
}

/** Runs the statement of `reads` and decodes its answers. */
export async function readTogether<T>(db: Tx, reads: Together<T>): Promise<T> {
  const [row] = await reads.query(db).execute();
  return reads.decode(row);
}

/**
 * Reads together whose shape never changes, built and compiled once (`precompiled`): `build`
 * gets one stand-in per name in `names` and passes each to the read that takes that value. Every
 * run binds that call's values and decodes with the reads built once.
 */
export function precompiledTogether<Name extends string, T>(
  names: readonly Name[],
  build: (values: Record<Name, never>) => Together<T>,
): (db: Tx, values: Record<Name, unknown>) => Promise<T> {
  let built: Together<T> | undefined;
  const statement = precompiled(names, (db, values) => {
    built = build(values);
    return built.query(db);
  });
  return async (db, values) => {
    const [row] = await statement(db, values);
    if (!built) throw new Error('precompiledTogether: the statement was not built');
    return built.decode(row);
  };
}

/** A timestamp column of a `BatchRead` row (an ISO string in JSON), as a Date. */
export function jsonDate(value: unknown): Date {
  if (typeof value !== 'string') throw new Error(`expected a timestamp, got ${typeof value}`);
  return new Date(value);
}

/** A nullable timestamp column of a `BatchRead` row, as a Date or null. */
export const jsonDateOrNull = (value: unknown): Date | null =>
  value === null || value === undefined ? null : jsonDate(value);
