import type { Compilable, CompiledQuery } from 'kysely';
import type { Tx } from './scope.ts';

/** Stands for a named parameter while the query is compiled; never reaches the database. */
const markerPrefix = '\u0000vigil-parameter:';

type Slot<Name extends string> = { name: Name } | { value: unknown };

/**
 * A query whose shape never changes, built and compiled by Kysely once and then run with each
 * call's values. Building and compiling a query can cost the Node process more than sending it
 * and reading the answer (bench/RESULTS.md#precompiled-queries), so the hottest statements of the
 * token endpoints and the sign-in are written this way (docs/architecture.md#precompiled-queries).
 *
 * `build` gets one stand-in per name in `names` and must use each one where its value goes;
 * constants it writes itself stay as they are. Every run binds the values as parameters, as
 * Kysely would: nothing is ever spliced into the SQL text.
 */
export function precompiled<Name extends string, Row>(
  names: readonly Name[],
  build: (db: Tx, parameters: Record<Name, never>) => Compilable<Row>,
): Precompiled<Name, Row> {
  let compiled: { query: CompiledQuery<Row>; slots: Slot<Name>[] } | undefined;
  const compile = (db: Tx) => {
    const stands = Object.fromEntries(names.map((n) => [n, `${markerPrefix}${n}`]));
    const query = build(db, stands as Record<Name, never>).compile();
    const slots = query.parameters.map((value): Slot<Name> => {
      if (typeof value !== 'string' || !value.startsWith(markerPrefix)) return { value };
      return { name: value.slice(markerPrefix.length) as Name };
    });
    const unused = names.filter((n) => !slots.some((s) => 'name' in s && s.name === n));
    // A stand-in used inside a raw fragment instead of as a value would run as a string.
    if (unused.length > 0 || query.sql.includes(markerPrefix)) {
      throw new Error(`precompiled query does not bind ${unused.join(', ') || 'its values'}`);
    }
    return { query, slots };
  };
  const statement = (db: Tx, values: Record<Name, unknown>): CompiledQuery<Row> => {
    compiled ??= compile(db);
    const parameters = compiled.slots.map((s) => ('name' in s ? values[s.name] : s.value));
    return { ...compiled.query, parameters };
  };
  return Object.assign(
    async (db: Tx, values: Record<Name, unknown>) =>
      (await db.executeQuery(statement(db, values))).rows,
    { statement },
  );
}

/** Runs the query with the given values; `statement` gives it compiled, to send otherwise. */
export type Precompiled<Name extends string, Row> = ((
  db: Tx,
  values: Record<Name, unknown>,
) => Promise<Row[]>) & {
  statement(db: Tx, values: Record<Name, unknown>): CompiledQuery<Row>;
};
