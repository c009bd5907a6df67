export { scimErrors } from './errors.ts';
export {
  createScimTokens,
  type ScimCaller,
  type ScimToken,
  type ScimTokenInput,
  type ScimTokens,
  scimTokenInputSchema,
  scimTokenPrefix,
} from './tokens.ts';
