import type { FastifyInstance } from 'fastify';
import type { Scim } from '../../scim/index.ts';

/** What the SCIM routes are served with. */
export interface ScimHttpDeps {
  /** VIGIL_PUBLIC_URL: the root of `meta.location` and every reference. */
  publicUrl: string;
  /** The organization and token of a presented SCIM bearer token, or null (src/scim/tokens.ts). */
  authenticate(
    presented: string,
    ip: string,
  ): Promise<{ orgId: string; tokenId: string; name: string } | null>;
  scim: Scim;
  /** The largest body accepted (VIGIL_BODY_LIMIT), advertised as bulk.maxPayloadSize. */
  bodyLimit: number;
}

/**
 * A set of routes under `/scim/v2/:orgSlug` (a resource type, or discovery). Every route of the
 * scope is behind the bearer-token check and answers errors in SCIM's format.
 */
export type ScimRouteGroup = (scope: FastifyInstance, deps: ScimHttpDeps) => void;
