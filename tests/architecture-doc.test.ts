/**
 * docs/architecture.md stays true: every file or folder it names in `code` exists (a file, or a folder written with a final /, relative to
 * the repository, to src-main, src-main/ipc or src-renderer, or a bare file name found somewhere in
 * the tree). Placeholders like `<feature>` and globs are skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const BASES = ['', 'src-main', 'src-main/ipc', 'src-renderer'];
const FILE = /\.(ts|tsx|mjs|js|md|sql|json|css|html)$/;

function allFileNames(dir: string, into = new Set<string>()): Set<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) allFileNames(path.join(dir, entry.name), into);
    else into.add(entry.name);
  }
  return into;
}

it('names only files and folders that exist', () => {
  const text = fs.readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8');
  const spans = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  const paths = spans.filter((s) => !/[<>*\s'"(]/.test(s) && !s.startsWith('.') && (FILE.test(s) || s.endsWith('/')));
  expect(paths.length).toBeGreaterThan(40);
  const names = allFileNames(root);
  const missing = paths.filter((p) => (p.includes('/') ? !BASES.some((base) => fs.existsSync(path.join(root, base, p))) : !names.has(p)));
  expect(missing).toEqual([]);
});
