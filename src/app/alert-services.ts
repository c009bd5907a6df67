import {
  alertNotificationsInOrg,
  createAlertDeliveries,
  createAlerts,
  createDeliveryWorker,
  createWebhookEndpoints,
  geoLocatorOf,
} from '../alerts/index.ts';
import type { AuditVerification } from '../audit/index.ts';
import { createSsoCertificates } from '../federation/index.ts';
import { createOutbound, type Mailer } from '../platform/index.ts';
import type { Rbac } from '../rbac/index.ts';
import { alertCertificates } from './alert-certificates.ts';
import { alertSsoCertificates } from './alert-sso-certificates.ts';
import { baseOf, type Core } from './core.ts';

/**
 * Alerting (docs/alerts.md, docs/webhooks.md): the detection rules and their inbox, where alerts
 * are sent and the worker that sends them. The server starts the engine and the worker.
 */
export function alertServices(
  core: Core,
  deps: { mailer: Mailer; rbac: Rbac; auditVerification: AuditVerification },
) {
  const { mailer, rbac, auditVerification } = deps;
  // Alert notifications (docs/webhooks.md): endpoints behind the SSRF guard, the delivery log
  // and its dead letters, and the worker the server starts.
  const outbound = createOutbound({ allow: core.config.VIGIL_OUTBOUND_ALLOW });
  const webhooks = createWebhookEndpoints({ ...baseOf(core), keyring: core.keyring, outbound });
  const alertDeliveries = createAlertDeliveries(baseOf(core));
  const deliveryWorker = createDeliveryWorker({
    ...baseOf(core),
    database: core.database,
    mailer,
    outbound,
    endpoints: webhooks,
    logger: core.logger,
  });
  // The same for the operator (the CLI): each call in a transaction of its own.
  const alertNotifications = alertNotificationsInOrg(core.database, {
    webhooks,
    deliveries: alertDeliveries,
  });
  // The SSO certificate inventory (docs/sso.md#certificates-and-their-expiry): the admin API and
  // the CLI list it, the expiry check reads every organization's.
  const ssoCertificates = createSsoCertificates({ database: core.database, clock: core.clock });
  // Alerting (docs/alerts.md): the rules over the audit feed, the inbox, scheduled verification.
  const alerts = createAlerts({
    ...baseOf(core),
    database: core.database,
    logger: core.logger,
    publicUrl: core.config.VIGIL_PUBLIC_URL,
    rolesOf: rbac.rolesOf,
    holdersIn: rbac.holdersIn,
    verification: auditVerification,
    verifyIntervalHours: core.config.VIGIL_AUDIT_VERIFY_INTERVAL_HOURS,
    certificates: alertCertificates(core.config),
    organizationCertificates: alertSsoCertificates(ssoCertificates),
    // Offline; loaded when a location rule first meets a public address (docs/alerts.md).
    geo: geoLocatorOf(core.config),
  });
  return {
    outbound,
    webhooks,
    alertDeliveries,
    alertNotifications,
    deliveryWorker,
    alerts,
    ssoCertificates,
  };
}
