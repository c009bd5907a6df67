import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditVerifyActor } from '../src/alerts/index.ts';
import { complianceSources } from '../src/app/compliance-sources.ts';
import { reencryptPending } from '../src/app/core.ts';
import { createServices } from '../src/app/services.ts';
import { databaseConnectionProblem } from '../src/compliance/controls/checks/platform-encryption.ts';
import { type CheckSources, controlById } from '../src/compliance/index.ts';
import { certificatesInPem, createSelfSignedCertificate } from '../src/crypto/index.ts';
import {
  fixedClock,
  operatorActor,
  platformOrgId,
  systemActor,
  withPlatform,
} from '../src/platform/index.ts';
import { openTestCore, sealEverything, type TestCore } from './support/core.ts';
import { asOwner } from './support/database.ts';

const hour = 3_600_000;
const day = 24 * hour;

/**
 * The live checks of the platform-scope operations controls
 * (docs/compliance.md#audit-monitoring-and-platform-controls): audit immutability, encryption at
 * rest and in transit, key rotation and tenant isolation, each against the installation as Vigil
 * sets it up and against one seeded (as the database owner where the app cannot) to break it.
 */
describe('compliance checks: audit immutability, encryption, keys and isolation', () => {
  const clock = fixedClock(new Date(Math.floor(Date.now() / 1000) * 1000));
  const tlsDir = mkdtempSync(join(tmpdir(), 'vigil-checks-tls-'));
  let core: TestCore;
  let services: ReturnType<typeof createServices>;

  function check(controlId: string, options: { now?: Date; sources?: Partial<CheckSources> } = {}) {
    const control = controlById.get(controlId);
    assert.ok(control, `${controlId} is in the catalog`);
    assert.equal(control.scope, 'platform');
    const sources = { ...complianceSources(core, services), ...options.sources };
    const now = options.now ?? clock.now();
    return withPlatform(core.database, (tx) =>
      control.check({ tx, orgId: platformOrgId, now, sources }),
    );
  }

  const owner = <R = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    asOwner<R>(core.database, query, params);

  before(async () => {
    const { certPem, keyPem } = await createSelfSignedCertificate(['id.example.test'], 365);
    writeFileSync(join(tlsDir, 'cert.pem'), certPem);
    writeFileSync(join(tlsDir, 'key.pem'), keyPem);
    core = await openTestCore({
      clock,
      env: {
        VIGIL_TLS_CERT: join(tlsDir, 'cert.pem'),
        VIGIL_TLS_KEY: join(tlsDir, 'key.pem'),
        VIGIL_PUBLIC_URL: 'https://id.example.test',
      },
    });
    services = createServices(core);
    // The token signing keys, as the server's first start creates them.
    await services.oauth.signingKeys.rotateDue(systemActor);
  });

  after(async () => {
    await core?.close();
    rmSync(tlsDir, { recursive: true, force: true });
  });

  describe('audit-immutability', () => {
    it('fails before the first verification, and once the last one is over 25 hours old', async () => {
      const never = await check('audit-immutability');
      assert.equal(never.status, 'fail');
      assert.deepEqual(never.exceptions, [{ message: 'the audit log has never been verified' }]);

      await sealEverything(core);
      const run = await services.auditVerification.run(platformOrgId, auditVerifyActor);
      assert.equal(run.ok, true);
      const fresh = await check('audit-immutability');
      assert.equal(fresh.status, 'pass', JSON.stringify(fresh.exceptions));

      const stale = await check('audit-immutability', {
        now: new Date(clock.now().getTime() + 26 * hour),
      });
      assert.equal(stale.status, 'fail');
      assert.deepEqual(stale.exceptions, [
        {
          message: `audit verify last ran ${run.ranAt.toISOString().slice(0, 16)}Z, more than 25 hours ago`,
        },
      ]);
      const older = await check('audit-immutability', {
        now: new Date(clock.now().getTime() + 3 * day),
      });
      // The same finding reads the same later on: one stretch of history, not one per run.
      assert.deepEqual(older, stale);
    });

    it('names a failed verification with each of its problems', async () => {
      // A minute after the good run, so that this one is the latest.
      clock.advance(60_000);
      const ranAt = clock.now();
      await services.auditVerification.record(
        platformOrgId,
        {
          ok: false,
          events: 10,
          blocks: 1,
          pending: 0,
          lastSealedAt: ranAt,
          archived: 0,
          findings: [{ kind: 'deleted', block: '7', message: 'gone' }],
        },
        ranAt,
        auditVerifyActor,
      );
      const outcome = await check('audit-immutability');
      assert.equal(outcome.status, 'fail');
      assert.deepEqual(outcome.exceptions, [
        {
          message: `the last audit verification (${ranAt.toISOString().slice(0, 16)}Z) failed with 1 problem`,
        },
        { message: 'audit verify: an event sealed in block 7 is gone' },
      ]);
      // A good run, a minute later, puts it right.
      clock.advance(60_000);
      await sealEverything(core);
      await services.auditVerification.run(platformOrgId, auditVerifyActor);
      assert.equal((await check('audit-immutability')).status, 'pass');
    });

    it('names an application role that may delete audit rows, and a disabled trigger', async () => {
      await owner('GRANT DELETE ON audit_seal_blocks TO vigil_app');
      await owner('ALTER TABLE audit_seal_blocks DISABLE TRIGGER audit_seal_blocks_no_truncate');
      try {
        const outcome = await check('audit-immutability');
        assert.equal(outcome.status, 'fail');
        assert.deepEqual(outcome.exceptions, [
          {
            message: 'role vigil_app may delete audit_seal_blocks',
            subject: { type: 'table', id: 'audit_seal_blocks' },
          },
          {
            message:
              'table audit_seal_blocks lacks its enabled audit_seal_blocks_no_truncate trigger',
            subject: { type: 'table', id: 'audit_seal_blocks' },
          },
        ]);
      } finally {
        await owner('REVOKE DELETE ON audit_seal_blocks FROM vigil_app');
        await owner('ALTER TABLE audit_seal_blocks ENABLE TRIGGER audit_seal_blocks_no_truncate');
      }
      assert.equal((await check('audit-immutability')).status, 'pass');
    });
  });

  describe('encryption-at-rest', () => {
    it('passes with a configured master key wrapping every data key in use', async () => {
      const outcome = await check('encryption-at-rest');
      assert.equal(outcome.status, 'pass', JSON.stringify(outcome.exceptions));
      assert.match(outcome.summary, new RegExp(`master key ${core.keyring.masterKeyId}`));
    });

    it('names a generated master key, a data key under another master key, and values under unknown keys', async () => {
      const base = complianceSources(core, services);
      const config = {
        ...base.config,
        VIGIL_MASTER_KEY: undefined,
        VIGIL_MASTER_KEY_FILE: undefined,
      };
      const [cookieKey] = await owner<{ id: string; private_key_enc: string }>(
        `SELECT id, private_key_enc FROM platform_keys WHERE purpose = 'oidc-cookies' LIMIT 1`,
      );
      assert.ok(cookieKey);
      await owner(`UPDATE keyring_data_keys SET master_key_id = '00112233aabbccdd' WHERE id = 1`);
      await owner(`UPDATE platform_keys SET private_key_enc = $1 WHERE id = $2`, [
        cookieKey.private_key_enc.replace(/^v1:\d+:/, 'v1:42:'),
        cookieKey.id,
      ]);
      try {
        const outcome = await check('encryption-at-rest', { sources: { config } });
        assert.equal(outcome.status, 'fail');
        assert.deepEqual(outcome.exceptions, [
          {
            message:
              'the master key is a development key generated into /nonexistent-vigil-test-dir (set VIGIL_MASTER_KEY or VIGIL_MASTER_KEY_FILE)',
          },
          {
            message: `data key 1 is wrapped by master key 00112233aabbccdd, not the current master key ${core.keyring.masterKeyId}`,
            subject: { type: 'data_key', id: '1' },
          },
          {
            message:
              '1 value of platform_keys.private_key_enc are under data key 42, which the keyring does not hold',
            subject: { type: 'column', id: 'platform_keys.private_key_enc' },
          },
        ]);
      } finally {
        await owner(`UPDATE keyring_data_keys SET master_key_id = $1 WHERE id = 1`, [
          core.keyring.masterKeyId,
        ]);
        await owner(`UPDATE platform_keys SET private_key_enc = $1 WHERE id = $2`, [
          cookieKey.private_key_enc,
          cookieKey.id,
        ]);
      }
      assert.equal((await check('encryption-at-rest')).status, 'pass');
    });
  });

  describe('encryption-in-transit', () => {
    it('passes with HTTPS, TLS 1.2, a certificate good for a year and a local database', async () => {
      const outcome = await check('encryption-in-transit');
      assert.equal(outcome.status, 'pass', JSON.stringify(outcome.exceptions));
    });

    it('names a plain-HTTP public URL and a certificate about to expire', async () => {
      const { certPem } = await createSelfSignedCertificate(['id.example.test'], 5);
      const [cert] = certificatesInPem(certPem);
      assert.ok(cert);
      const base = complianceSources(core, services);
      const outcome = await check('encryption-in-transit', {
        sources: {
          config: { ...base.config, VIGIL_PUBLIC_URL: 'http://id.example.test' },
          operations: {
            ...base.operations,
            servedCertificates: async () => [{ name: 'tls (renewed.pem)', pem: certPem }],
          },
        },
      });
      assert.equal(outcome.status, 'fail');
      assert.deepEqual(outcome.exceptions, [
        { message: 'VIGIL_PUBLIC_URL http://id.example.test is not HTTPS' },
        {
          message: `certificate ${cert.subject} (tls (renewed.pem)) expires ${cert.notAfter.toISOString()}, within 14 days`,
          subject: { type: 'certificate', id: cert.fingerprint256 },
        },
      ]);
      const expired = await check('encryption-in-transit', {
        now: new Date(cert.notAfter.getTime() + day),
        sources: {
          operations: {
            ...base.operations,
            servedCertificates: async () => [{ name: 'tls (renewed.pem)', pem: certPem }],
          },
        },
      });
      assert.deepEqual(expired.exceptions, [
        {
          message: `certificate ${cert.subject} (tls (renewed.pem)) expired ${cert.notAfter.toISOString()}`,
          subject: { type: 'certificate', id: cert.fingerprint256 },
        },
      ]);
    });

    it('names a served certificate it cannot read', async () => {
      const base = complianceSources(core, services);
      const none = await check('encryption-in-transit', {
        sources: { operations: { ...base.operations, servedCertificates: async () => [] } },
      });
      assert.deepEqual(none.exceptions, [
        { message: 'no served TLS certificate could be read to check its expiry' },
      ]);
      const garbled = await check('encryption-in-transit', {
        sources: {
          operations: {
            ...base.operations,
            servedCertificates: async () => [{ name: 'tls (cert.pem)', pem: 'not a PEM' }],
          },
        },
      });
      assert.deepEqual(garbled.exceptions, [
        { message: 'no certificate could be read in tls (cert.pem)' },
      ]);
    });

    it('judges a PostgreSQL connection by its encryption, else by where the server is', () => {
      assert.equal(
        databaseConnectionProblem({ address: '127.0.0.1', ssl: false }, undefined),
        null,
      );
      assert.equal(databaseConnectionProblem({ address: '::1', ssl: null }, undefined), null);
      assert.equal(databaseConnectionProblem({ address: null, ssl: null }, undefined), null);
      assert.equal(databaseConnectionProblem({ address: '10.0.0.5', ssl: true }, undefined), null);
      // Hidden from the app role: the URL's sslmode insists on TLS, or it does not.
      const db = 'postgres://vigil:secret@10.0.0.5/vigil';
      assert.equal(
        databaseConnectionProblem({ address: '10.0.0.5', ssl: null }, `${db}?sslmode=verify-full`),
        null,
      );
      assert.equal(
        databaseConnectionProblem({ address: '10.0.0.5', ssl: null }, db),
        'the database connection to 10.0.0.5 is not encrypted',
      );
      assert.equal(
        databaseConnectionProblem({ address: '10.0.0.5', ssl: false }, `${db}?sslmode=require`),
        'the database connection to 10.0.0.5 is not encrypted',
      );
    });
  });

  describe('key-rotation', () => {
    it('passes with a new data key and new signing keys', async () => {
      const outcome = await check('key-rotation');
      assert.equal(outcome.status, 'pass', JSON.stringify(outcome.exceptions));
      assert.match(outcome.summary, /the 2 token signing keys/);
    });

    it('names the data key and each signing key past its rotation period', async () => {
      const later = new Date(clock.now().getTime() + 400 * day);
      const signing = await withPlatform(core.database, (tx) =>
        tx
          .selectFrom('oidc_signing_keys')
          .select(['kid', 'alg', 'activate_at'])
          .orderBy('alg')
          .execute(),
      );
      assert.equal(signing.length, 2);
      const dateOf = (at: Date) => at.toISOString().slice(0, 10);
      const [dataKey] = (await core.keyring.listDataKeys()).filter((k) => k.status === 'active');
      assert.ok(dataKey);
      const outcome = await check('key-rotation', { now: later });
      assert.equal(outcome.status, 'fail');
      assert.deepEqual(outcome.exceptions, [
        {
          message: `data key ${core.keyring.activeKeyId()}, active since ${dateOf(dataKey.activated_at)}, is older than its 365-day rotation period`,
          subject: { type: 'data_key', id: String(core.keyring.activeKeyId()) },
        },
        ...signing.map((k) => ({
          message: `token signing key ${k.kid} (${k.alg}), active since ${dateOf(k.activate_at)}, is older than its 90-day rotation period`,
          subject: { type: 'signing_key', id: k.kid },
        })),
      ]);
      // 90 days on, only the signing keys are due; a rotation puts them right.
      const due = new Date(clock.now().getTime() + 91 * day);
      const signingOnly = await check('key-rotation', { now: due });
      assert.equal(signingOnly.exceptions.length, 2);
      clock.set(due);
      try {
        await services.oauth.signingKeys.rotate(undefined, operatorActor);
        const rotated = await check('key-rotation', { now: new Date(due.getTime() + day) });
        assert.equal(rotated.status, 'pass', JSON.stringify(rotated.exceptions));
      } finally {
        clock.set(new Date(due.getTime() - 91 * day));
      }
    });
  });

  describe('key-rotation: re-encryption', () => {
    it('names a data-key rotation that has not finished re-encrypting after a day', async () => {
      const { keyId, rotationId } = await core.keyring.rotateDataKey(operatorActor);
      const started = clock.now();
      // Within the day the job has, it is not a finding.
      assert.equal((await check('key-rotation')).status, 'pass');
      const outcome = await check('key-rotation', { now: new Date(started.getTime() + 2 * day) });
      assert.equal(outcome.status, 'fail');
      assert.deepEqual(outcome.exceptions, [
        {
          message: `the rotation to data key ${keyId}, started ${started.toISOString().slice(0, 10)}, has not finished re-encrypting`,
          subject: { type: 'key_rotation', id: rotationId },
        },
      ]);
      assert.ok((await reencryptPending(core, operatorActor)) > 0);
      const done = await check('key-rotation', { now: new Date(started.getTime() + 2 * day) });
      assert.equal(done.status, 'pass', JSON.stringify(done.exceptions));
    });
  });

  describe('tenant-isolation', () => {
    it('passes on the schema as migrated', async () => {
      const outcome = await check('tenant-isolation');
      assert.equal(outcome.status, 'pass', JSON.stringify(outcome.exceptions));
    });

    it('names each table with org_id whose row-level security is off or not forced', async () => {
      await owner(`CREATE TABLE zz_probe_open (id text PRIMARY KEY, org_id uuid)`);
      await owner(`CREATE TABLE zz_probe_unforced (id text PRIMARY KEY, org_id uuid)`);
      await owner(`ALTER TABLE zz_probe_unforced ENABLE ROW LEVEL SECURITY`);
      try {
        const outcome = await check('tenant-isolation');
        assert.equal(outcome.status, 'fail');
        assert.deepEqual(outcome.exceptions, [
          {
            message: 'table zz_probe_open has org_id but row-level security is off',
            subject: { type: 'table', id: 'zz_probe_open' },
          },
          {
            message: 'table zz_probe_unforced has org_id but row-level security is not forced',
            subject: { type: 'table', id: 'zz_probe_unforced' },
          },
        ]);
      } finally {
        await owner('DROP TABLE zz_probe_open, zz_probe_unforced');
      }
    });

    it('names an audit partition the application roles can reach directly', async () => {
      const [partition] = await owner<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1 LIMIT 1`,
      );
      assert.ok(partition);
      await owner(`GRANT SELECT ON ${partition.name} TO vigil_app`);
      try {
        const outcome = await check('tenant-isolation');
        assert.deepEqual(outcome.exceptions, [
          {
            message: `partition ${partition.name}, open to the application roles, has org_id but row-level security is off`,
            subject: { type: 'table', id: partition.name },
          },
        ]);
      } finally {
        await owner(`REVOKE SELECT ON ${partition.name} FROM vigil_app`);
      }
    });

    it('names an application role that bypasses row-level security (PGlite: roles are this database’s own)', async (t) => {
      // On PostgreSQL the roles are the server's, shared with every other test file running.
      if (core.database.kind !== 'pglite') return t.skip('roles are server-wide on PostgreSQL');
      await owner('ALTER ROLE vigil_platform BYPASSRLS');
      try {
        const outcome = await check('tenant-isolation');
        assert.deepEqual(outcome.exceptions, [
          {
            message: 'role vigil_platform bypasses row-level security',
            subject: { type: 'role', id: 'vigil_platform' },
          },
        ]);
      } finally {
        await owner('ALTER ROLE vigil_platform NOBYPASSRLS');
      }
    });
  });
});
