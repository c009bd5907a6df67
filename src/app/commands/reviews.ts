/**
 * Access reviews from the command line (docs/reviews.md#command-line): campaigns launched,
 * listed, followed, closed and their items reassigned by the operator; `vigil reviews export`
 * writes a closed campaign's signed bundle; `vigil reviews verify FILE` checks one offline, no
 * database.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { verifyEvidence } from '../../compliance/index.ts';
import { ed25519PublicKeyFrom, type KeyObject, publicKeyFingerprint } from '../../crypto/index.ts';
import { isUuid, operatorActor } from '../../platform/index.ts';
import { type CampaignSummary, type ReviewScope, reviewsInOrg } from '../../reviews/index.ts';
import { createServices } from '../services.ts';
import {
  asUsage,
  type Command,
  type CommandContext,
  findOrg,
  iso,
  onlyOptions,
  positional,
  print,
  required,
  table,
  tableOr,
  text,
  UsageError,
  withCore,
} from './kit.ts';

const scopeKinds: readonly ReviewScope['kind'][] = [
  'privileged_roles',
  'all_assignments',
  'client_users',
  'api_keys',
];

/** The service's validation, in the words of the command line. */
const invalidReview = asUsage(['review.invalid', 'review.reviewer_invalid'], {
  name: '--name',
  scope: '--scope',
  'scope.clientId': '--client',
  dueAt: '--due',
  undecided: '--undecided',
  reason: '--reason',
  reviewerId: '--to',
});

/** `--due`: a day (the campaign is due at its end, UTC) or an ISO date-time. */
function dueDate(ctx: CommandContext, command: string): Date {
  const value = required(ctx, command, 'due', 'YYYY-MM-DD');
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const due = new Date(day ? `${value}T23:59:59.999Z` : value);
  if (Number.isNaN(due.getTime()))
    throw new UsageError('--due must be a day (YYYY-MM-DD) or an ISO date-time');
  return due;
}

function oneOf<T extends string>(ctx: CommandContext, name: string, allowed: readonly T[]) {
  const value = text(ctx, name);
  if (value !== undefined && !allowed.includes(value as T))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return value as T | undefined;
}

/** A campaign or item id given as the command's argument. */
function idArgument(ctx: CommandContext, command: string, name: string): string {
  const [id = ''] = positional(ctx, command, [name]);
  if (!isUuid(id)) throw new UsageError(`${name.toUpperCase()}: ${id} is not an id`);
  return id;
}

const metricsLine = ({ metrics: m }: CampaignSummary) =>
  `${m.items} items, ${m.decided} decided (${m.onTime} on time), ${m.revoked} revoked, ${m.unreviewable} unreviewable`;

/** The organization of `--org` and the services, for a command that acts on one organization. */
async function inOrganization(
  ctx: CommandContext,
  command: string,
  services: ReturnType<typeof createServices>,
) {
  return findOrg(await services.tenancy.organizations(), required(ctx, command, 'org', 'SLUG'));
}

function readFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${what} ${path}`);
  }
}

/** The platform's published seal key, as a PEM (SPKI) or a JWK file. */
function expectedKey(path: string): KeyObject {
  const body = readFile(path, '--public-key');
  try {
    return ed25519PublicKeyFrom(body);
  } catch {
    throw new UsageError(`--public-key ${path} is not an Ed25519 public key (PEM or JWK)`);
  }
}

export const reviewCommands: Record<string, Command> = {
  async 'reviews launch'(ctx) {
    const command = 'reviews launch';
    onlyOptions(ctx, command, ['org', 'scope', 'client', 'name', 'due', 'undecided']);
    positional(ctx, command, []);
    const kind = oneOf(ctx, 'scope', scopeKinds);
    if (!kind) throw new UsageError(`${command} needs --scope ${scopeKinds.join('|')}`);
    const clientId = text(ctx, 'client');
    const input = {
      name: required(ctx, command, 'name', 'NAME'),
      scope: clientId === undefined ? { kind } : { kind, clientId },
      dueAt: dueDate(ctx, command),
      undecided: oneOf(ctx, 'undecided', ['revoke', 'keep'] as const),
    };
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = await inOrganization(ctx, command, services);
      const campaign = await reviewsInOrg(core.database, services.reviews)
        .launch(org.id, input, operatorActor)
        .catch(invalidReview);
      print(
        ctx,
        [
          `launched campaign ${campaign.id} "${campaign.name}" (${campaign.scope.kind}) in ${org.slug}, due ${iso(campaign.dueAt)}`,
          `${metricsLine(campaign)}; undecided items are ${campaign.undecidedPolicy === 'revoke' ? 'revoked' : 'kept'} at close`,
          `snapshot SHA-256 ${campaign.snapshotSha256}`,
        ].join('\n'),
        { campaign },
      );
      return 0;
    });
  },

  async 'reviews list'(ctx) {
    const command = 'reviews list';
    onlyOptions(ctx, command, ['org', 'status']);
    positional(ctx, command, []);
    const status = oneOf(ctx, 'status', ['open', 'closed'] as const);
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = await inOrganization(ctx, command, services);
      const campaigns = await reviewsInOrg(core.database, services.reviews).list(org.id, status);
      print(
        ctx,
        tableOr(
          ['ID', 'NAME', 'SCOPE', 'STATUS', 'DUE', 'ITEMS', 'DECIDED', 'REVOKED', 'UNREVIEWABLE'],
          campaigns.map((c) => [
            c.id,
            c.name,
            c.scope.kind,
            c.status,
            iso(c.dueAt),
            String(c.metrics.items),
            String(c.metrics.decided),
            String(c.metrics.revoked),
            String(c.metrics.unreviewable),
          ]),
          `no ${status ?? ''}${status ? ' ' : ''}review campaigns in ${org.slug}`,
        ),
        { campaigns },
      );
      return 0;
    });
  },

  async 'reviews show'(ctx) {
    const command = 'reviews show';
    onlyOptions(ctx, command, ['org']);
    const campaignId = idArgument(ctx, command, 'campaign-id');
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = await inOrganization(ctx, command, services);
      const progress = await reviewsInOrg(core.database, services.reviews).progress(
        org.id,
        campaignId,
      );
      print(
        ctx,
        [
          `campaign ${progress.id} "${progress.name}" (${progress.scope.kind}${progress.scope.clientId ? ` of client ${progress.scope.clientId}` : ''}), ${progress.status}`,
          `launched ${iso(progress.launchedAt)}, due ${iso(progress.dueAt)}${progress.closedAt ? `, closed ${iso(progress.closedAt)}` : ''}; undecided items: ${progress.undecidedPolicy}`,
          metricsLine(progress),
          table(
            ['REVIEWER', 'ASSIGNED', 'DECIDED'],
            progress.reviewers.map((r) => [
              r.reviewer.email,
              String(r.assigned),
              String(r.decided),
            ]),
          ),
        ].join('\n'),
        { campaign: progress },
      );
      return 0;
    });
  },

  async 'reviews close'(ctx) {
    const command = 'reviews close';
    onlyOptions(ctx, command, ['org']);
    const campaignId = idArgument(ctx, command, 'campaign-id');
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = await inOrganization(ctx, command, services);
      const closed = await reviewsInOrg(core.database, services.reviews).close(
        org.id,
        campaignId,
        operatorActor,
      );
      print(
        ctx,
        [
          `closed campaign ${closed.id} "${closed.name}": ${metricsLine(closed)}`,
          closed.clean
            ? 'clean: every item had a reviewer'
            : `not clean: ${closed.metrics.unreviewable} items had nobody but their subject to review them`,
        ].join('\n'),
        { campaign: closed },
      );
      return 0;
    });
  },

  async 'reviews reassign'(ctx) {
    const command = 'reviews reassign';
    onlyOptions(ctx, command, ['org', 'to', 'reason']);
    const itemId = idArgument(ctx, command, 'item-id');
    const email = required(ctx, command, 'to', 'EMAIL');
    const reason = required(ctx, command, 'reason', 'TEXT');
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = await inOrganization(ctx, command, services);
      const reviewer = await services.identity.userByEmail(org.id, email);
      if (!reviewer) throw new UsageError(`--to: there is no user ${email} in ${org.slug}`);
      const item = await reviewsInOrg(core.database, services.reviews)
        .reassign(org.id, itemId, reviewer.id, reason, operatorActor)
        .catch(invalidReview);
      const access = item.roleKey ?? item.apiKeyName ?? item.clientId ?? '-';
      print(
        ctx,
        `item ${item.id} (${item.subject.email}: ${access}) is now reviewed by ${reviewer.email}`,
        { item },
      );
      return 0;
    });
  },

  /** The platform's seal public keys, to hand an auditor for `reviews verify --public-key`. */
  async 'reviews seal-keys'(ctx) {
    onlyOptions(ctx, 'reviews seal-keys', []);
    positional(ctx, 'reviews seal-keys', []);
    return withCore(ctx, async (core) => {
      const keys = (await core.keys.list())
        .filter((k) => k.purpose === 'audit-seal' && k.public_key)
        .map((k) => {
          const pem = String(k.public_key);
          const fingerprint = publicKeyFingerprint(ed25519PublicKeyFrom(pem));
          return { id: k.id, status: k.status, fingerprint, publicKeyPem: pem };
        });
      print(
        ctx,
        keys
          .map(
            (k) =>
              `key ${k.id} (${k.status}) SHA-256 fingerprint ${k.fingerprint}\n${k.publicKeyPem.trimEnd()}`,
          )
          .join('\n\n'),
        keys,
      );
      return 0;
    });
  },
  async 'reviews export'(ctx) {
    onlyOptions(ctx, 'reviews export', ['org', 'out']);
    const [campaignId = ''] = positional(ctx, 'reviews export', ['campaign-id']);
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = await inOrganization(ctx, 'reviews export', services);
      const record = await reviewsInOrg(core.database, services.reviews).record(org.id, campaignId);
      const { fileName, text: bundle } = await services.reviewEvidence.bundleOf(record);
      const out = text(ctx, 'out');
      if (!out) ctx.stdout.write(bundle);
      else {
        writeFileSync(out, bundle, { mode: 0o600 });
        print(ctx, `wrote ${fileName} to ${out}`, { fileName, out });
      }
      return 0;
    });
  },
  async 'reviews verify'(ctx) {
    onlyOptions(ctx, 'reviews verify', ['public-key']);
    const [file = ''] = positional(ctx, 'reviews verify', ['file']);
    const keyPath = text(ctx, 'public-key');
    const report = verifyEvidence(
      readFile(file, 'evidence bundle'),
      keyPath ? expectedKey(keyPath) : undefined,
    );
    const lines = [
      `campaign ${report.campaignId ?? '-'} of organization ${report.orgId ?? '-'}, closed ${report.closedAt ?? '-'}`,
      `signed by key ${report.keyId ?? '-'} (SHA-256 fingerprint ${report.fingerprint ?? '-'})`,
      ...report.files.map((f) => `  ${f.name}  ${f.size} bytes  sha256 ${f.sha256}`),
      ...(report.ok
        ? [
            keyPath
              ? 'verified: every file, the signature, and the key is the expected one'
              : 'verified: every file and the signature; compare the fingerprint with the platform seal key',
          ]
        : report.failures.map((f) => `FAILED ${f}`)),
    ];
    print(ctx, lines.join('\n'), report);
    return report.ok ? 0 : 1;
  },
};
