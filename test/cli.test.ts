import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateMasterKeyBase64 } from '../src/crypto/index.ts';
import { openDatabase } from '../src/platform/index.ts';
import { asOwner, openTestDatabase, type TestDatabase } from './support/database.ts';
import { request } from './support/http.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const cliPath = new URL('../src/app/cli.ts', import.meta.url).pathname;
const mainPath = new URL('../src/app/main.ts', import.meta.url).pathname;

function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The CLI against a real store: a fresh PostgreSQL database, or PGlite in a temp data dir. */
describe('vigil CLI', () => {
  let env: Record<string, string>;
  let testDb: TestDatabase | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  const masterKey = generateMasterKeyBase64();

  before(async () => {
    env = { VIGIL_ENV: 'test', VIGIL_DATA_DIR: dataDir, VIGIL_MASTER_KEY: masterKey };
    if (process.env.VIGIL_TEST_DATABASE_URL) {
      testDb = await openTestDatabase({ migrate: false });
      env.DATABASE_URL = testDb.ownerUrl ?? '';
    }
  });
  after(() => testDb?.close());

  /** Owner access for tampering: the test database, or the PGlite dir (no CLI is running). */
  async function owner(sql: string, params: unknown[] = []) {
    if (testDb) return asOwner(testDb.database, sql, params);
    const database = await openDatabase({ dataDir });
    try {
      return await asOwner(database, sql, params);
    } finally {
      await database.close();
    }
  }

  it('refuses bad usage and bad configuration with exit code 2', async () => {
    const none = await run([], env);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /Usage: vigil <command>/);
    const unknown = await run(['frobnicate'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command: frobnicate/);
    const badFlag = await run(['audit', 'verify', '--nope'], env);
    assert.equal(badFlag.code, 2);
    const badConfig = await run(['migrate'], { ...env, VIGIL_TLS_MIN_VERSION: 'TLSv1.1' });
    assert.equal(badConfig.code, 2);
    assert.match(badConfig.stderr, /^Configuration VIGIL_TLS_MIN_VERSION:/);
    const badFormat = await run(['audit', 'export', '--format', 'xml'], env);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--format must be jsonl or csv/);
  });

  it('migrates, prints a bootstrap link and lists the keys', async () => {
    const migrated = await run(['migrate'], env);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /applied: 0001_foundation/);
    assert.match((await run(['migrate'], env)).stdout, /database is up to date/);
    const link = await run(['admin', 'bootstrap'], env);
    assert.equal(link.code, 0, link.stderr);
    assert.match(
      link.stdout,
      /https:\/\/localhost:8443\/bootstrap\?token=[0-9a-f-]{36}\.[\w-]{43}/,
    );
    const keys = await run(['keys', 'list', '--json'], env);
    assert.equal(keys.code, 0, keys.stderr);
    const inventory = JSON.parse(keys.stdout);
    assert.deepEqual(
      inventory.keys.map((k: { purpose: string; status: string }) => `${k.purpose}:${k.status}`),
      ['data-encryption:active', 'audit-mac:active', 'audit-seal:active', 'oidc-cookies:active'],
    );
    for (const k of inventory.keys) assert.ok(k.created && k.activated && k.retired === null);
  });

  it('rotates the data key and re-encrypts, then rotates the master key', async () => {
    const rotated = await run(['keys', 'rotate'], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /data key 2 is active; re-encrypted 3 ciphertexts/);
    const listed = await run(['keys', 'list'], env);
    assert.match(listed.stdout, /^1 +data-encryption +AES-256-GCM +retired .* 0$/m);
    assert.match(listed.stdout, /^2 +data-encryption +AES-256-GCM +active .* 3$/m);
    const newKey = generateMasterKeyBase64();
    const keyFile = join(dataDir, 'next.key');
    writeFileSync(keyFile, newKey, { mode: 0o600 });
    const master = await run(['keys', 'rotate', '--master', '--new-master-key-file', keyFile], env);
    assert.equal(master.code, 0, master.stderr);
    assert.match(master.stdout, /re-wrapped 2 data keys/);
    const oldOnly = await run(['keys', 'list'], env);
    assert.equal(oldOnly.code, 1);
    assert.match(oldOnly.stderr, /not configured/);
    env.VIGIL_MASTER_KEY = newKey;
    assert.equal((await run(['keys', 'list'], env)).code, 0);
  });

  it('verifies the audit log, exits 1 naming tampered events, and exports', async () => {
    const intact = await run(['audit', 'verify'], env);
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, /audit log intact/);
    const [changed, deleted] = (
      await owner('SELECT id FROM audit_events ORDER BY tx, seq LIMIT 2')
    ).map((r) => String(r.id));
    await owner('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
    await owner(`UPDATE audit_events SET details = '{"forged":true}' WHERE id = $1`, [changed]);
    await owner('DELETE FROM audit_events WHERE id = $1', [deleted]);
    await owner('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
    const tampered = await run(['audit', 'verify'], env);
    assert.equal(tampered.code, 1);
    assert.match(tampered.stdout, new RegExp(`ALTERED: event ${changed}`));
    assert.match(tampered.stdout, new RegExp(`DELETED: event ${deleted}`));
    assert.match(tampered.stdout, /TAMPERING DETECTED: 2 finding/);
    const json = await run(['audit', 'verify', '--json'], env);
    assert.equal(json.code, 1);
    assert.deepEqual(
      JSON.parse(json.stdout)
        .findings.map((f: { kind: string }) => f.kind)
        .sort(),
      ['altered', 'deleted'],
    );
    const out = join(dataDir, 'audit.csv');
    const exported = await run(
      ['audit', 'export', '--format', 'csv', '--from', '2000-01-01', '--out', out],
      env,
    );
    assert.equal(exported.code, 0, exported.stderr);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^id,occurred_at,org_id,/);
    assert.ok(lines.some((l) => l.includes('keyring.data_key.rotated')));
    const jsonl = await run(['audit', 'export', '--to', '2000-01-01'], env);
    assert.equal(jsonl.stdout, '');
  });
});

