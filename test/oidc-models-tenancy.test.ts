import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import { withOrg, withPlatform } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';

/**
 * The provider's store under an organization's transaction (migration 0021, docs/reviews.md
 * #scopes): the tenant role sees and deletes the rows of its own organization's users only,
 * never another organization's or a row without an account, and writes nothing else.
 */
describe('the OAuth provider store’s tenant policy', () => {
  const password = 'Correct-Horse-Battery-9';
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let acme: string;
  let globex: string;
  let ann: User;
  let carl: User;
  const later = new Date(Date.now() + 86_400_000);

  const row = (model: string, id: string, accountId: string | null, grantId: string | null) => ({
    model,
    id,
    payload: JSON.stringify({ clientId: 'shared-client', accountId, iat: 1 }),
    grant_id: grantId,
    account_id: accountId,
    expires_at: later,
  });
  const allRows = () =>
    withPlatform(core.database, (tx) =>
      tx.selectFrom('oidc_models').select(['model', 'id']).orderBy('id').execute(),
    );

  before(async () => {
    core = await openTestCore();
    auth = authServices(core);
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
    ann = await auth.createUser(acme, 'ann@acme.test', password);
    carl = await auth.createUser(globex, 'carl@globex.test', password);
    await withPlatform(core.database, (tx) =>
      tx
        .insertInto('oidc_models')
        .values([
          row('Grant', 'grant-ann', ann.id, null),
          row('RefreshToken', 'refresh-ann', ann.id, 'grant-ann'),
          row('Grant', 'grant-carl', carl.id, null),
          row('RefreshToken', 'refresh-carl', carl.id, 'grant-carl'),
          row('Interaction', 'interaction-nobody', null, null),
        ])
        .execute(),
    );
  });
  after(() => core.close());

  it('shows an organization only its own users’ rows', async () => {
    const seen = await withOrg(core.database, acme, (tx) =>
      tx.selectFrom('oidc_models').select('id').orderBy('id').execute(),
    );
    assert.deepEqual(
      seen.map((r) => r.id),
      ['grant-ann', 'refresh-ann'],
    );
    // The review's read of a client's grants, even for a client id both organizations' users used.
    const grants = await withOrg(core.database, acme, (tx) =>
      auth.oauth.clientGrants(tx, 'shared-client'),
    );
    assert.deepEqual(
      grants.map((g) => [g.id, g.accountId]),
      [['grant-ann', ann.id]],
    );
  });

  it('refuses the tenant role any write but a delete', async () => {
    const denied = /permission denied for table oidc_models/;
    await assert.rejects(
      withOrg(core.database, acme, (tx) =>
        tx
          .insertInto('oidc_models')
          .values(row('Grant', 'grant-forged', ann.id, null))
          .execute(),
      ),
      denied,
    );
    await assert.rejects(
      withOrg(core.database, acme, (tx) =>
        tx
          .updateTable('oidc_models')
          .set({ expires_at: new Date(0) })
          .where('id', '=', 'grant-ann')
          .execute(),
      ),
      denied,
    );
  });

  it('deletes only its own users’ rows, even when asked for every row', async () => {
    const deleted = await withOrg(core.database, acme, (tx) =>
      tx.deleteFrom('oidc_models').returning('id').execute(),
    );
    assert.deepEqual(deleted.map((r) => r.id).sort(), ['grant-ann', 'refresh-ann']);
    assert.deepEqual(
      (await allRows()).map((r) => r.id),
      ['grant-carl', 'interaction-nobody', 'refresh-carl'],
    );
  });
});
