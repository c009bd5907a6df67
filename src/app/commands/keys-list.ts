import { ciphertextCounts, ed25519PublicKey, publicKeyFingerprint } from '../../crypto/index.ts';
import type { SigningKeys } from '../../oauth/index.ts';
import { type Core, encryptedColumns } from '../core.ts';
import { createServices } from '../services.ts';
import { type Command, iso, print, table, withCore } from './kit.ts';

/** Every data and platform key, with what protects it and how many ciphertexts it holds. */
async function keyInventory(core: Core) {
  const dataKeys = await core.keyring.listDataKeys();
  const platformKeys = await core.keys.list();
  const counts = await ciphertextCounts(core.database, encryptedColumns);
  return [
    ...dataKeys.map((k) => ({
      id: String(k.id),
      purpose: 'data-encryption',
      algorithm: 'AES-256-GCM',
      status: k.status,
      created: k.created_at,
      activated: k.activated_at,
      retired: k.retired_at,
      wrappedBy: `master ${k.master_key_id}`,
      ciphertexts: counts.filter((c) => c.keyId === k.id).reduce((n, c) => n + c.count, 0),
      fingerprint: null,
    })),
    ...platformKeys.map((k) => ({
      id: k.id,
      purpose: k.purpose,
      algorithm: k.algorithm,
      status: k.status,
      created: k.created_at,
      activated: k.activated_at,
      retired: k.retired_at,
      wrappedBy: `data key ${k.private_key_enc.split(':')[1]}`,
      ciphertexts: null,
      // What an auditor compares with the key that signed an evidence pack or an archive.
      fingerprint: k.public_key ? publicKeyFingerprint(ed25519PublicKey(k.public_key)) : null,
    })),
  ];
}

function inventoryTable(rows: Awaited<ReturnType<typeof keyInventory>>): string {
  const header = [
    'ID',
    'PURPOSE',
    'ALGORITHM',
    'STATUS',
    'CREATED',
    'ACTIVATED',
    'RETIRED',
    'PROTECTED BY',
    'CIPHERTEXTS',
  ];
  return table(
    header,
    rows.map((r) => [
      r.id,
      r.purpose,
      r.algorithm,
      r.status,
      iso(r.created),
      iso(r.activated),
      iso(r.retired),
      r.wrappedBy,
      r.ciphertexts === null ? '-' : String(r.ciphertexts),
    ]),
  );
}

/** The public keys' fingerprints (SHA-256 of the SubjectPublicKeyInfo), one line each. */
function fingerprintLines(rows: Awaited<ReturnType<typeof keyInventory>>): string {
  const lines = rows
    .filter((r) => r.fingerprint)
    .map((r) => `  ${r.id} (${r.purpose}): ${r.fingerprint}`);
  return `Public key fingerprints (SHA-256; compare with an evidence pack's or an archive's signer):\n${lines.join('\n')}`;
}

function signingTable(signingKeys: Awaited<ReturnType<SigningKeys['list']>>): string {
  if (!signingKeys.length)
    return 'OIDC signing keys: none yet (the server makes them at its first start)';
  return `OIDC signing keys (published at CREATED, signing from ACTIVATE AT, in JWKS until REMOVE AT):\n${table(
    ['KID', 'ALG', 'STATE', 'CREATED', 'ACTIVATE AT', 'RETIRE AT', 'REMOVE AT'],
    signingKeys.map((k) => [
      k.kid,
      k.alg,
      k.state,
      iso(k.createdAt),
      iso(k.activateAt),
      iso(k.retireAt),
      iso(k.removeAt),
    ]),
  )}`;
}

/** The key inventory (docs/keys.md): data keys, platform keys and the OIDC signing keys. */
export const keysListCommands: Record<string, Command> = {
  async 'keys list'(ctx) {
    return withCore(ctx, async (core) => {
      const { oauth } = createServices(core);
      const signingKeys = await oauth.signingKeys.list();
      const rows = await keyInventory(core);
      const masterKeyId = core.keyring.masterKeyId;
      print(
        ctx,
        `master key: ${masterKeyId}\n${inventoryTable(rows)}\n\n${fingerprintLines(rows)}\n\n${signingTable(signingKeys)}`,
        { masterKeyId, keys: rows, signingKeys },
      );
      return 0;
    });
  },
};
