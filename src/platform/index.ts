export { type Clock, fixedClock, systemClock } from './clock.ts';
export { databaseWithoutTls, type LoadedConfig, loadConfig } from './config/load.ts';
export { type Config, configSchema, tlsVersions } from './config/schema.ts';
export { cursorParts, pageOf } from './cursor.ts';
export { appRole, type Database, type OpenOptions, openDatabase } from './db/database.ts';
export { listMigrations, migrate, pendingMigrations } from './db/migrate.ts';
export { type ChangeFeed, type ChangeListener, openChangeFeed } from './db/notify.ts';
export { precompiled } from './db/precompiled.ts';
export {
  afterCommit,
  beforeCommit,
  type Isolation,
  inSavepoint,
  orgScopeRunner,
  platformStatement,
  type Scope,
  type Tx,
  withOrg,
  withPlatform,
} from './db/scope.ts';
export type * from './db/tables.ts';
export type * from './db/tables-alerts.ts';
export type * from './db/tables-compliance.ts';
export type * from './db/tables-lifecycle.ts';
export type * from './db/tables-reviews.ts';
export type * from './db/tables-sso.ts';
export {
  AppError,
  defineErrors,
  type ErrorDefinition,
  type ErrorKind,
  type ErrorRegistry,
  isAppError,
  platformErrors,
  type RaiseOptions,
  registeredErrors,
  statusOfKind,
} from './errors.ts';
export { isUuid, newId } from './ids.ts';
export { createLogger, type Logger, redactedPaths } from './logger.ts';

/** The built-in platform organization (created by the first migration). */
export const platformOrgId = '00000000-0000-7000-8000-000000000001';
export { type AuditAction, auditActions } from './audit-actions.ts';
export {
  type AuditActor,
  type AuditEventInput,
  type AuditWriter,
  operatorActor,
  systemActor,
} from './audit-event.ts';
export { createRedisCounter, type WindowCounter } from './counters.ts';
export { jobLockKeys, onOneNode, repeatEvery } from './jobs.ts';
export { createMailer, type Mailer, type MailMessage } from './mail.ts';
export {
  type CheckedTarget,
  createOutbound,
  type Outbound,
  type OutboundRequest,
  type OutboundResponse,
  outboundErrors,
  type ResolvedAddress,
} from './outbound.ts';
export { type Versioned, versionedPolicy } from './policies.ts';
export { type InvalidInput, isCleanText, parseInput } from './validate.ts';
