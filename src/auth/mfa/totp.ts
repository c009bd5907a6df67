import * as OTPAuth from 'otpauth';

/**
 * TOTP per RFC 6238 with the parameters every authenticator app honours: SHA-1, 6 digits, 30 s
 * (many apps ignore other settings). ±1 step of clock drift is accepted; the caller stores the
 * accepted step and refuses it and every earlier step afterwards (RFC 6238 §5.2).
 */
export const totpParams = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

export function totpStep(at: Date, period: number = totpParams.period): number {
  return Math.floor(at.getTime() / 1000 / period);
}

export function totpUri(secret: Uint8Array, issuer: string, account: string): string {
  return new OTPAuth.TOTP({
    issuer,
    label: account,
    secret: new OTPAuth.Secret({ buffer: Uint8Array.from(secret).buffer }),
    ...totpParams,
  }).toString();
}

export function totpSecretBase32(secret: Uint8Array): string {
  return new OTPAuth.Secret({ buffer: Uint8Array.from(secret).buffer }).base32;
}

/** The code for a moment (tests and known-answer checks). */
export function totpCode(
  secret: Uint8Array,
  at: Date,
  params: { digits?: number; algorithm?: string } = {},
): string {
  return OTPAuth.TOTP.generate({
    secret: new OTPAuth.Secret({ buffer: Uint8Array.from(secret).buffer }),
    ...totpParams,
    ...params,
    timestamp: at.getTime(),
  });
}

/**
 * The time step a code belongs to, when it is valid within ±1 step and newer than `lastUsedStep`;
 * otherwise null (wrong, too old, or replayed).
 */
export function acceptTotp(
  secret: Uint8Array,
  code: string,
  at: Date,
  lastUsedStep: number | null,
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = OTPAuth.TOTP.validate({
    token: code,
    secret: new OTPAuth.Secret({ buffer: Uint8Array.from(secret).buffer }),
    ...totpParams,
    timestamp: at.getTime(),
    window: 1,
  });
  if (delta === null) return null;
  const step = totpStep(at) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return null;
  return step;
}
