import { scimErrors } from '../errors.ts';
import type { Projection } from './projection.ts';
import { scimDefaultCount, scimMaxResults } from './schemas.ts';

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
