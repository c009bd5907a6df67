import { type Filter, parse } from 'scim2-parse-filter';
import { scimErrors } from '../errors.ts';

/**
 * How an attribute compares (RFC 7643 §2.3): strings ignoring case unless case-exact, times as
 * instants, booleans only for equality; `id` is a case-exact string whose column is a uuid.
 */
export type FilterType = 'string' | 'caseExactString' | 'dateTime' | 'boolean' | 'id';

/** What a resource lets a filter name: each attribute's full path, lowercased, and its type. */
export type FilterAttributes = Readonly<Record<string, FilterType>>;

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'lt' | 'ge' | 'le';

/**
 * A filter with its attributes resolved (lowercased full paths of the resource's attribute table,
 * the core schema's URN taken off) and its values checked against their types.
 */
export type ScimFilter =
  | { op: 'and' | 'or'; filters: ScimFilter[] }
  | { op: 'not'; filter: ScimFilter }
  | { op: 'pr'; attribute: string; type: FilterType }
  | { op: CompareOp; attribute: string; type: FilterType; value: string | boolean | Date | null };

/** A filter longer than this is refused before parsing (a bound on the parser's work). */
const maxFilterLength = 2000;

const invalid = (detail: string) => scimErrors.invalidFilter({ detail });

function resolve(path: string, attributes: FilterAttributes, coreSchema: string): string {
  let name = path.toLowerCase();
  const core = `${coreSchema.toLowerCase()}:`;
  if (name.startsWith(core)) name = name.slice(core.length);
  if (attributes[name]) return name;
  // A multi-valued attribute by itself means its value (`emails eq "x"`).
  if (attributes[`${name}.value`]) return `${name}.value`;
  throw invalid(`${path} is not an attribute this service provider filters on`);
}

function checkedValue(op: CompareOp, type: FilterType, value: unknown, path: string) {
  if (value === null) {
    if (op === 'eq' || op === 'ne') return null;
    throw invalid(`${path} ${op} null compares nothing`);
  }
  if (type === 'boolean') {
    if ((op === 'eq' || op === 'ne') && typeof value === 'boolean') return value;
    throw invalid(`${path} is a boolean: only eq and ne with true or false`);
  }
  if (typeof value !== 'string') throw invalid(`${path} compares with a string`);
  if (type === 'dateTime') {
    if (op === 'co' || op === 'sw' || op === 'ew')
      throw invalid(`${path} is a dateTime: ${op} does not apply`);
    const time = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time.getTime()))
      throw invalid(`${path} compares with an xsd:dateTime (like 2026-01-31T09:00:00Z)`);
    return time;
  }
  return value;
}

function resolved(
  filter: Filter,
  attributes: FilterAttributes,
  coreSchema: string,
  prefix: string,
): ScimFilter {
  switch (filter.op) {
    case 'and':
    case 'or':
      return {
        op: filter.op,
        filters: filter.filters.map((f) => resolved(f, attributes, coreSchema, prefix)),
      };
    case 'not':
      return { op: 'not', filter: resolved(filter.filter, attributes, coreSchema, prefix) };
    case '[]':
      // `emails[value co "@x"]`: the inner attributes are sub-attributes of the outer one.
      if (prefix) throw invalid('a value filter cannot hold another');
      return resolved(filter.valFilter, attributes, coreSchema, `${filter.attrPath}.`);
    case 'pr': {
      const attribute = resolve(`${prefix}${filter.attrPath}`, attributes, coreSchema);
      return { op: 'pr', attribute, type: attributes[attribute] as FilterType };
    }
    default: {
      const attribute = resolve(`${prefix}${filter.attrPath}`, attributes, coreSchema);
      const type = attributes[attribute] as FilterType;
      const value = checkedValue(filter.op, type, filter.compValue, filter.attrPath);
      return { op: filter.op, attribute, type, value };
    }
  }
}

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2) with scim2-parse-filter and resolves it against a
 * resource's attributes: anything it cannot parse, an attribute not in `attributes`, or a value
 * of the wrong type is a 400 invalidFilter.
 */
export function parseFilter(
  text: string,
  attributes: FilterAttributes,
  coreSchema: string,
): ScimFilter {
  if (text.trim() === '') throw invalid('the filter is empty');
  if (text.length > maxFilterLength)
    throw invalid(`a filter is at most ${maxFilterLength} characters`);
  let ast: Filter;
  try {
    ast = parse(text);
  } catch (err) {
    throw invalid(`the filter cannot be parsed: ${(err as Error).message}`);
  }
  return resolved(ast, attributes, coreSchema, '');
}
