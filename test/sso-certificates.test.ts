import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alertPolicySchema } from '../src/alerts/index.ts';
import { certificatesInPem, createSelfSignedCertificate } from '../src/crypto/index.ts';
import type { User } from '../src/identity/index.ts';
import {
  type Database,
  newId,
  operatorActor,
  type SamlKeyState,
  type SamlKeyUse,
  withOrg,
} from '../src/platform/index.ts';
import { startAdminApiWorld } from './support/admin-api.ts';
import { type AlertsWorld, openAlertsWorld } from './support/alerts.ts';
import { cliStore } from './support/cli.ts';

const dayMs = 86_400_000;
const rule = 'sso.certificate_expiring';

/** A real certificate (its subject and fingerprint are read from it), made once per CN. */
async function pemOf(cn: string) {
  const { certPem } = await createSelfSignedCertificate([cn], 400);
  const [parsed] = certificatesInPem(certPem);
  assert.ok(parsed);
  return { pem: certPem, fingerprint: parsed.fingerprint256, subject: parsed.subject };
}

/** Seeds an organization's SSO certificates as the SAML and federation services store them. */
function seeder(database: () => Database) {
  return {
    async samlKey(
      orgId: string,
      fields: { use: SamlKeyUse; state: SamlKeyState; notAfter: Date; cn: string },
    ) {
      const cert = await pemOf(fields.cn);
      const id = newId();
      await withOrg(database(), orgId, (tx) =>
        tx
          .insertInto('saml_keys')
          .values({
            id,
            org_id: orgId,
            use: fields.use,
            state: fields.state,
            certificate: cert.pem,
            // The inventory never reads the private part; a keyring ciphertext in real life.
            private_key: 'v1:not-read-by-the-inventory',
            fingerprint: cert.fingerprint,
            not_before: new Date(fields.notAfter.getTime() - 400 * dayMs),
            not_after: fields.notAfter,
            created_at: new Date(),
          })
          .execute(),
      );
      return { id, ...cert };
    },
    async connection(orgId: string, name: string) {
      const id = newId();
      const now = new Date();
      await withOrg(database(), orgId, (tx) =>
        tx
          .insertInto('sso_connections')
          .values({
            id,
            org_id: orgId,
            name,
            protocol: 'saml',
            enabled: true,
            idp_entity_id: `https://idp.${name.toLowerCase()}.test/entity`,
            idp_sso_url: `https://idp.${name.toLowerCase()}.test/sso`,
            provisioning: 'jit',
            attribute_mapping: '{}',
            created_at: now,
            updated_at: now,
          })
          .execute(),
      );
      return id;
    },
    async upstream(orgId: string, connectionId: string, notAfter: Date, cn: string) {
      const cert = await pemOf(cn);
      const id = newId();
      await withOrg(database(), orgId, (tx) =>
        tx
          .insertInto('sso_connection_certificates')
          .values({
            id,
            org_id: orgId,
            connection_id: connectionId,
            certificate: cert.pem,
            fingerprint: cert.fingerprint,
            subject: cert.subject,
            not_after: notAfter,
            added_at: new Date(),
          })
          .execute(),
      );
      return { id, ...cert };
    },
  };
}

