/**
 * The SOC 2 Trust Services Criteria (2017, revised points of focus 2022) that Vigil's controls
 * support, with the sentence of each an auditor reads them by. Only the common criteria identity
 * touches are here; a control maps to one or more of them (docs/compliance.md#criteria).
 */
export const criteria = {
  'CC6.1':
    'The entity implements logical access security software, infrastructure, and architectures over protected information assets to protect them from security events.',
  'CC6.2':
    'Prior to issuing system credentials and granting system access, the entity registers and authorizes new users; credentials are removed when user access is no longer authorized.',
  'CC6.3':
    'The entity authorizes, modifies, or removes access to data, software, functions, and other protected information assets based on roles, responsibilities, or the system design, giving consideration to the concepts of least privilege and segregation of duties.',
  'CC6.6':
    'The entity implements logical access security measures to protect against threats from sources outside its system boundaries.',
  'CC6.7':
    'The entity restricts the transmission, movement, and removal of information to authorized internal and external users and processes, and protects it during transmission.',
  'CC6.8':
    'The entity implements controls to prevent or detect and act upon the introduction of unauthorized or malicious software or changes.',
  'CC7.2':
    'The entity monitors system components and the operation of those components for anomalies that are indicative of malicious acts, natural disasters, and errors.',
  'CC7.3':
    'The entity evaluates security events to determine whether they could or have resulted in a failure of the entity to meet its objectives (security incidents).',
  'CC8.1':
    'The entity authorizes, designs, develops or acquires, configures, documents, tests, approves, and implements changes to infrastructure, data, software, and procedures.',
} as const;

export type Criterion = keyof typeof criteria;
