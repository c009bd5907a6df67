import { z } from 'zod';
import { certificatesInPem } from '../../crypto/index.ts';
import { platformOrgId } from '../../platform/index.ts';
import type { CheckRule, Finding } from '../rule.ts';

const dayMs = 86_400_000;
const thresholds = z.object({ days: z.number().int().min(1).max(365) }).strict();

/**
 * Certificates near their notAfter: the server's TLS certificate and any other the application
 * hands the checks. An expired certificate is an outage (or, worse, clients told to ignore
 * errors). Platform-wide: raised in the platform organization, under its settings.
 */
export const certificateExpiring: CheckRule<z.output<typeof thresholds>> = {
  kind: 'check',
  key: 'certificate.expiring',
  name: 'Certificate near expiry',
  description:
    "A certificate Vigil serves or relies on (its TLS certificate first) expires within the threshold's days, or has expired.",
  defaultSeverity: 'high',
  defaultThresholds: { days: 30 },
  thresholdSchema: thresholds,
  async check(ctx, settings) {
    const now = ctx.clock.now();
    const findings: Finding[] = [];
    for (const { name, pem } of await ctx.certificates()) {
      for (const cert of certificatesInPem(pem)) {
        const left = cert.notAfter.getTime() - now.getTime();
        if (left > settings.thresholds.days * dayMs) continue;
        const daysLeft = Math.floor(left / dayMs);
        findings.push({
          orgId: platformOrgId,
          dedupKey: `certificate:${cert.fingerprint256}`,
          title:
            left <= 0
              ? `Certificate ${name} has expired`
              : `Certificate ${name} expires in ${daysLeft} days`,
          details: {
            name,
            subject: cert.subject,
            issuer: cert.issuer,
            notAfter: cert.notAfter.toISOString(),
            daysLeft,
            fingerprint256: cert.fingerprint256,
          },
          eventIds: [],
          at: now,
        });
      }
    }
    return findings;
  },
};
