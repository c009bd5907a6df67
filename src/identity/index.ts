export { identityErrors } from './errors.ts';
export {
  createIdentityService,
  type IdentityDeps,
  type IdentityService,
  type SignInCandidate,
  signInCandidatesRead,
  type User,
  type UserStatus,
  userInput,
} from './service.ts';
