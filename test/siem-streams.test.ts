import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { siemServices } from '../src/app/siem-services.ts';
import { ocsfVersion } from '../src/audit/index.ts';
import type { SelfSignedCertificate } from '../src/crypto/index.ts';
import { operatorActor, platformOrgId, withPlatform } from '../src/platform/index.ts';
import type { SiemStream } from '../src/siem/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import {
  type Received,
  receiverCertificate,
  startSyslogReceiver,
  startWebhookReceiver,
} from './support/siem-receivers.ts';

describe('SIEM streams deliver every event, through outages, to their organization only', () => {
  let core: TestCore;
  let siem: ReturnType<typeof siemServices>;
  let cert: SelfSignedCertificate;
  let acme: string;
  let globex: string;

  before(async () => {
    core = await openTestCore({ env: { VIGIL_OUTBOUND_ALLOW: '127.0.0.1' } });
    siem = siemServices(core);
    cert = await receiverCertificate();
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
  });
  after(() => core.close());

  /** Appends `count` events of an organization; returns their ids (read back in chain order). */
  async function writeEvents(orgId: string, count: number, tag: string): Promise<string[]> {
    for (let i = 0; i < count; i++)
      await core.audit.append({
        orgId,
        action: 'auth.login.failed',
        outcome: 'failure',
        actor: { type: 'anonymous', ip: '203.0.113.9' },
        details: { reason: 'bad_password', tag, i },
      });
    const rows = await withPlatform(
      core.database,
      async (tx) =>
        (
          await sql<{ id: string }>`
          SELECT id FROM audit_events
          WHERE org_id = ${orgId} AND details::jsonb ->> 'tag' = ${tag}`.execute(tx)
        ).rows,
    );
    assert.equal(rows.length, count);
    return rows.map((r) => r.id);
  }

  const streamOf = async (orgId: string, id: string): Promise<SiemStream> =>
    withPlatform(core.database, (tx) => siem.siemStreams.get(tx, orgId, id));

  /**
   * Rounds until `done` holds: on PostgreSQL the feed holds an event back while any older
   * transaction runs on the server (another test file's), so one round may not see it yet.
   */
  async function roundsUntil(done: () => boolean | Promise<boolean>, all = true) {
    for (let i = 0; i < 100; i++) {
      await siem.siemRunner.runRound({ all });
      if (await done()) return;
      await sleep(100);
    }
    assert.fail('the streams did not get there in 100 rounds');
  }

  const idsOf = (received: Received[]) => new Set(received.map((r) => r.id));
  const hasAll = (received: Received[], ids: string[]) => {
    const got = idsOf(received);
    return ids.every((id) => got.has(id));
  };

  /** Every later copy of an event is marked; every event is its organization's. */
  function assertDuplicatesMarked(received: Received[], orgId: string | null) {
    const seen = new Set<string>();
    for (const r of received) {
      if (orgId) assert.equal(r.orgId, orgId, 'never another organization’s event');
      if (seen.has(r.id)) assert.ok(r.possibleDuplicate, `the resent ${r.id} is marked`);
      seen.add(r.id);
    }
  }

  it('syslog over TLS: RFC 5424 frames; a receiver down for a while gets every event', async () => {
    const receiver = await startSyslogReceiver(cert);
    const { stream, secret } = await withPlatform(core.database, (tx) =>
      siem.siemStreams.create(
        tx,
        acme,
        { name: 'SOC', kind: 'syslog', url: receiver.url(), caPem: cert.certPem },
        operatorActor,
      ),
    );
    assert.equal(secret, null, 'syslog authenticates by TLS: no secret');
    const first = await writeEvents(acme, 5, 'syslog-1');
    await writeEvents(globex, 3, 'syslog-other');
    await roundsUntil(() => hasAll(receiver.received, first));
    assert.ok(
      receiver.received.every((r) => !r.possibleDuplicate),
      'nothing resent yet',
    );
    const frame = receiver.received.find((r) => r.id === first[0]);
    assert.ok(frame);
    const { parsed, event } = frame as (typeof receiver.received)[number];
    assert.equal(parsed.appName, 'vigil');
    assert.equal(parsed.msgId, 'auth.login.failed');
    assert.equal(parsed.hostname, 'localhost');
    assert.equal(parsed.pri, 13 * 8 + 5, 'log audit, notice (a refused sign-in)');
    const ocsf = event as { metadata: { uid: string; version: string }; class_uid: number };
    assert.equal(ocsf.metadata.uid, first[0]);
    assert.equal(ocsf.metadata.version, ocsfVersion);
    assert.equal(ocsf.class_uid, 3002);

    await receiver.close();
    const during = await writeEvents(acme, 4, 'syslog-2');
    let down = await streamOf(acme, stream.id);
    await roundsUntil(async () => {
      down = await streamOf(acme, stream.id);
      return down.failures >= 2;
    });
    assert.ok(down.lastError, 'the failure is recorded');
    assert.ok(down.nextAttemptAt && down.nextAttemptAt > new Date(), 'backing off');
    assert.ok(down.lag >= during.length, 'the missed events are counted as lag');
    const failures = down.failures;
    await siem.siemRunner.runRound();
    assert.equal((await streamOf(acme, stream.id)).failures, failures, 'not tried before due');

    const laterStill = await writeEvents(acme, 3, 'syslog-3');
    await receiver.reopen();
    await roundsUntil(() => hasAll(receiver.received, [...first, ...during, ...laterStill]));
    assertDuplicatesMarked(receiver.received, acme);
    const resent = receiver.received.filter((r) => during.includes(r.id));
    assert.ok(
      resent.every((r) => r.possibleDuplicate),
      'what went out during the outage may have arrived: marked',
    );
    assert.ok(
      resent.some((r) => /possibleDuplicate="true"/.test(r.raw)),
      'an SD param',
    );
    const up = await streamOf(acme, stream.id);
    assert.equal(up.failures, 0);
    assert.equal(up.lastError, null);
    assert.ok(up.lastDeliveredAt);
    await receiver.close();
    await withPlatform(core.database, (tx) =>
      siem.siemStreams.update(tx, acme, stream.id, { enabled: false }, operatorActor),
    );
  });

  it('signed webhooks: verified by standardwebhooks; lost acknowledgements resent, marked', async () => {
    const receiver = await startWebhookReceiver(cert);
    const { stream, secret } = await withPlatform(core.database, (tx) =>
      siem.siemStreams.create(
        tx,
        globex,
        {
          name: 'SIEM hook',
          kind: 'webhook',
          format: 'jsonl',
          url: receiver.url,
          caPem: cert.certPem,
        },
        operatorActor,
      ),
    );
    assert.match(secret ?? '', /^whsec_/);
    receiver.state.secret = secret ?? '';
    // The third request is kept but answered 503: its acknowledgement was lost.
    receiver.state.answer = (n) => (n === 2 ? 503 : 204);
    const ids = await writeEvents(globex, 6, 'hook-1');
    await writeEvents(acme, 2, 'hook-other');
    await roundsUntil(async () => {
      const s = await streamOf(globex, stream.id);
      return s.failures === 0 && hasAll(receiver.received, ids);
    });
    assertDuplicatesMarked(receiver.received, globex);
    const counts = new Map<string, number>();
    for (const r of receiver.received) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    assert.ok(
      [...counts.values()].some((n) => n > 1),
      'the unacknowledged event came again',
    );
    for (const r of receiver.received) assert.equal(r.webhookId, r.id, 'webhook-id = event id');
    const native = receiver.received[0]?.body as { id: string; action: string };
    assert.ok(native.id && native.action, 'jsonl: Vigil’s own event');

    const rotated = await withPlatform(core.database, (tx) =>
      siem.siemStreams.rotateSecret(tx, globex, stream.id, operatorActor),
    );
    const before = receiver.received.length;
    receiver.state.secret = rotated;
    const more = await writeEvents(globex, 2, 'hook-2');
    await roundsUntil(() => hasAll(receiver.received, more));
    assert.ok(receiver.received.length > before, 'signed with the new secret');
    await receiver.close();
    await withPlatform(core.database, (tx) =>
      siem.siemStreams.remove(tx, globex, stream.id, operatorActor),
    );
  });

  it('refuses a collector whose certificate it cannot verify', async () => {
    const receiver = await startSyslogReceiver(cert);
    const { stream } = await withPlatform(core.database, (tx) =>
      siem.siemStreams.create(
        tx,
        acme,
        { name: 'Untrusted', kind: 'syslog', url: receiver.url() },
        operatorActor,
      ),
    );
    await writeEvents(acme, 1, 'untrusted');
    let state = await streamOf(acme, stream.id);
    await roundsUntil(async () => {
      state = await streamOf(acme, stream.id);
      return state.failures > 0;
    });
    assert.match(state.lastError ?? '', /certificate/i);
    assert.deepEqual(receiver.received, [], 'nothing crossed an unverified connection');
    await withPlatform(core.database, (tx) =>
      siem.siemStreams.remove(tx, acme, stream.id, operatorActor),
    );
    await receiver.close();
  });

  it("a platform stream carries every organization's events", async () => {
    const receiver = await startWebhookReceiver(cert);
    const { stream, secret } = await withPlatform(core.database, (tx) =>
      siem.siemStreams.create(
        tx,
        platformOrgId,
        { name: 'Everything', kind: 'webhook', url: receiver.url, caPem: cert.certPem },
        operatorActor,
      ),
    );
    receiver.state.secret = secret ?? '';
    const ids = [
      ...(await writeEvents(acme, 2, 'all-1')),
      ...(await writeEvents(globex, 2, 'all-2')),
    ];
    await roundsUntil(() => hasAll(receiver.received, ids));
    const orgs = new Set(receiver.received.map((r) => r.orgId));
    assert.ok(orgs.has(acme) && orgs.has(globex));
    assert.equal((await streamOf(platformOrgId, stream.id)).kind, 'webhook');
    await receiver.close();
  });
});
