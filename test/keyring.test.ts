import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCore } from '../src/app/core.ts';
import {
  aeadOpen,
  generateMasterKeyBase64,
  keyIdOf,
  loadMasterKeys,
  masterKeyFromBase64,
  platformKeysColumn,
  resumeReencryption,
} from '../src/crypto/index.ts';
import {
  createLogger,
  loadConfig,
  operatorActor,
  platformOrgId,
  withPlatform,
} from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { asOwner } from './support/database.ts';

const silent = createLogger('silent');

describe('keyring', () => {
  let core: TestCore;
  before(async () => {
    core = await openTestCore();
  });
  after(() => core.close());

  const rotatedMaster = generateMasterKeyBase64();
  const where = { table: 'platform_keys', column: 'private_key_enc', rowId: 'row-1' };

  it('encrypts with AES-256-GCM, names the key version, and binds the ciphertext to its row', async () => {
    const ciphertext = core.keyring.encrypt('totp seed JBSWY3DPEHPK3PXP', where);
    assert.match(ciphertext, /^v1:1:[\w-]+$/);
    assert.equal(keyIdOf(ciphertext), 1);
    assert.ok(!ciphertext.includes('JBSWY3DP'));
    assert.equal(
      (await core.keyring.decrypt(ciphertext, where)).toString(),
      'totp seed JBSWY3DPEHPK3PXP',
    );
    // The same ciphertext moved to another row, column or table does not decrypt.
    for (const moved of [
      { ...where, rowId: 'row-2' },
      { ...where, column: 'other' },
      { ...where, table: 'users' },
    ]) {
      await assert.rejects(core.keyring.decrypt(ciphertext, moved), /failed authentication/);
    }
    const flipped = `${ciphertext.slice(0, -2)}${ciphertext.endsWith('A') ? 'B' : 'A'}A`;
    await assert.rejects(core.keyring.decrypt(flipped, where), /failed authentication|malformed/);
  });

  it('swapping two stored ciphertexts makes both fail', async () => {
    const rows = await asOwner<{ id: string; private_key_enc: string }>(
      core.database,
      'SELECT id, private_key_enc FROM platform_keys ORDER BY id LIMIT 2',
    );
    const [a, b] = rows;
    assert.ok(a && b);
    const loc = (id: string) => ({ ...platformKeysColumn, rowId: id });
    await assert.rejects(
      core.keyring.decrypt(a.private_key_enc, loc(b.id)),
      /failed authentication/,
    );
    await assert.rejects(
      core.keyring.decrypt(b.private_key_enc, loc(a.id)),
      /failed authentication/,
    );
  });

  it('rotates the data key and re-encrypts every ciphertext, resuming after a crash', async () => {
    // More ciphertexts to move: rotate the platform keys a few times (old ones stay, retired).
    for (let i = 0; i < 3; i++) await core.keys.rotate('audit-seal', operatorActor);
    const { keyId, rotationId } = await core.keyring.rotateDataKey(operatorActor);
    assert.equal(keyId, 2);
    const keys = await core.keyring.listDataKeys();
    assert.deepEqual(
      keys.map((k) => [k.id, k.status]),
      [
        [1, 'retired'],
        [2, 'active'],
      ],
    );
    assert.ok(keys[0]?.retired_at);
    // "Crash": the rotation is recorded but nothing was re-encrypted yet.
    const before = await asOwner<{ enc: string }>(
      core.database,
      'SELECT private_key_enc AS enc FROM platform_keys',
    );
    assert.ok(before.length >= 5);
    assert.ok(before.every((r) => keyIdOf(r.enc) === 1));
    // A restarted node resumes the job.
    const restarted = await openCore({
      config: core.config,
      logger: silent,
      database: core.database,
      migrate: false,
    });
    const moved = await resumeReencryption(
      {
        database: core.database,
        keyring: restarted.keyring,
        audit: restarted.audit.record,
        clock: core.clock,
        platformOrgId,
        columns: [platformKeysColumn],
        batchSize: 2,
      },
      operatorActor,
    );
    assert.equal(moved, before.length);
    const afterRows = await asOwner<{ id: string; enc: string }>(
      core.database,
      'SELECT id, private_key_enc AS enc FROM platform_keys',
    );
    assert.ok(afterRows.every((r) => keyIdOf(r.enc) === 2));
    for (const row of afterRows)
      await restarted.keyring.decrypt(row.enc, { ...platformKeysColumn, rowId: row.id });
    const rotation = await asOwner<{ finished_at: Date | null; reencrypted: number }>(
      core.database,
      'SELECT finished_at, reencrypted FROM keyring_rotations WHERE id = $1',
      [rotationId],
    );
    assert.ok(rotation[0]?.finished_at);
    assert.equal(Number(rotation[0]?.reencrypted), before.length);
    const events = await withPlatform(core.database, (tx) =>
      tx.selectFrom('audit_events').select('action').where('action', 'like', 'keyring.%').execute(),
    );
    assert.deepEqual(events.map((e) => e.action).sort(), [
      'keyring.data_key.created',
      'keyring.data_key.rotated',
      'keyring.reencryption.completed',
    ]);
    // Nothing left: a second run is a no-op.
    assert.equal(
      await resumeReencryption(
        {
          database: core.database,
          keyring: restarted.keyring,
          audit: restarted.audit.record,
          clock: core.clock,
          platformOrgId,
          columns: [platformKeysColumn],
        },
        operatorActor,
      ),
      0,
    );
  });

  it('rotating the master key re-wraps the data keys; the old master key alone then fails closed', async () => {
    const next = rotatedMaster;
    const count = await core.keyring.rotateMasterKey(
      masterKeyFromBase64(next, 'test'),
      operatorActor,
    );
    assert.equal(count, 2);
    const open = (env: Record<string, string>) =>
      openCore({
        config: loadConfig({ VIGIL_ENV: 'test', ...env }).config,
        logger: silent,
        database: core.database,
        migrate: false,
      });
    await assert.rejects(
      open({ VIGIL_MASTER_KEY: core.masterKey }),
      (err: Error & { code?: string }) => err.code === 'crypto.master_key_missing',
    );
    const withNew = await open({ VIGIL_MASTER_KEY: next });
    assert.equal(withNew.keyring.activeKeyId(), 2);
    // During a rollout, nodes that hold the new key as previous still start.
    const rolling = await open({
      VIGIL_MASTER_KEY: generateMasterKeyBase64(),
      VIGIL_MASTER_KEY_PREVIOUS: next,
    });
    assert.equal(rolling.keyring.activeKeyId(), 2);
  });

  it('a dump of the database holds no plaintext of any encrypted value', async () => {
    const secrets: string[] = [];
    // The platform keys' secrets (HMAC key bytes, Ed25519 private keys) as they would leak.
    const keyRows = await asOwner<{ id: string; enc: string }>(
      core.database,
      'SELECT id, private_key_enc AS enc FROM platform_keys',
    );
    for (const row of keyRows) {
      const plain = await core.keyring.decrypt(row.enc, { ...platformKeysColumn, rowId: row.id });
      const text = plain.toString('utf8');
      secrets.push(plain.toString('hex'), plain.toString('base64'));
      if (text.includes('PRIVATE KEY')) secrets.push(text.split('\n')[1] ?? '');
    }
    // The data keys themselves, unwrapped with the (rotated) master key.
    const dataKeys = await asOwner<{ id: number; wrapped: string }>(
      core.database,
      'SELECT id, wrapped_key AS wrapped FROM keyring_data_keys',
    );
    assert.ok(dataKeys.length >= 2);
    for (const row of dataKeys) {
      const body = Buffer.from(row.wrapped.slice('v1:'.length), 'base64url');
      const dataKey = aeadOpen(
        masterKeyFromBase64(rotatedMaster, 'test').key,
        body,
        `vigil:data-key:${row.id}`,
      );
      secrets.push(dataKey.toString('hex'), dataKey.toString('base64'));
    }
    // A logical dump of every table, as the owner sees it.
    const tables = await asOwner<{ tablename: string }>(
      core.database,
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    );
    let dump = '';
    for (const { tablename } of tables) {
      const rows = await asOwner<{ r: string }>(
        core.database,
        `SELECT row_to_json(t)::text AS r FROM ${tablename} t`,
      );
      dump += rows.map((r) => r.r).join('\n');
    }
    if (core.testDb.ownerUrl) {
      dump += execFileSync('pg_dump', ['--data-only', core.testDb.ownerUrl], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
    }
    assert.ok(dump.length > 1000);
    assert.ok(secrets.length >= 10);
    for (const secret of secrets) {
      assert.ok(secret.length >= 32, 'secret fragment is long enough to be meaningful');
      assert.ok(!dump.includes(secret), 'plaintext secret found in the dump');
    }
    assert.ok(dump.includes('v1:2:'), 'the dump holds ciphertexts instead');
  });
});

describe('master key loading', () => {
  it('generates a development key into the data dir with mode 0600 and refuses it in production', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mk-'));
    const keys = loadMasterKeys(loadConfig({ VIGIL_DATA_DIR: dir }).config);
    assert.equal(keys.generated, true);
    assert.equal(statSync(join(dir, 'master.key')).mode & 0o777, 0o600);
    assert.equal(
      loadMasterKeys(loadConfig({ VIGIL_DATA_DIR: dir }).config).current.id,
      keys.current.id,
    );
    assert.throws(
      () =>
        loadConfig({
          VIGIL_ENV: 'production',
          VIGIL_DATA_DIR: dir,
          DATABASE_URL: 'postgres://x/y',
        }),
      /VIGIL_MASTER_KEY/,
    );
  });

  it('refuses a key of the wrong size and a key file others can read', () => {
    assert.throws(
      () => masterKeyFromBase64(Buffer.alloc(16).toString('base64'), 'VIGIL_MASTER_KEY'),
      /must be 32 bytes/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mk-'));
    const file = join(dir, 'key');
    writeFileSync(file, generateMasterKeyBase64(), { mode: 0o644 });
    assert.throws(
      () => loadMasterKeys(loadConfig({ VIGIL_MASTER_KEY_FILE: file }).config),
      /chmod 600/,
    );
  });

  it('unwraps data keys only with the master key that wrapped them', () => {
    const a = masterKeyFromBase64(generateMasterKeyBase64(), 'a');
    const b = masterKeyFromBase64(generateMasterKeyBase64(), 'b');
    assert.notEqual(a.id, b.id);
    assert.throws(() => aeadOpen(b.key, Buffer.alloc(40), 'x'), /failed authentication/);
  });
});
