import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { AuditLog } from '../audit/index.ts';
import type { IdentityService } from '../identity/index.ts';
import {
  type AuditAction,
  type AuditActor,
  type Database,
  type Logger,
  withPlatform,
} from '../platform/index.ts';

/** What auditing needs of the provider's dependencies (a subset of `ProviderDeps`). */
export interface AuditDeps {
  database: Database;
  logger: Logger;
  audit: AuditLog;
  identity: IdentityService;
  platformOrgId: string;
}

type VigilClient = { clientId: string; org_id?: unknown; backchannelLogoutUri?: string };

/** Vigil sends back-channel logouts itself; the audit names it, as for every other one. */
const systemActor: AuditActor = { type: 'system', id: 'vigil' };

/** Token and logout events, audited without token values (docs/oidc.md#audit). */
export function auditEvents(provider: Provider, deps: AuditDeps): void {
  const actorOf = (ctx: KoaContextWithOIDC): AuditActor => ({
    type: 'client',
    id: ctx.oidc?.client?.clientId,
    ip: ctx.ip,
    userAgent: ctx.get('user-agent') || undefined,
  });
  const orgOf = (ctx: KoaContextWithOIDC) =>
    ((ctx.oidc?.client as unknown as VigilClient | undefined)?.org_id as string | undefined) ??
    deps.platformOrgId;
  const logFailure = (action: AuditAction) => (err: unknown) =>
    deps.logger.error({ err, action }, 'audit of an OAuth event failed');
  const record = (
    ctx: KoaContextWithOIDC,
    action: AuditAction,
    details: Record<string, unknown>,
    outcome?: 'failure',
  ) =>
    deps.audit
      .append({ orgId: orgOf(ctx), action, outcome, actor: actorOf(ctx), details })
      .catch(logFailure(action));

  provider.on('grant.success', (ctx) => {
    const grantType = String(ctx.oidc.params?.grant_type ?? '');
    const accountId = ctx.oidc.entities.Account?.accountId;
    return record(
      ctx,
      grantType === 'refresh_token' ? 'oauth.token.refreshed' : 'oauth.token.issued',
      {
        grantType,
        clientId: ctx.oidc.client?.clientId,
        userId: accountId,
        grantId: ctx.oidc.entities.Grant?.jti,
      },
    );
  });
  provider.on('grant.error', (ctx, err) => {
    // Reuse is a refused refresh whose token was found spent (past the grace window): the
    // provider has just revoked its grant. Never matched on message text, which moves between
    // oidc-provider's `error_description` and `error_detail`.
    const refreshToken = ctx.oidc.entities.RefreshToken;
    const reuse =
      err instanceof errors.InvalidGrant &&
      ctx.oidc.params?.grant_type === 'refresh_token' &&
      Boolean(refreshToken?.consumed);
    return record(
      ctx,
      reuse ? 'oauth.refresh.reuse_detected' : 'oauth.token.refused',
      {
        grantType: String(ctx.oidc.params?.grant_type ?? ''),
        clientId: ctx.oidc.client?.clientId,
        error: (err as { error?: string }).error,
        description: (err as { error_description?: string }).error_description,
        ...(reuse ? { userId: refreshToken?.accountId, grantId: refreshToken?.grantId } : {}),
      },
      'failure',
    );
  });
  provider.on('grant.revoked', (ctx, grantId) => record(ctx, 'oauth.grant.revoked', { grantId }));
  // oidc-provider emits no event for a successful revocation: its answer tells.
  provider.use(async (koa, next) => {
    await next();
    const ctx = koa as KoaContextWithOIDC;
    if (ctx.oidc?.route === 'revocation' && ctx.status === 200)
      await record(ctx, 'oauth.token.revoked', { clientId: ctx.oidc.client?.clientId });
  });
  provider.on('end_session.success', (ctx) =>
    record(ctx, 'oauth.logout', { clientId: ctx.oidc.client?.clientId }),
  );

  /**
   * The back-channel logouts oidc-provider sends during RP-initiated logout, audited like those
   * Vigil sends when a session ends (src/oauth/logout.ts): in the user's organization.
   */
  async function backchannel(client: VigilClient, accountId: string, err?: unknown): Promise<void> {
    const action = err ? 'oauth.backchannel_logout.failed' : 'oauth.backchannel_logout.sent';
    const user = await withPlatform(deps.database, (tx) => deps.identity.findUser(tx, accountId));
    await deps.audit.append({
      orgId: user?.orgId ?? deps.platformOrgId,
      action,
      ...(err ? { outcome: 'failure' as const } : {}),
      actor: systemActor,
      target: { type: 'user', id: accountId },
      details: {
        clientId: client.clientId,
        uri: client.backchannelLogoutUri,
        trigger: 'rp_initiated_logout',
        ...(err ? { error: String(err) } : {}),
      },
    });
  }
  provider.on('backchannel.success', (_ctx, client, accountId) =>
    backchannel(client as unknown as VigilClient, accountId).catch(
      logFailure('oauth.backchannel_logout.sent'),
    ),
  );
  provider.on('backchannel.error', (_ctx, err, client, accountId) =>
    backchannel(client as unknown as VigilClient, accountId, err).catch(
      logFailure('oauth.backchannel_logout.failed'),
    ),
  );
  provider.on('server_error', (_ctx, err) =>
    deps.logger.error({ err }, 'oidc-provider server error'),
  );
}
