#!/usr/bin/env node
// Builds the renderer (Vite) and, unless --renderer is given, the Electron main and preload (esbuild).
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
  };
  await esbuild({ ...common, entryPoints: [path.join(root, 'src-main/electron/main.ts')], outfile: path.join(root, 'dist/electron/main.cjs') });
  await esbuild({ ...common, entryPoints: [path.join(root, 'src-main/electron/preload.ts')], outfile: path.join(root, 'dist/electron/preload.cjs') });
}
console.log(`Built ${rendererOnly ? 'the renderer' : 'the renderer and the Electron main process'} into dist/.`);
