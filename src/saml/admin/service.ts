import { type AuditActor, type Database, type SamlKeyUse, withOrg } from '../../platform/index.ts';
import type { SamlApplications } from '../applications.ts';
import type { SamlKeys } from '../keys.ts';
import type { SamlService } from '../service.ts';

/**
 * The operator's use cases (the `vigil saml` commands): each call one transaction in the
 * organization's scope, as the admin API's routes are.
 */
export function createSamlAdmin(deps: {
  database: Database;
  keys: SamlKeys;
  applications: SamlApplications;
  service: SamlService;
}) {
  const { database, keys, applications } = deps;
  const inOrg = <T>(orgId: string, fn: Parameters<typeof withOrg<T>>[2]) =>
    withOrg(database, orgId, fn);
  return {
    listApplications: (orgId: string) => inOrg(orgId, (tx) => applications.list(tx, orgId)),
    getApplication: (orgId: string, id: string) =>
      inOrg(orgId, (tx) => applications.get(tx, orgId, id)),
    createApplication: (orgId: string, input: unknown, actor: AuditActor) =>
      inOrg(orgId, (tx) => applications.create(tx, orgId, input, actor)),
    updateApplication: (orgId: string, id: string, input: unknown, actor: AuditActor) =>
      inOrg(orgId, (tx) => applications.update(tx, orgId, id, input, actor)),
    deleteApplication: (orgId: string, id: string, actor: AuditActor) =>
      inOrg(orgId, (tx) => applications.remove(tx, orgId, id, actor)),
    listKeys: (orgId: string, actor: AuditActor) =>
      inOrg(orgId, (tx) => keys.list(tx, orgId, actor)),
    createKey: (orgId: string, use: SamlKeyUse, actor: AuditActor) =>
      inOrg(orgId, (tx) => keys.create(tx, orgId, use, actor)),
    activateKey: (orgId: string, id: string, actor: AuditActor) =>
      inOrg(orgId, (tx) => keys.activate(tx, orgId, id, actor)),
    retireKey: (orgId: string, id: string, actor: AuditActor) =>
      inOrg(orgId, (tx) => keys.retire(tx, orgId, id, actor)),
    metadata: (slug: string) => deps.service.metadata(slug),
  };
}

export type SamlAdmin = ReturnType<typeof createSamlAdmin>;
