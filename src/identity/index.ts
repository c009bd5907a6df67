export {
  createUserDirectory,
  type DirectoryProfile,
  type DirectoryUser,
  type DirectoryUserInput,
  type UserDirectory,
} from './directory.ts';
export { identityErrors } from './errors.ts';
export {
  createIdentityService,
  type IdentityDeps,
  type IdentityService,
  type SignInCandidate,
  type User,
  type UserStatus,
  userInput,
} from './service.ts';