describe('alert rule sso.certificate_expiring: 30 and 7 days before a certificate expires', () => {
  let w: AlertsWorld;
  let acme: string;
  let globex: string;
  let quiet: string;
  let t0: Date;
  const seed = seeder(() => w.core.database);
  const at = (days: number) => new Date(t0.getTime() + days * dayMs);
  /** Moves the clock to `days` after t0 and runs the periodic checks. */
  async function checkOn(days: number) {
    w.clock.set(at(days));
    const report = await w.services.alerts.engine.runRound({ checks: true });
    assert.equal(report.ran, true);
    assert.equal(report.failedRules, 0, 'no rule failed');
    return report;
  }

  before(async () => {
    w = await openAlertsWorld();
    t0 = w.clock.now();
    acme = await w.core.createOrg('acme-certs');
    globex = await w.core.createOrg('globex-certs');
    quiet = await w.core.createOrg('quiet-certs');
    // The first round starts the feed cursor; checks run from the next one on.
    assert.equal((await w.settle()).started, true);
  });
  after(() => w.core.close());

  it('warns at 30 days (high), then raises a second, critical alert at 7 days', async () => {
    const key = await seed.samlKey(acme, {
      use: 'signing',
      state: 'active',
      notAfter: at(31),
      cn: 'acme-signing',
    });
    // Retired keys sign nothing: their expiry is not an alert, even an expired one.
    await seed.samlKey(acme, { use: 'signing', state: 'retired', notAfter: at(2), cn: 'old' });

    await checkOn(0);
    assert.deepEqual(await w.alertsOf(acme, rule), [], '31 days left: nothing');

    await checkOn(1);
    const [warning, ...none] = await w.alertsOf(acme, rule);
    assert.equal(none.length, 0, 'one alert at 30 days');
    assert.equal(warning?.severity, 'high');
    assert.equal(warning?.status, 'open');
    assert.match(warning?.title ?? '', /^SAML signing key \(active\) .* expires in 30 days$/);
    assert.equal(warning?.details.stage, 'warning');
    assert.equal(warning?.details.daysLeft, 30);
    assert.equal(warning?.details.fingerprint, key.fingerprint);
    assert.equal(warning?.details.subject, key.subject);
    assert.equal(warning?.details.keyId, key.id);

    // The next checks grow the same alert rather than raising another.
    await checkOn(10);
    assert.equal((await w.alertsOf(acme, rule)).length, 1);

    await checkOn(24);
    const alerts = await w.alertsOf(acme, rule);
    assert.equal(alerts.length, 2, 'the 7-day alert is raised while the 30-day one is open');
    const critical = alerts.find((a) => a.details.stage === 'critical');
    assert.equal(critical?.severity, 'critical');
    assert.match(critical?.title ?? '', /expires in 7 days$/);
    assert.equal(alerts.find((a) => a.details.stage === 'warning')?.status, 'open');

    // Expired: the critical alert says so; still two alerts.
    await checkOn(32);
    const after = await w.alertsOf(acme, rule);
    assert.equal(after.length, 2);
    assert.match(after.find((a) => a.details.stage === 'critical')?.title ?? '', /has expired$/);
  });

  it("an upstream certificate raises in its own organization only, under that organization's thresholds", async () => {
    w.clock.set(t0);
    const okta = await seed.connection(globex, 'Okta');
    const cert = await seed.upstream(globex, okta, at(70), 'okta-signing');
    // Globex warns 45 days ahead and calls the last 10 days critical.
    await withOrg(w.core.database, globex, (tx) =>
      w.services.alerts.policy.setPolicy(
        tx,
        globex,
        {
          rules: { [rule]: { severity: 'medium', thresholds: { days: 45, criticalDays: 10 } } },
          emailMinSeverity: 'high',
        },
        operatorActor,
      ),
    );
    const acmeBefore = (await w.alertsOf(acme, rule)).length;

    await checkOn(24);
    assert.deepEqual(await w.alertsOf(globex, rule), [], '46 days left: nothing');
    await checkOn(25);
    const [warning] = await w.alertsOf(globex, rule);
    assert.equal(warning?.severity, 'medium', "the organization's severity");
    assert.match(warning?.title ?? '', /of connection "Okta" expires in 45 days$/);
    assert.equal(warning?.details.connectionId, okta);
    assert.equal(warning?.details.certificateId, cert.id);
    await checkOn(60);
    assert.equal((await w.alertsOf(globex, rule)).length, 2, 'critical at 10 days');

    assert.equal((await w.alertsOf(acme, rule)).length, acmeBefore, 'nothing in another org');
    assert.deepEqual(await w.alertsOf(quiet, rule), []);
  });

  it('an organization that turns the rule off gets no alert', async () => {
    w.clock.set(t0);
    await seed.samlKey(quiet, {
      use: 'encryption',
      state: 'active',
      notAfter: at(3),
      cn: 'quiet-encryption',
    });
    await withOrg(w.core.database, quiet, (tx) =>
      w.services.alerts.policy.setPolicy(
        tx,
        quiet,
        { rules: { [rule]: { enabled: false } }, emailMinSeverity: 'high' },
        operatorActor,
      ),
    );
    await checkOn(0);
    assert.deepEqual(await w.alertsOf(quiet, rule), []);
  });

  it("row-level security keeps another organization's certificates out of an organization's transaction", async () => {
    // Even a read that names no organization (the expiry check's) sees only its own inside one.
    const inventory = w.services.ssoCertificates;
    const seen = await withOrg(w.core.database, globex, (tx) => inventory.everyOrganization(tx));
    assert.ok(seen.length > 0);
    assert.deepEqual([...new Set(seen.map((c) => c.orgId))], [globex]);
    assert.deepEqual(
      await withOrg(w.core.database, globex, (tx) => inventory.list(tx, acme)),
      [],
      "asking for another organization's answers nothing",
    );
  });

  it('refuses thresholds out of bounds or out of order', () => {
    const policy = (thresholds: Record<string, number>) =>
      alertPolicySchema.safeParse({ rules: { [rule]: { thresholds } }, emailMinSeverity: 'high' });
    assert.equal(policy({ days: 60, criticalDays: 14 }).success, true);
    // Out of bounds, and (with the other threshold's default) critical not before the warning.
    const bads: Record<string, number>[] = [
      { days: 0 },
      { days: 366 },
      { criticalDays: 30 },
      { days: 7 },
    ];
    for (const bad of bads) {
      const parsed = policy(bad);
      assert.equal(parsed.success, false, JSON.stringify(bad));
    }
    const parsed = policy({ days: 10, criticalDays: 10 });
    assert.deepEqual(parsed.error?.issues[0]?.path, ['rules', rule, 'thresholds', 'criticalDays']);
  });
});

