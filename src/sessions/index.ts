export {
  defaultSessionPolicy,
  expiryReason,
  type Session,
  type SessionPolicy,
  sessionPolicySchema,
} from './model.ts';
export {
  createSessionService,
  type NewSession,
  type SessionDeps,
  type SessionService,
} from './service.ts';
