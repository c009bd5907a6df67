import type { IdentityService } from '../identity/index.ts';
import { platformOrgId } from '../platform/index.ts';
import type { Rbac } from '../rbac/index.ts';
import {
  createSamlAdmin,
  createSamlApplications,
  createSamlKeys,
  createSamlService,
} from '../saml/index.ts';
import type { SessionService } from '../sessions/index.ts';
import type { TenancyService } from '../tenancy/index.ts';
import { baseOf, type Core } from './core.ts';

/** Vigil as a SAML identity provider: the organizations' keys, applications and the protocol. */
export function samlServices(
  core: Core,
  deps: {
    identity: IdentityService;
    rbac: Rbac;
    tenancy: TenancyService;
    sessions: SessionService;
  },
) {
  const { identity, rbac, tenancy, sessions } = deps;
  const publicUrl = core.config.VIGIL_PUBLIC_URL;
  const keys = createSamlKeys({
    ...baseOf(core),
    keyring: core.keyring,
    organizationName: async (tx, orgId) =>
      (await tenancy.getOrganization(tx, orgId))?.name ?? orgId,
  });
  const applications = createSamlApplications({
    ...baseOf(core),
    idpBase: async (tx, orgId) =>
      `${publicUrl}/saml/${(await tenancy.getOrganization(tx, orgId))?.slug ?? orgId}`,
  });
  const service = createSamlService({
    ...baseOf(core),
    database: core.database,
    publicUrl,
    platformOrgId,
    keys,
    applications,
    organizationBySlug: async (tx, slug) => {
      const org = await tenancy.organizationBySlug(tx, slug);
      return org?.status === 'active' ? org : undefined;
    },
    organizationSlugOf: async (tx, orgId) => (await tenancy.getOrganization(tx, orgId))?.slug,
    userOf: async (tx, userId) => {
      const user = await identity.findUser(tx, userId);
      if (user?.status !== 'active') return undefined;
      const org = await tenancy.getOrganization(tx, user.orgId);
      return { ...user, orgSlug: org?.slug ?? '' };
    },
    rolesOf: async (tx, orgId, userId) =>
      (await rbac.rolesOfUser(tx, { orgId, userId })).map((r) => r.key),
    endSession: (tx, sessionId, actor) => sessions.endById(tx, sessionId, 'logout', actor),
  });
  const admin = createSamlAdmin({ database: core.database, keys, applications, service });
  return { keys, applications, service, admin };
}

export type SamlServices = ReturnType<typeof samlServices>;
