/**
 * Reads a ZIP (an evidence pack) into memory, file by file, with limits: a hostile archive (a zip
 * bomb: many entries, or entries that inflate far past their declared size) stops with an error
 * before it can exhaust memory. Sizes are counted as the bytes inflate, not taken from headers.
 */
import yauzl, { type Entry, type ZipFile } from 'yauzl';

export interface ZipLimits {
  maxEntries: number;
  /** Uncompressed bytes of one entry. */
  maxEntryBytes: number;
  /** Uncompressed bytes of all entries together. */
  maxTotalBytes: number;
}

/** An evidence pack holds about thirty files; its largest (user access, MFA) grow with users. */
export const packZipLimits: ZipLimits = {
  maxEntries: 1000,
  maxEntryBytes: 512 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
};

/** The file is no ZIP, is damaged, or passes a limit: nothing of it can be trusted or checked. */
export class ZipReadError extends Error {}

/** Every file of the ZIP by its path inside it (directories left out). */
export async function readZip(
  path: string,
  limits: ZipLimits = packZipLimits,
): Promise<Map<string, Buffer>> {
  let zip: ZipFile;
  try {
    // strictFileNames: a backslash in a name is refused, like an absolute or `..` path always is.
    zip = await yauzl.openPromise(path, {
      lazyEntries: true,
      strictFileNames: true,
      validateEntrySizes: true,
    });
  } catch (err) {
    throw new ZipReadError(`${path} is not a readable ZIP file: ${(err as Error).message}`);
  }
  try {
    if (zip.entryCount > limits.maxEntries)
      throw new ZipReadError(
        `${path} has ${zip.entryCount} entries (at most ${limits.maxEntries})`,
      );
    const files = new Map<string, Buffer>();
    const budget = { total: 0 };
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      if (files.has(entry.fileName))
        throw new ZipReadError(`${path} holds ${entry.fileName} twice`);
      files.set(entry.fileName, await readEntry(zip, entry, limits, budget));
    }
    return files;
  } catch (err) {
    if (err instanceof ZipReadError) throw err;
    throw new ZipReadError(`${path} is a damaged ZIP file: ${(err as Error).message}`);
  } finally {
    zip.close();
  }
}

/** One entry's bytes, stopping as soon as it or the whole archive inflates past its limit. */
async function readEntry(
  zip: ZipFile,
  entry: Entry,
  limits: ZipLimits,
  budget: { total: number },
): Promise<Buffer> {
  const name = entry.fileName;
  const tooLarge = (size: number) => size > limits.maxEntryBytes;
  if (tooLarge(entry.uncompressedSize))
    throw new ZipReadError(`${name} is larger than ${limits.maxEntryBytes} bytes uncompressed`);
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      budget.total += chunk.length;
      if (tooLarge(size))
        throw new ZipReadError(`${name} is larger than ${limits.maxEntryBytes} bytes uncompressed`);
      if (budget.total > limits.maxTotalBytes)
        throw new ZipReadError(
          `the ZIP holds more than ${limits.maxTotalBytes} bytes uncompressed`,
        );
      chunks.push(chunk);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, size);
}
