import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isStale, sourceHash, stampName } from '../scripts/build-ui.ts';

describe("the console build's stamp (npm start and npm test build only when stale)", () => {
  function sources() {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-ui-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'main.tsx'), 'render()');
    writeFileSync(join(dir, 'index.html'), '<div id="root"></div>');
    return dir;
  }

  it('hashes names and contents of the sources, not the build or installed packages', () => {
    const dir = sources();
    const first = sourceHash(dir);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'index.html'), 'built');
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules', 'x.js'), 'installed');
    assert.equal(sourceHash(dir), first);
    writeFileSync(join(dir, 'src', 'main.tsx'), 'render(<App />)');
    assert.notEqual(sourceHash(dir), first);
    const edited = sourceHash(dir);
    writeFileSync(join(dir, 'src', 'other.tsx'), '');
    assert.notEqual(sourceHash(dir), edited, 'a new file counts');
  });

  it('counts the extra files (the lock file: another version of a library is another build)', () => {
    const dir = sources();
    const lock = join(dir, '..', `${dir.split('/').pop()}-lock.json`);
    writeFileSync(lock, '{"v":1}');
    const before = sourceHash(dir, [lock]);
    writeFileSync(lock, '{"v":2}');
    assert.notEqual(sourceHash(dir, [lock]), before);
  });

  it('is stale without a build, with a build of other sources, and current with its own', () => {
    const dir = sources();
    const hash = sourceHash(dir);
    assert.equal(isStale(dir, hash), true, 'no build');
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', stampName), 'another-hash\n');
    assert.equal(isStale(dir, hash), true, 'built from other sources');
    writeFileSync(join(dir, 'dist', stampName), `${hash}\n`);
    assert.equal(isStale(dir, hash), false);
  });
});
