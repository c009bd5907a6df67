import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newId } from '../platform/index.ts';

/**
 * Where audit archives are kept (docs/audit.md#retention-and-archives): a directory (the
 * default) or an S3-compatible bucket. Names are flat (`audit-2026-01.jsonl.gz`).
 */
export interface ArchiveStore {
  /** Where this store is, for audit_archives.location and messages. */
  readonly location: string;
  put(name: string, bytes: Uint8Array): Promise<void>;
  /** The object's bytes; null when there is none. */
  get(name: string): Promise<Buffer | null>;
  exists(name: string): Promise<boolean>;
  delete(name: string): Promise<void>;
  list(): Promise<string[]>;
}

const safeName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

export function checkName(name: string): string {
  if (!safeName.test(name)) throw new Error(`not an archive file name: ${name}`);
  return name;
}

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Archives in a directory. A file is written under a temporary name and renamed, so a reader
 * (or a crash) never sees half of one; files are readable by their owner only.
 */
export function directoryArchiveStore(dir: string): ArchiveStore {
  const path = (name: string) => join(dir, checkName(name));
  return {
    location: dir,
    async put(name, bytes) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const partial = join(dir, `.${checkName(name)}.${newId()}.partial`);
      try {
        await writeFile(partial, bytes, { mode: 0o600, flag: 'wx', flush: true });
        await rename(partial, path(name));
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      }
    },
    async get(name) {
      try {
        return await readFile(path(name));
      } catch (err) {
        if (missing(err)) return null;
        throw err;
      }
    },
    async exists(name) {
      try {
        return (await stat(path(name))).isFile();
      } catch (err) {
        if (missing(err)) return false;
        throw err;
      }
    },
    async delete(name) {
      await rm(path(name), { force: true });
    },
    async list() {
      try {
        return (await readdir(dir)).filter((n) => safeName.test(n)).sort();
      } catch (err) {
        if (missing(err)) return [];
        throw err;
      }
    },
  };
}
