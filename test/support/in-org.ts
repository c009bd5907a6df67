import { type Database, type Tx, withOrg } from '../../src/platform/index.ts';

type OrgMethod = (tx: Tx, orgId: string, ...rest: never[]) => Promise<unknown>;

/** The service's methods, each taking the organization's id and running in a transaction of its own. */
export type InOwnTransactions<S> = {
  [K in keyof S]: S[K] extends (tx: Tx, orgId: string, ...rest: infer R) => Promise<infer T>
    ? (orgId: string, ...rest: R) => Promise<T>
    : never;
};

/**
 * A service whose methods take `(tx, orgId, ...)` (as the admin API calls them in its request's
 * transaction), called as a script would: each call in a `withOrg` transaction of its own.
 */
export function inOwnTransactions<S extends Record<string, OrgMethod>>(
  database: Database,
  service: S,
): InOwnTransactions<S> {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(service))
    wrapped[name] = (orgId: string, ...rest: never[]) =>
      withOrg(database, orgId, (tx) => method(tx, orgId, ...rest));
  return wrapped as InOwnTransactions<S>;
}
