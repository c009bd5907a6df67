import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packFiles } from '../src/compliance/evidence/layout.ts';
import { fixedClock } from '../src/platform/index.ts';
import { openTestCore, sealEverything } from './support/core.ts';
import { auditSampleOf, freshSigningKey, packContents, signPack } from './support/evidence-pack.ts';

/**
 * The auditor's path: the unzipped pack on disk and `node verify.mjs` in it, run by the oldest
 * Node.js at hand (the system's, not this repository's), with nothing of Vigil installed.
 */
const systemNode = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;

function run(
  dir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      systemNode,
      args,
      { cwd: dir, env: { PATH: '/usr/bin:/bin' } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

function writePack(files: Map<string, Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pack-'));
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return dir;
}

describe('verify.mjs run by Node.js in an unzipped pack', () => {
  const key = freshSigningKey();
  const period = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') };
  let dir = '';
  let sampled = 0;

  before(async () => {
    const clock = fixedClock(new Date('2026-02-10T10:00:00Z'));
    const core = await openTestCore({ clock });
    try {
      const orgId = await core.createOrg('acme');
      for (let i = 0; i < 3; i++) {
        await core.audit.append({ orgId, action: 'auth.login.succeeded', outcome: 'success' });
        clock.advance(3_600_000);
      }
      await sealEverything(core);
      const about = { org: { id: orgId, slug: 'acme', name: 'Acme' }, period };
      const audit = await auditSampleOf(core, orgId, period);
      sampled = audit.eventIds.length;
      dir = writePack(signPack(packContents(audit), about, key));
    } finally {
      await core.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies the pack it sits in (exit 0) and prints what it checked', async () => {
    const ok = await run(dir, ['verify.mjs']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(
      ok.stdout,
      new RegExp(`checked: manifest.json: Ed25519 signature verifies .*${key.fingerprint}`),
    );
    assert.match(
      ok.stdout,
      /^checked: access\/user-access.csv: \d+ bytes, SHA-256 as in the manifest$/m,
    );
    assert.match(
      ok.stdout,
      new RegExp(`^checked: audit/sample.jsonl: ${sampled} events of acme in the period`, 'm'),
    );
    assert.match(ok.stdout, /^VERIFIED: the pack is exactly as signed$/m);
    assert.doesNotMatch(ok.stdout, /PROBLEM/);
  });

  it('checks the key given by its fingerprint, from another folder too', async () => {
    const expected = await run(tmpdir(), [join(dir, 'verify.mjs'), dir, '--key', key.fingerprint]);
    assert.equal(expected.code, 0, expected.stdout);
    assert.match(expected.stdout, /its fingerprint is the expected one/);
    const other = freshSigningKey().fingerprint;
    const refused = await run(dir, ['verify.mjs', `--key=${other}`]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stdout,
      new RegExp(
        `PROBLEM: manifest.json: signed by key ${key.fingerprint}, not by the expected key ${other}`,
      ),
    );
  });

  it('names a changed, a removed and an added file (exit 1)', async () => {
    writeFileSync(join(dir, packFiles.userAccess), 'email,status,roles\nana@acme.test,active,\n');
    rmSync(join(dir, packFiles.mfaSummary));
    writeFileSync(join(dir, 'notes.txt'), 'added later\n');
    const bad = await run(dir, ['verify.mjs']);
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(bad.stdout, /^PROBLEM: access\/user-access.csv: changed: /m);
    assert.match(bad.stdout, /^PROBLEM: mfa\/summary.json: missing: /m);
    assert.match(bad.stdout, /^PROBLEM: notes.txt: added: /m);
    assert.match(bad.stdout, /^NOT VERIFIED: 3 problem\(s\)$/m);
  });

  it('refuses bad usage and a folder it cannot read (exit 2)', async () => {
    const usage = await run(dir, ['verify.mjs', '--keys']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: node verify.mjs \[DIR\] \[--key FINGERPRINT\]/);
    const badKey = await run(dir, ['verify.mjs', '--key', 'abc']);
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /--key must be a SHA-256 fingerprint/);
    const absent = await run(dir, ['verify.mjs', join(dir, 'no-such-folder')]);
    assert.equal(absent.code, 2);
    assert.match(absent.stderr, /cannot read the pack in .*no-such-folder/);
  });
});
