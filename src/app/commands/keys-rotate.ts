import { readFileSync } from 'node:fs';
import {
  type JwkSigningAlg,
  masterKeyFromBase64,
  type PlatformKeyPurpose,
} from '../../crypto/index.ts';
import { operatorActor } from '../../platform/index.ts';
import { type Core, reencryptPending } from '../core.ts';
import { createServices } from '../services.ts';
import { type Command, type CommandContext, print, UsageError, withCore } from './kit.ts';

/** `--signing`: a new OIDC signing key per algorithm, published ahead of signing. */
async function rotateSigningKeys(ctx: CommandContext, alg: JwkSigningAlg | undefined) {
  return withCore(ctx, async (core) => {
    const { oauth } = createServices(core);
    const rotated = await oauth.signingKeys.rotate(alg, operatorActor);
    const lines = rotated.flatMap((r) => [
      `new ${r.alg} signing key ${r.kid}: in JWKS now, signs from ${r.activateAt.toISOString()}`,
      ...(r.replaces.length
        ? r.replaces.map(
            (old) =>
              `  replaces ${old.kid}: stops signing then, stays in JWKS until ${old.removeAt.toISOString()}`,
          )
        : ['  (no key of this algorithm was signing, so it signs at once)']),
    ]);
    lines.push('Running nodes pick up the new keys within a minute.');
    print(ctx, lines.join('\n'), { rotated });
    return 0;
  });
}

/** `--master`: every data key re-wrapped under the master key in `--new-master-key-file`. */
async function rotateMasterKey(ctx: CommandContext, core: Core) {
  const file = ctx.options['new-master-key-file'];
  if (typeof file !== 'string') throw new UsageError('--master needs --new-master-key-file FILE');
  const next = masterKeyFromBase64(readFileSync(file, 'utf8'), file);
  const count = await core.keyring.rotateMasterKey(next, operatorActor);
  print(
    ctx,
    `re-wrapped ${count} data keys under master key ${next.id}.\nSet VIGIL_MASTER_KEY to the new key and keep the old one in VIGIL_MASTER_KEY_PREVIOUS until every node restarted.`,
    { rewrapped: count, masterKeyId: next.id },
  );
  return 0;
}

/** `--platform PURPOSE`: a new active audit key of that purpose. */
async function rotatePlatformKey(ctx: CommandContext, core: Core, purpose: string) {
  if (purpose !== 'audit-mac' && purpose !== 'audit-seal') {
    throw new UsageError('--platform must be audit-mac or audit-seal');
  }
  const id = await core.keys.rotate(purpose as PlatformKeyPurpose, operatorActor);
  print(ctx, `new active ${purpose} key ${id}`, { purpose, id });
  return 0;
}

/** The default: a new data key, and every ciphertext re-encrypted under it (unless `--no-wait`). */
async function rotateDataKey(ctx: CommandContext, core: Core) {
  const { keyId, rotationId } = await core.keyring.rotateDataKey(operatorActor);
  if (ctx.options['no-wait']) {
    print(
      ctx,
      `data key ${keyId} is active; running nodes re-encrypt in the background (rotation ${rotationId})`,
      { keyId, rotationId, reencrypted: null },
    );
    return 0;
  }
  const reencrypted = await reencryptPending(core, operatorActor);
  print(
    ctx,
    `data key ${keyId} is active; re-encrypted ${reencrypted} ciphertexts (rotation ${rotationId})`,
    { keyId, rotationId, reencrypted },
  );
  return 0;
}

/** Key rotation (docs/keys.md): data key, master key, platform keys or OIDC signing keys. */
export const keysRotateCommands: Record<string, Command> = {
  async 'keys rotate'(ctx) {
    const alg = ctx.options.alg;
    if (ctx.options.signing) {
      if (ctx.options.master || ctx.options.platform !== undefined || ctx.options['no-wait'])
        throw new UsageError('--signing does not go with --master, --platform or --no-wait');
      if (alg !== undefined && alg !== 'ES256' && alg !== 'RS256')
        throw new UsageError('--alg must be ES256 or RS256');
      return rotateSigningKeys(ctx, alg as JwkSigningAlg | undefined);
    }
    if (alg !== undefined) throw new UsageError('--alg goes with --signing');
    return withCore(ctx, async (core) => {
      if (ctx.options.master) return rotateMasterKey(ctx, core);
      const platform = ctx.options.platform;
      if (typeof platform === 'string') return rotatePlatformKey(ctx, core, platform);
      return rotateDataKey(ctx, core);
    });
  },
};
