// Building dist/node (see compiled.mjs for what it is and when it is used): esbuild bundles each
// entry point into one minified ES module, with a manifest of every input file's size and
// modification time and the command index. `node src-main/launcher/build-node.mjs` builds now
// (the `prepare` script that `npm ci` runs); it never touches native modules and never fails an
// install — a start can still build, or run the sources.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENTRIES, compiledFile, outDir, root } from './compiled.mjs';

/**
 * Builds dist/node with esbuild. Native modules stay outside the bundle (loaded from
 * node_modules at run time, never rebuilt here); everything else is bundled, which also saves
 * resolving hundreds of package files at each start.
 */
export async function buildNode({ quiet = false } = {}) {
  const { build } = await import('esbuild');
  const startedAt = Date.now();
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
      // A file changed while the build ran may not be in it: recorded as never matching, so the next start rebuilds.
      return [path.relative(root, file), stat.size, stat.mtimeMs > startedAt - 1000 ? -1 : stat.mtimeMs];
    });
  fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify({ version: 1, entries: ENTRIES, builtAt: new Date().toISOString(), inputs }));
  // Each file moved over the old one (an atomic replace), the manifest last: a start running at
  // the same time loads either the old build or the new one, never a missing file.
  fs.mkdirSync(outDir, { recursive: true });
  const files = fs.readdirSync(tmp).filter((f) => f !== 'manifest.json');
  for (const file of [...files, 'manifest.json']) fs.renameSync(path.join(tmp, file), path.join(outDir, file));
  fs.rmSync(tmp, { recursive: true, force: true });
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

/** `node src-main/launcher/build-node.mjs`: build now (the `prepare` script). Never fails an install: a start can still build or run the sources. */
if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  try {
    await buildNode();
    console.log('Compiled the NeedMap command and host into dist/node/.');
  } catch (error) {
    console.log(`[NeedMap] Could not compile dist/node now (${error?.message ?? error}); the first start will try again.`);
  }
}
