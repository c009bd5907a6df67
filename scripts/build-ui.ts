/**
 * Builds the admin console (ui/) into ui/dist with vite (docs/console.md#build). With
 * `--if-stale` (npm's prestart and pretest) it builds only when ui/dist was built from other
 * sources than the ones there now: a hash of ui/'s sources and the lock file, kept beside the
 * build as its stamp.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const repo = fileURLToPath(new URL('..', import.meta.url));
export const uiDir = join(repo, 'ui');
export const stampName = '.source-hash';

/** Every file a build reads from `dir`, sorted: not its output nor installed packages. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !/(^|\/)(dist|node_modules)\//.test(relative(dir, path)))
    .sort();
}

/** A hash of the sources under `dir` (names and contents) and of `extra` files (the lock file). */
export function sourceHash(dir: string, extra: readonly string[] = []): string {
  const hash = createHash('sha256');
  for (const path of [...sourceFiles(dir), ...extra]) {
    hash.update(`${relative(dir, path)}\0`);
    hash.update(readFileSync(path));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Whether the build in `dir`/dist is missing or was made from other sources. */
export function isStale(dir: string, hash: string): boolean {
  try {
    return readFileSync(join(dir, 'dist', stampName), 'utf8').trim() !== hash;
  } catch {
    return true;
  }
}

/** Builds the console unless `onlyIfStale` and it is current; true when it built. */
export async function buildConsole(onlyIfStale: boolean): Promise<boolean> {
  const hash = sourceHash(uiDir, [join(repo, 'package-lock.json')]);
  if (onlyIfStale && !isStale(uiDir, hash)) return false;
  const { build } = await import('vite');
  await build({ configFile: join(uiDir, 'vite.config.ts') });
  writeFileSync(join(uiDir, 'dist', stampName), `${hash}\n`);
  return true;
}

/** The bytes of each JavaScript and CSS file of the build, raw and gzipped (issue 18: ≤ 300 KB of JS). */
export function buildSizes(dir: string): { file: string; bytes: number; gzipped: number }[] {
  const assets = join(dir, 'dist', 'assets');
  return readdirSync(assets)
    .filter((file) => /\.(js|css)$/.test(file))
    .map((file) => {
      const content = readFileSync(join(assets, file));
      return { file, bytes: content.length, gzipped: gzipSync(content, { level: 9 }).length };
    });
}

if (import.meta.main) {
  if (await buildConsole(process.argv.includes('--if-stale'))) {
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    const lines = buildSizes(uiDir).map(
      (s) => `  ${s.file}: ${kb(s.bytes)}, ${kb(s.gzipped)} gzipped`,
    );
    process.stdout.write(`admin console built into ui/dist\n${lines.join('\n')}\n`);
  }
}
