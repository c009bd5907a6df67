import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayOpenTransactions, violationsIn } from '../scripts/check-transactions.ts';

// docs/adr/0011-transaction-owner.md: only use cases open transactions.

test('a page or a command that opens a transaction is named with its line', () => {
  const page = "import { withOrg } from '../../platform/index.ts';\n\nawait withOrg(db, id, fn);\n";
  assert.deepEqual(violationsIn('src/http/account/account-routes.ts', page), [
    { file: 'src/http/account/account-routes.ts', line: 1, name: 'withOrg' },
    { file: 'src/http/account/account-routes.ts', line: 3, name: 'withOrg' },
  ]);
  assert.deepEqual(violationsIn('src/app/commands.ts', '  await platformStatement(db, fn);'), [
    { file: 'src/app/commands.ts', line: 1, name: 'platformStatement' },
  ]);
});

test('services, flows, key services, the API runner and tests may; stores and comments never count', () => {
  for (const file of [
    'src/sessions/service.ts',
    'src/auth/mfa/service.ts',
    'src/auth/flows/account.ts',
    'src/auth/flows/sign-in/flow.ts',
    'src/crypto/keyring.ts',
    'src/oauth/adapter.ts',
    'src/http/api/index.ts',
    'src/platform/db/scope.ts',
  ])
    assert.equal(mayOpenTransactions(file), true, file);
  for (const file of [
    'src/auth/flows/sign-in.store.ts',
    'src/sessions/store.ts',
    'src/http/api/auth.ts',
    'src/http/bootstrap-routes.ts',
    'src/app/core.ts',
  ])
    assert.equal(mayOpenTransactions(file), false, file);
  assert.deepEqual(violationsIn('src/app/x.test.ts', 'withPlatform(db, fn);'), []);
  assert.deepEqual(
    violationsIn('src/app/server.ts', '// withPlatform(db, fn) is for use cases\n * withOrg(…)'),
    [],
  );
});
