// The Node side of NeedMap (the `needmap` CLI, the browser host, the area import's verification
// workers) compiled once to plain JavaScript in dist/node/ by esbuild, so a start does not compile
// TypeScript (tsx took ~1.4 s before `needmap --help` could answer). `npm ci` builds it (the
// `prepare` script); so does `npm run build`. A start uses it only when it is fresh: every source
// file it was built from still has the size and modification time recorded in its manifest;
// otherwise the first start rebuilds it (about a second), and if that is impossible the sources
// run through tsx as before. Plain .mjs: it runs before anything can be compiled.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const outDir = path.join(root, 'dist', 'node');
const manifestFile = path.join(outDir, 'manifest.json');

/** The compiled entry points: name → source, relative to the repository root. */
export const ENTRIES = {
  cli: 'src-main/cli/main.ts',
  'verify-worker': 'src-main/db/area/verify-worker.ts',
};

/** Whether every input recorded in the manifest is unchanged (same size and modification time). */
export function isFresh() {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
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
  return Object.keys(ENTRIES).every((name) => fs.existsSync(path.join(outDir, `${name}.mjs`)));
}

/** The compiled file of an entry point when it is fresh, else null. */
export function compiledFile(name) {
  return isFresh() ? path.join(outDir, `${name}.mjs`) : null;
}

/**
 * Builds dist/node with esbuild. Native modules stay outside the bundle (loaded from
 * node_modules at run time, never rebuilt here); everything else is bundled, which also saves
 * resolving hundreds of package files at each start. Written to a temporary folder and moved into
 * place, so a start that runs at the same time never sees half a build.
 */
export async function buildNode({ quiet = false } = {}) {
  const { build } = await import('esbuild');
  const tmp = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, src]) => [name, path.join(root, src)])),
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    minify: true,
    metafile: true,
    logLevel: quiet ? 'silent' : 'warning',
    external: ['better-sqlite3', '@node-rs/argon2', 'electron', 'tsx', 'tsx/*', 'esbuild', 'vite'],
    // Packages written as CommonJS call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __needmapCreateRequire } from 'node:module'; const require = __needmapCreateRequire(import.meta.url);" },
  });
  writeCommandIndex(tmp);
  const inputs = Object.keys(result.metafile.inputs)
    .map((file) => path.resolve(root, file))
    .filter((file) => fs.existsSync(file))
    .map((file) => {
      const stat = fs.statSync(file);
      return [path.relative(root, file), stat.size, stat.mtimeMs];
    });
  fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify({ version: 1, entries: ENTRIES, builtAt: new Date().toISOString(), inputs }));
  fs.rmSync(outDir, { recursive: true, force: true });
  try {
    fs.renameSync(tmp, outDir);
  } catch (error) {
    // Another process put its build in place first: theirs is as good.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(outDir)) throw error;
  }
  return outDir;
}

/**
 * The `needmap --help` overview, written at build time (as oclif's command manifest is) so the
 * overview does not load every command: the built CLI is run once to list its commands.
 */
function writeCommandIndex(dir) {
  const cli = pathToFileURL(path.join(dir, 'cli.mjs')).href;
  const script = `const m = await import(${JSON.stringify(cli)}); process.stdout.write(JSON.stringify({ overview: m.overviewText(await m.commandIndex()) }));`;
  const listed = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  // Without an index the overview is made by loading every command: slower, same text.
  if (listed.status === 0) fs.writeFileSync(path.join(dir, 'commands.json'), listed.stdout);
}

/** The overview text from the command index, or null when there is none. */
export function overviewFromIndex() {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, 'commands.json'), 'utf8')).overview ?? null;
  } catch {
    return null;
  }
}

/** The fresh compiled entry, building it first when needed; null when it cannot be built (the caller then runs the sources). */
export async function ensureCompiled(name) {
  const fresh = compiledFile(name);
  if (fresh) return fresh;
  try {
    await buildNode({ quiet: true });
  } catch {
    return null;
  }
  return compiledFile(name);
}

/** `node src-main/launcher/compiled.mjs`: build now (the `prepare` script). Never fails an install: a start can still build or run the sources. */
if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  try {
    await buildNode();
    console.log('Compiled the NeedMap command and host into dist/node/.');
  } catch (error) {
    console.log(`[NeedMap] Could not compile dist/node now (${error?.message ?? error}); the first start will try again.`);
  }
}
