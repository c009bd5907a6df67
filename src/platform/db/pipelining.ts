import { CompiledQuery } from 'kysely';
import pg from 'pg';

/**
 * Statements that need not be waited for travel with the next one: BEGIN and the scope of a
 * transaction go out with its first statement, and statements whose result nobody reads (the
 * transaction's audit events, a new session, the sign-in's lockout check) with a later one, at
 * the latest the COMMIT. Every round trip costs the
 * Node process a socket write (which wakes the database backend), a wake-up of its own and a
 * read: more CPU than most statements cost to build and parse (docs/architecture.md#pipelined-statements).
 *
 * A deferred statement is marked by this comment at the head of its SQL. Only this module adds
 * it (`deferred`); PostgreSQL and PGlite read it as a comment, so where nothing holds the
 * statement back (PGlite, or a pool of plain clients) it simply runs at once.
 */
const deferredMarker = '/* vigil:deferred */ ';

/** `query`, marked to travel with the next statement on its connection. */
export function deferred(query: CompiledQuery): CompiledQuery {
  return CompiledQuery.raw(`${deferredMarker}${query.sql}`, [...query.parameters]);
}

interface Statement {
  text: string;
  values: unknown[];
}

/** What a held-back statement answers at once: nothing (its result is never read). */
const heldBack = { command: '', rowCount: 0, rows: [], fields: [] };

// pg's wire-level pieces, which its type declarations leave out.
type Connection = {
  stream: { cork?(): void; uncork?(): void };
  parse(q: { text: string; types: unknown[] }): void;
  bind(q: { values: unknown[] }): void;
  execute(q: { portal: string; rows: number }): void;
};
type Callback = (err: Error | null, result?: unknown) => void;
const { Query } = pg as unknown as {
  Query: new (
    text: string,
    values: unknown[],
    callback: Callback,
  ) => {
    queryMode?: 'extended';
    submit(connection: Connection): Error | null;
    handleRowDescription(msg: unknown): void;
    handleDataRow(msg: unknown): void;
    handleCommandComplete(msg: unknown, connection: Connection): void;
  };
};
const { prepareValue } = (pg as unknown as { utils: { prepareValue(v: unknown): unknown } }).utils;

/**
 * The held-back statements, then the one that sends them, in one message sequence with a single
 * Sync: one socket write, one answer. PostgreSQL runs them in order; an error in any of them
 * skips the rest up to the Sync, and this query fails with it (so a COMMIT carrying a failed
 * write fails, and the caller rolls back). The answer is the last statement's.
 */
class PipelinedQuery extends Query {
  #leading: Statement[];
  /** Statements ahead whose completion is still to come (their rows are not read). */
  #ahead: number;

  constructor(leading: Statement[], last: Statement, callback: Callback) {
    // (A config object would be copied property by property: slower than this form.)
    super(last.text, last.values, callback);
    // The extended protocol even without values: a simple Query would answer separately.
    this.queryMode = 'extended';
    this.#leading = leading;
    this.#ahead = leading.length;
  }

  override submit(connection: Connection): Error | null {
    connection.stream.cork?.();
    try {
      for (const { text, values } of this.#leading) {
        connection.parse({ text, types: [] });
        connection.bind({ values });
        connection.execute({ portal: '', rows: 0 });
      }
      return super.submit(connection);
    } finally {
      connection.stream.uncork?.();
    }
  }

  override handleRowDescription(msg: unknown): void {
    if (this.#ahead === 0) super.handleRowDescription(msg);
  }

  override handleDataRow(msg: unknown): void {
    if (this.#ahead === 0) super.handleDataRow(msg);
  }

  override handleCommandComplete(msg: unknown, connection: Connection): void {
    if (this.#ahead > 0) this.#ahead--;
    else super.handleCommandComplete(msg, connection);
  }
}

/**
 * A pg client that holds back statements marked `deferred` and sends them with its next
 * statement. Kysely sends `query(sql, parameters)`; anything else passes through untouched.
 */
export class PipeliningClient extends pg.Client {
  #held: Statement[] = [];

  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads are matched by passing through
  override query(...args: any[]): any {
    const [text, values = []] = args as [unknown, unknown[] | undefined];
    if (typeof text !== 'string' || args.length > 2 || !Array.isArray(values)) {
      // Held statements must go out before anything else on this connection, never after it.
      if (this.#held.length > 0) throw new Error('statements are held back for the next query');
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    if (text.startsWith(deferredMarker)) {
      // Mapped now, so a value pg cannot send fails here rather than in the middle of a sequence.
      this.#held.push({ text, values: values.map(prepareValue) });
      return Promise.resolve(heldBack);
    }
    if (this.#held.length === 0) return super.query(text, values);
    const leading = this.#held;
    this.#held = [];
    return new Promise((resolve, reject) => {
      super.query(
        new PipelinedQuery(leading, { text, values }, (err, result) =>
          err ? reject(err) : resolve(result),
        ) as never,
      );
    });
  }
}
