import { resourceTypes, schemas, serviceProviderConfig } from '../../scim/index.ts';
import { callOf, paramOf, sendScim } from './call.ts';
import type { ScimRouteGroup } from './route-group.ts';

const documentationUri = 'https://www.rfc-editor.org/rfc/rfc7644';

/**
 * /ServiceProviderConfig, /Schemas and /ResourceTypes (RFC 7644 §4). Entra and Okta probe them
 * before provisioning; like every SCIM route they need the organization's token.
 */
export const discoveryRoutes: ScimRouteGroup = (scope, deps) => {
  scope.get('/ServiceProviderConfig', async (request, reply) => {
    const call = callOf(request);
    await deps.scim.check(call);
    const config = serviceProviderConfig(call.base, documentationUri, deps.bodyLimit);
    return sendScim(reply, 200, config);
  });
  scope.get('/Schemas', async (request, reply) => {
    const call = callOf(request);
    await deps.scim.check(call);
    return sendScim(reply, 200, schemas(call.base));
  });
  scope.get('/Schemas/:schemaId', async (request, reply) => {
    const call = callOf(request);
    await deps.scim.check(call);
    return sendScim(reply, 200, schemas(call.base, paramOf(request, 'schemaId')));
  });
  scope.get('/ResourceTypes', async (request, reply) => {
    const call = callOf(request);
    await deps.scim.check(call);
    return sendScim(reply, 200, resourceTypes(call.base));
  });
  scope.get('/ResourceTypes/:name', async (request, reply) => {
    const call = callOf(request);
    await deps.scim.check(call);
    return sendScim(reply, 200, resourceTypes(call.base, paramOf(request, 'name')));
  });
};
