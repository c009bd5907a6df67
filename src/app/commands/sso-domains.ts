import type { SsoDomain } from '../../federation/index.ts';
import { isUuid, operatorActor } from '../../platform/index.ts';
import { createServices, type Services } from '../services.ts';
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
  tableOr,
  text,
  UsageError,
  withCore,
} from './kit.ts';

/** The services and the organization `--org` names (required: domains are an organization's). */
function inOrg<T>(
  ctx: CommandContext,
  command: string,
  work: (services: Services, org: { id: string; slug: string }) => Promise<T>,
): Promise<T> {
  const slug = required(ctx, command, 'org', 'SLUG');
  return withCore(ctx, async (core) => {
    const services = createServices(core);
    return work(services, findOrg(await services.tenancy.organizations(), slug));
  });
}

function domainId(ctx: CommandContext, command: string): string {
  const [id = ''] = positional(ctx, command, ['domain-id']);
  if (!isUuid(id)) throw new UsageError(`${command}: ${id} is not a domain id`);
  return id;
}

const invalidPolicy = asUsage(['policy.invalid'], {});

const state = (d: SsoDomain) =>
  d.verifiedAt ? `verified by ${d.verification} ${iso(d.verifiedAt)}` : 'not verified';

/**
 * Claimed email domains and the SSO policy from the command line
 * (docs/sso.md#home-realm-discovery-and-domains, #sso-required-and-break-glass). The CLI is the
 * operator: its attestations are the platform's.
 */
export const ssoDomainCommands: Record<string, Command> = {
  async 'sso domains list'(ctx) {
    const command = 'sso domains list';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return inOrg(ctx, command, async (services, org) => {
      const items = await services.ssoDomains.inOrg.list(org.id);
      const rows = items.map((d) => [d.id, d.domain, state(d), d.connectionId ?? '-']);
      print(
        ctx,
        tableOr(['ID', 'DOMAIN', 'STATE', 'CONNECTION'], rows, `no domains in ${org.slug}`),
        {
          items,
        },
      );
      return 0;
    });
  },

  async 'sso domains add'(ctx) {
    const command = 'sso domains add';
    onlyOptions(ctx, command, ['org', 'connection']);
    const [domain = ''] = positional(ctx, command, ['domain']);
    const connectionId = text(ctx, 'connection');
    if (connectionId !== undefined && !isUuid(connectionId))
      throw new UsageError(`--connection: ${connectionId} is not a connection id`);
    return inOrg(ctx, command, async (services, org) => {
      const claimed = await services.ssoDomains.inOrg.claim(
        org.id,
        { domain, connectionId },
        operatorActor,
      );
      const human = [
        `claimed ${claimed.domain} for ${org.slug} (${claimed.id}), not verified yet`,
        `To verify it, serve this file at ${claimed.verificationFile.url}`,
        `then run: vigil sso domains verify ${claimed.id} --org ${org.slug} --method file`,
        '',
        claimed.verificationFile.content,
      ].join('\n');
      print(ctx, human, { domain: claimed });
      return 0;
    });
  },

  async 'sso domains verify'(ctx) {
    const command = 'sso domains verify';
    onlyOptions(ctx, command, ['org', 'method', 'statement']);
    const id = domainId(ctx, command);
    const method = required(ctx, command, 'method', 'file|attestation');
    if (method !== 'file' && method !== 'attestation')
      throw new UsageError('--method must be file or attestation');
    const statement = text(ctx, 'statement');
    if (method === 'attestation' && !statement)
      throw new UsageError(`${command} --method attestation needs --statement TEXT`);
    if (method === 'file' && statement !== undefined)
      throw new UsageError('--statement goes with --method attestation only');
    const input =
      method === 'file'
        ? { method: 'file' as const }
        : { method: 'attestation' as const, statement: statement ?? '' };
    return inOrg(ctx, command, async (services, org) => {
      const verified = await services.ssoDomains.inOrg.verify(org.id, id, input, operatorActor, {
        byPlatform: true,
      });
      print(ctx, `${verified.domain}: ${state(verified)}`, { domain: verified });
      return 0;
    });
  },

  async 'sso domains remove'(ctx) {
    const command = 'sso domains remove';
    onlyOptions(ctx, command, ['org']);
    const id = domainId(ctx, command);
    return inOrg(ctx, command, async (services, org) => {
      await services.ssoDomains.inOrg.remove(org.id, id, operatorActor);
      print(ctx, `removed domain ${id} of ${org.slug}`, { removed: id });
      return 0;
    });
  },

  async 'sso policy show'(ctx) {
    const command = 'sso policy show';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return inOrg(ctx, command, async (services, org) => {
      const { policy, version } = await services.ssoPolicy.inOrg.policy(org.id);
      const human = `SSO policy of ${org.slug} (version ${version}): SSO ${policy.required ? 'required (passwords off, platform administrators excepted)' : 'not required'}; MFA: ${policy.mfa === 'upstream' ? "the identity provider's counts" : "Vigil's own, after every SSO sign-in"}`;
      print(ctx, human, { version, policy });
      return 0;
    });
  },

  async 'sso policy set'(ctx) {
    const command = 'sso policy set';
    onlyOptions(ctx, command, ['org', 'required', 'mfa']);
    positional(ctx, command, []);
    const requiredValue = text(ctx, 'required');
    const mfa = text(ctx, 'mfa');
    if (requiredValue === undefined && mfa === undefined)
      throw new UsageError(`${command} needs --required yes|no or --mfa upstream|vigil`);
    if (requiredValue !== undefined && requiredValue !== 'yes' && requiredValue !== 'no')
      throw new UsageError('--required must be yes or no');
    if (mfa !== undefined && mfa !== 'upstream' && mfa !== 'vigil')
      throw new UsageError('--mfa must be upstream or vigil');
    return inOrg(ctx, command, async (services, org) => {
      const { policy } = await services.ssoPolicy.inOrg.policy(org.id);
      const next = {
        required: requiredValue === undefined ? policy.required : requiredValue === 'yes',
        mfa: mfa ?? policy.mfa,
      };
      const set = await services.ssoPolicy.inOrg
        .setPolicy(org.id, next, operatorActor)
        .catch(invalidPolicy);
      print(
        ctx,
        `SSO policy of ${org.slug} is now version ${set.version}: required ${set.policy.required ? 'yes' : 'no'}, mfa ${set.policy.mfa}`,
        set,
      );
      return 0;
    });
  },
};
