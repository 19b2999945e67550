#!/usr/bin/env node
// Builds the renderer (Vite) and, unless --renderer is given, the Electron main and preload and the
// compiled command line (esbuild).
import { build as viteBuild } from 'vite';
import { build as esbuild } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const rendererOnly = process.argv.includes('--renderer');

await viteBuild({ configFile: path.join(root, 'src-renderer', 'vite.config.ts'), logLevel: 'warn' });

if (!rendererOnly) {
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    // Native and Electron modules are loaded at run time, never bundled.
    external: ['electron', 'better-sqlite3', '@node-rs/argon2'],
    // import.meta.url (how the sources find the app's folder) in a CommonJS bundle.
    define: { 'import.meta.url': '__needmapImportMetaUrl' },
    banner: { js: "const __needmapImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  };
  await esbuild({ ...common, entryPoints: [path.join(root, 'src-main/electron/main.ts')], outfile: path.join(root, 'dist/electron/main.cjs') });
  await esbuild({ ...common, entryPoints: [path.join(root, 'src-main/electron/preload.ts')], outfile: path.join(root, 'dist/electron/preload.cjs') });
}
if (!rendererOnly) {
  // The command line, the browser host and the worker threads (see compiled.mjs).
  const { buildNode } = await import('./build-node.mjs');
  await buildNode();
}
console.log(`Built ${rendererOnly ? 'the renderer' : 'the renderer, the Electron main process and the command line'} into dist/.`);
