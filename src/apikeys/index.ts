export {
  type ApiKey,
  type ApiKeyPrincipal,
  type ApiKeys,
  apiKeyPrefix,
  createApiKeys,
} from './service.ts';
