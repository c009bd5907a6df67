export {
  createIdentityService,
  type IdentityDeps,
  type IdentityService,
  type SignInCandidate,
  type SignInCandidateRow,
  toSignInCandidate,
  type User,
  type UserStatus,
  userInput,
} from './service.ts';
export { signInCandidatesQuery } from './store.ts';
