import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateMasterKeyBase64 } from '../src/crypto/index.ts';
import { platformOrgId } from '../src/platform/index.ts';
import { cliStore, runVigil, spawnVigil } from './support/cli.ts';
import { sealEverything } from './support/core.ts';
import { openTestDatabase, type TestDatabase, testDatabaseUrl } from './support/database.ts';
import { request } from './support/http.ts';

const mainPath = new URL('../src/app/main.ts', import.meta.url).pathname;

/**
 * The binary as an operator runs it (`npm run vigil`), spawned: its usage and one command against
 * a database. Every other test drives the same `runCli` in-process.
 */
describe('npm run vigil', () => {
  const env: Record<string, string> = {
    VIGIL_ENV: 'test',
    VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-cli-')),
    VIGIL_MASTER_KEY: generateMasterKeyBase64(),
  };
  let testDb: TestDatabase | undefined;
  before(async () => {
    // On PostgreSQL, a fresh database of its own; on PGlite, the data dir above.
    if (testDatabaseUrl) {
      testDb = await openTestDatabase({ migrate: false });
      env.DATABASE_URL = testDb.ownerUrl ?? '';
    }
  });
  after(() => testDb?.close());

  it('prints its usage and refuses no command with exit code 2', async () => {
    const none = await spawnVigil([], env);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /Usage: vigil <command>/);
  });

  it('migrates a fresh store and prints a bootstrap link', async () => {
    const link = await spawnVigil(['admin', 'bootstrap'], env);
    assert.equal(link.code, 0, link.stderr);
    assert.match(
      link.stdout,
      /https:\/\/localhost:8443\/bootstrap\?token=[0-9a-f-]{36}\.[\w-]{43}/,
    );
  });
});

/**
 * The CLI's key and audit commands against a real store (its OAuth, access and API-key commands:
 * cli-resources.test.ts, a file of its own so that the two run side by side).
 */
