/**
 * `vigil evidence verify FILE [--key FINGERPRINT]` (docs/compliance.md#verifying-a-pack-offline):
 * an evidence pack checked offline, no database, by the very code the pack carries as verify.mjs.
 */
import { readZip, verifyPackFiles, ZipReadError } from '../../compliance/index.ts';
import { type Command, onlyOptions, positional, print, text, UsageError } from './kit.ts';

/** The `--key` fingerprint as `vigil reviews seal-keys` prints it (colons and case aside). */
function fingerprintOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const hex = value.toLowerCase().replace(/[\s:]/g, '');
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new UsageError('--key must be a SHA-256 fingerprint (64 hexadecimal digits)');
  return hex;
}

export const evidenceVerifyCommands: Record<string, Command> = {
  async 'evidence verify'(ctx) {
    onlyOptions(ctx, 'evidence verify', ['key']);
    const [file = ''] = positional(ctx, 'evidence verify', ['file']);
    const fingerprint = fingerprintOption(text(ctx, 'key'));
    let files: Map<string, Buffer>;
    try {
      files = await readZip(file);
    } catch (err) {
      if (!(err instanceof ZipReadError)) throw err;
      // Nothing of the pack could be checked: not a verdict on it (exit 2, not 1).
      ctx.stderr.write(`${err.message}\n`);
      return 2;
    }
    const result = verifyPackFiles(files, { fingerprint });
    const human = [
      ...result.checked.map((line) => `checked: ${line}`),
      ...result.problems.map((p) => `PROBLEM: ${p.file ? `${p.file}: ` : ''}${p.message}`),
      result.ok
        ? 'VERIFIED: the pack is exactly as signed'
        : `NOT VERIFIED: ${result.problems.length} problem(s)`,
    ];
    const m = result.manifest;
    print(ctx, human.join('\n'), {
      ok: result.ok,
      file,
      org: m?.org ?? null,
      period: m?.period ?? null,
      key: m ? { id: m.key.id, fingerprint: m.key.fingerprint } : null,
      checked: result.checked,
      problems: result.problems,
    });
    return result.ok ? 0 : 1;
  },
};
