import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import * as OTPAuth from 'otpauth';
import { createServices, type Services } from '../src/app/services.ts';
import { blockRowOf } from '../src/audit/archive-format.ts';
import { blockSignatureValid, chainHash } from '../src/audit/sealer.ts';
import { totpCode } from '../src/auth/mfa/index.ts';
import { recordResult } from '../src/compliance/controls/results.store.ts';
import type { PackManifest, SignedPackManifest } from '../src/compliance/evidence/format.ts';
import { packFiles, policyFileKinds } from '../src/compliance/evidence/layout.ts';
import { readZip } from '../src/compliance/evidence/read-zip.ts';
import { verifyPackFiles } from '../src/compliance/evidence/verify-pack.mjs';
import { createPackZip } from '../src/compliance/evidence/zip-writer.ts';
import { controls, packPeriod } from '../src/compliance/index.ts';
import { canonicalJson, verifyEd25519 } from '../src/crypto/index.ts';
import {
  fixedClock,
  operatorActor,
  platformOrgId,
  type Tx,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { openTestCore, sealEverything, type TestCore } from './support/core.ts';
import { captureMail } from './support/http.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const csvLines = (b: Buffer | undefined) =>
  (b ?? Buffer.alloc(0)).toString('utf8').trim().split('\r\n');

describe('the evidence pack of a quarter', () => {
  const clock = fixedClock(new Date('2026-06-20T09:00:00Z'));
  let core: TestCore;
  let services: Services;
  let acme: string;
  let dir: string;
  let files: Map<string, Buffer>;
  let zipBytes: Buffer;
  let result: { fileCount: number; manifestSha256: string };
  let signed: SignedPackManifest;
  const ids: Record<string, string> = {};
  let clientSecret = '';
  const inAcme = <T>(fn: (tx: Tx) => Promise<T>) => withOrg(core.database, acme, fn);
  const at = (iso: string) => clock.set(new Date(iso));

  before(async () => {
    core = await openTestCore({ clock });
    services = createServices(core, { mailer: captureMail() });
    dir = await mkdtemp(join(tmpdir(), 'vigil-pack-'));
    acme = await core.createOrg('acme');
    const make = (email: string) =>
      inAcme((tx) =>
        services.identity.createUser(tx, acme, { email, displayName: email }, operatorActor),
      );
    for (const name of ['ann', 'bob', 'cara', 'dave'])
      ids[name] = (await make(`${name}@acme.test`)).id;
    await inAcme(async (tx) => {
      const assign = (userId: string, roleKey: string) =>
        services.rbac.assign(
          tx,
          { orgId: acme, userId, roleKey, reason: 'job' },
          null,
          operatorActor,
        );
      await assign(ids.ann as string, 'org-owner');
      await assign(ids.bob as string, 'org-auditor');
    });

    // The quarter: a policy change, an MFA enrollment, a leaver, control results.
    at('2026-07-10T10:00:00Z');
    await inAcme((tx) => services.passwords.setPolicy(tx, acme, 'pci-dss-4', operatorActor));
    at('2026-08-03T10:00:00Z');
    await inAcme(async (tx) => {
      const ann = await services.identity.findUser(tx, ids.ann as string);
      if (!ann) throw new Error('ann is gone');
      const started = await services.mfa.startTotp(tx, ann);
      const seed = new Uint8Array(OTPAuth.Secret.fromBase32(started.secret).buffer as ArrayBuffer);
      await services.mfa.confirmTotp(
        tx,
        ann,
        started.factorId,
        totpCode(seed, clock.now()),
        operatorActor,
      );
    });
    at('2026-09-01T10:00:00Z');
    await inAcme((tx) =>
      services.lifecycle.deactivate(tx, ids.dave as string, 'suspended', operatorActor, {
        source: 'admin',
      }),
    );
    const passing = { status: 'pass' as const, summary: 'all good', exceptions: [] };
    const failing = {
      status: 'fail' as const,
      summary: '1 administrator has no second factor',
      exceptions: [{ message: 'bob@acme.test has no second factor' }],
    };
    await inAcme((tx) =>
      recordResult(tx, acme, 'mfa-enforcement', failing, new Date('2026-07-02T00:00:00Z')),
    );
    await inAcme((tx) =>
      recordResult(tx, acme, 'mfa-enforcement', passing, new Date('2026-09-15T00:00:00Z')),
    );
    await withPlatform(core.database, (tx) =>
      recordResult(
        tx,
        platformOrgId,
        'encryption-at-rest',
        passing,
        new Date('2026-07-02T00:00:00Z'),
      ),
    );

    const shop = await inAcme((tx) =>
      services.oauth.clients.create(
        tx,
        acme,
        { name: 'Shop', kind: 'web', redirectUris: ['https://shop.example/cb'] },
        operatorActor,
      ),
    );
    ids.shop = shop.client.id;
    clientSecret = shop.secret ?? '';

    // After the quarter: bob loses his role, cara is suspended, eve joins, ann's factor goes.
    at('2026-10-04T10:00:00Z');
    await inAcme(async (tx) => {
      await services.rbac.unassign(
        tx,
        acme,
        ids.bob as string,
        'org-auditor',
        'left the team',
        operatorActor,
      );
      await services.identity.setStatus(tx, ids.cara as string, 'suspended', operatorActor);
      ids.eve = (
        await services.identity.createUser(
          tx,
          acme,
          { email: 'eve@acme.test', displayName: 'eve' },
          operatorActor,
        )
      ).id;
    });
    await sealEverything(core);

    at('2026-10-05T12:00:00Z');
    const pack = await services.evidencePacks.build({
      orgId: acme,
      period: packPeriod({ from: '2026-07-01', to: '2026-09-30' }),
      actor: { type: 'user', id: ids.ann as string },
    });
    assert.equal(pack.fileName, 'vigil-evidence-acme-2026-07-01-2026-09-30.zip');
    [zipBytes, result] = await Promise.all([buffer(pack.stream), pack.done]);
    await writeFile(join(dir, pack.fileName), zipBytes);
    files = await readZip(join(dir, pack.fileName));
    signed = JSON.parse(files.get(packFiles.manifest)?.toString('utf8') ?? 'null');
  });

  after(async () => {
    await core.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds every file of the layout, the manifest last, and verifies with the standalone verifier', () => {
    const expected = Object.values(packFiles).flatMap((f) =>
      typeof f === 'string' ? [f] : policyFileKinds.map((kind) => f(kind)),
    );
    assert.deepEqual([...files.keys()].sort(), expected.sort());
    assert.equal([...files.keys()].at(-1), packFiles.manifest);
    assert.equal(result.fileCount, files.size);
    const verification = verifyPackFiles(files);
    assert.deepEqual(verification.problems, []);
    assert.equal(verification.ok, true);
  });

  it('signs the manifest with the active audit seal key, and every hash and size matches', async () => {
    const key = await core.keys.active('audit-seal');
    assert.ok(key.publicKey);
    const { manifest } = signed;
    assert.equal(manifest.key.id, key.id);
    assert.ok(
      verifyEd25519(
        key.publicKey,
        Buffer.from(canonicalJson(manifest)),
        Buffer.from(signed.signature, 'base64url'),
      ),
    );
    const tampered: PackManifest = { ...manifest, org: { ...manifest.org, name: 'globex' } };
    assert.ok(
      !verifyEd25519(
        key.publicKey,
        Buffer.from(canonicalJson(tampered)),
        Buffer.from(signed.signature, 'base64url'),
      ),
    );
    assert.deepEqual(
      manifest.files.map((f) => f.name),
      [...files.keys()].filter((n) => n !== packFiles.manifest),
    );
    for (const entry of manifest.files) {
      const bytes = files.get(entry.name) as Buffer;
      assert.equal(entry.size, bytes.length, entry.name);
      assert.equal(entry.sha256, sha256(bytes), entry.name);
    }
    assert.equal(result.manifestSha256, sha256(files.get(packFiles.manifest) as Buffer));
    assert.deepEqual(manifest.period, {
      from: '2026-07-01T00:00:00.000Z',
      to: '2026-10-01T00:00:00.000Z',
    });
    assert.deepEqual(manifest.org, { id: acme, slug: 'acme', name: 'acme' });
  });

  it('lists every control of the catalog with its status at the period end and its files', () => {
    const byId = new Map(signed.manifest.controls.map((c) => [c.id, c]));
    assert.deepEqual(
      [...byId.keys()],
      controls.map((c) => c.id),
    );
    assert.equal(byId.get('mfa-enforcement')?.status, 'pass');
    assert.equal(byId.get('encryption-at-rest')?.status, 'pass');
    assert.equal(byId.get('password-policy')?.status, null);
    assert.deepEqual(
      byId.get('mfa-enforcement')?.artifacts,
      controls.find((c) => c.id === 'mfa-enforcement')?.evidence,
    );
    const results = JSON.parse(files.get(packFiles.controlResults)?.toString() ?? '{}');
    const mfa = results.controls.find((c: { id: string }) => c.id === 'mfa-enforcement');
    assert.deepEqual(
      mfa.during.map((r: { status: string }) => r.status),
      ['fail', 'pass'],
    );
    const html = files.get(packFiles.summaryHtml)?.toString() ?? '';
    assert.ok(html.includes("<strong>Status at the period's end:</strong> pass — all good"));
    for (const c of controls) assert.ok(html.includes(`(${c.id}, ${c.scope})`), c.id);
    assert.ok(html.includes('<tr><th>CC6.1</th>'));
    assert.match(html, new RegExp(signed.manifest.key.fingerprint));
    assert.equal(files.get(packFiles.summaryPdf)?.subarray(0, 5).toString(), '%PDF-');
  });

  it('shows access as it was at the period end, rolled back from today', () => {
    const rows = csvLines(files.get(packFiles.userAccess));
    assert.equal(
      rows[0],
      'user_id,email,name,status,roles,privileged,mfa_enrolled,last_sign_in,created,deactivated',
    );
    const row = (name: string) => rows.find((r) => r.startsWith(`${ids[name]},`))?.split(',');
    assert.equal(row('bob')?.[4], 'org-auditor', 'bob held the role until after the period');
    assert.equal(row('cara')?.[3], 'active', 'cara was suspended only after the period');
    assert.equal(row('dave')?.[3], 'suspended');
    assert.equal(row('ann')?.[6], 'true');
    assert.equal(row('eve'), undefined, 'eve joined after the period');
    assert.equal(rows.length, 5);
    const summary = JSON.parse(files.get(packFiles.mfaSummary)?.toString() ?? '{}');
    assert.equal(summary.users, 4);
    assert.equal(summary.activeUsers, 3);
    assert.equal(summary.enrolledActiveUsers, 1);
    assert.deepEqual(summary.byKind, { totp: 1 });
    assert.equal(csvLines(files.get(packFiles.mfaEnrollment)).length, 5);
  });

  it('carries the policy history, the leavers and the audit coverage of the period', () => {
    const password = JSON.parse(files.get(packFiles.policy('password'))?.toString() ?? '{}');
    assert.equal(password.inForceAtEnd.version, 1);
    assert.equal(password.inForceAtEnd.settings.preset, 'pci-dss-4');
    assert.equal(password.changesInPeriod.length, 1);
    const lockout = JSON.parse(files.get(packFiles.policy('lockout'))?.toString() ?? '{}');
    assert.equal(lockout.inForceAtEnd, null);
    const log = csvLines(files.get(packFiles.deprovisioningLog));
    assert.equal(log.length, 2);
    assert.ok(log[1]?.startsWith(`${ids.dave},dave@acme.test`));
    const coverage = JSON.parse(files.get(packFiles.auditCoverage)?.toString() ?? '{}');
    const count = (action: string) =>
      coverage.byAction.find((a: { action: string }) => a.action === action)?.events ?? 0;
    assert.equal(count('user.suspended'), 1, 'cara’s suspension is after the period');
    assert.equal(count('mfa.factor.enrolled'), 1);
    assert.equal(count('role.assigned'), 0, 'the roles were given before the period');
  });

  it('lists the OAuth clients the pkce check reads, and never their secrets', () => {
    const text = files.get(packFiles.oauthClients)?.toString() ?? '';
    const { clients } = JSON.parse(text);
    assert.deepEqual(
      clients.map((c: { id: string; grantTypes: string[]; redirectUris: string[] }) => [
        c.id,
        c.redirectUris,
      ]),
      [[ids.shop, ['https://shop.example/cb']]],
    );
    assert.ok(clientSecret.length > 20 && !text.includes(clientSecret), 'no secret in the pack');
    assert.doesNotMatch(text, /secret/i);
  });

  it('proves each sampled audit event with its seal blocks', async () => {
    const lines = (files.get(packFiles.auditSample)?.toString() ?? '')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(lines.length > 0);
    for (const e of lines) {
      assert.equal(e.orgId, acme);
      assert.ok(
        e.occurredAtMs >= Date.parse('2026-07-01') && e.occurredAtMs < Date.parse('2026-10-01'),
      );
    }
    const proofs = JSON.parse(files.get(packFiles.auditSampleProofs)?.toString() ?? '{}');
    const macs = new Map<string, string>([
      ...lines.map((e) => [e.id, e.mac] as [string, string]),
      ...proofs.otherMacs.map(
        (o: { id: string; mac: string }) => [o.id, o.mac] as [string, string],
      ),
    ]);
    for (const e of lines)
      assert.ok(proofs.blocks.some((b: { eventIds: string[] }) => b.eventIds.includes(e.id)));
    for (const block of proofs.blocks) {
      const recomputed = chainHash(
        Buffer.from(block.prevHash, 'hex'),
        block.eventIds.map((id: string) => Buffer.from(macs.get(id) ?? '', 'hex')),
      );
      assert.equal(recomputed.toString('hex'), block.chainHash);
      assert.ok(blockSignatureValid(await core.keys.byId(block.keyId), blockRowOf(block)));
    }
    const verify = JSON.parse(files.get(packFiles.auditVerify)?.toString() ?? '{}');
    assert.equal(verify.ok, true);
  });

  it('records the export with its period, file count and manifest hash', async () => {
    const event = await inAcme((tx) =>
      tx
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'evidence.exported')
        .executeTakeFirstOrThrow(),
    );
    const details = JSON.parse(event.details);
    assert.equal(event.actor_id, ids.ann);
    assert.equal(details.manifestSha256, result.manifestSha256);
    assert.equal(details.files, files.size);
    assert.equal(details.from, '2026-07-01T00:00:00.000Z');
    assert.equal(details.to, '2026-10-01T00:00:00.000Z');
  });

  it('covers a period longer than the SLA report reads at once (366 days)', async () => {
    const pack = await services.evidencePacks.build({
      orgId: acme,
      period: packPeriod({ from: '2025-09-01', to: '2026-10-04' }),
      actor: operatorActor,
    });
    const [bytes] = await Promise.all([buffer(pack.stream), pack.done]);
    await writeFile(join(dir, 'long.zip'), bytes);
    const long = await readZip(join(dir, 'long.zip'));
    const log = csvLines(long.get(packFiles.deprovisioningLog));
    assert.equal(log.length, 2);
    assert.ok(log[1]?.startsWith(`${ids.dave},`));
    const sla = JSON.parse(long.get(packFiles.deprovisioningSla)?.toString() ?? '{}');
    assert.equal(sla.totals.count, 1);
    assert.equal(sla.from, '2025-09-01T00:00:00.000Z');
    assert.equal(sla.to, '2026-10-05T00:00:00.000Z');
    const users = csvLines(long.get(packFiles.userAccess));
    assert.equal(
      users.find((r) => r.startsWith(`${ids.bob},`))?.split(',')[4],
      '',
      'bob lost his role within this period',
    );
    assert.equal(users.find((r) => r.startsWith(`${ids.cara},`))?.split(',')[3], 'suspended');
    assert.ok(
      users.some((r) => r.startsWith(`${ids.eve},`)),
      'eve joined within this period',
    );
  });
});

