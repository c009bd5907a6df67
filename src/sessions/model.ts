import { z } from 'zod';
import type { SessionEndReason } from '../platform/index.ts';

export const sessionPolicySchema = z
  .object({
    /** A session ends this long after sign-in, whatever the activity. */
    absoluteHours: z.number().int().min(1).max(720),
    /** A session ends after this long without a request. */
    idleMinutes: z.number().int().min(1).max(1440),
    /** A password change also revokes the user's OAuth grants and refresh tokens. */
    revokeOAuthOnPasswordChange: z.boolean().default(true),
  })
  .strict()
  .refine((p) => p.idleMinutes <= p.absoluteHours * 60, {
    message: 'idleMinutes cannot exceed absoluteHours',
    path: ['idleMinutes'],
  });

export type SessionPolicy = z.output<typeof sessionPolicySchema>;

export const defaultSessionPolicy: SessionPolicy = {
  absoluteHours: 12,
  idleMinutes: 30,
  revokeOAuthOnPasswordChange: true,
};

export interface Session {
  id: string;
  orgId: string;
  userId: string;
  /** Authentication methods (RFC 8176): `pwd`, `otp`, `hwk`, `mfa`, … */
  amr: string[];
  acr: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  endedAt: Date | null;
  endReason: SessionEndReason | null;
}

/** Why an unended session is no longer valid at `now`, if it is not. */
export function expiryReason(s: Session, now: Date): 'expired' | 'idle' | null {
  if (now >= s.absoluteExpiresAt) return 'expired';
  if (now >= s.idleExpiresAt) return 'idle';
  return null;
}

/** The idle deadline after activity at `now`, never past the absolute deadline. */
export function nextIdleDeadline(policy: SessionPolicy, absolute: Date, now: Date): Date {
  return new Date(Math.min(now.getTime() + policy.idleMinutes * 60_000, absolute.getTime()));
}

/** Activity is written at most once a minute per session: the idle clock needs no finer grain. */
export const touchGranularityMs = 60_000;
