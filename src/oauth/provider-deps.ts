import type { IncomingMessage } from 'node:http';
import type { UnknownObject } from 'oidc-provider';
import type { AuditLog } from '../audit/index.ts';
import type { IdentityService } from '../identity/index.ts';
import type { Clock, Database, Logger } from '../platform/index.ts';
import type { ProviderKeys } from './signing-keys.ts';

export interface ProviderDeps {
  issuer: string;
  database: Database;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  identity: IdentityService;
  platformOrgId: string;
  keys: ProviderKeys;
  /** Keys that sign oidc-provider's cookies, newest first. */
  cookieKeys: string[];
  refreshReuseGraceSeconds: number;
  /** Client metadata for oidc-provider (null when unknown or disabled). */
  findClient(id: string): Promise<UnknownObject | undefined>;
  /** The live Vigil session of a browser request, if any. */
  vigilSession(req: IncomingMessage): Promise<VigilSession | undefined>;
  /** Remembers that a provider session was confirmed by a Vigil session. */
  linkSession(row: {
    oidcSessionId: string;
    vigilSessionId: string;
    accountId: string;
    expiresAt: Date;
  }): Promise<void>;
  /**
   * RP-initiated logout ended the provider session of `accountId`: the browser's Vigil session
   * ends too, if it is that account's.
   */
  endVigilSession(req: IncomingMessage, accountId: string): Promise<void>;
  /**
   * Outgoing calls (back-channel logout) may reach loopback addresses: development and tests
   * only; otherwise oidc-provider refuses special-use addresses (SSRF protection).
   */
  allowLoopbackCalls: boolean;
  /** Behind a TLS-terminating proxy: trust X-Forwarded-Proto. */
  behindProxy: boolean;
  /** Pages oidc-provider renders itself (errors, logout confirmation). */
  pages: {
    error(title: string, detail: string): string;
    logoutConfirm(form: string): string;
    loggedOut(): string;
    /** The CSP of a page that may lead to `formTargets`, running only `scriptHashes`. */
    policy(formTargets: readonly string[], scriptHashes: readonly string[]): string;
  };
}

export interface VigilSession {
  id: string;
  userId: string;
  absoluteExpiresAt: Date;
}
