import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { asOwner, openTestDatabase, type TestDatabase } from './support/database.ts';

/**
 * src/platform/db/tables.ts is written by hand next to the migrations (the source of truth):
 * this test holds it to the migrated schema, so a column added, dropped, renamed or made
 * nullable in a migration cannot be missed in the row types Kysely checks queries with.
 */

/** What a column holds, coarsely: enough to catch a wrong type without naming every SQL type. */
type Coarse = 'string' | 'number' | 'bigint' | 'boolean' | 'date' | 'bytes' | 'json' | 'array';

interface Column {
  nullable: boolean;
  type: Coarse;
}

/** How PostgreSQL's `information_schema.columns.data_type` maps to a coarse type. */
function coarseOfSql(dataType: string): Coarse {
  if (dataType === 'ARRAY') return 'array';
  if (dataType.startsWith('timestamp') || dataType === 'date') return 'date';
  if (dataType === 'bytea') return 'bytes';
  if (dataType === 'json' || dataType === 'jsonb') return 'json';
  if (dataType === 'boolean') return 'boolean';
  // pg and PGlite hand a bigint back as a string (it may not fit a number).
  if (dataType === 'bigint') return 'bigint';
  if (['integer', 'smallint', 'real', 'double precision'].includes(dataType)) return 'number';
  return 'string';
}

/** The select type of every column of every table `DB` names, read with the type checker. */
function columnsOfTablesTs(): Map<string, Map<string, Column>> {
  const file = fileURLToPath(new URL('../src/platform/db/tables.ts', import.meta.url));
  const program = ts.createProgram([file], {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2024,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  assert.ok(source);
  const db = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'DB',
  );
  assert.ok(db, 'tables.ts exports interface DB');
  const tables = new Map<string, Map<string, Column>>();
  for (const table of checker.getTypeAtLocation(db).getProperties()) {
    const rowType = checker.getTypeOfSymbol(table);
    const columns = new Map<string, Column>();
    for (const column of rowType.getProperties()) {
      const type = checker.getTypeOfSymbol(column);
      columns.set(column.name, coarseOfTs(checker, type, `${table.name}.${column.name}`));
    }
    tables.set(table.name, columns);
  }
  return tables;
}

/** What a select returns: a Kysely ColumnType (or Generated) keeps it in `__select__`. */
function selected(checker: ts.TypeChecker, type: ts.Type): ts.Type[] {
  if (type.isUnion()) return type.types.flatMap((part) => selected(checker, part));
  const select = type.getProperty('__select__');
  return select ? selected(checker, checker.getTypeOfSymbol(select)) : [type];
}

function coarseOfTs(checker: ts.TypeChecker, type: ts.Type, where: string): Column {
  const parts = selected(checker, type);
  const nullable = parts.some((t) => t.flags & ts.TypeFlags.Null);
  const kinds = new Set<Coarse>();
  for (const part of parts) {
    if (part.flags & ts.TypeFlags.Null) continue;
    if (part.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike)) {
      kinds.add(part.flags & ts.TypeFlags.StringLike ? 'string' : 'number');
    } else if (part.flags & ts.TypeFlags.BooleanLike) kinds.add('boolean');
    // jsonb: `unknown`, or `object` where the column is nullable (unknown | null is unknown).
    else if (part.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.NonPrimitive)) kinds.add('json');
    else if (checker.isArrayType(part)) kinds.add('array');
    else if (part.getSymbol()?.name === 'Date') kinds.add('date');
    else if (part.getSymbol()?.name === 'Uint8Array') kinds.add('bytes');
    else assert.fail(`${where}: no coarse type for ${checker.typeToString(part)}`);
  }
  // A bigint is read as a string, sometimes written as a number.
  if (kinds.size === 2 && kinds.has('string') && kinds.has('number'))
    return { nullable, type: 'bigint' };
  assert.equal(kinds.size, 1, `${where}: one coarse type, not ${[...kinds].join(' | ')}`);
  const [kind] = kinds;
  return { nullable, type: kind ?? 'string' };
}

/** Types that read alike from a driver: a bigint or a jsonb column may be declared as text. */
function compatible(sql: Coarse, declared: Coarse): boolean {
  if (sql === declared) return true;
  if (sql === 'bigint') return declared === 'string' || declared === 'number';
  if (sql === 'json') return declared === 'string';
  return false;
}

describe('tables.ts', () => {
  let test: TestDatabase;
  before(async () => {
    test = await openTestDatabase();
  });
  after(() => test.close());

  it('declares every table and column of the migrated schema, with its nullability and type', async () => {
    const rows = await asOwner<{
      table_name: string;
      column_name: string;
      is_nullable: 'YES' | 'NO';
      data_type: string;
    }>(
      test.database,
      `SELECT c.table_name, c.column_name, c.is_nullable, c.data_type
         FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          -- Partitions (of audit_events, by month) are read through their parent only.
          AND NOT EXISTS (SELECT 1 FROM pg_class p
                          WHERE p.relname = c.table_name AND p.relispartition)
        ORDER BY c.table_name, c.ordinal_position`,
    );
    const migrated = new Map<string, Map<string, Column>>();
    for (const row of rows) {
      const columns = migrated.get(row.table_name) ?? new Map<string, Column>();
      columns.set(row.column_name, {
        nullable: row.is_nullable === 'YES',
        type: coarseOfSql(row.data_type),
      });
      migrated.set(row.table_name, columns);
    }
    const declared = columnsOfTablesTs();

    const problems: string[] = [];
    for (const table of migrated.keys())
      if (!declared.has(table)) problems.push(`${table}: a table of the migrations, not in DB`);
    for (const table of declared.keys())
      if (!migrated.has(table)) problems.push(`${table}: in DB, no table of the migrations`);
    for (const [table, columns] of migrated) {
      const typed = declared.get(table);
      if (!typed) continue;
      for (const [name, column] of columns) {
        const row = typed.get(name);
        if (!row) problems.push(`${table}.${name}: a column of the migrations, not in tables.ts`);
        else if (row.nullable !== column.nullable)
          problems.push(
            `${table}.${name}: ${column.nullable ? 'nullable' : 'NOT NULL'} in the migrations, ${row.nullable ? 'nullable' : 'not'} in tables.ts`,
          );
        else if (!compatible(column.type, row.type))
          problems.push(
            `${table}.${name}: ${column.type} in the migrations, ${row.type} in tables.ts`,
          );
      }
      for (const name of typed.keys())
        if (!columns.has(name)) problems.push(`${table}.${name}: in tables.ts, no such column`);
    }
    assert.deepEqual(problems, []);
  });
});