describe('admin API: GET /orgs/{orgId}/sso/certificates', () => {
  let api: Awaited<ReturnType<typeof startAdminApiWorld>>;
  let orgId: string;
  let otherOrg: string;
  let auditor: string;
  let outsider: string;
  let admin: string;
  const seed = seeder(() => api.world.core.database);
  const json = (res: { text: string }) => JSON.parse(res.text);

  before(async () => {
    api = await startAdminApiWorld();
    orgId = api.world.orgId;
    otherOrg = await api.world.core.createOrg('other-certs');
    const tokenOf = async (user: Promise<User>) => api.tokenFor(await user);
    auditor = await tokenOf(api.userWithRole(orgId, 'cert-audit@acme.test', 'org-auditor'));
    outsider = await tokenOf(api.userWithRole(otherOrg, 'admin@other.test', 'org-admin'));
    admin = await tokenOf(api.userWithRole(orgId, 'cert-admin@acme.test', 'org-admin'));
  });
  after(() => api?.world.close());

  it("lists the organization's keys and upstream certificates, soonest expiry first", async () => {
    const now = Date.now();
    const signing = await seed.samlKey(orgId, {
      use: 'signing',
      state: 'active',
      notAfter: new Date(now + 200 * dayMs),
      cn: 'api-signing',
    });
    const next = await seed.samlKey(orgId, {
      use: 'signing',
      state: 'next',
      notAfter: new Date(now + 500 * dayMs),
      cn: 'api-next',
    });
    await seed.samlKey(orgId, {
      use: 'encryption',
      state: 'retired',
      notAfter: new Date(now + 3 * dayMs),
      cn: 'api-retired',
    });
    const entra = await seed.connection(orgId, 'Entra');
    const upstream = await seed.upstream(orgId, entra, new Date(now + 20.5 * dayMs), 'entra');
    const expired = await seed.upstream(orgId, entra, new Date(now - 2.5 * dayMs), 'entra-old');
    // Another organization's certificate never shows here.
    await seed.samlKey(otherOrg, {
      use: 'signing',
      state: 'active',
      notAfter: new Date(now + 1 * dayMs),
      cn: 'other-signing',
    });

    const res = await api.call('GET', `/orgs/${orgId}/sso/certificates`, auditor);
    assert.equal(res.status, 200, res.text);
    const { items } = json(res);
    assert.deepEqual(
      items.map((c: { id: string }) => c.id),
      [expired.id, upstream.id, signing.id, next.id],
      'soonest expiry first; the retired key and the other organization absent',
    );
    assert.deepEqual(items[1], {
      source: 'connection',
      id: upstream.id,
      connectionId: entra,
      connectionName: 'Entra',
      fingerprint: upstream.fingerprint,
      subject: upstream.subject,
      notAfter: items[1].notAfter,
      daysLeft: 20,
    });
    assert.equal(new Date(items[1].notAfter).getTime() > now, true);
    assert.equal(items[0].daysLeft, -3, 'expired: negative days');
    assert.deepEqual(items[2], {
      source: 'saml_key',
      id: signing.id,
      use: 'signing',
      state: 'active',
      fingerprint: signing.fingerprint,
      subject: 'CN=api-signing, O=Vigil development',
      notAfter: items[2].notAfter,
      daysLeft: 199,
    });
    assert.equal(JSON.stringify(items).includes('private'), false, 'no private part');
  });

  it('lists what the SAML key and connection APIs made, with the fingerprints they show', async () => {
    const call = (method: string, path: string, body?: unknown) =>
      api.call(method, `/orgs/${otherOrg}${path}`, outsider, body);
    // A new encryption key (published as `next`), and an upstream IdP with its certificate.
    const key = await call('POST', '/saml/keys', { use: 'encryption' });
    assert.equal(key.status, 201, key.text);
    const idpCert = await pemOf('idp.partner.test');
    const connection = await call('POST', '/sso/connections', {
      name: 'Partner IdP',
      protocol: 'saml',
      provisioning: 'match',
      saml: {
        idpEntityId: 'https://idp.partner.test/entity',
        idpSsoUrl: 'https://idp.partner.test/sso',
        certificates: [idpCert.pem],
      },
    });
    assert.equal(connection.status, 201, connection.text);

    const { items } = json(await call('GET', '/sso/certificates'));
    const keys = json(await call('GET', '/saml/keys')).items as {
      id: string;
      fingerprint: string;
      state: string;
    }[];
    const listedKey = items.find((c: { id: string }) => c.id === key.json().id);
    assert.equal(listedKey?.source, 'saml_key');
    assert.equal(listedKey?.use, 'encryption');
    assert.equal(listedKey?.state, 'next');
    assert.equal(listedKey?.fingerprint, keys.find((k) => k.id === key.json().id)?.fingerprint);
    const [upstream] = connection.json().certificates;
    const listedUpstream = items.find((c: { id: string }) => c.id === upstream.id);
    assert.deepEqual(
      {
        source: listedUpstream?.source,
        connectionId: listedUpstream?.connectionId,
        connectionName: listedUpstream?.connectionName,
        fingerprint: listedUpstream?.fingerprint,
        subject: listedUpstream?.subject,
      },
      {
        source: 'connection',
        connectionId: connection.json().id,
        connectionName: 'Partner IdP',
        fingerprint: idpCert.fingerprint,
        subject: idpCert.subject,
      },
    );
    // Every key the SAML API lists as not retired is in the inventory.
    for (const k of keys.filter((k) => k.state !== 'retired'))
      assert.ok(
        items.some((c: { id: string }) => c.id === k.id),
        `key ${k.id} listed`,
      );
    // None of it shows in the first organization's inventory.
    const mine = json(await api.call('GET', `/orgs/${orgId}/sso/certificates`, admin)).items;
    assert.equal(
      mine.some((c: { id: string }) => c.id === upstream.id || c.id === key.json().id),
      false,
    );
  });

  it("refuses another organization's administrator and a caller without a token", async () => {
    const res = await api.call('GET', `/orgs/${orgId}/sso/certificates`, outsider);
    assert.equal([403, 404].includes(res.status), true, `${res.status} ${res.text}`);
    assert.equal(res.text.includes('api-signing'), false);
    const own = json(await api.call('GET', `/orgs/${otherOrg}/sso/certificates`, outsider));
    const subjects = own.items.map((c: { subject: string }) => c.subject);
    assert.ok(subjects.includes('CN=other-signing, O=Vigil development'));
    assert.equal(
      subjects.some((x: string) => x.includes('api-')),
      false,
      'none of the first org',
    );
    const anonymous = await api.call('GET', `/orgs/${orgId}/sso/certificates`, 'not-a-token');
    assert.equal(anonymous.status, 401);
  });
});

