/**
 * The live control checks from the command line (docs/compliance.md#api-and-cli): an
 * organization's controls with their current results, a control's history, and a run now.
 */
import type { OrgRunReport } from '../../compliance/index.ts';
import { isAppError, operatorActor } from '../../platform/index.ts';
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
  tableOr,
  text,
  UsageError,
  withCore,
} from './kit.ts';

const badPeriod = asUsage(['compliance.period_invalid'], { from: '--from', to: '--to' });

/** The services and the organization `--org` names (required). */
async function setup(
  ctx: CommandContext,
  command: string,
  core: Parameters<Parameters<typeof withCore>[1]>[0],
) {
  const slug = required(ctx, command, 'org', 'SLUG');
  const services = createServices(core);
  const org = findOrg(await services.tenancy.organizations(), slug);
  return { compliance: services.compliance, org };
}

const statusText = { pass: 'pass', fail: 'FAIL', not_applicable: 'n/a' } as const;

/** One line per organization run: what was checked and what changed. */
function runLine(name: string, r: OrgRunReport): string {
  return [
    `${name}: ${r.checked} controls checked`,
    ...(r.nowFailing.length > 0 ? [`now failing: ${r.nowFailing.join(', ')}`] : []),
    ...(r.recovered.length > 0 ? [`recovered: ${r.recovered.join(', ')}`] : []),
    ...(r.failedChecks.length > 0
      ? [`checks that could not run (see the log): ${r.failedChecks.join(', ')}`]
      : []),
  ].join('; ');
}

export const complianceCommands: Record<string, Command> = {
  async 'compliance controls'(ctx) {
    const command = 'compliance controls';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return withCore(ctx, async (core) => {
      const { compliance, org } = await setup(ctx, command, core);
      const view = await compliance.controlsOf(org.id);
      const human = [
        `controls of ${org.slug}; last run ${iso(view.lastRunAt)}`,
        tableOr(
          ['CONTROL', 'SCOPE', 'STATUS', 'SINCE', 'SUMMARY'],
          view.controls.map((c) => [
            c.id,
            c.scope,
            c.result ? statusText[c.result.status] : 'unchecked',
            iso(c.result?.since),
            c.result?.summary ?? '-',
          ]),
          'no controls',
        ),
      ].join('\n');
      print(ctx, human, view);
      // Like a failed verification: a script can tell that something needs attention.
      return view.controls.some((c) => c.result?.status === 'fail') ? 1 : 0;
    });
  },

  async 'compliance history'(ctx) {
    const command = 'compliance history';
    onlyOptions(ctx, command, ['org', 'control', 'from', 'to']);
    positional(ctx, command, []);
    const control = required(ctx, command, 'control', 'ID');
    const period = { from: text(ctx, 'from'), to: text(ctx, 'to') };
    return withCore(ctx, async (core) => {
      const { compliance, org } = await setup(ctx, command, core);
      const history = await compliance.history(org.id, control, period).catch((err: unknown) => {
        if (isAppError(err) && err.code === 'compliance.control_not_found')
          throw new UsageError(`--control: there is no control ${control}`);
        return badPeriod(err);
      });
      const human = [
        `${control} of ${org.slug} from ${iso(history.from)} to ${iso(history.to)}`,
        tableOr(
          ['SINCE', 'UNTIL', 'STATUS', 'EXCEPTIONS', 'SUMMARY'],
          history.results.map((r) => [
            iso(r.since),
            iso(r.until),
            statusText[r.status],
            String(r.exceptions.length),
            r.summary,
          ]),
          'no results in the period',
        ),
      ].join('\n');
      print(ctx, human, history);
      return 0;
    });
  },

  async 'compliance run'(ctx) {
    const command = 'compliance run';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const orgs = await services.tenancy.organizations();
      const slug = text(ctx, 'org');
      const { runner } = services.compliance;
      const { reports, failedOrgs } =
        slug === undefined
          ? await runner.runAll(operatorActor)
          : {
              reports: [await runner.runOrg(findOrg(orgs, slug).id, operatorActor)],
              failedOrgs: 0,
            };
      const nameOf = (id: string) => orgs.find((o) => o.id === id)?.slug ?? id;
      const human = [
        ...reports.map((r) => runLine(nameOf(r.orgId), r)),
        ...(failedOrgs > 0
          ? [`organizations that could not be run (see the log): ${failedOrgs}`]
          : []),
      ].join('\n');
      print(ctx, human, { reports, failedOrgs });
      return failedOrgs > 0 || reports.some((r) => r.failedChecks.length > 0) ? 1 : 0;
    });
  },
};
