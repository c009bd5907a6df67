import { z } from 'zod';
import type { AlertSeverity } from '../../platform/index.ts';
import type { CheckRule, Finding, OrganizationCertificate } from '../rule.ts';

const dayMs = 86_400_000;
const days = z.number().int().min(1).max(365);
const thresholds = z
  .object({ days, criticalDays: days })
  .strict()
  .refine((t) => t.criticalDays < t.days, {
    path: ['criticalDays'],
    message: 'must be fewer than days (the last stage comes after the first)',
  });

/** The two stages of a certificate's last days, each an alert of its own. */
type Stage = 'warning' | 'critical';

function findingOf(
  cert: OrganizationCertificate,
  stage: Stage,
  severity: AlertSeverity,
  now: Date,
): Finding {
  const left = cert.notAfter.getTime() - now.getTime();
  const daysLeft = Math.floor(left / dayMs);
  return {
    orgId: cert.orgId,
    // Per certificate and stage: the last-days alert is raised even while the first is open.
    dedupKey: `${cert.key}:${stage}`,
    title: left <= 0 ? `${cert.name} has expired` : `${cert.name} expires in ${daysLeft} days`,
    details: {
      certificate: cert.key,
      name: cert.name,
      stage,
      subject: cert.subject,
      fingerprint: cert.fingerprint,
      notAfter: cert.notAfter.toISOString(),
      daysLeft,
      ...cert.details,
    },
    eventIds: [],
    at: now,
    severity,
  };
}

/**
 * An organization's SAML key or upstream IdP certificate near its notAfter
 * (docs/sso.md#certificates-and-their-expiry): an expired SAML signing key stops every
 * application's sign-in, an expired upstream certificate every federated sign-in of the
 * connection. One alert at `days` (the rule's severity), another, critical, at `criticalDays`.
 * Raised in the certificate's organization under that organization's settings.
 */
export const ssoCertificateExpiring: CheckRule<z.output<typeof thresholds>> = {
  kind: 'check',
  scope: 'organizations',
  key: 'sso.certificate_expiring',
  name: 'SSO certificate near expiry',
  description:
    "A SAML key of the organization (not retired) or an upstream identity provider's certificate expires within the threshold's days; a second, critical alert within criticalDays. Rotate the key or upload the IdP's new certificate before single sign-on stops.",
  defaultSeverity: 'high',
  defaultThresholds: { days: 30, criticalDays: 7 },
  thresholdSchema: thresholds,
  async check(ctx) {
    const now = ctx.clock.now();
    const findings: Finding[] = [];
    for (const cert of await ctx.organizationCertificates()) {
      const settings = await ctx.settingsIn(cert.orgId);
      if (!settings.enabled) continue;
      const left = cert.notAfter.getTime() - now.getTime();
      const { days: warnAt, criticalDays } = settings.thresholds;
      if (left > warnAt * dayMs) continue;
      // One stage at a time: the warning alert stays as it was once the critical one is raised.
      findings.push(
        left <= criticalDays * dayMs
          ? findingOf(cert, 'critical', 'critical', now)
          : findingOf(cert, 'warning', settings.severity, now),
      );
    }
    return findings;
  },
};
