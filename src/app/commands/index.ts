import { accessCommands } from './access.ts';
import { adminCommands } from './admin.ts';
import { alertCommands } from './alerts.ts';
import { apiKeyCommands } from './apikeys.ts';
import { auditCommands } from './audit.ts';
import { clientCommands } from './clients.ts';
import { complianceCommands } from './compliance.ts';
import { evidenceCommands } from './evidence.ts';
import { evidenceVerifyCommands } from './evidence-verify.ts';
import { keysListCommands } from './keys-list.ts';
import { keysRotateCommands } from './keys-rotate.ts';
import type { Command } from './kit.ts';
import { lifecycleCommands } from './lifecycle.ts';
import { orgCommands } from './orgs.ts';
import { reviewScheduleCommands } from './review-schedule.ts';
import { reviewCommands } from './reviews.ts';
import { roleCommands } from './roles.ts';
import { samlCommands } from './saml.ts';
import { scheduleCommands } from './schedule.ts';
import { scimCommands } from './scim.ts';
import { serverCommands } from './server.ts';
import { siemCommands } from './siem.ts';
import { ssoCertificateCommands } from './sso-certificates.ts';
import { ssoConnectionCommands } from './sso-connections.ts';
import { ssoDomainCommands } from './sso-domains.ts';
import { userCommands } from './users.ts';
import { webhookCommands } from './webhooks.ts';

/** Every CLI command by its name (`vigil <name>`), one group per file. */
export const commands: Record<string, Command> = {
  ...serverCommands,
  ...adminCommands,
  ...orgCommands,
  ...userCommands,
  ...scheduleCommands,
  ...roleCommands,
  ...keysListCommands,
  ...keysRotateCommands,
  ...auditCommands,
  ...clientCommands,
  ...apiKeyCommands,
  ...scimCommands,
  ...accessCommands,
  ...lifecycleCommands,
  ...reviewCommands,
  ...reviewScheduleCommands,
  ...evidenceCommands,
  ...evidenceVerifyCommands,
  ...siemCommands,
  ...ssoConnectionCommands,
  ...webhookCommands,
  ...alertCommands,
  ...complianceCommands,
  ...ssoCertificateCommands,
  ...ssoDomainCommands,
  ...samlCommands,
};
