export { apiKeyErrors } from './errors.ts';
export {
  type ApiKey,
  type ApiKeyPrincipal,
  type ApiKeys,
  apiKeyPrefix,
  createApiKeys,
  keyInputSchema,
} from './service.ts';