describe('the period of a pack', () => {
  it('refuses bad dates, a reversed period and one longer than 400 days', () => {
    const refused = (from: string, to: string, pattern: RegExp) =>
      assert.throws(
        () => packPeriod({ from, to }),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'evidence.period_invalid');
          assert.match(err.message, pattern);
          return true;
        },
      );
    refused('2026-07-01', '2026-06-30', /to: is before from/);
    refused('2026-02-30', '2026-03-01', /from: 2026-02-30 is not a calendar date/);
    refused('2026-07-01T00:00:00Z', '2026-08-01', /from: must be a date/);
    refused('2025-01-01', '2026-02-05', /longer than 400 days/);
    const one = packPeriod({ from: '2026-07-01', to: '2026-07-01' });
    assert.equal(one.to.toISOString(), '2026-07-02T00:00:00.000Z');
  });
});

describe("the pack's ZIP writer", () => {
  it('hashes each file as it streams, and stops the producer when the reader goes away', async () => {
    const zip = createPackZip();
    const read = buffer(zip.stream);
    const entry = await zip.add('a.txt', ['hello ', Buffer.from('world')]);
    assert.deepEqual(entry, {
      name: 'a.txt',
      size: 11,
      sha256: sha256(Buffer.from('hello world')),
    });
    await zip.finish('b.txt', Buffer.from('end'));
    assert.ok((await read).length > 0);

    const cut = createPackZip();
    let produced = 0;
    async function* endless() {
      for (;;) {
        produced++;
        yield Buffer.alloc(64 * 1024, produced);
      }
    }
    cut.stream.once('data', () => cut.stream.destroy());
    await assert.rejects(cut.add('big.bin', endless()), /closed before it was complete/);
    assert.ok(produced < 1000, `the producer stopped (${produced} chunks)`);
  });
});
