import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keyFingerprint, reviewEvidence, verifyEvidence } from '../src/compliance/index.ts';
import type { LoadedPlatformKey } from '../src/crypto/index.ts';
import type { CampaignRecord } from '../src/reviews/index.ts';
import { cliStore } from './support/cli.ts';

const closedAt = new Date('2026-12-01T10:00:00Z');

const bob = { id: 'user-bob', email: 'bob@acme.test', name: 'Bob' };

/** A closed campaign of two items: one kept with a justification, one revoked by the close policy. */
const record = (overrides: Partial<CampaignRecord['campaign']> = {}): CampaignRecord => ({
  campaign: {
    id: 'c0ffee00-0000-4000-8000-000000000001',
    orgId: 'acme-org',
    name: 'Privileged roles, Q4',
    scope: { kind: 'privileged_roles' },
    status: 'closed',
    createdBy: bob.id,
    launchedAt: new Date('2026-11-01T00:00:00Z'),
    dueAt: new Date('2026-11-30T00:00:00Z'),
    undecidedPolicy: 'revoke',
    snapshotSha256: 'ab'.repeat(32),
    closedAt,
    closedBy: bob.id,
    metrics: { items: 2, decided: 1, onTime: 1, revoked: 1, unreviewable: 0 },
    ...overrides,
  },
  items: [
    {
      id: 'item-1',
      position: 0,
      subject: { id: 'user-ann', email: 'ann@acme.test', name: 'Ann' },
      roleKey: 'org.admin',
      apiKeyId: null,
      apiKeyName: null,
      clientId: null,
      permissions: ['users.manage', 'roles.manage'],
      heldSince: new Date('2025-01-02T00:00:00Z'),
      grantedBy: bob.id,
      source: 'admin',
      lastSignInAt: new Date('2026-11-20T08:00:00Z'),
      mfaEnrolled: true,
      flags: [],
      privileged: true,
      reviewer: bob,
      reviewerBasis: 'role_owner',
      decision: 'keep',
      droppedRoleKeys: null,
      justification: '=HYPERLINK("x") on-call, needs admin',
      decidedBy: bob,
      decidedAt: new Date('2026-11-10T09:00:00Z'),
      outcome: 'kept',
      revokedAt: null,
    },
    {
      id: 'item-2',
      position: 1,
      subject: { id: 'user-cid', email: 'cid@acme.test', name: 'Cid' },
      roleKey: 'billing.admin',
      apiKeyId: null,
      apiKeyName: null,
      clientId: null,
      permissions: ['billing.manage'],
      heldSince: new Date('2024-03-04T00:00:00Z'),
      grantedBy: null,
      source: 'scim',
      lastSignInAt: null,
      mfaEnrolled: false,
      flags: ['dormant'],
      privileged: true,
      reviewer: bob,
      reviewerBasis: 'admin',
      decision: null,
      droppedRoleKeys: null,
      justification: null,
      decidedBy: null,
      decidedAt: null,
      outcome: 'revoked',
      revokedAt: new Date('2026-12-01T10:00:01Z'),
    },
  ],
});

/** A key that is not the platform's: what a forger would sign with. */
function otherKey(): LoadedPlatformKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    id: 'forged',
    purpose: 'audit-seal',
    algorithm: 'Ed25519',
    secret: Buffer.alloc(0),
    privateKey,
    publicKey,
  };
}

