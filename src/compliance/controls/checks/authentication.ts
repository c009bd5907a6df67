import { packFiles } from '../../evidence/layout.ts';
import type { CheckContext, CheckOutcome, Control } from '../control.ts';

const pending =
  (id: string) =>
  async (_ctx: CheckContext): Promise<CheckOutcome> => {
    throw new Error(`${id}: check being written`);
  };

/** Authentication: how people prove who they are, and the brakes on guessing. */
export const authenticationControls: Control[] = [
  {
    id: 'password-policy',
    title: 'Strong password policy',
    description:
      'Every organization has a versioned password policy: a minimum length (12 or more), a check against known breached passwords, and no reuse of recent passwords. Every change of the policy is a new version, recorded in the audit log with the settings before and after.',
    test: 'The policy in force asks for at least 12 characters, refuses breached passwords and remembers at least the last 4 passwords.',
    criteria: ['CC6.1', 'CC8.1'],
    scope: 'org',
    evidence: [packFiles.policy('password')],
    check: pending('password-policy'),
  },
  {
    id: 'mfa-enforcement',
    title: 'Multi-factor authentication enforced',
    description:
      'Users who hold a privileged role must use a second factor (TOTP or a passkey) to sign in; the organization may require it of everyone. Enrollment and resets are audited.',
    test: 'Every role that grants high-risk permissions requires a second factor, and every active holder of such a role has one enrolled.',
    criteria: ['CC6.1', 'CC6.6'],
    scope: 'org',
    evidence: [packFiles.policy('mfa'), packFiles.mfaEnrollment, packFiles.mfaSummary],
    check: pending('mfa-enforcement'),
  },
  {
    id: 'pkce',
    title: 'Secure login flows (PKCE, HTTPS)',
    description:
      'OAuth authorization code flows use PKCE (S256); redirect URIs are HTTPS (loopback excepted for native apps); implicit and password grants are not offered.',
    test: 'Every active OAuth client of the organization requires PKCE and registers only HTTPS or loopback redirect URIs.',
    criteria: ['CC6.1', 'CC6.6'],
    scope: 'org',
    evidence: [packFiles.policy('session')],
    check: pending('pkce'),
  },
  {
    id: 'account-lockout',
    title: 'Account lockout',
    description:
      'Repeated failed sign-ins lock the account for a time, and failures from one address are throttled across accounts. Every failure and lockout is audited, and bursts raise alerts.',
    test: 'The lockout policy in force locks an account after at most 10 failures, for at least 5 minutes.',
    criteria: ['CC6.1', 'CC6.6'],
    scope: 'org',
    evidence: [packFiles.policy('lockout')],
    check: pending('account-lockout'),
  },
  {
    id: 'session-limits',
    title: 'Session lifetime and idle timeout',
    description:
      'Sessions end after a maximum lifetime and after a period of inactivity; administrators can end any session remotely; session creation and termination are audited.',
    test: 'The session policy in force sets an absolute lifetime of at most 24 hours and an idle timeout of at most 60 minutes.',
    criteria: ['CC6.1'],
    scope: 'org',
    evidence: [packFiles.policy('session')],
    check: pending('session-limits'),
  },
];
