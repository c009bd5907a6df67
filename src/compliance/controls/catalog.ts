import { accessControls } from './checks/access.ts';
import { authenticationControls } from './checks/authentication.ts';
import { operationsControls } from './checks/operations.ts';
import type { Control } from './control.ts';

/**
 * Every control of the SOC 2 identity checklist (../shared/seed/soc2-identity-checklist.txt) in
 * the order docs/compliance.md lists them, each with its criteria and its live check.
 */
export const controls: readonly Control[] = [
  ...authenticationControls,
  ...accessControls,
  ...operationsControls,
];

export const controlById = new Map(controls.map((c) => [c.id, c]));
