/**
 * Sizes of the server's source files (src/**\/*.ts without tests) and its largest functions, for
 * code-health reviews: `node scripts/code-sizes.ts [repository dir]`. A function's size is its own
 * lines, without those of the functions nested in it (a factory's methods count apart).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const dir = process.argv[2] ?? '.';
const files = execFileSync('git', ['-C', dir, 'ls-files', 'src/*.ts'], { encoding: 'utf8' })
  .split('\n')
  .filter((file) => file && !file.endsWith('.test.ts'));

const sizes = files
  .map((file) => ({ file, lines: readFileSync(`${dir}/${file}`, 'utf8').split('\n').length }))
  .sort((a, b) => a.lines - b.lines);
const quantile = (q: number) =>
  sizes[Math.min(sizes.length - 1, Math.floor(q * sizes.length))]?.lines;
console.log(`files ${sizes.length}, median ${quantile(0.5)}, p90 ${quantile(0.9)} lines`);
const large = sizes.filter((s) => s.lines > 400).map((s) => `${s.file} ${s.lines}`);
console.log(`over 400 lines: ${large.join(', ') || 'none'}`);

const isFunction = (node: ts.Node) =>
  ts.isFunctionDeclaration(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isArrowFunction(node) ||
  ts.isFunctionExpression(node);

function nameOf(node: ts.Node): string {
  const own = (node as { name?: ts.Node }).name;
  if (own) return own.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) {
    return parent.name.getText();
  }
  return '(anonymous)';
}

const functions: { name: string; lines: number }[] = [];
for (const file of files) {
  const source = ts.createSourceFile(
    file,
    readFileSync(`${dir}/${file}`, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const span = (node: ts.Node) =>
    source.getLineAndCharacterOfPosition(node.getEnd()).line -
    source.getLineAndCharacterOfPosition(node.getStart()).line +
    1;
  const visit = (node: ts.Node) => {
    if (isFunction(node)) {
      let nested = 0;
      const inner = (child: ts.Node) => {
        if (isFunction(child)) nested += span(child);
        else ts.forEachChild(child, inner);
      };
      ts.forEachChild(node, inner);
      functions.push({ name: `${file}:${nameOf(node)}`, lines: span(node) - nested });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
functions.sort((a, b) => b.lines - a.lines);
console.log('largest functions (own lines):');
for (const f of functions.slice(0, 8)) console.log(`  ${f.lines}  ${f.name}`);
