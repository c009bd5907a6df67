export { allRules, checkRules, eventRules } from './catalog.ts';
export { maxAttempts, retryDelaysMs } from './deliveries/backoff.ts';
export { deliveryErrors } from './deliveries/errors.ts';
export {
  type AlertDeliveries,
  type AlertDelivery,
  createAlertDeliveries,
  type DeliveryQuery,
} from './deliveries/log.ts';
export {
  type AlertNotificationsInOrg,
  alertNotificationsInOrg,
  createDeliveryWorker,
  type DeliveryRound,
  type DeliveryWorker,
} from './deliveries/service.ts';
export { type AlertEngine, type AlertRoundReport, alertsCursor } from './engine.ts';
export { alertErrors } from './errors.ts';
export { geoLocatorOf } from './geo/index.ts';
export type { AlertInbox, AlertQuery } from './inbox.ts';
export {
  type Alert,
  type AlertJson,
  alertJson,
  atLeast,
  severities,
  statuses,
} from './model.ts';
export {
  type AlertPolicy,
  type AlertPolicyService,
  alertPolicySchema,
  defaultAlertPolicy,
  settingsOf,
} from './policy.ts';
export { alertRulesActor } from './raise.ts';
export type * from './rule.ts';
export {
  type AlertRules,
  type Alerts,
  type AlertsDeps,
  createAlerts,
} from './service.ts';
export { type AuditVerifySchedule, auditVerifyActor } from './verify-schedule.ts';
export { webhookErrors } from './webhooks/errors.ts';
export {
  createWebhookEndpoints,
  endpointChangeSchema,
  endpointInputSchema,
  type WebhookEndpoint,
  type WebhookEndpoints,
  webhookSecretColumn,
} from './webhooks/service.ts';
export { createSlidingWindows } from './windows.ts';
