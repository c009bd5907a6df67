import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SelfSignedCertificate } from '../src/crypto/index.ts';
import type { User } from '../src/identity/index.ts';
import { startAdminApiWorld } from './support/admin-api.ts';
import { cliStore } from './support/cli.ts';
import {
  receiverCertificate,
  startSyslogReceiver,
  startWebhookReceiver,
} from './support/siem-receivers.ts';

type World = Awaited<ReturnType<typeof startAdminApiWorld>>;

let cert: SelfSignedCertificate;
before(async () => {
  cert = await receiverCertificate();
});

/** Waits until `done` holds (the server's or the CLI's rounds deliver meanwhile). */
async function eventually(done: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 150; i++) {
    if (await done()) return;
    await sleep(100);
  }
  assert.fail(`never: ${what}`);
}

describe('admin API: SIEM streams', () => {
  let api: World;
  let syslog: Awaited<ReturnType<typeof startSyslogReceiver>>;
  let orgId: string;
  let admin: string;
  let auditor: string;
  const json = (res: { text: string }) => JSON.parse(res.text);
  const call = (method: string, path: string, token: string, body?: unknown) =>
    api.call(method, `/orgs/${orgId}/siem-streams${path}`, token, body);

  before(async () => {
    syslog = await startSyslogReceiver(cert);
    api = await startAdminApiWorld(undefined, {
      VIGIL_OUTBOUND_ALLOW: '127.0.0.1',
      VIGIL_SIEM_INTERVAL_MS: '200',
    });
    orgId = api.world.orgId;
    const tokenOf = async (user: Promise<User>) => api.tokenFor(await user);
    admin = await tokenOf(api.userWithRole(orgId, 'siem-admin@acme.test', 'org-admin'));
    auditor = await tokenOf(api.userWithRole(orgId, 'siem-audit@acme.test', 'org-auditor'));
  });
  after(async () => {
    await api?.world.close();
    await syslog?.close();
  });

  it('adds a syslog stream that the server then feeds; auditors read, admins write', async () => {
    const input = {
      name: 'SOC',
      kind: 'syslog',
      url: syslog.url(),
      caPem: cert.certPem,
      from: 'beginning',
    };
    assert.equal((await call('POST', '', auditor, input)).status, 403);
    const created = await call('POST', '', admin, input);
    assert.equal(created.status, 201, created.text);
    const { stream, secret } = json(created);
    assert.equal(secret, undefined, 'a syslog stream has no secret');
    assert.deepEqual(Object.keys(stream).sort(), [
      'caPem',
      'createdAt',
      'enabled',
      'failures',
      'format',
      'id',
      'kind',
      'lag',
      'lastDeliveredAt',
      'lastError',
      'name',
      'nextAttemptAt',
      'url',
    ]);
    assert.equal(stream.format, 'ocsf');
    assert.ok(stream.lag > 0, 'from the beginning: the whole log is behind');
    // The server's own round (every 200 ms) sends the organization's log, this stream's
    // creation included.
    await eventually(
      () => syslog.received.some((r) => r.parsed.msgId === 'siem.stream.created'),
      'the server streamed the creation event',
    );
    assert.ok(syslog.received.every((r) => r.orgId === orgId));
    await eventually(async () => {
      const listed = json(await call('GET', '', auditor)).streams[0];
      return listed.lag === 0 && listed.lastDeliveredAt !== null;
    }, 'the stream caught up');

    const disabled = await call('PATCH', `/${stream.id}`, admin, { enabled: false });
    assert.equal(disabled.status, 200, disabled.text);
    assert.equal(json(disabled).enabled, false);
    const rotate = await call('POST', `/${stream.id}/rotate-secret`, admin);
    assert.equal(rotate.status, 409);
    assert.equal(json(rotate).code, 'siem.not_webhook');
  });

  it('refuses bad input and destinations the SSRF guard does not allow', async () => {
    const base = { name: 'x', kind: 'syslog' };
    const wrongScheme = await call('POST', '', admin, { ...base, url: 'https://127.0.0.1' });
    assert.equal(wrongScheme.status, 400);
    assert.equal(json(wrongScheme).code, 'siem.invalid');
    const inward = await call('POST', '', admin, { ...base, url: 'syslog+tls://192.0.2.10' });
    assert.equal(inward.status, 400);
    assert.equal(json(inward).code, 'outbound.target_refused');
    const badCa = await call('POST', '', admin, {
      ...base,
      url: syslog.url(),
      caPem: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----',
    });
    assert.equal(badCa.status, 400);
    assert.equal(json(badCa).code, 'siem.invalid');
    const badFormat = await call('POST', '', admin, { ...base, url: syslog.url(), format: 'xml' });
    assert.equal(badFormat.status, 400);
  });

  it('a webhook stream: its secret once, rotated, then deleted; every step audited', async () => {
    const hook = await startWebhookReceiver(cert);
    try {
      const created = await call('POST', '', admin, {
        name: 'Hook',
        kind: 'webhook',
        url: hook.url,
        caPem: cert.certPem,
      });
      assert.equal(created.status, 201, created.text);
      const { stream, secret } = json(created);
      assert.match(secret, /^whsec_/);
      const listed = json(await call('GET', '', auditor)).streams;
      assert.ok(listed.some((s: { id: string }) => s.id === stream.id));
      assert.ok(!JSON.stringify(listed).includes(secret.slice(6)), 'never the secret');
      const rotated = await call('POST', `/${stream.id}/rotate-secret`, admin);
      assert.equal(rotated.status, 200, rotated.text);
      assert.notEqual(json(rotated).secret, secret);
      hook.state.secret = json(rotated).secret;
      await eventually(() => hook.received.length > 0, 'the server posted signed events');
      assert.equal((await call('DELETE', `/${stream.id}`, admin)).status, 204);
      assert.equal((await call('DELETE', `/${stream.id}`, admin)).status, 404);
      const page = await api.call(
        'GET',
        `/orgs/${orgId}/audit-events?action=siem.stream.*&limit=50`,
        auditor,
      );
      const actions = json(page).items.map((e: { action: string }) => e.action);
      assert.ok(actions.includes('siem.stream.created'));
      assert.ok(actions.includes('siem.stream.updated'));
      assert.ok(actions.includes('siem.stream.deleted'));
      assert.ok(!page.text.includes(json(rotated).secret.slice(6)), 'no secret in the log');
    } finally {
      await hook.close();
    }
  });
});

