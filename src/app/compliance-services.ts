import {
  type Control,
  controls as catalog,
  createComplianceRunner,
  createComplianceSchedule,
  createComplianceService,
} from '../compliance/index.ts';
import { platformOrgId } from '../platform/index.ts';
import { type ComplianceSourceServices, complianceSources } from './compliance-sources.ts';
import type { Core } from './core.ts';

/**
 * The live control checks (docs/compliance.md#live-checks-and-posture): the runner over the
 * catalog with what its checks read, the reads of the compliance page, and the schedule the
 * server starts. `controls` replaces the catalog (tests).
 */
export function complianceServices(
  core: Core,
  services: ComplianceSourceServices,
  options: { controls?: readonly Control[] } = {},
) {
  const controls = options.controls ?? catalog;
  const runner = createComplianceRunner({
    database: core.database,
    audit: core.audit.record,
    clock: core.clock,
    logger: core.logger,
    platformOrgId,
    controls,
    sources: complianceSources(core, services),
  });
  const compliance = createComplianceService({
    database: core.database,
    clock: core.clock,
    platformOrgId,
    controls,
    runner,
  });
  const schedule = createComplianceSchedule({
    database: core.database,
    runner,
    logger: core.logger,
  });
  return { ...compliance, runner, schedule };
}

export type ComplianceServices = ReturnType<typeof complianceServices>;
