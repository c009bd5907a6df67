import { packFiles } from '../../evidence/layout.ts';
import type { Control } from '../control.ts';
import { checkClientFlows } from './authentication-clients.ts';
import { checkMfaEnforcement } from './authentication-mfa.ts';
import {
  checkLockoutPolicy,
  checkPasswordPolicy,
  checkSessionPolicy,
} from './authentication-policies.ts';

/** Authentication: how people prove who they are, and the brakes on guessing. */
export const authenticationControls: Control[] = [
  {
    id: 'password-policy',
    title: 'Strong password policy',
    description:
      'Every organization has a versioned password policy: a minimum length (12 or more), a check against known breached passwords, and no reuse of recent passwords. Every change of the policy is a new version, recorded in the audit log with the settings before and after.',
    test: 'The password policy in force asks for at least 12 characters (with or without a second factor), refuses common and breached passwords, and refuses reuse of at least the last 4 passwords.',
    criteria: ['CC6.1', 'CC8.1'],
    scope: 'org',
    evidence: [packFiles.policy('password')],
    check: checkPasswordPolicy,
  },
  {
    id: 'mfa-enforcement',
    title: 'Multi-factor authentication enforced',
    description:
      'Users who hold a privileged role must use a second factor (TOTP or a passkey) to sign in; the organization may require it of everyone. Enrollment and resets are audited.',
    test: 'Every privileged role requires a second factor; every active holder of a privileged or MFA-requiring role has a confirmed one; and when the MFA policy requires it of everyone, so does every active member past the grace period.',
    criteria: ['CC6.1', 'CC6.6'],
    scope: 'org',
    evidence: [packFiles.policy('mfa'), packFiles.mfaEnrollment, packFiles.mfaSummary],
    check: checkMfaEnforcement,
  },
  {
    id: 'pkce',
    title: 'Secure login flows (PKCE, HTTPS)',
    description:
      'OAuth authorization code flows use PKCE (S256); redirect URIs are exact and HTTPS (plain http only on a loopback address, RFC 8252); implicit and password grants are not offered.',
    test: 'Every active OAuth client of the organization may use only the authorization code flow (where the provider demands PKCE S256 of every client), refresh tokens or client credentials — no implicit, password or other grant — and registers only HTTPS or loopback redirect, post-logout and back-channel logout URIs. Not applicable without an active client.',
    criteria: ['CC6.1', 'CC6.6'],
    scope: 'org',
    evidence: [packFiles.oauthClients],
    check: checkClientFlows,
  },
  {
    id: 'account-lockout',
    title: 'Account lockout',
    description:
      'Repeated failed sign-ins lock the account for a time, and failures from one address are throttled across accounts. Every failure and lockout is audited, and bursts raise alerts.',
    test: 'The lockout policy in force locks an account after at most 10 failures in a row, for at least 5 minutes.',
    criteria: ['CC6.1', 'CC6.6'],
    scope: 'org',
    evidence: [packFiles.policy('lockout')],
    check: checkLockoutPolicy,
  },
  {
    id: 'session-limits',
    title: 'Session lifetime and idle timeout',
    description:
      'Sessions end after a maximum lifetime and after a period of inactivity; administrators can end any session remotely; session creation and termination are audited.',
    test: 'The session policy in force ends every session at most 24 hours after sign-in and after at most 60 minutes without a request.',
    criteria: ['CC6.1'],
    scope: 'org',
    evidence: [packFiles.policy('session')],
    check: checkSessionPolicy,
  },
];