describe('vigil siem', () => {
  const store = cliStore({ migrated: true });
  let syslog: Awaited<ReturnType<typeof startSyslogReceiver>>;
  before(async () => {
    store.env.VIGIL_OUTBOUND_ALLOW = '127.0.0.1';
    await store.open();
    syslog = await startSyslogReceiver(cert);
    const org = await store.vigil(['orgs', 'create', '--slug', 'acme', '--name', 'Acme']);
    assert.equal(org.code, 0, org.stderr);
  });
  after(async () => {
    await syslog.close();
    await store.close();
  });

  it('adds, lists, runs, updates, rotates and deletes streams', async () => {
    const caFile = join(store.dataDir, 'ca.pem');
    writeFileSync(caFile, cert.certPem);
    const add = ['siem', 'add', '--org', 'acme', '--kind', 'syslog', '--name', 'SOC'];
    const bad = await store.vigil([...add, '--url', 'http://127.0.0.1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--url: must be syslog\+tls:\/\/host:port/);
    const added = await store.vigil([
      ...add,
      '--url',
      syslog.url(),
      '--ca-file',
      caFile,
      '--from',
      'beginning',
      '--json',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const syslogStream = JSON.parse(added.stdout).stream;

    // On PostgreSQL the feed's end waits for the oldest transaction on the whole server (another
    // test file's), so a run may deliver nothing yet: run again until one delivers.
    await eventually(async () => {
      const run = await store.vigil(['siem', 'run']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /streams tried: 1\nevents delivered: \d+/);
      return /events delivered: [1-9]/.test(run.stdout);
    }, 'a run delivered the log');
    await eventually(() => syslog.received.length > 0, 'the collector got the log');
    assert.ok(syslog.received.some((r) => r.parsed.msgId === 'org.created'));

    const list = await store.vigil(['siem', 'list', '--org', 'acme']);
    assert.match(list.stdout, /SOC\s+syslog\s+ocsf/);
    assert.match((await store.vigil(['siem', 'list'])).stdout, /no SIEM streams in platform/);

    const hook = await startWebhookReceiver(cert);
    try {
      const webhook = await store.vigil([
        'siem',
        'add',
        '--org',
        'acme',
        '--kind',
        'webhook',
        '--name',
        'Hook',
        '--url',
        hook.url,
        '--ca-file',
        caFile,
        '--format',
        'jsonl',
      ]);
      assert.equal(webhook.code, 0, webhook.stderr);
      assert.match(webhook.stdout, /signing secret: whsec_/);
      const hookId = /webhook stream ([0-9a-f-]{36})/.exec(webhook.stdout)?.[1] ?? '';
      const rotated = await store.vigil(['siem', 'rotate', hookId, '--org', 'acme']);
      assert.equal(rotated.code, 0, rotated.stderr);
      assert.match(rotated.stdout, /whsec_/);
      assert.equal((await store.vigil(['siem', 'delete', hookId, '--org', 'acme'])).code, 0);
    } finally {
      await hook.close();
    }
    const notHook = await store.vigil(['siem', 'rotate', syslogStream.id, '--org', 'acme']);
    assert.equal(notHook.code, 1);
    assert.match(notHook.stderr, /Only a webhook stream has a signing secret/);

    const off = await store.vigil([
      'siem',
      'update',
      syslogStream.id,
      '--org',
      'acme',
      '--disable',
      '--json',
    ]);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(JSON.parse(off.stdout).stream.enabled, false);
    const audited = await store.audited('siem.stream.');
    assert.deepEqual(
      audited.map((e) => e.action),
      [
        'siem.stream.created',
        'siem.stream.created',
        'siem.stream.updated',
        'siem.stream.deleted',
        'siem.stream.updated',
      ],
    );
    assert.ok(audited.every((e) => e.actorType === 'operator'));
  });
});