describe('access review evidence: export and offline verification', () => {
  const store = cliStore({ migrated: true });
  const { dataDir, vigil, withServices } = store;
  let seal: LoadedPlatformKey;
  before(async () => {
    await store.open();
    seal = await withServices((_services, core) => core.keys.active('audit-seal'));
  });
  after(() => store.close());

  const write = (name: string, text: string) => {
    const path = join(dataDir, name);
    writeFileSync(path, text);
    return path;
  };

  it('exports every item as CSV and JSON with a manifest signed by the seal key', () => {
    const { bundle } = reviewEvidence(record(), seal, new Date('2026-12-02T00:00:00Z'));
    const [csv, json] = bundle.files;
    assert.deepEqual(
      bundle.manifest.files.map((f) => f.name),
      [`review-${record().campaign.id}.csv`, `review-${record().campaign.id}.json`],
    );
    assert.equal(bundle.manifest.key.id, seal.id);
    assert.equal(bundle.manifest.closedAt, closedAt.toISOString());
    const lines = csv?.content.trimEnd().split('\r\n') ?? [];
    assert.equal(lines.length, 3);
    assert.match(
      lines[0] ?? '',
      /^item_id,user_id,.*,decision,dropped_role_keys,justification,decided_by_id,.*,revoked_at$/,
    );
    // The justification a spreadsheet would run as a formula is neutralized.
    assert.match(lines[1] ?? '', /,"'=HYPERLINK\(""x""\) on-call, needs admin",/);
    assert.match(
      lines[2] ?? '',
      /^item-2,user-cid,cid@acme.test,Cid,billing.admin,,,,billing.manage,true,2024-03-04T00:00:00.000Z,,scim,,false,dormant,user-bob,bob@acme.test,admin,,,,,,,revoked,2026-12-01T10:00:01.000Z$/,
    );
    const items = JSON.parse(json?.content ?? '').items;
    assert.equal(items[1].revokedAt, '2026-12-01T10:00:01.000Z');
    assert.equal(items[0].justification, '=HYPERLINK("x") on-call, needs admin');
    assert.equal(items[1].outcome, 'revoked');
    assert.equal(JSON.parse(json?.content ?? '').campaign.metrics.revoked, 1);
  });

  it('refuses to export a campaign that is not closed', () => {
    assert.throws(
      () => reviewEvidence(record({ status: 'open', closedAt: null }), seal, new Date()),
      /not closed/,
    );
  });

  it('vigil reviews verify accepts the bundle and prints the key id and fingerprint', async () => {
    const { text } = reviewEvidence(record(), seal, new Date());
    const path = write('good.evidence.json', text);
    const run = await vigil(['reviews', 'verify', path]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(seal.publicKey);
    assert.match(
      run.stdout,
      new RegExp(
        `signed by key ${seal.id} \\(SHA-256 fingerprint ${keyFingerprint(seal.publicKey)}\\)`,
      ),
    );
    assert.match(run.stdout, /verified: every file and the signature/);
    const machine = JSON.parse((await vigil(['reviews', 'verify', path, '--json'])).stdout);
    assert.equal(machine.ok, true);
    assert.equal(machine.campaignId, record().campaign.id);
  });

  it('fails on a byte changed anywhere in the bundle, naming what failed', async () => {
    const { text } = reviewEvidence(record(), seal, new Date());
    // Every byte position in turn: not one altered bundle verifies.
    for (let at = 0; at < text.length; at++) {
      const replacement = text[at] === 'a' ? 'b' : 'a';
      const altered = text.slice(0, at) + replacement + text.slice(at + 1);
      assert.equal(verifyEvidence(altered).ok, false, `byte ${at} changed yet verified`);
    }
    const named: [string, string, RegExp][] = [
      ['on-call', 'on-cell', /FAILED review-.*\.csv: SHA-256 or size differs from the manifest/],
      [
        '\\"outcome\\": \\"kept\\"',
        '\\"outcome\\": \\"revoked\\"',
        /FAILED review-.*\.json: SHA-256/,
      ],
      [
        `"closedAt": "${closedAt.toISOString()}"`,
        '"closedAt": "2026-12-02T10:00:00.000Z"',
        /FAILED signature: does not verify/,
      ],
      ['"format"', ' "format"', /FAILED bundle: bytes outside/],
    ];
    for (const [from, to, failure] of named) {
      assert.ok(text.includes(from), from);
      const run = await vigil([
        'reviews',
        'verify',
        write('bad.evidence.json', text.replace(from, to)),
      ]);
      assert.equal(run.code, 1, `${from} -> ${to}`);
      assert.match(run.stdout, failure);
    }
    const bundle = JSON.parse(text);
    bundle.files.push(bundle.files[0]);
    const doubled = await vigil([
      'reviews',
      'verify',
      write('doubled.json', `${JSON.stringify(bundle, null, 2)}\n`),
    ]);
    assert.equal(doubled.code, 1);
    assert.match(doubled.stdout, /FAILED bundle: a file appears twice/);
    const truncated = await vigil(['reviews', 'verify', write('cut.json', text.slice(0, 100))]);
    assert.equal(truncated.code, 1);
    assert.match(truncated.stdout, /FAILED the bundle is not JSON/);
  });

  it('with --public-key, refuses a bundle re-signed by another key that passes on its own', async () => {
    assert.ok(seal.publicKey);
    const platformPem = write(
      'seal.pem',
      seal.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const platformJwk = write('seal.jwk', JSON.stringify(seal.publicKey.export({ format: 'jwk' })));
    const genuine = write('genuine.json', reviewEvidence(record(), seal, new Date()).text);
    for (const keyFile of [platformPem, platformJwk]) {
      const run = await vigil(['reviews', 'verify', genuine, '--public-key', keyFile]);
      assert.equal(run.code, 0, run.stdout);
      assert.match(run.stdout, /the key is the expected one/);
    }
    const forger = otherKey();
    const forged = write('forged.json', reviewEvidence(record(), forger, new Date()).text);
    // Self-consistent: only the fingerprint tells it apart...
    const alone = await vigil(['reviews', 'verify', forged]);
    assert.equal(alone.code, 0);
    assert.ok(forger.publicKey);
    assert.match(alone.stdout, new RegExp(keyFingerprint(forger.publicKey)));
    // ...and the published key refuses it.
    const checked = await vigil(['reviews', 'verify', forged, '--public-key', platformPem]);
    assert.equal(checked.code, 1);
    assert.match(checked.stdout, /FAILED key: signed by [0-9a-f]{64}, not by the expected key/);
  });

  it('refuses bad usage with exit code 2 and a specific message', async () => {
    const cases: [string[], RegExp][] = [
      [['reviews', 'verify'], /reviews verify needs FILE/],
      [['reviews', 'verify', join(dataDir, 'missing.json')], /cannot read evidence bundle/],
      [
        ['reviews', 'verify', write('x.json', '{}'), '--public-key', write('k.pem', 'nope')],
        /is not an Ed25519 public key/,
      ],
      [['reviews', 'verify', 'a', '--org', 'acme'], /reviews verify does not take --org/],
    ];
    for (const [args, message] of cases) {
      const run = await vigil(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, message);
    }
  });
});
