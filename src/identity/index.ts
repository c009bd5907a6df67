export {
  createIdentityService,
  type IdentityDeps,
  type IdentityService,
  type User,
  type UserStatus,
  userInput,
} from './service.ts';
