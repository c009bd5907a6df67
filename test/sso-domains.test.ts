import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createServices } from '../src/app/services.ts';
import { createSelfSignedCertificate } from '../src/crypto/index.ts';
import { createSsoDomains, type SsoDomain, verificationPath } from '../src/federation/index.ts';
import {
  createOutbound,
  newId,
  operatorActor,
  platformOrgId,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';

/**
 * Claimed email domains (docs/sso.md#home-realm-discovery-and-domains): the signed file a domain
 * serves (a local HTTPS server stands for every domain here), attestations, one organization per
 * verified domain, and home-realm discovery.
 */
describe('SSO domains and home-realm discovery', () => {
  let core: TestCore;
  let acme: string;
  let globex: string;
  let server: Server;
  let domains: ReturnType<typeof createSsoDomains>;
  /** What the local server answers for each host name (the file, or a status). */
  const served = new Map<string, { status: number; body: string }>();
  const org = { byPlatform: false };
  const platform = { byPlatform: true };

  const connection = (orgId: string, name: string, enabled = true) =>
    withOrg(core.database, orgId, async (tx) => {
      const id = newId();
      await tx
        .insertInto('sso_connections')
        .values({
          id,
          org_id: orgId,
          name,
          protocol: 'oidc',
          enabled,
          issuer: 'https://idp.example.test',
          client_id: 'vigil',
          provisioning: 'jit',
          attribute_mapping: '{}',
          created_at: new Date(),
          updated_at: new Date(),
        })
        .execute();
      return id;
    });
  const inOrg = <T>(
    orgId: string,
    fn: (tx: Parameters<Parameters<typeof withOrg>[2]>[0]) => Promise<T>,
  ) => withOrg(core.database, orgId, fn);
  const audited = (action: string) =>
    withPlatform(core.database, async (tx) =>
      (
        await tx
          .selectFrom('audit_events')
          .select(['org_id', 'target_id', 'details'])
          .where('action', '=', action)
          .execute()
      ).map((e) => ({ ...e, details: JSON.parse(e.details) as Record<string, unknown> })),
    );
  const publish = (d: SsoDomain) =>
    served.set(d.domain, { status: 200, body: d.verificationFile.content });

  before(async () => {
    core = await openTestCore();
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
    const tls = await createSelfSignedCertificate(['acme.test', 'globex.test', 'shared.test']);
    server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      const answer = req.url === verificationPath ? served.get(host) : undefined;
      res.writeHead(answer?.status ?? 404, { 'content-type': 'text/plain' });
      res.end(answer?.body ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    domains = createSsoDomains({
      database: core.database,
      audit: core.audit.record,
      clock: core.clock,
      keys: core.keys,
      // Every test domain resolves to the local server, trusted by its certificate.
      outbound: createOutbound({
        allow: ['127.0.0.1'],
        resolve: async () => [{ address: '127.0.0.1', family: 4 }],
        ca: tls.certPem,
      }),
      platformOrgId,
      fileUrl: (domain) => `https://${domain}:${port}${verificationPath}`,
    });
  });
  after(async () => {
    server.close();
    await core.close();
  });

  it('claims a domain lowercased, and refuses what is no domain name', async () => {
    const claimed = await inOrg(acme, (tx) =>
      domains.claim(tx, acme, { domain: ' ACME.test. ' }, operatorActor),
    );
    assert.equal(claimed.domain, 'acme.test');
    assert.equal(claimed.verifiedAt, null);
    assert.match(claimed.verificationFile.content, new RegExp(`organization=${acme}`));
    assert.match(claimed.verificationFile.content, /domain=acme\.test/);
    assert.match(claimed.verificationFile.content, /date=\d{4}-\d{2}-\d{2}/);
    for (const bad of [
      'localhost',
      '10.0.0.1',
      'a..b',
      '-x.test',
      'x.test/path',
      'x.test:443',
      '*.x.test',
      `${'a'.repeat(64)}.test`,
    ]) {
      await assert.rejects(
        inOrg(acme, (tx) => domains.claim(tx, acme, { domain: bad }, operatorActor)),
        (err: { code?: string }) => err.code === 'sso.domain_invalid',
        bad,
      );
    }
    await assert.rejects(
      inOrg(acme, (tx) => domains.claim(tx, acme, { domain: 'acme.test' }, operatorActor)),
      (err: { code?: string }) => err.code === 'sso.domain_exists',
    );
    assert.equal((await audited('sso.domain.added')).length, 1);
  });

  it('verifies a domain by the signed file it serves, and refuses a missing, altered or foreign file', async () => {
    const [claim] = await inOrg(acme, (tx) => domains.list(tx, acme));
    assert.ok(claim);
    const verify = () =>
      inOrg(acme, (tx) =>
        domains.verify(tx, acme, claim.id, { method: 'file' }, operatorActor, org),
      );
    const refusedWith = async (problem: RegExp) =>
      assert.rejects(verify(), (err: { code?: string; message: string }) => {
        assert.equal(err.code, 'sso.domain_verification_failed');
        assert.match(err.message, problem);
        return true;
      });
    await refusedWith(/HTTP 404/);
    served.set('acme.test', { status: 200, body: 'hello' });
    await refusedWith(/not a Vigil verification file/);
    // Signed for globex (its own claim of the same domain): not acme's proof.
    const globexClaim = await inOrg(globex, (tx) =>
      domains.claim(tx, globex, { domain: 'acme.test' }, operatorActor),
    );
    served.set('acme.test', { status: 200, body: globexClaim.verificationFile.content });
    await refusedWith(/another organization or domain/);
    // acme's file with a forged signature.
    const forged = claim.verificationFile.content.replace(
      /signature=(.)/,
      (_m, c: string) => `signature=${c === 'A' ? 'B' : 'A'}`,
    );
    served.set('acme.test', { status: 200, body: forged });
    await refusedWith(/signature does not verify/);
    // acme's file with globex's org id swapped in keeps acme's signature: refused.
    served.set('acme.test', {
      status: 200,
      body: claim.verificationFile.content.replace(
        `organization=${acme}`,
        `organization=${globex}`,
      ),
    });
    await refusedWith(/another organization/);
    served.set('acme.test', {
      status: 200,
      body: `${claim.verificationFile.content}\n${'#'.repeat(5000)}`,
    });
    await refusedWith(/larger than 4 KiB/);
    assert.equal((await audited('sso.domain.verified')).length, 0, 'nothing verified so far');

    publish(claim);
    const verified = await verify();
    assert.equal(verified.verification, 'file');
    assert.ok(verified.verifiedAt);
    assert.equal(verified.verifiedBy, 'cli');
    const [event] = await audited('sso.domain.verified');
    assert.equal(event?.details.method, 'file');
    assert.equal(event?.target_id, claim.id);
    await assert.rejects(
      verify(),
      (err: { code?: string }) => err.code === 'sso.domain_already_verified',
    );

    // globex's earlier claim can no longer be verified, and nobody else may claim it.
    served.set('acme.test', { status: 200, body: globexClaim.verificationFile.content });
    await assert.rejects(
      inOrg(globex, (tx) =>
        domains.verify(tx, globex, globexClaim.id, { method: 'file' }, operatorActor, org),
      ),
      (err: { code?: string }) => err.code === 'sso.domain_taken',
    );
    const initech = await core.createOrg('initech');
    await assert.rejects(
      inOrg(initech, (tx) => domains.claim(tx, initech, { domain: 'acme.test' }, operatorActor)),
      (err: { code?: string }) => err.code === 'sso.domain_taken',
    );
    // The refused claim left no row behind.
    const rows = await withPlatform(core.database, (tx) =>
      tx.selectFrom('sso_domains').select('org_id').where('domain', '=', 'acme.test').execute(),
    );
    assert.deepEqual(rows.map((r) => r.org_id).sort(), [acme, globex].sort());
  });

  it('verifies by a platform administrator’s attestation only, audited with the statement', async () => {
    const claim = await inOrg(globex, (tx) =>
      domains.claim(tx, globex, { domain: 'globex.test' }, operatorActor),
    );
    const attestation = {
      method: 'attestation' as const,
      statement: 'Checked the WHOIS record and a call with Globex IT on 2026-08-01.',
    };
    await assert.rejects(
      inOrg(globex, (tx) => domains.verify(tx, globex, claim.id, attestation, operatorActor, org)),
      (err: { code?: string }) => err.code === 'sso.domain_attestation_forbidden',
    );
    const verified = await inOrg(globex, (tx) =>
      domains.verify(tx, globex, claim.id, attestation, operatorActor, platform),
    );
    assert.equal(verified.verification, 'attestation');
    const event = (await audited('sso.domain.verified')).find((e) => e.target_id === claim.id);
    assert.equal(event?.details.statement, attestation.statement);
    assert.equal(event?.details.method, 'attestation');
  });

  it('finds the connection of an email’s verified domain (home-realm discovery), and nothing else', async () => {
    const okta = await connection(acme, 'Okta');
    const [claim] = (await inOrg(acme, (tx) => domains.list(tx, acme))).filter(
      (d) => d.domain === 'acme.test',
    );
    assert.ok(claim);
    assert.equal(
      await domains.connectionForEmail('jane@acme.test'),
      null,
      'no connection named yet',
    );
    // Another organization's connection cannot be named.
    const globexConnection = await connection(globex, 'Globex IdP');
    await assert.rejects(
      inOrg(acme, (tx) =>
        domains.update(tx, acme, claim.id, { connectionId: globexConnection }, operatorActor),
      ),
      (err: { code?: string }) => err.code === 'sso.domain_connection_invalid',
    );
    await inOrg(acme, (tx) =>
      domains.update(tx, acme, claim.id, { connectionId: okta }, operatorActor),
    );
    assert.deepEqual(await domains.connectionForEmail('Jane@ACME.test'), {
      orgId: acme,
      connectionId: okta,
      connectionName: 'Okta',
    });
    assert.equal(await domains.connectionForEmail('jane@other.test'), null);
    assert.equal(await domains.connectionForEmail('not-an-email'), null);
    // globex's unverified claim of acme.test with its own connection changes nothing.
    const [globexClaim] = (await inOrg(globex, (tx) => domains.list(tx, globex))).filter(
      (d) => d.domain === 'acme.test',
    );
    assert.ok(globexClaim);
    await inOrg(globex, (tx) =>
      domains.update(tx, globex, globexClaim.id, { connectionId: globexConnection }, operatorActor),
    );
    assert.equal((await domains.connectionForEmail('jane@acme.test'))?.orgId, acme);
    // A disabled connection is not offered.
    await withOrg(core.database, acme, (tx) =>
      tx.updateTable('sso_connections').set({ enabled: false }).where('id', '=', okta).execute(),
    );
    assert.equal(await domains.connectionForEmail('jane@acme.test'), null);
    await withOrg(core.database, acme, (tx) =>
      tx.updateTable('sso_connections').set({ enabled: true }).where('id', '=', okta).execute(),
    );
    assert.equal(
      (await audited('sso.domain.updated')).filter((e) => e.target_id === claim.id).length,
      1,
    );
  });

  it('keeps each organization’s domains to itself: another’s id is not found', async () => {
    const [acmeClaim] = await inOrg(acme, (tx) => domains.list(tx, acme));
    assert.ok(acmeClaim);
    const globexList = await inOrg(globex, (tx) => domains.list(tx, globex));
    assert.ok(globexList.every((d) => d.id !== acmeClaim.id));
    const attempts: ((tx: never) => Promise<unknown>)[] = [
      (tx: never) => domains.get(tx, globex, acmeClaim.id),
      (tx: never) =>
        domains.update(tx, globex, acmeClaim.id, { connectionId: null }, operatorActor),
      (tx: never) => domains.remove(tx, globex, acmeClaim.id, operatorActor),
      (tx: never) =>
        domains.verify(tx, globex, acmeClaim.id, { method: 'file' }, operatorActor, org),
    ];
    for (const attempt of attempts) {
      await assert.rejects(
        inOrg(globex, (tx) => attempt(tx as never)),
        (err: { code?: string }) => err.code === 'sso.domain_not_found',
      );
    }
    // Removing the verified claim frees the domain for another organization.
    await inOrg(acme, (tx) => domains.remove(tx, acme, acmeClaim.id, operatorActor));
    assert.equal(await domains.connectionForEmail('jane@acme.test'), null);
    const initech = (
      await withPlatform(core.database, (tx) =>
        tx
          .selectFrom('organizations')
          .select('id')
          .where('slug', '=', 'initech')
          .executeTakeFirstOrThrow(),
      )
    ).id;
    const freed = await inOrg(initech, (tx) =>
      domains.claim(tx, initech, { domain: 'acme.test' }, operatorActor),
    );
    assert.equal(freed.domain, 'acme.test');
    assert.equal((await audited('sso.domain.removed')).length, 1);
  });

  it('refuses a file signed before the platform key rotated, and takes the one shown now', async () => {
    const claim = await inOrg(globex, (tx) =>
      domains.claim(tx, globex, { domain: 'shared.test' }, operatorActor),
    );
    publish(claim);
    await core.keys.rotate('audit-seal', operatorActor);
    await assert.rejects(
      inOrg(globex, (tx) =>
        domains.verify(tx, globex, claim.id, { method: 'file' }, operatorActor, org),
      ),
      (err: { code?: string; message: string }) =>
        err.code === 'sso.domain_verification_failed' && /no longer signs with/.test(err.message),
    );
    const now = await inOrg(globex, (tx) => domains.get(tx, globex, claim.id));
    assert.notEqual(now.verificationFile.content, claim.verificationFile.content);
    publish(now);
    const verified = await inOrg(globex, (tx) =>
      domains.verify(tx, globex, claim.id, { method: 'file' }, operatorActor, org),
    );
    assert.equal(verified.verification, 'file');
  });

  it('is wired into the services with the platform key and the SSRF guard (no test host reachable)', async () => {
    const { ssoDomains } = createServices(core);
    const claim = await inOrg(acme, (tx) =>
      ssoDomains.claim(tx, acme, { domain: 'wired.test' }, operatorActor),
    );
    assert.equal(claim.verificationFile.url, `https://wired.test${verificationPath}`);
    // The same platform key signs in both: the file the wired service issues is the one it checks.
    await assert.rejects(
      inOrg(acme, (tx) =>
        ssoDomains.verify(tx, acme, claim.id, { method: 'file' }, operatorActor, org),
      ),
      (err: { code?: string }) => err.code === 'sso.domain_verification_failed',
    );
  });
});
