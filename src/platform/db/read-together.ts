import { type Compilable, type Expression, sql } from 'kysely';
import type { Tx } from './scope.ts';

/** A row as PostgreSQL's JSON gives it: timestamps arrive as ISO strings, numbers as numbers. */
export type JsonRow = Record<string, unknown>;

/**
 * One module's answer to a question, in a form `readTogether` can send with other modules'
 * answers. The module keeps both halves: its own query (over its own tables) and how its rows
 * become the answer, so a caller learns the answer without learning the tables.
 */
export interface BatchRead<T> {
  query(db: Tx): Compilable<unknown> & Expression<unknown>;
  decode(rows: readonly JsonRow[]): T;
}

type Reads = Record<string, BatchRead<unknown> | undefined>;

/** A read's answer; an absent read answers undefined. */
type AnswerOf<Read> = Read extends BatchRead<infer T> ? T : undefined;
type Answers<R extends Reads> = { [K in keyof R]: AnswerOf<R[K]> };

/**
 * Sends independent reads of several modules in one statement, one round trip: each read's rows
 * travel as one JSON array column (`SELECT (SELECT json_agg(t) FROM (<read>) t) AS name, ...`)
 * and are decoded by the module that wrote the read. For hot paths where a round trip costs the
 * server more than the reads themselves (docs/architecture.md#precompiled-queries). Values are
 * bound as parameters, as in any Kysely query.
 */
export async function readTogether<const R extends Reads>(db: Tx, reads: R): Promise<Answers<R>> {
  const present = Object.entries(reads).filter(
    (entry): entry is [string, BatchRead<unknown>] => entry[1] !== undefined,
  );
  if (present.length === 0) throw new Error('readTogether needs at least one read');
  const columns = present.map(
    ([name, read]) =>
      sql`(SELECT coalesce(json_agg(t), '[]'::json) FROM (${read.query(db)}) AS t) AS ${sql.id(name)}`,
  );
  const { rows } = await sql<Record<string, JsonRow[]>>`SELECT ${sql.join(columns)}`.execute(db);
  const answers: Record<string, unknown> = {};
  for (const [name, read] of present) answers[name] = read.decode(rows[0]?.[name] ?? []);
  return answers as Answers<R>;
}

/** A timestamp column of a `BatchRead` row (an ISO string in JSON), as a Date. */
export function jsonDate(value: unknown): Date {
  if (typeof value !== 'string') throw new Error(`expected a timestamp, got ${typeof value}`);
  return new Date(value);
}
