import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { randomBytesOf } from '../../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  newId,
  type Tx,
} from '../../platform/index.ts';
import { mfaErrors } from './errors.ts';
import type { MfaUser } from './service.ts';
import * as store from './store.ts';

/**
 * Passkeys (WebAuthn) as a second factor, through @simplewebauthn/server. The relying party is the
 * public URL: its host is the RP ID and its origin the only accepted origin.
 */
export interface WebauthnDeps {
  audit: AuditWriter;
  clock: Clock;
  publicUrl: string;
  rpName: string;
}

const challengeMinutes = 5;

export function createWebauthn(deps: WebauthnDeps) {
  const origin = new URL(deps.publicUrl).origin;
  const rpID = new URL(deps.publicUrl).hostname;

  async function remember(
    tx: Tx,
    user: MfaUser,
    purpose: 'registration' | 'authentication',
    challenge: string,
  ) {
    const now = deps.clock.now();
    const id = newId(now.getTime());
    await store.insertChallenge(tx, {
      id,
      org_id: user.orgId,
      user_id: user.id,
      purpose,
      challenge,
      expires_at: new Date(now.getTime() + challengeMinutes * 60_000),
    });
    return id;
  }

  const passkeysOf = async (tx: Tx, userId: string) =>
    (await store.factorsOf(tx, userId)).filter(
      (f) => f.kind === 'webauthn' && f.credential_id && f.public_key,
    );

  return {
    async registrationOptions(tx: Tx, user: MfaUser) {
      const options = await generateRegistrationOptions({
        rpName: deps.rpName,
        rpID,
        userName: user.email,
        userID: new TextEncoder().encode(user.id),
        challenge: new Uint8Array(randomBytesOf(32)),
        attestationType: 'none',
        excludeCredentials: (await passkeysOf(tx, user.id)).map((f) => ({
          id: f.credential_id ?? '',
        })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
      return { challengeId: await remember(tx, user, 'registration', options.challenge), options };
    },

    async finishRegistration(
      tx: Tx,
      user: MfaUser,
      challengeId: string,
      response: RegistrationResponseJSON,
      label: string,
      actor: AuditActor,
    ): Promise<void> {
      const challenge = await store.takeChallenge(
        tx,
        challengeId,
        user.id,
        'registration',
        deps.clock.now(),
      );
      if (!challenge) throw mfaErrors.passkeyExpired();
      const result = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
      }).catch(() => ({ verified: false as const, registrationInfo: undefined }));
      if (!result.verified || !result.registrationInfo) {
        throw mfaErrors.passkeyInvalid();
      }
      const { credential } = result.registrationInfo;
      const now = deps.clock.now();
      const id = newId(now.getTime());
      await store.insertFactor(tx, {
        id,
        org_id: user.orgId,
        user_id: user.id,
        kind: 'webauthn',
        label: label.slice(0, 100) || 'Passkey',
        secret_enc: null,
        last_used_step: null,
        credential_id: credential.id,
        public_key: credential.publicKey,
        sign_count: credential.counter,
        transports: credential.transports ?? [],
        created_at: now,
        confirmed_at: now,
        last_used_at: null,
      });
      await deps.audit(tx, {
        orgId: user.orgId,
        action: 'mfa.factor.enrolled',
        actor,
        target: { type: 'user', id: user.id },
        details: { factorId: id, kind: 'webauthn', label },
      });
    },

    async authenticationOptions(tx: Tx, user: MfaUser) {
      const passkeys = await passkeysOf(tx, user.id);
      if (passkeys.length === 0) return undefined;
      const options = await generateAuthenticationOptions({
        rpID,
        challenge: new Uint8Array(randomBytesOf(32)),
        userVerification: 'preferred',
        allowCredentials: passkeys.map((f) => ({
          id: f.credential_id ?? '',
          transports: (f.transports ?? []) as never,
        })),
      });
      return {
        challengeId: await remember(tx, user, 'authentication', options.challenge),
        options,
      };
    },

    /** True when the response signs the stored challenge with one of the user's passkeys. */
    async verifyAuthentication(
      tx: Tx,
      user: MfaUser,
      challengeId: string,
      response: AuthenticationResponseJSON,
    ): Promise<boolean> {
      const challenge = await store.takeChallenge(
        tx,
        challengeId,
        user.id,
        'authentication',
        deps.clock.now(),
      );
      const factor = (await passkeysOf(tx, user.id)).find((f) => f.credential_id === response?.id);
      if (!challenge || !factor) return false;
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        credential: {
          id: factor.credential_id ?? '',
          publicKey: Uint8Array.from(factor.public_key ?? []),
          counter: Number(factor.sign_count ?? 0),
          transports: (factor.transports ?? []) as never,
        },
      }).catch(() => ({ verified: false as const, authenticationInfo: undefined }));
      if (!result.verified) return false;
      await store.updateSignCount(
        tx,
        factor.id,
        result.authenticationInfo.newCounter,
        deps.clock.now(),
      );
      return true;
    },
  };
}

export type Webauthn = ReturnType<typeof createWebauthn>;
