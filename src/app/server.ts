import type { FastifyInstance } from 'fastify';
import { startSealer } from '../audit/index.ts';
import { apiPrefix, createHttpServer, createMetricsRegistry } from '../http/index.ts';
import {
  type Config,
  type Logger,
  type Mailer,
  pendingMigrations,
  repeatEvery,
  systemActor,
} from '../platform/index.ts';
import { type Core, openCore, reencryptPending } from './core.ts';
import { createServices, signInFlowMinutes } from './services.ts';
import { loadTlsMaterial } from './tls.ts';

export interface RunningServer {
  app: FastifyInstance;
  core: Core;
  /** The URL the server listens on (the bound port, for tests that ask for port 0). */
  url: string;
  stop(): Promise<void>;
}

const keyRefreshMs = 60_000;

export interface StartOptions {
  /** An open core to serve (tests); the server then leaves closing it to the caller. */
  core?: Core;
  /** Where the one-time setup link is printed for the operator. */
  announce?: (text: string) => void;
  /** How mail leaves (tests capture it); otherwise SMTP or the log, from the configuration. */
  mailer?: Mailer;
}

/** Builds everything and starts listening: storage, keys, audit sealing, HTTP. */
export async function startServer(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const c = options.core ?? (await openCore({ config, logger }));
  const announce = options.announce ?? ((text: string) => process.stdout.write(text));
  const services = createServices(c, { mailer: options.mailer });
  const { bootstrap, oauth } = services;
  await oauth.signingKeys.ensure(systemActor);
  await oauth.reload();
  const apiAudience = `${config.VIGIL_PUBLIC_URL}${apiPrefix}`;
  const consoleCanSignIn = await oauth.clients.ensureConsoleClient(
    { publicUrl: config.VIGIL_PUBLIC_URL, apiAudience },
    systemActor,
  );
  if (!consoleCanSignIn)
    logger.warn('VIGIL_PUBLIC_URL is not https: the admin console (/admin) cannot sign anyone in');
  const sealer = startSealer({
    ...c.sealer,
    intervalMs: config.VIGIL_AUDIT_SEAL_INTERVAL_MS,
    logger,
  });
  const reencrypt = () =>
    reencryptPending(c, systemActor).catch((err: unknown) =>
      logger.error({ err }, 're-encryption failed; will retry'),
    );
  // Another node (or `vigil keys rotate`) may rotate keys: pick up new keys and finish any
  // re-encryption a crash interrupted.
  void reencrypt();
  const background = setInterval(() => {
    void c.keyring
      .refresh()
      .then(reencrypt, (err: unknown) => logger.error({ err }, 'key refresh failed'));
    // Expired sessions end (audited) even when nobody comes back with their cookie.
    void services.sessions
      .sweep()
      .catch((err: unknown) => logger.error({ err }, 'session sweep failed'));
    // Signing keys: rotate when due (one node decides), and every node picks up new keys.
    void oauth.signingKeys
      .rotateDue(systemActor)
      .then(() => oauth.reload())
      .catch((err: unknown) => logger.error({ err }, 'signing key schedule failed'));
    void oauth.sweep().catch((err: unknown) => logger.error({ err }, 'OAuth sweep failed'));
    void services.signIn
      .sweep()
      .catch((err: unknown) => logger.error({ err }, 'sign-in flow sweep failed'));
    // Trusted browsers that count for nothing any more (revoked, or unused for a year).
    void services.lockout.devices
      .sweep()
      .catch((err: unknown) => logger.error({ err }, 'trusted device sweep failed'));
    // SAML requests whose user never came back from the sign-in.
    void services.saml.service
      .sweep()
      .catch((err: unknown) => logger.error({ err }, 'SAML request sweep failed'));
    // Role assignments and access requests past their expiry (audited).
    void services.rbac
      .sweep()
      .catch((err: unknown) => logger.error({ err }, 'access sweep failed'));
  }, keyRefreshMs);
  background.unref();
  // End dates, dormant-account warnings and suspensions: one node at a time (advisory lock).
  const schedule = repeatEvery({
    name: 'lifecycle schedule',
    intervalMs: config.VIGIL_LIFECYCLE_INTERVAL_SECONDS * 1000,
    run: () => services.lifecycleSchedule.runRound(),
    logger,
  });
  // Access reviews: scheduled launches, reminders, escalation, auto-close (advisory lock too).
  const reviewSchedule = repeatEvery({
    name: 'review schedule',
    intervalMs: config.VIGIL_REVIEWS_INTERVAL_SECONDS * 1000,
    run: () => services.reviewSchedule.runRound(),
    logger,
  });
  // Audit months: partitions ahead now; archive, drop and purge rounds (one node at a time).
  await services.auditArchiver.ensurePartitions();
  const auditArchive = services.auditArchiver.start(
    config.VIGIL_AUDIT_ARCHIVE_INTERVAL_SECONDS * 1000,
    logger,
  );
  // Alert notifications (mail, webhooks): sent and retried; safe on every node (SKIP LOCKED).
  const alertDeliveries = repeatEvery({
    name: 'alert deliveries',
    intervalMs: config.VIGIL_ALERTS_DELIVERY_INTERVAL_MS,
    run: () => services.deliveryWorker.runRound(),
    logger,
  });
  // SIEM streams: the audit log to syslog over TLS and signed webhooks (one node at a time).
  const siemStreams = repeatEvery({
    name: 'SIEM streams',
    intervalMs: config.VIGIL_SIEM_INTERVAL_MS,
    run: () => services.siemRunner.runRound(),
    logger,
  });
  // Alert rules over the audit feed (one node at a time), and the scheduled audit verification,
  // asked often and run when due (docs/alerts.md#the-engine).
  const alertRules = repeatEvery({
    name: 'alert rules',
    intervalMs: config.VIGIL_ALERTS_INTERVAL_MS,
    run: () => services.alerts.engine.runRound(),
    logger,
  });
  const auditVerifySchedule = repeatEvery({
    name: 'audit verify schedule',
    intervalMs: 600_000,
    run: () => services.alerts.verifySchedule.runIfDue(),
    logger,
  });
  // The live control checks of every organization and the platform (one node at a time).
  const complianceChecks = repeatEvery({
    name: 'compliance checks',
    intervalMs: config.VIGIL_COMPLIANCE_INTERVAL_MS,
    run: () => services.compliance.schedule.runRound(),
    logger,
  });

  const app = await createHttpServer({
    config,
    logger,
    tls: await loadTlsMaterial(config, logger),
    bootstrap,
    account: {
      database: c.database,
      audit: c.audit,
      signIn: services.signIn,
      passwordReset: services.passwordReset,
      sessions: services.sessions,
      account: services.account,
      oauth: services.oauth,
      ssoDomains: services.ssoDomains,
      federation: services.federation,
      saml: services.saml.service,
      flowMinutes: signInFlowMinutes,
    },
    api: {
      ...services,
      database: c.database,
      audit: c.audit,
      publicUrl: config.VIGIL_PUBLIC_URL,
      audience: apiAudience,
    },
    saml: { saml: services.saml.service, authenticate: services.sessions.authenticate },
    scim: {
      publicUrl: config.VIGIL_PUBLIC_URL,
      authenticate: services.scimTokens.authenticate,
      scim: services.scim,
      bodyLimit: config.VIGIL_BODY_LIMIT,
    },
    metrics: createMetricsRegistry(),
    readiness: {
      async check() {
        const pending = await pendingMigrations(c.database);
        const problems = pending.length > 0 ? [`migrations pending: ${pending.join(', ')}`] : [];
        if (c.ipCounter)
          await c.ipCounter.get('readyz').catch(() => problems.push('redis unreachable'));
        return problems;
      },
    },
  });
  await app.listen({ host: config.VIGIL_HOST, port: config.VIGIL_PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.VIGIL_PORT;
  const scheme = config.VIGIL_BEHIND_TLS_PROXY ? 'http' : 'https';

  if (await bootstrap.isOpen()) {
    // A restart (or another node) must not revoke a link the operator may be about to use.
    if (await bootstrap.hasOpenLink()) {
      logger.warn(
        'no platform administrator yet and a setup link is still valid; `vigil admin bootstrap` prints a fresh one',
      );
    } else {
      const link = await bootstrap.issueLink(systemActor);
      logger.warn(
        { expiresAt: link.expiresAt.toISOString() },
        'no platform administrator yet: open the one-time setup link printed below',
      );
      announce(
        `\n  Create the first platform administrator (valid until ${link.expiresAt.toISOString()}):\n  ${link.url}\n\n`,
      );
    }
  }
  return {
    app,
    core: c,
    url: `${scheme}://localhost:${port}`,
    async stop() {
      clearInterval(background);
      await schedule.stop();
      await reviewSchedule.stop();
      await auditArchive.stop();
      await alertDeliveries.stop();
      await siemStreams.stop();
      await alertRules.stop();
      await auditVerifySchedule.stop();
      await complianceChecks.stop();
      await app.close();
      // Reset requests answered before the close still issue their links.
      await services.passwordReset.settled();
      await sealer.stop();
      if (!options.core) await c.close();
    },
  };
}