interface Started {
  child: ReturnType<typeof spawn>;
  url: string;
  stdout: () => string;
  stderr: () => string;
}

/** `npm start` as a user runs it: the main module, a data dir, nothing else configured. */
async function startMain(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, [mainPath], {
    env: {
      PATH: process.env.PATH ?? '',
      VIGIL_DATA_DIR: dataDir,
      VIGIL_PORT: '0',
      VIGIL_HOST: '127.0.0.1',
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 30 s:\n${stderr}`)), 30_000);
    child.stderr.on('data', (d) => {
      stderr += d;
      const match = /"url":"(https:\/\/localhost:\d+)"/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr };
}

async function stopMain(started: Started): Promise<number | null> {
  const closed = new Promise<number | null>((resolve) => started.child.on('close', resolve));
  started.child.kill('SIGTERM');
  return closed;
}

describe('npm start', () => {
  it('serves /healthz over HTTPS on a fresh data dir, prints the setup link once, and stops cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-start-'));
    const first = await startMain(dataDir);
    try {
      assert.equal((await request(`${first.url}/healthz`)).status, 200);
      assert.match(first.stdout(), /Create the first platform administrator/);
      assert.match(first.stdout(), /\/bootstrap\?token=/);
      assert.match(first.stderr(), /UNSAFE SETTING VIGIL_MASTER_KEY/);
      // Embedded storage belongs to the server while it runs.
      const cli = await run(['admin', 'bootstrap'], { VIGIL_DATA_DIR: dataDir });
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /in use by process/);
    } finally {
      assert.equal(await stopMain(first), 0);
    }
    // A restart keeps the outstanding link valid instead of printing (and revoking for) a new one.
    const second = await startMain(dataDir);
    try {
      assert.equal((await request(`${second.url}/readyz`)).status, 200);
      assert.doesNotMatch(second.stdout(), /bootstrap\?token=/);
      assert.match(second.stderr(), /setup link is still valid/);
    } finally {
      assert.equal(await stopMain(second), 0);
    }
  });
});
