import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliStore } from './support/cli.ts';

/** `vigil sso domains …` and `vigil sso policy …` (docs/sso.md). */
describe('vigil sso domains and sso policy', () => {
  const store = cliStore({ migrated: true });
  const { owner, vigil } = store;

  before(async () => {
    await store.open();
    assert.equal((await vigil(['orgs', 'create', '--slug', 'acme', '--name', 'Acme'])).code, 0);
    assert.equal((await vigil(['orgs', 'create', '--slug', 'globex', '--name', 'Globex'])).code, 0);
  });
  after(() => store.close());

  it('claims a domain, prints its file, attests it as the operator, lists and removes it', async () => {
    const added = await vigil(['sso', 'domains', 'add', 'Acme.test', '--org', 'acme', '--json']);
    assert.equal(added.code, 0, added.stderr);
    const { domain } = JSON.parse(added.stdout);
    assert.equal(domain.domain, 'acme.test');
    const human = await vigil(['sso', 'domains', 'add', 'shop.acme.test', '--org', 'acme']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      /serve this file at https:\/\/shop\.acme\.test\/\.well-known\/vigil-domain-verification\.txt/,
    );
    assert.match(human.stdout, /vigil-domain-verification=v1/);

    const attested = await vigil([
      'sso',
      'domains',
      'verify',
      domain.id,
      '--org',
      'acme',
      '--method',
      'attestation',
      '--statement',
      'Checked with Acme IT by phone on 2026-08-01.',
    ]);
    assert.equal(attested.code, 0, attested.stderr);
    assert.match(attested.stdout, /acme\.test: verified by attestation/);
    const [event] = await owner(
      "SELECT actor_id, details FROM audit_events WHERE action = 'sso.domain.verified'",
    );
    assert.equal(event?.actor_id, 'cli');

    // Verified for acme: globex cannot claim it.
    const taken = await vigil(['sso', 'domains', 'add', 'acme.test', '--org', 'globex']);
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /verified by another organization/);

    const list = await vigil(['sso', 'domains', 'list', '--org', 'acme', '--json']);
    assert.deepEqual(
      JSON.parse(list.stdout).items.map((d: { domain: string; verification: string | null }) => [
        d.domain,
        d.verification,
      ]),
      [
        ['acme.test', 'attestation'],
        ['shop.acme.test', null],
      ],
    );
    assert.match(
      (await vigil(['sso', 'domains', 'list', '--org', 'globex'])).stdout,
      /no domains in globex/,
    );
    // Another organization's domain id is not found through globex.
    const foreign = await vigil(['sso', 'domains', 'remove', domain.id, '--org', 'globex']);
    assert.notEqual(foreign.code, 0);
    assert.match(foreign.stderr, /No such domain/);
    const removed = await vigil(['sso', 'domains', 'remove', domain.id, '--org', 'acme']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(
      JSON.parse((await vigil(['sso', 'domains', 'list', '--org', 'acme', '--json'])).stdout).items
        .length,
      1,
    );
  });

  it('refuses bad usage with exit code 2', async () => {
    const cases = [
      ['sso', 'domains', 'list'],
      ['sso', 'domains', 'add', 'x.test'],
      ['sso', 'domains', 'add', 'x.test', '--org', 'acme', '--connection', 'nope'],
      ['sso', 'domains', 'verify', 'not-an-id', '--org', 'acme', '--method', 'file'],
      ['sso', 'domains', 'verify', '00000000-0000-7000-8000-0000000000aa', '--org', 'acme'],
      [
        'sso',
        'domains',
        'verify',
        '00000000-0000-7000-8000-0000000000aa',
        '--org',
        'acme',
        '--method',
        'attestation',
      ],
      ['sso', 'policy', 'set', '--org', 'acme'],
      ['sso', 'policy', 'set', '--org', 'acme', '--required', 'maybe'],
      ['sso', 'policy', 'set', '--org', 'acme', '--mfa', 'sms'],
    ];
    for (const args of cases) assert.equal((await vigil(args)).code, 2, args.join(' '));
    const invalid = await vigil(['sso', 'domains', 'add', 'not a domain', '--org', 'acme']);
    assert.notEqual(invalid.code, 0);
    assert.match(invalid.stderr, /not a domain name/);
  });

  it('shows and sets the SSO policy, keeping what is not given', async () => {
    const shown = await vigil(['sso', 'policy', 'show', '--org', 'acme', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(JSON.parse(shown.stdout), {
      version: 0,
      policy: { required: false, mfa: 'upstream' },
    });
    const set = await vigil(['sso', 'policy', 'set', '--org', 'acme', '--required', 'yes']);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /version 1: required yes, mfa upstream/);
    const mfa = await vigil(['sso', 'policy', 'set', '--org', 'acme', '--mfa', 'vigil', '--json']);
    assert.deepEqual(JSON.parse(mfa.stdout), {
      version: 2,
      policy: { required: true, mfa: 'vigil' },
    });
    assert.match((await vigil(['sso', 'policy', 'show', '--org', 'acme'])).stdout, /SSO required/);
    const events = await owner(
      "SELECT details FROM audit_events WHERE action = 'policy.sso.changed' ORDER BY occurred_at",
    );
    assert.equal(events.length, 2);
    // globex's policy is its own.
    assert.deepEqual(
      JSON.parse((await vigil(['sso', 'policy', 'show', '--org', 'globex', '--json'])).stdout)
        .policy,
      { required: false, mfa: 'upstream' },
    );
  });
});
