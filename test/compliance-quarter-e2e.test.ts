import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import * as OTPAuth from 'otpauth';
import { createServices, type Services } from '../src/app/services.ts';
import { archivedEvent, eventLine } from '../src/audit/archive-format.ts';
import { totpCode } from '../src/auth/mfa/index.ts';
import { resultsAt } from '../src/compliance/controls/results.store.ts';
import type { SignedPackManifest } from '../src/compliance/evidence/format.ts';
import { packFiles, policyFileKinds } from '../src/compliance/evidence/layout.ts';
import { readZip } from '../src/compliance/evidence/read-zip.ts';
import { verifyPackFiles } from '../src/compliance/evidence/verify-pack.mjs';
import { controls, packPeriod } from '../src/compliance/index.ts';
import { publicKeyFingerprint } from '../src/crypto/index.ts';
import type { User } from '../src/identity/index.ts';
import {
  type AuditActor,
  fixedClock,
  operatorActor,
  type Tx,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { alertDriver } from './support/alerts.ts';
import { runVigil } from './support/cli.ts';
import { openTestCore, sealEverything, type TestCore } from './support/core.ts';
import { writeZip } from './support/evidence-pack.ts';
import { captureMail } from './support/http.ts';

/**
 * Issue 22 end to end: an organization lives through a quarter on a controllable clock (sign-ins,
 * MFA enrollments, a password policy change, an access review campaign, two leavers, an alert,
 * the live checks), then the quarter's evidence pack is built as the admin API builds it. Every
 * artifact is compared with the database, the pack verifies with `vigil evidence verify` and with
 * its own verify.mjs, and any changed byte, removed file or replaced signature is named.
 */
describe('a quarter of an organization, then its evidence pack', () => {
  const clock = fixedClock(new Date('2026-06-15T09:00:00Z'));
  const at = (iso: string) => clock.set(new Date(iso));
  const quarter = packPeriod({ from: '2026-07-01', to: '2026-09-30' });
  const password = 'Quarterly-Horse-Battery-7';
  const client = { ip: '198.51.100.7', userAgent: 'quarter-test' };
  let core: TestCore;
  let services: Services;
  let org = '';
  const users: Record<string, User> = {};
  const as = (name: string): AuditActor => ({ type: 'user', id: users[name]?.id });
  const inOrg = <T>(fn: (tx: Tx) => Promise<T>) => withOrg(core.database, org, fn);
  let files: Map<string, Buffer>;
  let signed: SignedPackManifest;
  let sealFingerprint = '';
  let work = '';
  let zipPath = '';

  const csv = (name: string) =>
    (files.get(name) ?? Buffer.alloc(0)).toString('utf8').trimEnd().split('\r\n');
  const jsonFile = (name: string) => JSON.parse(files.get(name)?.toString('utf8') ?? 'null');

  async function createUser(name: string, role: string) {
    const user = await inOrg(async (tx) => {
      const u = await services.identity.createUser(
        tx,
        org,
        { email: `${name}@initech.test`, displayName: name },
        operatorActor,
      );
      await services.passwords.set(tx, u, password, {
        actor: operatorActor,
        temporary: false,
        byOwner: false,
      });
      await services.rbac.assign(
        tx,
        { orgId: org, userId: u.id, roleKey: role, reason: 'hired' },
        null,
        operatorActor,
      );
      return u;
    });
    users[name] = user;
  }

  async function enrollTotp(name: string) {
    await inOrg(async (tx) => {
      const user = await services.identity.findUser(tx, users[name]?.id ?? '');
      if (!user) throw new Error(`${name} is gone`);
      const started = await services.mfa.startTotp(tx, user);
      const seed = new Uint8Array(OTPAuth.Secret.fromBase32(started.secret).buffer as ArrayBuffer);
      await services.mfa.confirmTotp(
        tx,
        user,
        started.factorId,
        totpCode(seed, clock.now()),
        as(name),
      );
    });
  }

  const signIn = (name: string, secret = password) =>
    services.signIn.passwordStep({ email: `${name}@initech.test`, password: secret }, client);

  before(async () => {
    core = await openTestCore({ clock });
    services = createServices(core, { mailer: captureMail() });
    const alerts = alertDriver(core, services.alerts);
    org = await core.createOrg('initech');
    for (const [name, role] of [
      ['olivia', 'org-owner'],
      ['adam', 'org-admin'],
      ['mia', 'member'],
      ['leo', 'member'],
      ['sam', 'member'],
    ] as const)
      await createUser(name, role);
    await alerts.settle(); // the alert rules start reading the feed here

    // July: everyone signs in, the administrators enroll a second factor, a stricter policy.
    at('2026-07-01T08:00:00Z');
    await services.compliance.runner.runAll();
    at('2026-07-02T09:00:00Z');
    for (const name of ['mia', 'leo', 'sam', 'olivia', 'adam']) await signIn(name);
    at('2026-07-03T10:00:00Z');
    await enrollTotp('olivia');
    at('2026-07-10T10:00:00Z');
    await inOrg((tx) => services.passwords.setPolicy(tx, org, 'pci-dss-4', as('olivia')));
    at('2026-07-20T10:00:00Z');
    await enrollTotp('adam');

    // August: the privileged access review, decided and closed; a leaver suspended at once.
    at('2026-08-01T09:00:00Z');
    const campaign = await inOrg((tx) =>
      services.reviews.launch(
        tx,
        org,
        {
          scope: { kind: 'privileged_roles' },
          name: 'Privileged access Q3',
          dueAt: new Date('2026-08-15T00:00:00Z'),
        },
        as('olivia'),
      ),
    );
    const { items } = await inOrg((tx) => services.reviews.record(tx, org, campaign.id));
    at('2026-08-05T09:00:00Z');
    for (const item of items)
      await inOrg((tx) =>
        services.reviews.decide(
          tx,
          org,
          [item.id],
          { decision: 'keep', justification: 'Runs the identity team' },
          { type: 'user', id: item.reviewer?.id },
        ),
      );
    at('2026-08-16T09:00:00Z');
    await inOrg((tx) => services.reviews.close(tx, org, campaign.id, as('olivia')));
    at('2026-08-20T09:00:00Z');
    await inOrg((tx) =>
      services.lifecycle.deactivate(tx, users.leo?.id ?? '', 'suspended', as('olivia'), {
        source: 'admin',
      }),
    );
    await inOrg((tx) =>
      services.lifecycleSchedule.setEndDate(
        tx,
        users.sam?.id ?? '',
        new Date('2026-09-10T00:00:00Z'),
        as('olivia'),
      ),
    );

    // September: someone guesses mia's password; sam's end date is reached; the checks run.
    at('2026-09-05T22:00:00Z');
    for (let i = 0; i < 10; i++) {
      await signIn('mia', `wrong-guess-${i}`);
      clock.advance(20_000);
    }
    await alerts.settle();
    at('2026-09-10T06:00:00Z');
    await services.lifecycleSchedule.runRound();
    at('2026-09-29T08:00:00Z');
    await services.compliance.runner.runAll();

    // October, after the quarter: adam loses his role, zoe joins. The pack shows the quarter.
    at('2026-10-02T09:00:00Z');
    await inOrg((tx) =>
      services.rbac.unassign(tx, org, users.adam?.id ?? '', 'org-admin', 'moved', operatorActor),
    );
    await createUser('zoe', 'member');
    await sealEverything(core);

    at('2026-10-03T12:00:00Z');
    const pack = await services.evidencePacks.build({
      orgId: org,
      period: quarter,
      actor: as('olivia'),
    });
    const [bytes] = await Promise.all([buffer(pack.stream), pack.done]);
    work = mkdtempSync(join(tmpdir(), 'vigil-quarter-'));
    zipPath = join(work, pack.fileName);
    writeFileSync(zipPath, bytes);
    files = await readZip(zipPath);
    signed = jsonFile(packFiles.manifest);
    const seal = await core.keys.active('audit-seal');
    sealFingerprint = publicKeyFingerprint(seal.publicKey as NonNullable<typeof seal.publicKey>);
  });
  after(async () => {
    await core.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds every file of the layout, signed by the platform’s audit seal key', () => {
    const layout = Object.values(packFiles).flatMap((f) =>
      typeof f === 'string' ? [f] : policyFileKinds.map((kind) => f(kind)),
    );
    assert.deepEqual([...files.keys()].sort(), layout.sort());
    assert.equal(signed.manifest.key.fingerprint, sealFingerprint);
    assert.deepEqual(signed.manifest.period, {
      from: '2026-07-01T00:00:00.000Z',
      to: '2026-10-01T00:00:00.000Z',
    });
  });

  it('shows access as it was on the quarter’s last day', async () => {
    const rows = csv(packFiles.userAccess);
    const header = (rows[0] ?? '').split(',');
    const col = (name: string) => header.indexOf(name);
    const row = (name: string) =>
      rows.find((r) => r.startsWith(`${users[name]?.id},`))?.split(',') ?? [];
    assert.equal(rows.length, 1 + 5, 'the five users of the quarter, not zoe who joined after');
    assert.equal(row('adam')[col('roles')], 'org-admin', 'adam lost his role only in October');
    assert.equal(row('leo')[col('status')], 'suspended');
    assert.equal(row('sam')[col('status')], 'deprovisioned');
    assert.equal(row('olivia')[col('mfa_enrolled')], 'true');
    assert.equal(row('mia')[col('mfa_enrolled')], 'false');
    const lastSignIn = await inOrg((tx) =>
      tx
        .selectFrom('users')
        .select('last_sign_in_at')
        .where('id', '=', users.mia?.id ?? '')
        .executeTakeFirstOrThrow(),
    );
    assert.equal(row('mia')[col('last_sign_in')], lastSignIn.last_sign_in_at?.toISOString());
    const mfa = jsonFile(packFiles.mfaSummary);
    assert.equal(mfa.activeUsers, 3);
    assert.equal(mfa.enrolledActiveUsers, 2);
  });

  it('carries the policy change, the review campaign, the leavers and the alert of the quarter', async () => {
    const policy = jsonFile(packFiles.policy('password'));
    assert.equal(policy.inForceAtEnd.settings.preset, 'pci-dss-4');
    assert.equal(policy.changesInPeriod.length, 1);

    const campaigns = await inOrg((tx) =>
      tx.selectFrom('review_campaigns').select(['id', 'name']).execute(),
    );
    const packed = jsonFile(packFiles.reviewCampaigns).campaigns;
    assert.deepEqual(
      packed.map((c: { id: string; name: string }) => [c.id, c.name]),
      campaigns.map((c) => [c.id, c.name]),
    );
    const [itemHeader = '', ...itemRows] = csv(packFiles.reviewItems);
    const decision = itemHeader.split(',').indexOf('decision');
    const itemId = itemHeader.split(',').indexOf('item_id');
    const stored = await inOrg((tx) =>
      tx.selectFrom('review_items').select(['id', 'decision']).orderBy('id').execute(),
    );
    assert.equal(stored.length, 2, 'olivia’s org-owner and adam’s org-admin');
    assert.deepEqual(
      itemRows.map((line) => [line.split(',')[itemId], line.split(',')[decision]]).sort(),
      stored.map((i) => [i.id, 'keep']),
    );
    assert.ok(stored.every((i) => i.decision === 'keep'));

    const leavers = csv(packFiles.deprovisioningLog)
      .slice(1)
      .map((line) => line.split(',')[0]);
    assert.deepEqual(leavers.sort(), [users.leo?.id, users.sam?.id].sort());

    const alerts = await inOrg((tx) =>
      tx.selectFrom('alerts').select(['id', 'rule', 'subject_user_id']).execute(),
    );
    // The guessing at mia's password; the live checks' failures raise alerts of their own.
    assert.deepEqual(
      alerts.filter((a) => a.rule === 'signin.failures.account').map((a) => a.subject_user_id),
      [users.mia?.id],
    );
    const packedAlerts = csv(packFiles.alerts).slice(1);
    assert.deepEqual(
      packedAlerts.map((line) => line.split(',').slice(0, 2)).sort(),
      alerts.map((a) => [a.id, a.rule]).sort(),
    );
  });

  it('lists each control with its result at the quarter’s end, as the database holds it', async () => {
    const atEnd = await inOrg((tx) => resultsAt(tx, org, quarter.to));
    const orgControls = signed.manifest.controls.filter((c) => c.scope === 'org');
    assert.equal(orgControls.length, controls.filter((c) => c.scope === 'org').length);
    assert.ok(atEnd.length > 0, 'the live checks ran in the quarter');
    for (const control of orgControls)
      assert.equal(
        control.status,
        atEnd.find((r) => r.controlId === control.id)?.status ?? null,
        control.id,
      );
  });

  it('samples real audit events of the quarter and counts them all', async () => {
    const rows = await withPlatform(core.database, async (tx) => {
      const { rows } = await sql<{ action: string; outcome: string; events: string }>`
        SELECT action, outcome, count(*)::text AS events FROM audit_events
        WHERE org_id = ${org} AND occurred_at >= ${quarter.from} AND occurred_at < ${quarter.to}
        GROUP BY action, outcome ORDER BY action, outcome`.execute(tx);
      return rows;
    });
    const coverage = jsonFile(packFiles.auditCoverage);
    assert.deepEqual(
      coverage.byAction,
      rows.map((r) => ({ action: r.action, outcome: r.outcome, events: Number(r.events) })),
    );
    for (const action of [
      'auth.login.succeeded',
      'auth.login.failed',
      'mfa.factor.enrolled',
      'review.campaign.closed',
      'alert.raised',
    ])
      assert.ok(
        rows.some((r) => r.action === action),
        `the quarter's events include ${action}`,
      );

    const sample = (files.get(packFiles.auditSample)?.toString('utf8') ?? '').trimEnd().split('\n');
    assert.ok(sample.length > 0);
    const ids = sample.map((line) => JSON.parse(line).id as string);
    const stored = await withPlatform(core.database, async (tx) => {
      const { rows } = await sql<Parameters<typeof archivedEvent>[0]>`
        SELECT id, tx::text AS tx, seq::text AS seq, org_id,
          (extract(epoch FROM occurred_at) * 1000)::float8 AS occurred_ms, actor_type, actor_id,
          actor_ip, actor_ua, action, target_type, target_id, outcome, request_id, details,
          mac_key_id, mac
        FROM audit_events WHERE id = ANY(${ids}::uuid[])`.execute(tx);
      return new Map(rows.map((r) => [r.id, eventLine(archivedEvent(r))]));
    });
    for (const line of sample) assert.equal(line, stored.get(JSON.parse(line).id));
    assert.equal(jsonFile(packFiles.auditVerify).ok, true);
  });

  it('verifies with vigil evidence verify and the seal key’s fingerprint', async () => {
    const run = await runVigil(['evidence', 'verify', zipPath, '--key', sealFingerprint], {
      VIGIL_ENV: 'test',
      VIGIL_DATA_DIR: join(work, 'no-data'),
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^VERIFIED: the pack is exactly as signed$/m);
    assert.match(run.stdout, /its fingerprint is the expected one/);
    for (const name of files.keys())
      if (name !== packFiles.manifest)
        assert.match(run.stdout, new RegExp(`^checked: ${name}: \\d+ bytes, SHA-256 as in`, 'm'));
  });

  it('verifies unzipped with its own verify.mjs under the system’s Node.js', async () => {
    const dir = join(work, 'unzipped');
    for (const [name, bytes] of files) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const node = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
    const run = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(node, ['verify.mjs', '--key', sealFingerprint], { cwd: dir }, (err, stdout) =>
        resolve({ code: err ? Number(err.code) : 0, stdout }),
      ),
    );
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /^VERIFIED: the pack is exactly as signed$/m);
  });

  it('names any file of which a byte changed, a removed file and a replaced signature', async () => {
    const options = { fingerprint: sealFingerprint };
    for (const [name, bytes] of files) {
      if (name === packFiles.manifest) continue;
      const changed = Buffer.from(bytes);
      const i = Math.floor(changed.length / 3);
      changed[i] = (changed[i] ?? 0) ^ 0x20;
      const result = verifyPackFiles(new Map([...files, [name, changed]]), options);
      assert.equal(result.ok, false, name);
      assert.ok(
        result.problems.some((p) => p.file === name && p.message.startsWith('changed: ')),
        `${name}: ${JSON.stringify(result.problems)}`,
      );
      const removed = new Map(files);
      removed.delete(name);
      assert.ok(
        verifyPackFiles(removed, options).problems.some(
          (p) => p.file === name && p.message.startsWith('missing: '),
        ),
        name,
      );
    }
    const forged = { ...signed, signature: Buffer.alloc(64, 7).toString('base64url') };
    const replaced = new Map([...files, [packFiles.manifest, Buffer.from(JSON.stringify(forged))]]);
    assert.deepEqual(verifyPackFiles(replaced, options).problems, [
      { file: 'manifest.json', message: 'the signature does not verify over the manifest' },
    ]);

    // The same through the command line, on a ZIP with one changed file.
    const leaked = new Map(files);
    leaked.set(
      packFiles.userAccess,
      Buffer.concat([files.get(packFiles.userAccess) ?? Buffer.alloc(0), Buffer.from('x')]),
    );
    const tampered = join(work, 'tampered.zip');
    await writeZip(leaked, tampered);
    const run = await runVigil(['evidence', 'verify', tampered], {
      VIGIL_ENV: 'test',
      VIGIL_DATA_DIR: join(work, 'no-data'),
    });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /^PROBLEM: access\/user-access.csv: changed: /m);
  });
});
