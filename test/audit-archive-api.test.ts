import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { platformOrgId } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';

type Api = Awaited<ReturnType<typeof startAdminApiWorld>>;

describe('admin API: audit archives and the retention policy', () => {
  let world: OidcWorld;
  let call: Api['call'];
  let root: string;
  let orgAdmin: string;
  let acme: string;

  before(async () => {
    let userWithRole: Api['userWithRole'];
    let tokenFor: Api['tokenFor'];
    ({ world, call, userWithRole, tokenFor } = await startAdminApiWorld());
    acme = world.orgId;
    root = await tokenFor(
      await userWithRole(platformOrgId, 'root@platform.test', 'platform-admin'),
    );
    orgAdmin = await tokenFor(await userWithRole(acme, 'admin@acme.test', 'org-admin'));
  });
  after(() => world.close());

  it('lists the archived months to the platform only', async () => {
    const list = await call('GET', `/orgs/${platformOrgId}/audit-archives`, root);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(JSON.parse(list.text).items, []);
    const elsewhere = await call('GET', `/orgs/${acme}/audit-archives`, root);
    assert.equal(elsewhere.status, 404, elsewhere.text);
    const customer = await call('GET', `/orgs/${acme}/audit-archives`, orgAdmin);
    assert.equal(customer.status, 403, customer.text);
  });

  it('keeps an organization retention policy: 400 days by default, never below 365, a hold needs a reason', async () => {
    const path = `/orgs/${acme}/policies/retention`;
    const current = await call('GET', path, orgAdmin);
    assert.equal(current.status, 200, current.text);
    assert.deepEqual(JSON.parse(current.text).policy, {
      retentionDays: 400,
      legalHold: false,
      legalHoldReason: null,
    });
    const etag = current.headers.etag as string;
    const low = await call(
      'PUT',
      path,
      orgAdmin,
      { retentionDays: 200, legalHold: false, legalHoldReason: null },
      { 'if-match': etag },
    );
    assert.equal(low.status, 400, low.text);
    assert.match(low.text, /at least 365/);
    const noReason = await call(
      'PUT',
      path,
      orgAdmin,
      { retentionDays: 500, legalHold: true, legalHoldReason: null },
      { 'if-match': etag },
    );
    assert.equal(noReason.status, 400, noReason.text);
    const held = await call(
      'PUT',
      path,
      orgAdmin,
      { retentionDays: 500, legalHold: true, legalHoldReason: 'case 7' },
      { 'if-match': etag },
    );
    assert.equal(held.status, 200, held.text);
    assert.equal(JSON.parse(held.text).policy.legalHold, true);
  });
});