describe('vigil sso certificates', () => {
  const store = cliStore({ migrated: true });
  let orgId: string;

  before(async () => {
    await store.open();
    const created = await store.vigil(['orgs', 'create', '--slug', 'acme', '--name', 'Acme']);
    assert.equal(created.code, 0, created.stderr);
    const [row] = await store.owner("SELECT id FROM organizations WHERE slug = 'acme'");
    orgId = String(row?.id);
  });
  after(() => store.close());

  it('prints a table (and --json) of the organization’s certificates; bad usage exits 2', async () => {
    const empty = await store.vigil(['sso', 'certificates', '--org', 'acme']);
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /no SSO certificates in acme/);

    await store.withServices(async (_services, core) => {
      const seedNow = seeder(() => core.database);
      await seedNow.samlKey(orgId, {
        use: 'signing',
        state: 'active',
        notAfter: new Date(Date.now() + 45.5 * dayMs),
        cn: 'cli-signing',
      });
      const okta = await seedNow.connection(orgId, 'Okta');
      await seedNow.upstream(orgId, okta, new Date(Date.now() - 1.5 * dayMs), 'cli-okta');
    });
    const listed = await store.vigil(['sso', 'certificates', '--org', 'acme']);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trim().split('\n');
    assert.match(
      lines[0] ?? '',
      /^FOR\s+ID\s+FINGERPRINT \(SHA-256\)\s+SUBJECT\s+NOT AFTER\s+DAYS LEFT$/,
    );
    assert.match(lines[1] ?? '', /^connection Okta .*CN=cli-okta.* expired$/);
    assert.match(lines[2] ?? '', /^SAML signing key \(active\) .*CN=cli-signing.* 45$/);

    const machine = await store.vigil(['sso', 'certificates', '--org', 'acme', '--json']);
    const { items } = JSON.parse(machine.stdout);
    assert.deepEqual(
      items.map((c: { source: string; daysLeft: number }) => [c.source, c.daysLeft]),
      [
        ['connection', -2],
        ['saml_key', 45],
      ],
    );

    assert.equal((await store.vigil(['sso', 'certificates'])).code, 2, 'needs --org');
    assert.equal((await store.vigil(['sso', 'certificates', '--org', 'nope'])).code, 2);
    assert.equal((await store.vigil(['sso', 'certificates', '--org', 'acme', 'x'])).code, 2);
  });
});
