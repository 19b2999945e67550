/**
 * No source file over 600 lines. ESLint's max-lines checks the code it reads (.ts, .tsx, .mjs);
 * this checks the rest of what people edit by hand: the SQL sources, styles and the page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const MAX_LINES = 600;
const CHECKED = ['.sql', '.css', '.html'];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' || entry.name === 'node_modules' ? [] : filesUnder(full);
    return CHECKED.includes(path.extname(entry.name)) ? [full] : [];
  });
}

it(`keeps every hand-written SQL, CSS and HTML source under ${MAX_LINES} lines`, () => {
  const files = ['src-main', 'src-renderer'].flatMap((dir) => filesUnder(path.join(root, dir)));
  expect(files.some((f) => f.endsWith('.sql'))).toBe(true);
  const long = files.map((f) => ({ file: path.relative(root, f), lines: fs.readFileSync(f, 'utf8').split('\n').length })).filter((f) => f.lines > MAX_LINES);
  expect(long).toEqual([]);
});
