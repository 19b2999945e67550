// The Node side of NeedMap (the `needmap` CLI, the browser host, the worker threads) compiled
// once to plain JavaScript in dist/node/ by esbuild (build-node.mjs), so a start does not compile
// TypeScript (tsx took ~1.4 s before `needmap --help` could answer). `npm ci` builds it (the
// `prepare` script); so does `npm run build`. A start uses it only when it is fresh: every source
// file it was built from still has the size and modification time recorded in its manifest;
// otherwise the first start rebuilds it (about a second), and if that is impossible the sources
// run through tsx as before. Plain .mjs, no dependencies: it runs before anything is compiled,
// and is bundled into the compiled files themselves (to find the worker threads' code).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This file is two folders below the repository root both as a source (src-main/launcher) and
// bundled into a compiled file (dist/node, dist/electron).
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const outDir = path.join(root, 'dist', 'node');

/** The compiled entry points: name → source, relative to the repository root. */
export const ENTRIES = {
  cli: 'src-main/cli/main.ts',
  'verify-worker': 'src-main/db/area/verify-worker.ts',
  'integrity-worker': 'src-main/db/integrity-worker.ts',
  'read-worker': 'src-main/db/reports/read-worker.ts',
};

/** Whether every input recorded in a build's manifest is unchanged (same size and modification time). */
export function isFresh(dir = outDir) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return false;
  }
  if (manifest.version !== 1 || JSON.stringify(manifest.entries) !== JSON.stringify(ENTRIES)) return false;
  for (const [file, size, mtimeMs] of manifest.inputs) {
    let stat;
    try {
      stat = fs.statSync(path.join(root, file));
    } catch {
      return false;
    }
    if (stat.size !== size || stat.mtimeMs !== mtimeMs) return false;
  }
  return Object.keys(ENTRIES).every((name) => fs.existsSync(path.join(dir, `${name}.mjs`)));
}

/** The compiled file of an entry point when it is fresh, else null. */
export function compiledFile(name) {
  return isFresh() ? path.join(outDir, `${name}.mjs`) : null;
}

/** The overview text from the command index (written by the build), or null when there is none. */
export function overviewFromIndex() {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, 'commands.json'), 'utf8')).overview ?? null;
  } catch {
    return null;
  }
}