describe('vigil CLI', () => {
  const store = cliStore();
  const { env, dataDir, owner, audited, vigil, withServices } = store;
  before(() => store.open());
  after(() => store.close());

  it('prints its usage; refuses bad usage and bad configuration with exit code 2', async () => {
    const help = await vigil(['--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: vigil <command>/);
    const none = await vigil([]);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /Usage: vigil <command>/);
    const unknown = await vigil(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command: frobnicate/);
    const badFlag = await vigil(['audit', 'verify', '--nope']);
    assert.equal(badFlag.code, 2);
    const badConfig = await vigil(['migrate'], { VIGIL_TLS_MIN_VERSION: 'TLSv1.1' });
    assert.equal(badConfig.code, 2);
    assert.match(badConfig.stderr, /^Configuration VIGIL_TLS_MIN_VERSION:/);
    const badFormat = await vigil(['audit', 'export', '--format', 'xml']);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--format must be jsonl, csv or ocsf/);
  });

  it('migrates, prints a bootstrap link and lists the keys', async () => {
    const migrated = await vigil(['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /applied: 0001_foundation/);
    assert.match((await vigil(['migrate'])).stdout, /database is up to date/);
    const link = await vigil(['admin', 'bootstrap']);
    assert.equal(link.code, 0, link.stderr);
    assert.match(
      link.stdout,
      /https:\/\/localhost:8443\/bootstrap\?token=[0-9a-f-]{36}\.[\w-]{43}/,
    );
    const keys = await vigil(['keys', 'list', '--json']);
    assert.equal(keys.code, 0, keys.stderr);
    const inventory = JSON.parse(keys.stdout);
    assert.deepEqual(
      inventory.keys.map((k: { purpose: string; status: string }) => `${k.purpose}:${k.status}`),
      ['data-encryption:active', 'audit-mac:active', 'audit-seal:active', 'oidc-cookies:active'],
    );
    for (const k of inventory.keys) assert.ok(k.created && k.activated && k.retired === null);
    const seal = inventory.keys.find((k: { purpose: string }) => k.purpose === 'audit-seal');
    assert.match(seal.fingerprint, /^[0-9a-f]{64}$/, 'the seal key is listed with its fingerprint');
    assert.ok(
      (await vigil(['keys', 'list'])).stdout.includes(
        `${seal.id} (audit-seal): ${seal.fingerprint}`,
      ),
    );
    assert.deepEqual(inventory.signingKeys, [], 'the server makes signing keys at its first start');
    assert.match((await vigil(['keys', 'list'])).stdout, /OIDC signing keys: none yet/);
  });

  it('rotates the data key and re-encrypts, then rotates the master key', async () => {
    const rotated = await vigil(['keys', 'rotate']);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /data key 2 is active; re-encrypted 3 ciphertexts/);
    const listed = await vigil(['keys', 'list']);
    assert.match(listed.stdout, /^1 +data-encryption +AES-256-GCM +retired .* 0$/m);
    assert.match(listed.stdout, /^2 +data-encryption +AES-256-GCM +active .* 3$/m);
    const newKey = generateMasterKeyBase64();
    const keyFile = join(dataDir, 'next.key');
    writeFileSync(keyFile, newKey, { mode: 0o600 });
    const master = await vigil(['keys', 'rotate', '--master', '--new-master-key-file', keyFile]);
    assert.equal(master.code, 0, master.stderr);
    assert.match(master.stdout, /re-wrapped 2 data keys/);
    const oldOnly = await vigil(['keys', 'list']);
    assert.equal(oldOnly.code, 1);
    assert.match(oldOnly.stderr, /not configured/);
    env.VIGIL_MASTER_KEY = newKey;
    assert.equal((await vigil(['keys', 'list'])).code, 0);
  });

  it('verifies the audit log, exits 1 naming tampered events, and exports', async () => {
    // A deleted event shows only once sealed, and on PostgreSQL sealing waits for the oldest
    // transaction on the whole server (other files' too): seal until nothing is pending.
    await withServices((_, core) => sealEverything(core));
    const intact = await vigil(['audit', 'verify']);
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, /audit log intact/);
    // The alert rules' first round starts at the end of the log.
    assert.equal((await vigil(['alerts', 'run'])).code, 0);
    const [changed, deleted] = (
      await owner('SELECT id FROM audit_events ORDER BY tx, seq LIMIT 2')
    ).map((r) => String(r.id));
    await owner('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
    await owner(`UPDATE audit_events SET details = '{"forged":true}' WHERE id = $1`, [changed]);
    await owner('DELETE FROM audit_events WHERE id = $1', [deleted]);
    await owner('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
    const tampered = await vigil(['audit', 'verify']);
    assert.equal(tampered.code, 1);
    assert.match(tampered.stdout, new RegExp(`ALTERED: event ${changed}`));
    assert.match(tampered.stdout, new RegExp(`DELETED: event ${deleted}`));
    assert.match(tampered.stdout, /TAMPERING DETECTED: 2 finding/);
    // Recorded as the scheduled check records it, so the critical alert follows.
    const recorded = await owner(
      "SELECT outcome FROM audit_events WHERE action = 'audit.verified' ORDER BY occurred_at",
    );
    assert.deepEqual(
      recorded.map((r) => r.outcome),
      ['success', 'failure'],
    );
    // On PostgreSQL the feed's end waits for the oldest transaction on the whole server (other
    // test files' too): a round may not see the new event yet, so run rounds until one does.
    const deadline = Date.now() + 30_000;
    let alerts = '';
    while (!/critical +open +audit\.verify_failed/.test(alerts)) {
      assert.ok(Date.now() < deadline, `no audit.verify_failed alert: ${alerts}`);
      assert.equal((await vigil(['alerts', 'run'])).code, 0);
      alerts = (await vigil(['alerts', 'list'])).stdout;
    }
    const json = await vigil(['audit', 'verify', '--json']);
    assert.equal(json.code, 1);
    assert.deepEqual(
      JSON.parse(json.stdout)
        .findings.map((f: { kind: string }) => f.kind)
        .sort(),
      ['altered', 'deleted'],
    );
    const out = join(dataDir, 'audit.csv');
    const exported = await vigil([
      'audit',
      'export',
      '--format',
      'csv',
      '--from',
      '2000-01-01',
      '--out',
      out,
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^id,occurred_at,org_id,/);
    assert.ok(lines.some((l) => l.includes('keyring.data_key.rotated')));
    const jsonl = await vigil(['audit', 'export', '--to', '2000-01-01']);
    assert.equal(jsonl.stdout, '');
  });

  it('rotates the OIDC signing keys with publication ahead and lists their schedule', async () => {
    const badAlg = await vigil(['keys', 'rotate', '--signing', '--alg', 'HS256']);
    assert.equal(badAlg.code, 2);
    assert.match(badAlg.stderr, /--alg must be ES256 or RS256/);
    const algAlone = await vigil(['keys', 'rotate', '--alg', 'ES256']);
    assert.equal(algAlone.code, 2);
    assert.match(algAlone.stderr, /--alg goes with --signing/);
    const mixed = await vigil(['keys', 'rotate', '--signing', '--platform', 'audit-mac']);
    assert.equal(mixed.code, 2);
    assert.deepEqual(await audited('oauth.signing_key.'), [], 'refused: nothing changed');

    // No ES256 key signs yet: the first one signs at once.
    const first = await vigil(['keys', 'rotate', '--signing', '--alg', 'ES256', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const [es1] = JSON.parse(first.stdout).rotated;
    assert.equal(es1.alg, 'ES256');
    assert.match(es1.kid, /^es256-/);
    assert.deepEqual(es1.replaces, []);
    assert.ok(Math.abs(Date.parse(es1.activateAt) - Date.now()) < 60_000);

    // Both algorithms: ES256 replaces its key after the publish-ahead time; RS256 is new.
    const both = await vigil(['keys', 'rotate', '--signing']);
    assert.equal(both.code, 0, both.stderr);
    const es2 = /^new ES256 signing key (es256-\S+): in JWKS now, signs from (\S+)$/m.exec(
      both.stdout,
    );
    assert.ok(es2, both.stdout);
    const rs1 = /^new RS256 signing key (rs256-\S+): in JWKS now, signs from (\S+)$/m.exec(
      both.stdout,
    );
    assert.ok(rs1, both.stdout);
    const activation = Date.parse(es2[2] ?? '');
    const ahead = activation - Date.now();
    assert.ok(ahead > 3_500_000 && ahead <= 3_600_000, `publish-ahead 1 h, got ${ahead} ms`);
    assert.match(
      both.stdout,
      new RegExp(`^  replaces ${es1.kid}: stops signing then, stays in JWKS until \\S+$`, 'm'),
    );
    assert.match(both.stdout, /no key of this algorithm was signing, so it signs at once/);

    const listed = await vigil(['keys', 'list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const inventory = JSON.parse(listed.stdout);
    assert.equal(inventory.keys.length, 5, 'data and platform keys are still listed');
    const byKid = Object.fromEntries(inventory.signingKeys.map((k: { kid: string }) => [k.kid, k]));
    assert.deepEqual(Object.keys(byKid).sort(), [es1.kid, es2[1], rs1[1]].sort());
    assert.equal(byKid[es1.kid].state, 'active');
    assert.equal(Date.parse(byKid[es1.kid].retireAt), activation);
    // Kept in JWKS past the longest token lifetime (a day) after it stops signing.
    assert.ok(Date.parse(byKid[es1.kid].removeAt) - activation > 86_400_000);
    assert.equal(byKid[es2[1] ?? ''].state, 'published');
    assert.equal(byKid[es2[1] ?? ''].retireAt, null);
    assert.equal(byKid[rs1[1] ?? ''].state, 'active');
    const text = await vigil(['keys', 'list']);
    assert.match(text.stdout, /^2 +data-encryption +AES-256-GCM +active/m);
    assert.match(text.stdout, /^KID +ALG +STATE +CREATED +ACTIVATE AT +RETIRE AT +REMOVE AT$/m);
    assert.match(
      text.stdout,
      new RegExp(`^${es2[1]} +ES256 +published +\\S+ +${es2[2]} +- +-$`, 'm'),
    );
    assert.match(
      text.stdout,
      new RegExp(`^${es1.kid} +ES256 +active +\\S+ +\\S+ +${es2[2]} +\\S+$`, 'm'),
    );

    const events = await audited('oauth.signing_key.');
    assert.deepEqual(
      events.map((e) => `${e.action} ${e.targetId}`),
      [
        `oauth.signing_key.created ${es1.kid}`,
        `oauth.signing_key.rotated ${es1.kid}`,
        `oauth.signing_key.created ${es2[1]}`,
        `oauth.signing_key.rotated ${es2[1]}`,
        `oauth.signing_key.created ${rs1[1]}`,
        `oauth.signing_key.rotated ${rs1[1]}`,
      ],
    );
    for (const e of events) {
      assert.equal(e.orgId, platformOrgId);
      assert.equal(e.actorType, 'operator');
    }
    assert.deepEqual(events[3]?.details.replaced, [es1.kid]);
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
  // A bound, not a measure: a server that never says where it listens fails the test. On two busy
  // cores a fresh data dir (migrations, keys, a TLS certificate) has taken over 30 s.
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 120 s:\n${stderr}`)), 120_000);
    child.on('exit', (code) =>
      reject(new Error(`exited with ${code} before it started:\n${stderr}`)),
    );
    child.stderr.on('data', (d) => {
      stderr += d;
      const match = /"url":"(https:\/\/localhost:\d+)"/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  }).catch((err: unknown) => {
    // Never left running: its open pipes would keep the test runner waiting for ever.
    child.kill('SIGKILL');
    throw err;
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
      const cli = await runVigil(['admin', 'bootstrap'], { VIGIL_DATA_DIR: dataDir });
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
