import type { ApiRoute } from '../route.ts';
import { accessRoutes } from './access.ts';
import { alertRoutes } from './alerts.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { auditArchiveRoutes } from './audit-archives.ts';
import { clientRoutes } from './clients.ts';
import { complianceRoutes } from './compliance.ts';
import { credentialRoutes } from './credentials.ts';
import { endDateRoutes } from './end-dates.ts';
import { evidenceRoutes } from './evidence.ts';
import { evidencePackRoutes } from './evidence-pack.ts';
import { lifecycleRoutes } from './lifecycle.ts';
import { orgRoutes } from './orgs.ts';
import { policyRoutes } from './policies.ts';
import { reviewRoutes } from './reviews.ts';
import { samlRoutes } from './saml.ts';
import { scimRoutes } from './scim.ts';
import { siemRoutes } from './siem.ts';
import { ssoCertificateRoutes } from './sso-certificates.ts';
import { ssoConnectionRoutes } from './sso-connections.ts';
import { ssoDomainRoutes } from './sso-domains.ts';
import { userRoutes } from './users.ts';
import { webhookRoutes } from './webhooks.ts';

/** The route table: the API, its OpenAPI document and its access matrix (docs/admin-api.md). */
export const apiRoutes: ApiRoute[] = [
  ...orgRoutes,
  ...userRoutes,
  ...endDateRoutes,
  ...credentialRoutes,
  ...accessRoutes,
  ...clientRoutes,
  ...policyRoutes,
  ...apiKeyRoutes,
  ...scimRoutes,
  ...evidenceRoutes,
  ...evidencePackRoutes,
  ...lifecycleRoutes,
  ...reviewRoutes,
  ...webhookRoutes,
  ...siemRoutes,
  ...ssoConnectionRoutes,
  ...alertRoutes,
  ...auditArchiveRoutes,
  ...complianceRoutes,
  ...ssoCertificateRoutes,
  ...ssoDomainRoutes,
  ...samlRoutes,
];
