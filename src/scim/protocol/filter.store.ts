import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { ScimFilter } from './filter.ts';

/**
 * The SQL expression of each attribute a filter may name (the keys of its FilterAttributes). A
 * string attribute may also name a stored lowered copy of itself (`lowered`): comparisons that
 * ignore case then use it, which an index can serve under row-level security, where `lower()`
 * applied to the row cannot be (migration 0019).
 */
export type FilterColumns = Readonly<
  Record<string, Expression<unknown> | { value: Expression<unknown>; lowered: Expression<unknown> }>
>;

type Column = FilterColumns[string];
const expressionOf = (column: Column) => ('lowered' in column ? column.value : column);

/** A LIKE pattern's fragment that matches `text` literally. */
const literal = (text: string) => text.replace(/[\\%_]/g, '\\$&');

function comparison(
  filter: Extract<ScimFilter, { value: unknown }>,
  given: Column,
): RawBuilder<SqlBool> {
  const { op, type, value } = filter;
  const column = expressionOf(given);
  if (value === null)
    return op === 'eq' ? sql<SqlBool>`${column} IS NULL` : sql<SqlBool>`${column} IS NOT NULL`;
  // A uuid column compared as text: a value that is no uuid matches nothing instead of failing.
  const left = type === 'id' ? sql`${column}::text` : column;
  if (type === 'string') {
    const lower = 'lowered' in given ? given.lowered : sql`lower(${left})`;
    const text = String(value);
    switch (op) {
      case 'eq':
        return sql<SqlBool>`${lower} = lower(${text})`;
      case 'ne':
        return sql<SqlBool>`${lower} IS DISTINCT FROM lower(${text})`;
      case 'co':
        return sql<SqlBool>`${lower} LIKE '%' || lower(${literal(text)}) || '%'`;
      case 'sw':
        return sql<SqlBool>`${lower} LIKE lower(${literal(text)}) || '%'`;
      case 'ew':
        return sql<SqlBool>`${lower} LIKE '%' || lower(${literal(text)})`;
      default:
        return sql<SqlBool>`${lower} ${sql.raw(ordering[op])} lower(${text})`;
    }
  }
  switch (op) {
    case 'eq':
      return sql<SqlBool>`${left} = ${value}`;
    case 'ne':
      return sql<SqlBool>`${left} IS DISTINCT FROM ${value}`;
    case 'co':
      return sql<SqlBool>`${left} LIKE '%' || ${literal(String(value))} || '%'`;
    case 'sw':
      return sql<SqlBool>`${left} LIKE ${literal(String(value))} || '%'`;
    case 'ew':
      return sql<SqlBool>`${left} LIKE '%' || ${literal(String(value))}`;
    default:
      return sql<SqlBool>`${left} ${sql.raw(ordering[op])} ${value}`;
  }
}

const ordering = { gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

/**
 * A resolved SCIM filter as one SQL condition over `columns`. Values travel as parameters; an
 * attribute without a value (`pr`) is NULL or empty. String comparisons ignore case except for
 * case-exact attributes (RFC 7643 §2.3.1).
 */
export function filterSql(filter: ScimFilter, columns: FilterColumns): RawBuilder<SqlBool> {
  switch (filter.op) {
    case 'and':
    case 'or':
      return sql<SqlBool>`(${sql.join(
        filter.filters.map((f) => filterSql(f, columns)),
        sql.raw(` ${filter.op.toUpperCase()} `),
      )})`;
    case 'not':
      return sql<SqlBool>`NOT coalesce(${filterSql(filter.filter, columns)}, false)`;
    case 'pr': {
      const column = expressionOf(columns[filter.attribute] as Column);
      return filter.type === 'string' || filter.type === 'caseExactString'
        ? sql<SqlBool>`coalesce(${column}, '') <> ''`
        : sql<SqlBool>`${column} IS NOT NULL`;
    }
    default:
      return comparison(filter, columns[filter.attribute] as Column);
  }
}
