import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packFiles } from '../src/compliance/evidence/layout.ts';
import { readZip } from '../src/compliance/evidence/read-zip.ts';
import { operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { cliStore } from './support/cli.ts';

const today = new Date().toISOString().slice(0, 10);

/** `vigil evidence export`: the pack written to a file, its hash printed, then verified offline. */
describe('vigil CLI: evidence export', () => {
  const store = cliStore({ migrated: true });
  const { withServices, vigil } = store;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pack-cli-'));
  let acme: string;

  before(async () => {
    await store.open();
    acme = await withServices(async (services, core) => {
      const org = await withPlatform(core.database, (tx) =>
        services.tenancy.createOrganization(tx, { slug: 'acme', name: 'Acme' }, operatorActor),
      );
      await withOrg(core.database, org.id, (tx) =>
        services.identity.createUser(
          tx,
          org.id,
          { email: 'ann@acme.test', displayName: 'Ann' },
          operatorActor,
        ),
      );
      return org.id;
    });
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the pack, prints its manifest hash and file count, and vigil evidence verify accepts it', async () => {
    const out = join(dir, 'acme.zip');
    const run = await vigil([
      'evidence',
      'export',
      '--org',
      'acme',
      '--from',
      '2026-01-01',
      '--to',
      today,
      '--out',
      out,
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const printed = JSON.parse(run.stdout);
    const files = await readZip(out);
    const manifestBytes = files.get(packFiles.manifest) as Buffer;
    assert.equal(printed.files, files.size);
    assert.equal(printed.manifestSha256, createHash('sha256').update(manifestBytes).digest('hex'));
    assert.equal(printed.fileName, `vigil-evidence-acme-2026-01-01-${today}.zip`);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.match(files.get(packFiles.userAccess)?.toString() ?? '', /ann@acme\.test/);

    const verified = await vigil(['evidence', 'verify', out, '--key', printed.key.fingerprint]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /VERIFIED/);

    const exported = await withServices((_services, core) =>
      withOrg(core.database, acme, (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['actor_type', 'details'])
          .where('action', '=', 'evidence.exported')
          .execute(),
      ),
    );
    assert.equal(exported.length, 1);
    assert.equal(exported[0]?.actor_type, 'operator');
    assert.equal(JSON.parse(exported[0]?.details ?? '{}').manifestSha256, printed.manifestSha256);
  });

  it('refuses a bad period in the words of the command line and writes nothing', async () => {
    const out = join(dir, 'bad.zip');
    const reversed = await vigil([
      'evidence',
      'export',
      '--org',
      'acme',
      '--from',
      '2026-03-01',
      '--to',
      '2026-02-01',
      '--out',
      out,
    ]);
    assert.equal(reversed.code, 2);
    assert.match(reversed.stderr, /--to: is before from/);
    const missing = await vigil(['evidence', 'export', '--org', 'acme', '--from', '2026-03-01']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /needs --out FILE/);
    const unknown = await vigil([
      'evidence',
      'export',
      '--org',
      'globex',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-31',
      '--out',
      out,
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /there is no organization globex/);
    assert.equal(existsSync(out), false);
  });

  it('never overwrites a file already there', async () => {
    const out = join(dir, 'acme.zip');
    const before = statSync(out).mtimeMs;
    const again = await vigil([
      'evidence',
      'export',
      '--org',
      'acme',
      '--from',
      '2026-01-01',
      '--to',
      today,
      '--out',
      out,
    ]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /--out: .*acme\.zip exists; a pack never overwrites a file/);
    assert.equal(statSync(out).mtimeMs, before);
  });
});
