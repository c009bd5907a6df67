import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { ZipFile } from 'yazl';
import { blocksCovering } from '../src/audit/archive.store.ts';
import { archivedBlock } from '../src/audit/archive-format.ts';
import { chainHash, blockSigningBytes as sealerSigningBytes } from '../src/audit/sealer.ts';
import type { BlockRow } from '../src/audit/store.ts';
import type { PackFileEntry, PackManifest } from '../src/compliance/evidence/format.ts';
import { packFiles } from '../src/compliance/evidence/layout.ts';
import { readZip, ZipReadError } from '../src/compliance/evidence/read-zip.ts';
import {
  blockSigningBytes,
  type PackVerification,
  canonicalJson as verifierCanonicalJson,
  chainHash as verifierChainHash,
  verifyPackFiles,
} from '../src/compliance/evidence/verify-pack.mjs';
import { canonicalJson, signEd25519 } from '../src/crypto/index.ts';
import { fixedClock, withPlatform } from '../src/platform/index.ts';
import { runVigil } from './support/cli.ts';
import { openTestCore, sealEverything, type TestCore } from './support/core.ts';
import {
  auditSampleOf,
  freshSigningKey,
  type PackAbout,
  packContents,
  signPack,
  withFile,
  writeZip,
} from './support/evidence-pack.ts';

/** The problems of a verification, as `file: message` lines (for assertions and messages). */
const problemsOf = (r: PackVerification) => r.problems.map((p) => `${p.file}: ${p.message}`);

function assertProblem(r: PackVerification, file: string, message: RegExp) {
  assert.equal(r.ok, false, 'the pack should not verify');
  assert.ok(
    r.problems.some((p) => p.file === file && message.test(p.message)),
    `expected a problem in ${file} matching ${message}, got:\n${problemsOf(r).join('\n')}`,
  );
}

const manifestOf = (files: Map<string, Buffer>) =>
  JSON.parse((files.get(packFiles.manifest) ?? Buffer.alloc(0)).toString('utf8'));

