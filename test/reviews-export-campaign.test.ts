import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import { type AuditActor, fixedClock, operatorActor, withOrg } from '../src/platform/index.ts';
import type { Reviews } from '../src/reviews/index.ts';
import { authServices } from './support/auth.ts';
import { runVigil } from './support/cli.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { type InOwnTransactions, inOwnTransactions } from './support/in-org.ts';

/**
 * A real campaign's evidence: launched, one item kept, closed (the rest revoked by policy), then
 * exported by `vigil reviews export` and checked by `vigil reviews verify`, before and after a
 * byte of it is changed.
 */
describe('access review evidence of a closed campaign', () => {
  const clock = fixedClock(new Date('2026-12-01T09:00:00Z'));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-review-evidence-'));
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let reviews: InOwnTransactions<Reviews>;
  let acme: string;
  let owner: User;
  let alice: User;
  const as = (u: User): AuditActor => ({ type: 'user', id: u.id });
  const vigil = (args: string[]) =>
    runVigil(
      args,
      { VIGIL_ENV: 'test', VIGIL_MASTER_KEY: core.masterKey, VIGIL_DATA_DIR: dir },
      core.database,
    );

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    reviews = inOwnTransactions(core.database, auth.reviews);
    acme = await core.createOrg('acme');
    const password = 'Correct-Horse-Battery-9';
    owner = await auth.createUser(acme, 'owner@acme.test', password);
    alice = await auth.createUser(acme, 'alice@acme.test', password);
    const bob = await auth.createUser(acme, 'bob@acme.test', password);
    for (const [user, roleKey] of [
      [owner, 'org-owner'],
      [alice, 'org-admin'],
      [bob, 'org-admin'],
    ] as const)
      await withOrg(core.database, acme, (tx) =>
        auth.rbac.assign(
          tx,
          { orgId: acme, userId: user.id, roleKey, reason: 'test' },
          null,
          operatorActor,
        ),
      );
  });
  after(() => core.close());

  it('exports a closed campaign that verifies offline, and fails once a byte changes', async () => {
    const campaign = await reviews.launch(
      acme,
      {
        scope: { kind: 'privileged_roles' },
        name: 'Q4 privileged',
        dueAt: new Date('2026-12-15T00:00:00Z'),
      },
      as(owner),
    );
    const open = await vigil(['reviews', 'export', campaign.id, '--org', 'acme']);
    assert.notEqual(open.code, 0);
    assert.match(open.stderr, /still open: only a closed campaign exports as evidence/);

    const { items } = await reviews.record(acme, campaign.id);
    const kept = items.find((i) => i.subject.id === alice.id && i.reviewer);
    assert.ok(kept?.reviewer, "an item for Alice's admin role with a reviewer");
    await reviews.decide(
      acme,
      [kept.id],
      { decision: 'keep', justification: 'runs the on-call rota' },
      { type: 'user', id: kept.reviewer.id },
    );
    await reviews.close(acme, campaign.id, as(owner));
    const record = await reviews.record(acme, campaign.id);

    const out = join(dir, 'evidence.json');
    const exported = await vigil(['reviews', 'export', campaign.id, '--org', 'acme', '--out', out]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, new RegExp(`wrote review-${campaign.id}.evidence.json`));

    const bundle = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(bundle.manifest.campaignId, campaign.id);
    assert.equal(bundle.manifest.orgId, acme);
    assert.equal(bundle.manifest.closedAt, record.campaign.closedAt?.toISOString());
    const [csv, json] = bundle.files as { name: string; content: string }[];
    const rows = csv?.content.trimEnd().split('\r\n') ?? [];
    assert.equal(rows.length, items.length + 1, 'a header and one row per item');
    assert.match(
      rows.find((r) => r.startsWith(kept.id)) ?? '',
      /,keep,,runs the on-call rota,.*,kept,$/,
    );
    const exportedItems = JSON.parse(json?.content ?? '').items;
    const revoked = exportedItems.filter((i: { outcome: string }) => i.outcome === 'revoked');
    assert.ok(revoked.length > 0, 'undecided privileged items revoked at close');
    for (const item of revoked)
      assert.equal(
        item.revokedAt,
        record.items.find((i) => i.id === item.id)?.revokedAt?.toISOString(),
      );

    const verified = await vigil(['reviews', 'verify', out]);
    assert.equal(verified.code, 0, verified.stdout);
    const seal = await core.keys.active('audit-seal');
    assert.match(verified.stdout, new RegExp(`signed by key ${seal.id} `));

    // The operator hands the auditor the platform's seal key; verify holds the bundle to it.
    const sealKeys = await vigil(['reviews', 'seal-keys', '--json']);
    assert.equal(sealKeys.code, 0, sealKeys.stderr);
    const [active] = JSON.parse(sealKeys.stdout);
    assert.equal(active.id, seal.id);
    assert.equal(active.status, 'active');
    const pem = join(dir, 'seal.pem');
    writeFileSync(pem, active.publicKeyPem);
    const pinned = await vigil(['reviews', 'verify', out, '--public-key', pem]);
    assert.equal(pinned.code, 0, pinned.stdout);
    assert.match(pinned.stdout, new RegExp(`fingerprint ${active.fingerprint}\\)`));
    assert.match(pinned.stdout, /the key is the expected one/);

    const text = readFileSync(out, 'utf8');
    const at = text.indexOf('runs the on-call rota');
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, `${text.slice(0, at)}R${text.slice(at + 1)}`);
    const failed = await vigil(['reviews', 'verify', tampered]);
    assert.equal(failed.code, 1);
    assert.match(
      failed.stdout,
      new RegExp(`FAILED review-${campaign.id}\\.csv: SHA-256 or size differs`),
    );
  });

  it('refuses an export of an unknown campaign or without --org', async () => {
    const unknown = await vigil([
      'reviews',
      'export',
      '018f0000-0000-7000-8000-000000000000',
      '--org',
      'acme',
    ]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /No such review campaign/);
    const noOrg = await vigil(['reviews', 'export', '018f0000-0000-7000-8000-000000000000']);
    assert.equal(noOrg.code, 2);
    assert.match(noOrg.stderr, /reviews export needs --org SLUG/);
  });
});
