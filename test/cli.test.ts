import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCore } from '../src/app/core.ts';
import { createServices } from '../src/app/services.ts';
import { generateMasterKeyBase64 } from '../src/crypto/index.ts';
import {
  createLogger,
  loadConfig,
  openDatabase,
  operatorActor,
  platformOrgId,
  withPlatform,
} from '../src/platform/index.ts';
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

  /** The services over the CLI's store, as a node would have them (no CLI is running). */
  async function withServices<T>(
    fn: (
      services: ReturnType<typeof createServices>,
      core: Awaited<ReturnType<typeof openCore>>,
    ) => Promise<T>,
  ): Promise<T> {
    const core = await openCore({
      config: loadConfig(env).config,
      logger: createLogger('silent'),
    });
    try {
      return await fn(createServices(core), core);
    } finally {
      await core.close();
    }
  }

  /** Audit events of these actions, oldest first. */
  async function audited(actionPrefix: string) {
    return (
      await owner(
        'SELECT action, org_id, actor_type, target_id, details FROM audit_events WHERE action LIKE $1 ORDER BY tx, seq',
        [`${actionPrefix}%`],
      )
    ).map((r) => ({
      action: String(r.action),
      orgId: String(r.org_id),
      actorType: String(r.actor_type),
      targetId: String(r.target_id),
      details: JSON.parse(String(r.details)),
    }));
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
    assert.deepEqual(inventory.signingKeys, [], 'the server makes signing keys at its first start');
    assert.match((await run(['keys', 'list'], env)).stdout, /OIDC signing keys: none yet/);
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

  it('rotates the OIDC signing keys with publication ahead and lists their schedule', async () => {
    const badAlg = await run(['keys', 'rotate', '--signing', '--alg', 'HS256'], env);
    assert.equal(badAlg.code, 2);
    assert.match(badAlg.stderr, /--alg must be ES256 or RS256/);
    const algAlone = await run(['keys', 'rotate', '--alg', 'ES256'], env);
    assert.equal(algAlone.code, 2);
    assert.match(algAlone.stderr, /--alg goes with --signing/);
    const mixed = await run(['keys', 'rotate', '--signing', '--platform', 'audit-mac'], env);
    assert.equal(mixed.code, 2);
    assert.deepEqual(await audited('oauth.signing_key.'), [], 'refused: nothing changed');

    // No ES256 key signs yet: the first one signs at once.
    const first = await run(['keys', 'rotate', '--signing', '--alg', 'ES256', '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    const [es1] = JSON.parse(first.stdout).rotated;
    assert.equal(es1.alg, 'ES256');
    assert.match(es1.kid, /^es256-/);
    assert.deepEqual(es1.replaces, []);
    assert.ok(Math.abs(Date.parse(es1.activateAt) - Date.now()) < 60_000);

    // Both algorithms: ES256 replaces its key after the publish-ahead time; RS256 is new.
    const both = await run(['keys', 'rotate', '--signing'], env);
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

    const listed = await run(['keys', 'list', '--json'], env);
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
    const text = await run(['keys', 'list'], env);
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

  it('creates, lists, rotates and disables OAuth clients; refuses bad input changing nothing', async () => {
    const acmeId = await withServices((services, core) =>
      withPlatform(core.database, async (tx) => {
        const org = await services.tenancy.createOrganization(
          tx,
          { slug: 'acme', name: 'Acme' },
          operatorActor,
        );
        return org.id;
      }),
    );
    const web = ['--redirect-uri', 'https://app.acme.test/cb'];
    const refused: [string[], RegExp][] = [
      [['clients', 'create', '--kind', 'web', ...web], /clients create needs --name NAME/],
      [['clients', 'create', '--name', 'A', ...web], /clients create needs --kind web\|spa/],
      [['clients', 'create', '--name', 'A', '--kind', 'desktop'], /needs --kind/],
      [['clients', 'create', '--name', 'A', '--kind', 'web'], /--redirect-uri: at least one/],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'web', '--redirect-uri', 'http://a.test/cb'],
        /--redirect-uri: must be an absolute https URL/,
      ],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'machine', '--grant', 'authorization_code'],
        /--grant: authorization_code is not a grant of a machine client/,
      ],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'web', ...web, '--grant', 'refresh_token'],
        /--grant: a web client needs authorization_code/,
      ],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'web', ...web, '--org', 'nope'],
        /--org: there is no organization nope/,
      ],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'web', ...web, '--alg', 'ES256'],
        /clients create does not take --alg/,
      ],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'machine', '--resource', 'http://api.test'],
        /--resource: must be an absolute https URI/,
      ],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'machine', '--api-scope', 'openid'],
        /--api-scope: is an OpenID Connect scope/,
      ],
      [['clients', 'list', 'extra'], /clients list takes no arguments/],
      [['clients', 'rotate-secret'], /clients rotate-secret needs ID/],
      [['clients', 'disable', 'not-an-id'], /clients disable: not-an-id is not a client id/],
    ];
    for (const [args, message] of refused) {
      const result = await run(args, env);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /Usage: vigil/);
    }
    assert.deepEqual(
      JSON.parse((await run(['clients', 'list', '--json'], env)).stdout).clients,
      [],
    );
    assert.deepEqual(await audited('oauth.client.'), [], 'refused: nothing changed');

    const created = await run(
      [
        'clients',
        'create',
        '--org',
        'acme',
        '--name',
        'Acme Web',
        '--kind',
        'web',
        ...web,
        '--redirect-uri',
        'https://app.acme.test/cb2',
        '--post-logout-uri',
        'https://app.acme.test/bye',
        '--backchannel-logout-uri',
        'https://app.acme.test/bcl',
        '--first-party',
      ],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^created web client \S+ "Acme Web" \(organization acme\)$/m);
    assert.match(created.stdout, /shown this once/);
    const webId = /^client_id: +(\S+)$/m.exec(created.stdout)?.[1] ?? '';
    const webSecret = /^client_secret: +(\S+)$/m.exec(created.stdout)?.[1] ?? '';
    assert.match(webSecret, /^[\w-]{43}$/);

    const spa = await run(
      [
        'clients',
        'create',
        '--name',
        'Console',
        '--kind',
        'spa',
        ...web,
        '--grant',
        'authorization_code',
        '--json',
      ],
      env,
    );
    assert.equal(spa.code, 0, spa.stderr);
    const spaOut = JSON.parse(spa.stdout);
    assert.equal(spaOut.secret, null, 'a public client has no secret');
    assert.equal(spaOut.client.orgId, platformOrgId, 'no --org: a platform client');
    assert.deepEqual(spaOut.client.grantTypes, ['authorization_code']);

    const machine = await run(
      ['clients', 'create', '--org', acmeId, '--name', 'Acme Jobs', '--kind', 'machine', '--json'],
      env,
    );
    assert.equal(machine.code, 0, machine.stderr);
    const machineOut = JSON.parse(machine.stdout);
    assert.equal(machineOut.secretShownOnce, true);
    assert.match(machineOut.secret, /^[\w-]{43}$/);
    assert.deepEqual(machineOut.client.grantTypes, ['client_credentials']);
    const machineId: string = machineOut.client.id;

    const all = await run(['clients', 'list'], env);
    assert.equal(all.code, 0, all.stderr);
    assert.match(
      all.stdout,
      /^ID +ORG +NAME +KIND +STATUS +FIRST PARTY +GRANTS +REDIRECT URIS +CREATED$/m,
    );
    assert.match(
      all.stdout,
      new RegExp(
        `^${webId} +acme +Acme Web +web +active +yes +authorization_code,refresh_token +https://app.acme.test/cb https://app.acme.test/cb2 `,
        'm',
      ),
    );
    assert.match(all.stdout, new RegExp(`^${spaOut.client.id} +platform +Console +spa `, 'm'));
    assert.ok(!all.stdout.includes(webSecret) && !all.stdout.includes(machineOut.secret));
    const acme = JSON.parse(
      (await run(['clients', 'list', '--org', 'acme', '--json'], env)).stdout,
    );
    assert.deepEqual(
      acme.clients.map((c: { id: string }) => c.id).sort(),
      [webId, machineId].sort(),
    );
    assert.ok(!JSON.stringify(acme).includes(webSecret), 'never a secret');

    const rotated = await run(['clients', 'rotate-secret', webId], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const newSecret = /^client_secret: +(\S+)$/m.exec(rotated.stdout)?.[1] ?? '';
    assert.match(newSecret, /^[\w-]{43}$/);
    assert.notEqual(newSecret, webSecret);
    assert.match(rotated.stdout, /shown this once/);
    const until = /previous secret is still accepted until (\S+)\.$/m.exec(rotated.stdout)?.[1];
    const overlap = Date.parse(until ?? '') - Date.now();
    assert.ok(overlap > 23.9 * 3_600_000 && overlap <= 24 * 3_600_000, `${until}`);
    const publicRotate = await run(['clients', 'rotate-secret', spaOut.client.id], env);
    assert.equal(publicRotate.code, 1);
    assert.match(publicRotate.stderr, /A public client has no secret/);
    const unknown = await run(['clients', 'disable', '00000000-0000-7000-8000-00000000dead'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No such client/);

    const disabled = await run(['clients', 'disable', machineId], env);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /disabled/);
    const again = await run(['clients', 'disable', machineId, '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).changed, false);

    // What the provider sees: the new secret, the old one during the overlap, no disabled client.
    await withServices(async ({ oauth }) => {
      const found = await oauth.findClient(webId);
      assert.equal(found?.client_secret, newSecret);
      assert.equal(found?.vigil_previous_secret, webSecret);
      assert.deepEqual(found?.post_logout_redirect_uris, ['https://app.acme.test/bye']);
      assert.equal(found?.backchannel_logout_uri, 'https://app.acme.test/bcl');
      assert.equal(found?.first_party, true);
      assert.equal(await oauth.findClient(machineId), undefined);
    });

    const events = await audited('oauth.client.');
    assert.deepEqual(
      events.map((e) => `${e.action} ${e.targetId} ${e.orgId}`),
      [
        `oauth.client.created ${webId} ${acmeId}`,
        `oauth.client.created ${spaOut.client.id} ${platformOrgId}`,
        `oauth.client.created ${machineId} ${acmeId}`,
        `oauth.client.secret_rotated ${webId} ${acmeId}`,
        `oauth.client.disabled ${machineId} ${acmeId}`,
      ],
    );
    for (const e of events) assert.equal(e.actorType, 'operator');
    assert.ok(!JSON.stringify(events).includes(webSecret), 'no secret in the audit log');
  });

  it('exports the permission matrix and the user-access listing of an organization', async () => {
    await withServices((services, core) =>
      withPlatform(core.database, async (tx) => {
        const org = (await services.tenancy.listOrganizations(tx)).find((o) => o.slug === 'acme');
        assert.ok(org, 'made by the clients test');
        const user = await services.identity.createUser(
          tx,
          org.id,
          { email: 'ivy@acme.test', displayName: 'Ivy' },
          operatorActor,
        );
        await services.rbac.assign(
          tx,
          { orgId: org.id, userId: user.id, roleKey: 'org-auditor', reason: 'yearly audit' },
          null,
          operatorActor,
        );
      }),
    );
    const users = await run(['access', 'users', '--org', 'acme', '--format', 'json'], env);
    assert.equal(users.code, 0, users.stderr);
    const listing = JSON.parse(users.stdout);
    assert.equal(listing.organization, 'acme');
    const ivy = listing.users.find((u: { email: string }) => u.email === 'ivy@acme.test');
    assert.deepEqual(
      [ivy?.status, ivy?.roles, ivy?.privileged],
      ['active', ['org-auditor'], false],
    );

    const file = join(dataDir, 'matrix.csv');
    const matrix = await run(['access', 'matrix', '--org', 'acme', '--out', file], env);
    assert.equal(matrix.code, 0, matrix.stderr);
    const csv = readFileSync(file, 'utf8');
    assert.match(csv, /^role,name,description,purpose,/);
    assert.match(csv, /\r\norg-auditor,Organization auditor,/);

    const refused: [string[], RegExp][] = [
      [['access', 'users'], /access users needs --org SLUG/],
      [['access', 'matrix', '--org', 'acme', '--format', 'xml'], /--format must be csv or json/],
      [['access', 'users', '--org', 'nope'], /--org: there is no organization nope/],
    ];
    for (const [args, message] of refused) {
      const result = await run(args, env);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    }
  });

  it('creates an API key printed once, lists it without its secret, revokes it', async () => {
    const created = await run(
      [
        'apikeys',
        'create',
        '--org',
        'acme',
        '--name',
        'HR sync',
        '--permission',
        'users.read',
        '--json',
      ],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const { key, token } = JSON.parse(created.stdout) as { key: { id: string }; token: string };
    assert.match(token, /^vigil_/);
    const works = await withServices((services) => services.apiKeys.authenticate(token, '::1'));
    assert.equal(works?.apiKeyId, key.id);
    const listed = await run(['apikeys', 'list', '--org', 'acme'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${key.id}\\s+HR sync\\s+users.read\\s+operator`));
    assert.ok(!listed.stdout.includes(token.split('.')[1] ?? token));
    const revoked = await run(
      ['apikeys', 'revoke', key.id, '--org', 'acme', '--reason', 'rotated'],
      env,
    );
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(
      await withServices((services) => services.apiKeys.authenticate(token, '::1')),
      undefined,
    );
    const refused: [string[], RegExp][] = [
      [
        ['apikeys', 'create', '--org', 'acme', '--name', 'x', '--permission', 'users.fly'],
        /--permission: users.fly is not a permission/,
      ],
      [['apikeys', 'create', '--org', 'acme', '--name', 'x'], /needs --permission ID/],
      [['apikeys', 'revoke', key.id, '--org', 'acme'], /needs --reason TEXT/],
      [['apikeys', 'list'], /needs --org SLUG/],
    ];
    for (const [args, message] of refused) {
      const result = await run(args, env);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    }
    const again = await run(['apikeys', 'revoke', key.id, '--org', 'acme', '--reason', 'x'], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already revoked/);
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
