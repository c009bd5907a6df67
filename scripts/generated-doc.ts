/**
 * Writes a generated document, or with `--check` fails (exit 1) when the file on disk differs:
 * what `npm run check` runs, so a doc cannot drift from the code it is generated from.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const root = join(import.meta.dirname, '..');

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function writeOrCheck(path: string, expected: string, script: string, args: string[]): void {
  const name = relative(root, path);
  if (args.includes('--check')) {
    if (read(path) !== expected) {
      console.error(`${name} is stale: run \`node ${script}\``);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(path, expected);
  console.log(`wrote ${name}`);
}

/**
 * Replaces the part of `document` between the two marker lines (kept) with `section`: for a
 * generated section inside a hand-written document.
 */
export function replaceSection(document: string, marker: string, section: string): string {
  const start = `<!-- ${marker}: generated, do not edit by hand -->`;
  const end = `<!-- /${marker} -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the document has no ${start} … ${end} section`);
  return `${document.slice(0, from + start.length)}\n${section}${document.slice(to)}`;
}

/** One table cell: no line breaks, no unescaped pipes. */
export function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}
