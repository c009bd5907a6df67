import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { sha256Hasher } from '../../crypto/index.ts';
import type { PackFileEntry } from './format.ts';

/** What a file of the pack is made of: its whole text, or chunks produced page by page. */
export type FileSource =
  | string
  | Buffer
  | Iterable<string | Buffer>
  | AsyncIterable<string | Buffer>;

/**
 * A ZIP written as it is read: each file is streamed into the archive through a hash, so the
 * pack's manifest learns every file's size and SHA-256 without holding any file in memory.
 * Files go in one at a time, in the order added; the reader's pace (an HTTP client, a disk)
 * holds the producer back.
 */
export function createPackZip() {
  const zip = new ZipFile();
  const stream = zip.outputStream as unknown as Readable;
  const entries: PackFileEntry[] = [];
  let current: PassThrough | null = null;
  let gone: Error | null = null;
  // The reader went away (a client disconnected): the file being written fails, so the work
  // feeding it stops instead of waiting for a drain that never comes.
  stream.once('close', () => {
    gone ??= new Error('the evidence pack stream was closed before it was complete');
    current?.destroy(gone);
  });

  async function add(name: string, source: FileSource): Promise<PackFileEntry> {
    if (gone) throw gone;
    const pass = new PassThrough();
    current = pass;
    const hash = sha256Hasher();
    let size = 0;
    zip.addReadStream(pass, name);
    const chunks = typeof source === 'string' || Buffer.isBuffer(source) ? [source] : source;
    for await (const chunk of chunks) {
      if (gone) throw gone;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (bytes.length === 0) continue;
      hash.update(bytes);
      size += bytes.length;
      if (!pass.write(bytes)) await once(pass, 'drain');
    }
    pass.end();
    await finished(pass);
    current = null;
    const entry = { name, size, sha256: hash.hex() };
    entries.push(entry);
    return entry;
  }

  return {
    /** The ZIP's bytes, for the caller to pipe (the answer, a file). */
    stream,
    /** Every file added so far, in order, with its size and SHA-256. */
    entries,
    add,
    /** Adds the last file (the manifest) and closes the archive. */
    async finish(name: string, content: Buffer): Promise<void> {
      await add(name, content);
      zip.end();
    },
    /** Stops the archive on a failure: the reader sees an error, not a truncated valid ZIP. */
    fail(err: Error): void {
      gone ??= err;
      current?.destroy(err);
      stream.destroy(err);
    },
  };
}

export type PackZip = ReturnType<typeof createPackZip>;
