import { scimErrors } from '../errors.ts';
import type { Projection } from './projection.ts';
import {
  isJsonObject,
  memberOf,
  scimDefaultCount,
  scimMaxResults,
  scimSchemas,
} from './schemas.ts';

/** A list request's query (RFC 7644 §3.4.2): the filter, the page, and which attributes. */
export interface ListRequest extends Projection {
  filter: string | undefined;
  /** 1-based. */
  startIndex: number;
  /** At most scimMaxResults; 0 asks only for totalResults. */
  count: number;
}

/** One query parameter's text (a repeated parameter is refused). */
function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw scimErrors.invalidValue({ detail: `${name} must be given once` });
  return value;
}

function integer(query: Record<string, unknown>, name: string): number | undefined {
  const text = single(query, name);
  if (text === undefined || text === '') return undefined;
  if (!/^-?\d{1,9}$/.test(text)) throw scimErrors.invalidValue({ detail: `${name} is an integer` });
  return Number(text);
}

const names = (text: string | undefined) =>
  (text ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');

/** The `attributes` / `excludedAttributes` of any request that answers with a resource. */
export function projectionOf(query: Record<string, unknown>): Projection {
  const attributes = names(single(query, 'attributes'));
  const excludedAttributes = names(single(query, 'excludedAttributes'));
  if (attributes.length > 0 && excludedAttributes.length > 0)
    throw scimErrors.invalidValue({
      detail: 'attributes and excludedAttributes exclude each other',
    });
  return { attributes, excludedAttributes };
}

/**
 * A list request from its query parameters. Out-of-range numbers are read as RFC 7644 §3.4.2.4
 * says: a startIndex below 1 is 1, a negative count is 0, and a count above the maximum is
 * the maximum (advertised in /ServiceProviderConfig as filter.maxResults).
 */
export function listRequestOf(query: Record<string, unknown>): ListRequest {
  const startIndex = Math.max(1, integer(query, 'startIndex') ?? 1);
  const count = Math.min(scimMaxResults, Math.max(0, integer(query, 'count') ?? scimDefaultCount));
  return { filter: single(query, 'filter'), startIndex, count, ...projectionOf(query) };
}

/**
 * A list request sent as the body of `POST …/.search` (RFC 7644 §3.4.3): the same parameters
 * as the query of a GET, `attributes` and `excludedAttributes` as arrays, numbers as numbers.
 */
export function searchRequestOf(body: unknown): ListRequest {
  if (!isJsonObject(body))
    throw scimErrors.invalidSyntax({ detail: 'the body must be a JSON object' });
  const schemas = memberOf(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(scimSchemas.searchRequest))
    throw scimErrors.invalidSyntax({ detail: `schemas must include ${scimSchemas.searchRequest}` });
  const query: Record<string, unknown> = {};
  for (const name of ['filter', 'startIndex', 'count', 'attributes', 'excludedAttributes']) {
    const value = memberOf(body, name);
    if (value === undefined || value === null) continue;
    if (name === 'attributes' || name === 'excludedAttributes') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        throw scimErrors.invalidValue({ detail: `${name} is an array of attribute names` });
      query[name] = value.join(',');
    } else if (name === 'filter') {
      if (typeof value !== 'string')
        throw scimErrors.invalidValue({ detail: 'filter is a string' });
      query[name] = value;
    } else {
      if (!Number.isInteger(value))
        throw scimErrors.invalidValue({ detail: `${name} is an integer` });
      query[name] = String(value);
    }
  }
  return listRequestOf(query);
}
