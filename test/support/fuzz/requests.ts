import fc from 'fast-check';
import type { Operation } from './checks.ts';
import { hostileString, type JsonSchema } from './schema-arbitrary.ts';

/** One request the fuzzer sends. */
export interface FuzzRequest {
  family: 'api' | 'form' | 'oauth';
  /** `METHOD /template`: what the failure report names. */
  label: string;
  method: string;
  /** Already encoded, query included. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Admin API requests: the operation whose responses the answer must match. */
  operation?: Operation;
}

/** What the generators draw real values from, so that valid requests get past the lookups. */
export interface FuzzWorld {
  document: JsonSchema;
  orgIds: string[];
  /** Users that may be acted on (never the fuzzer's own callers). */
  userIds: string[];
  roleKeys: string[];
  /** `Authorization` values, each with its weight: the callers of the admin API, and nonsense. */
  authorizations: [weight: number, value: string][];
  clientId: string;
  clientSecret: string;
  /** The CSRF value of the fuzzer's browser (cookie and field), and its session cookie. */
  csrf: string;
  cookie: string;
}

/** `encodeURIComponent` of any string: a lone surrogate is sent as U+FFFD instead of throwing. */
export const encode = (value: string) => encodeURIComponent(value.toWellFormed());

export const formBody = (pairs: [string, string][]) =>
  pairs.map(([name, value]) => `${encode(name)}=${encode(value)}`).join('&');

/** A generated value as query text (objects and arrays as JSON). */
export const queryText = (value: unknown) =>
  value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);

/** A path segment a router or a UUID check must refuse: bad escapes, NUL, over-long, hostile. */
export const badSegment = fc.oneof(
  fc.constantFrom('%ZZ', '%', 'a%00b', '%C0%AF', '..', '%2e%2e'),
  fc.integer({ min: 101, max: 300 }).map((n) => 'x'.repeat(n)),
  hostileString.map(encode),
);

/** A field sent once (usually), left out, sent twice, or hostile. */
export function fieldPairs(name: string, plausible: fc.Arbitrary<string>) {
  return fc.oneof(
    { weight: 6, arbitrary: plausible.map((v): [string, string][] => [[name, v]]) },
    { weight: 2, arbitrary: hostileString.map((v): [string, string][] => [[name, v]]) },
    { weight: 1, arbitrary: fc.constant<[string, string][]>([]) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(plausible, fc.oneof(plausible, hostileString))
        .map(([a, b]): [string, string][] => [
          [name, a],
          [name, b],
        ]),
    },
  );
}

export function pairsOf(fields: Record<string, fc.Arbitrary<string>>) {
  return fc
    .tuple(...Object.entries(fields).map(([name, arb]) => fieldPairs(name, arb)))
    .map((lists) => lists.flat());
}

/** Plain text, an address (known or not) and a password (right or not) for the forms. */
export const text = fc.string({ maxLength: 30 });
export const emailish = fc.oneof(fc.constantFrom('dana@acme.test', 'nobody@acme.test'), text);
export const password = fc.oneof(fc.constant('Correct-Horse-Battery-9'), text);

/** Vigil's and oidc-provider's cookie names, for cookies that were never issued. */
const cookieNames = [
  '__Host-vigil-session',
  '__Host-vigil-flow',
  '__Host-vigil-csrf',
  '__Host-vigil-return',
  '__Host-vigil-device',
  '_session',
  '_interaction',
  '_interaction_resume',
];

/** The fuzzer's browser's cookies (usually), none, or forged and hostile ones. */
export function cookieHeader(world: FuzzWorld): fc.Arbitrary<string> {
  const forged = fc
    .tuple(fc.constantFrom(...cookieNames), fc.oneof(text, hostileString))
    .map(([name, value]) => `${name}=${encode(value)}`);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(world.cookie) },
    { weight: 1, arbitrary: fc.constant('') },
    {
      weight: 2,
      arbitrary: fc.array(forged, { minLength: 1, maxLength: 3 }).map((c) => c.join('; ')),
    },
  );
}