describe('evidence pack verification (verify-pack.mjs)', () => {
  const clock = fixedClock(new Date('2026-01-05T09:00:00Z'));
  const period = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') };
  const key = freshSigningKey();
  let core: TestCore;
  let about: PackAbout;
  let contents: Map<string, Buffer>;
  let pack: Map<string, Buffer>;
  let sampledIds: string[];

  before(async () => {
    core = await openTestCore({ clock });
    const orgId = await core.createOrg('acme');
    const otherId = await core.createOrg('globex');
    // Both organizations' events interleave in the same seal blocks: the proofs need the other
    // organization's MACs too (otherMacs), never its events.
    for (let i = 0; i < 8; i++) {
      for (const org of [orgId, otherId])
        await core.audit.append({
          orgId: org,
          action: 'auth.login.succeeded',
          outcome: 'success',
          details: { i },
        });
      clock.advance(86_400_000);
      // Several seal blocks: the sample spans them.
      if (i % 3 === 2) await sealEverything(core);
    }
    await sealEverything(core);
    about = { org: { id: orgId, slug: 'acme', name: 'Acme' }, period };
    const audit = await auditSampleOf(core, orgId, period);
    sampledIds = audit.eventIds;
    contents = packContents(audit);
    pack = signPack(contents, about, key);
  });
  after(() => core.close());

  it('verifies an intact pack and says what it checked', () => {
    const result = verifyPackFiles(pack);
    assert.deepEqual(problemsOf(result), []);
    assert.equal(result.ok, true);
    assert.equal(result.manifest?.org.id, about.org.id);
    const checked = result.checked.join('\n');
    assert.match(checked, new RegExp(`signature verifies with key ${key.id}.*${key.fingerprint}`));
    assert.match(checked, /compare its fingerprint with the audit seal key the platform publishes/);
    for (const name of contents.keys())
      assert.match(checked, new RegExp(`^${name}: \\d+ bytes, SHA-256 as in the manifest$`, 'm'));
    assert.match(checked, /controls: 2 \(1 pass, 1 never checked\)/);
    assert.match(
      checked,
      new RegExp(`audit/sample.jsonl: ${sampledIds.length} events of acme in the period`),
    );
    assert.match(checked, /audit\/sample-proofs.json: (\d+) of \1 seal blocks recompute/);
    const proofs = JSON.parse(contents.get(packFiles.auditSampleProofs)?.toString() ?? '{}');
    assert.ok(proofs.otherMacs.length > 0, 'the blocks hold the other organization’s events too');
  });

  it('checks the signing key against the expected fingerprint (--key)', () => {
    const expected = verifyPackFiles(pack, { fingerprint: key.fingerprint.toUpperCase() });
    assert.equal(expected.ok, true, problemsOf(expected).join('\n'));
    assert.match(expected.checked.join('\n'), /its fingerprint is the expected one/);
    const other = freshSigningKey();
    const refused = verifyPackFiles(pack, { fingerprint: other.fingerprint });
    assertProblem(
      refused,
      'manifest.json',
      new RegExp(`not by the expected key ${other.fingerprint}`),
    );
  });

  it('names a file of which any byte changed', () => {
    for (const [name, bytes] of contents) {
      const changed = Buffer.from(bytes);
      const at = Math.floor(changed.length / 2);
      changed[at] = (changed[at] ?? 0) ^ 0x01;
      assertProblem(verifyPackFiles(withFile(pack, name, changed)), name, /^changed: /);
    }
  });

  it('names a file removed from the pack and a file added to it', () => {
    const removed = new Map(pack);
    removed.delete(packFiles.userAccess);
    assertProblem(verifyPackFiles(removed), packFiles.userAccess, /^missing: listed/);
    const added = withFile(pack, 'access/extra.csv', 'email\nmallory@acme.test\n');
    assertProblem(verifyPackFiles(added), 'access/extra.csv', /^added: .*not listed/);
  });

  it('refuses a replaced signature, a changed manifest and a key that is not its fingerprint', () => {
    const signed = manifestOf(pack);
    const other = signPack(contents, about, freshSigningKey());
    const replaced = { ...signed, signature: manifestOf(other).signature };
    assertProblem(
      verifyPackFiles(withFile(pack, 'manifest.json', JSON.stringify(replaced))),
      'manifest.json',
      /signature does not verify/,
    );
    const later = {
      ...signed,
      manifest: {
        ...signed.manifest,
        period: { ...signed.manifest.period, to: '2026-07-01T00:00:00.000Z' },
      },
    };
    assertProblem(
      verifyPackFiles(withFile(pack, 'manifest.json', JSON.stringify(later))),
      'manifest.json',
      /signature does not verify/,
    );
    const wrongPrint = {
      ...signed,
      manifest: {
        ...signed.manifest,
        key: { ...signed.manifest.key, fingerprint: 'ab'.repeat(32) },
      },
    };
    assertProblem(
      verifyPackFiles(withFile(pack, 'manifest.json', JSON.stringify(wrongPrint))),
      'manifest.json',
      /fingerprint is not the SHA-256 of its public key/,
    );
  });

  it('lets a pack re-signed by another key through only without --key', () => {
    // Whoever changes a file and signs again with a key of their own makes a consistent pack:
    // the fingerprint the platform publishes is what tells it apart.
    const forged = signPack(
      withFile(contents, packFiles.userAccess, 'email,status,roles\n'),
      about,
      freshSigningKey('forger'),
    );
    assert.equal(verifyPackFiles(forged).ok, true);
    assertProblem(
      verifyPackFiles(forged, { fingerprint: key.fingerprint }),
      'manifest.json',
      /not by the expected key/,
    );
  });

  it('refuses a manifest that is missing, not JSON, or not a pack manifest', () => {
    const none = new Map(pack);
    none.delete('manifest.json');
    assertProblem(verifyPackFiles(none), 'manifest.json', /missing/);
    assertProblem(
      verifyPackFiles(withFile(pack, 'manifest.json', '{')),
      'manifest.json',
      /not JSON/,
    );
    const other = { ...manifestOf(pack), manifest: { ...manifestOf(pack).manifest, format: 'x' } };
    assertProblem(
      verifyPackFiles(withFile(pack, 'manifest.json', JSON.stringify(other))),
      'manifest.json',
      /is not a vigil.evidence-pack.v1 manifest/,
    );
    // Signed as it is, by the right key: a manifest listing a file twice, or itself.
    const resigned = (edit: (m: PackManifest) => void) => {
      const { manifest } = manifestOf(pack);
      edit(manifest);
      const signature = signEd25519(key.privateKey, Buffer.from(canonicalJson(manifest)));
      const text = JSON.stringify({ manifest, signature: signature.toString('base64url') });
      return verifyPackFiles(withFile(pack, 'manifest.json', text));
    };
    const twice = resigned((m) => m.files.push({ ...(m.files[0] as PackFileEntry) }));
    assertProblem(twice, packFiles.readme, /^listed twice in the manifest$/);
    const itself = resigned((m) => m.files.push({ name: 'manifest.json', size: 1, sha256: '00' }));
    assertProblem(itself, 'manifest.json', /^the manifest lists itself$/);
    const climbing = manifestOf(pack);
    climbing.manifest.files[0].name = '../outside.txt';
    assertProblem(
      verifyPackFiles(withFile(pack, 'manifest.json', JSON.stringify(climbing))),
      'manifest.json',
      /is not a vigil.evidence-pack.v1 manifest/,
    );
  });

  describe('the audit sample, in a pack signed over it as it is', () => {
    const sampleLines = () =>
      (contents.get(packFiles.auditSample)?.toString('utf8') ?? '').trimEnd().split('\n');
    const proofs = () => JSON.parse(contents.get(packFiles.auditSampleProofs)?.toString() ?? '');
    const resigned = (name: string, content: string) =>
      verifyPackFiles(signPack(withFile(contents, name, content), about, key));

    it('finds a sampled event whose MAC is not the one its seal block chained', () => {
      const lines = sampleLines();
      const event = JSON.parse(lines[0] ?? '');
      event.mac = `${event.mac.slice(0, -2)}${event.mac.endsWith('00') ? '01' : '00'}`;
      lines[0] = JSON.stringify(event);
      assertProblem(
        resigned(packFiles.auditSample, `${lines.join('\n')}\n`),
        packFiles.auditSampleProofs,
        /chain hash does not match the MACs of its events/,
      );
    });

    it('finds a line that is no event, an event of another organization or period', () => {
      const lines = sampleLines();
      assertProblem(
        resigned(packFiles.auditSample, `${[...lines, 'not json'].join('\n')}\n`),
        packFiles.auditSample,
        new RegExp(`line ${lines.length + 1} is not an audit event`),
      );
      const event = JSON.parse(lines[0] ?? '');
      const moved = [JSON.stringify({ ...event, orgId: '00000000-0000-4000-8000-000000000000' })];
      assertProblem(
        resigned(packFiles.auditSample, `${moved.join('\n')}\n`),
        packFiles.auditSample,
        new RegExp(`event ${event.id} belongs to another organization`),
      );
      const before = [JSON.stringify({ ...event, occurredAtMs: period.from.getTime() - 1 })];
      assertProblem(
        resigned(packFiles.auditSample, `${before.join('\n')}\n`),
        packFiles.auditSample,
        new RegExp(`event ${event.id} did not occur in the period`),
      );
    });

    it('finds a sampled event in no seal block, and a block whose MACs are missing', () => {
      const p = proofs();
      const dropped = p.blocks.pop();
      const lost = sampledIds.filter((id) => dropped.eventIds.includes(id));
      const withoutBlock = resigned(packFiles.auditSampleProofs, JSON.stringify({ ...p }));
      for (const id of lost)
        assertProblem(
          withoutBlock,
          packFiles.auditSample,
          new RegExp(`event ${id} is in no seal block`),
        );
      const q = proofs();
      q.otherMacs = [];
      assertProblem(
        resigned(packFiles.auditSampleProofs, JSON.stringify(q)),
        packFiles.auditSampleProofs,
        /the MACs of some of its events are missing/,
      );
    });

    it('finds a block whose chain hash, signature or key was changed', () => {
      const flip = (hex: string) => `${hex[0] === '0' ? '1' : '0'}${hex.slice(1)}`;
      const hash = proofs();
      hash.blocks[0].chainHash = flip(hash.blocks[0].chainHash);
      assertProblem(
        resigned(packFiles.auditSampleProofs, JSON.stringify(hash)),
        packFiles.auditSampleProofs,
        new RegExp(`seal block ${hash.blocks[0].blockNo}: its chain hash does not match`),
      );
      const moved = proofs();
      moved.blocks[0].sealedAtMs += 1;
      assertProblem(
        resigned(packFiles.auditSampleProofs, JSON.stringify(moved)),
        packFiles.auditSampleProofs,
        new RegExp(`seal block ${moved.blocks[0].blockNo}: its signature does not verify`),
      );
      const forger = freshSigningKey('forger');
      const keyed = proofs();
      keyed.keys[0].publicKeyJwk = manifestOf(
        signPack(contents, about, forger),
      ).manifest.key.publicKeyJwk;
      assertProblem(
        resigned(packFiles.auditSampleProofs, JSON.stringify(keyed)),
        packFiles.auditSampleProofs,
        /seal key .*: its fingerprint is not the SHA-256 of its public key/,
      );
      const unlisted = proofs();
      unlisted.keys = [];
      assertProblem(
        resigned(packFiles.auditSampleProofs, JSON.stringify(unlisted)),
        packFiles.auditSampleProofs,
        /which the proofs do not list/,
      );
    });

    it('finds a control whose evidence the pack lacks, and a pack with no sample', () => {
      const lacking = new Map(contents);
      lacking.delete(packFiles.mfaSummary);
      assertProblem(
        verifyPackFiles(signPack(lacking, about, key)),
        'manifest.json',
        /control mfa-enforcement names evidence mfa\/summary.json the pack lacks/,
      );
      const noSample = new Map(contents);
      noSample.delete(packFiles.auditSample);
      assertProblem(
        verifyPackFiles(signPack(noSample, about, key)),
        packFiles.auditSample,
        /missing: the audit sample cannot be checked/,
      );
    });
  });

  describe('vigil evidence verify FILE (the pack as a ZIP, no database)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-evidence-'));
    // No database is configured or opened: the command reads the file only.
    const env = { VIGIL_ENV: 'test', VIGIL_DATA_DIR: join(dir, 'no-data') };
    const vigil = (...args: string[]) => runVigil(['evidence', 'verify', ...args], env);
    const zipOf = async (name: string, files: Map<string, Buffer>) => {
      const path = join(dir, name);
      await writeZip(files, path);
      return path;
    };
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('verifies a pack (exit 0), in words and as JSON', async () => {
      const path = await zipOf('pack.zip', pack);
      const ok = await vigil(path);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(
        ok.stdout,
        /^checked: audit\/sample-proofs.json: \d+ of \d+ seal blocks recompute/m,
      );
      assert.match(ok.stdout, /^VERIFIED: the pack is exactly as signed$/m);
      const json = await vigil(path, '--json', '--key', key.fingerprint);
      assert.equal(json.code, 0, json.stdout + json.stderr);
      const report = JSON.parse(json.stdout);
      assert.equal(report.ok, true);
      assert.deepEqual(report.key, { id: key.id, fingerprint: key.fingerprint });
      assert.equal(report.org.slug, 'acme');
      assert.deepEqual(report.problems, []);
      assert.ok(
        report.checked.includes('signing key: its fingerprint is the expected one (--key)'),
      );
    });

    it('names what is wrong (exit 1): a changed file, another signing key', async () => {
      const changed = withFile(pack, packFiles.mfaSummary, '{"enrolled":0,"users":1}\n');
      const bad = await vigil(await zipOf('changed.zip', changed));
      assert.equal(bad.code, 1, bad.stdout);
      assert.match(bad.stdout, /^PROBLEM: mfa\/summary.json: changed: /m);
      assert.match(bad.stdout, /^NOT VERIFIED: 1 problem\(s\)$/m);
      const other = freshSigningKey().fingerprint.replace(/(..)(?!$)/g, '$1:');
      const wrongKey = await vigil(await zipOf('pack2.zip', pack), '--key', other);
      assert.equal(wrongKey.code, 1);
      assert.match(
        wrongKey.stdout,
        /PROBLEM: manifest.json: signed by key .*, not by the expected key/,
      );
    });

    it('refuses a file it cannot read and bad usage (exit 2)', async () => {
      const notZip = join(dir, 'not-a-zip.zip');
      writeFileSync(notZip, 'hello');
      const unreadable = await vigil(notZip);
      assert.equal(unreadable.code, 2);
      assert.match(unreadable.stderr, /not-a-zip.zip is not a readable ZIP file/);
      assert.equal(unreadable.stdout, '');
      const absent = await vigil(join(dir, 'absent.zip'));
      assert.equal(absent.code, 2);
      assert.match(absent.stderr, /absent.zip is not a readable ZIP file/);
      const badKey = await vigil(join(dir, 'pack.zip'), '--key', 'abc');
      assert.equal(badKey.code, 2);
      assert.match(badKey.stderr, /--key must be a SHA-256 fingerprint/);
      const noFile = await runVigil(['evidence', 'verify'], env);
      assert.equal(noFile.code, 2);
      assert.match(noFile.stderr, /evidence verify needs FILE/);
    });

    it('stops a ZIP past its limits before inflating it all (zip bombs)', async () => {
      const limits = { maxEntries: 10, maxEntryBytes: 1024 * 1024, maxTotalBytes: 2 * 1024 * 1024 };
      const path = await zipOf('pack3.zip', pack);
      assert.equal((await readZip(path, limits)).size, pack.size);
      const many = await zipOf(
        'many.zip',
        new Map(Array.from({ length: 11 }, (_, i) => [`f${i}`, Buffer.from('x')])),
      );
      await assert.rejects(
        readZip(many, limits),
        new ZipReadError(`${many} has 11 entries (at most 10)`),
      );
      // Ten megabytes of zeros compress to a few kilobytes: the size is counted as it inflates.
      const bomb = await zipOf(
        'bomb.zip',
        new Map([['zeros.bin', Buffer.alloc(10 * 1024 * 1024)]]),
      );
      await assert.rejects(
        readZip(bomb, limits),
        /zeros.bin is larger than 1048576 bytes uncompressed/,
      );
      const parts = new Map(
        Array.from({ length: 3 }, (_, i) => [`part${i}`, Buffer.alloc(1024 * 1024)]),
      );
      await assert.rejects(
        readZip(await zipOf('total.zip', parts), limits),
        /the ZIP holds more than 2097152 bytes uncompressed/,
      );
    });

    it('refuses a ZIP that holds a name twice (one copy verified, the other unzipped)', async () => {
      const zip = new ZipFile();
      zip.addEmptyDirectory('access/');
      zip.addBuffer(Buffer.from('1'), 'access/a.csv');
      zip.addBuffer(Buffer.from('2'), 'access/a.csv');
      zip.end();
      const path = join(dir, 'twice.zip');
      await pipeline(zip.outputStream, createWriteStream(path));
      const run = await vigil(path);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /twice.zip holds access\/a.csv twice/);
    });
  });

  describe('agrees with Vigil’s own code', () => {
    it('canonical JSON: the same bytes as src/crypto/canonical-json.ts', () => {
      const manifest = manifestOf(pack).manifest;
      assert.equal(verifierCanonicalJson(manifest), canonicalJson(manifest));
      const tricky = {
        é: 1,
        Z: [null, true, 1.5e-7, 1e21, -0, 'a"\\\u2028', { b: undefined, a: [] }],
        a: { y: { x: 'ü' } },
        gone: undefined,
        at: new Date('2026-01-01T00:00:00Z'),
      };
      assert.equal(verifierCanonicalJson(tricky), canonicalJson(tricky));
    });

    it('seal blocks: the same signing bytes and chain hashes as src/audit/sealer.ts', async () => {
      const rows: BlockRow[] = await withPlatform(core.database, (tx) =>
        blocksCovering(tx, { tx: '0', seq: '0' }, { tx: '9223372036854775807', seq: '0' }),
      );
      assert.ok(rows.length > 0);
      for (const row of rows) {
        const block = archivedBlock(row);
        assert.deepEqual(blockSigningBytes(block), sealerSigningBytes(row));
        const macs = [Buffer.from('11'.repeat(32), 'hex'), Buffer.from('22'.repeat(32), 'hex')];
        assert.equal(
          verifierChainHash(
            block.prevHash,
            macs.map((m) => m.toString('hex')),
          ),
          chainHash(row.prev_hash, macs).toString('hex'),
        );
      }
    });
  });
});
