/**
 * Where the app's own files are: reference data (`resources/`), migrations (`drizzle/`) and the
 * built renderer (`dist/renderer`). In a source checkout they sit at the repository root; the
 * packaged Electron app passes its own root (see src-main/electron/main.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AppPaths {
  resourcesDir: string;
  migrationsDir: string;
  rendererDir: string;
}

export function appPathsFrom(root: string): AppPaths {
  return {
    resourcesDir: path.join(root, 'resources'),
    migrationsDir: path.join(root, 'drizzle'),
    rendererDir: path.join(root, 'dist', 'renderer'),
  };
}

let foundRoot: string | null = null;

/**
 * The repository root when running from a checkout: from the sources (src-main/paths.ts, under
 * tsx or vitest) or from the compiled JavaScript (dist/node/*.mjs), the nearest folder above this
 * file holding the app's package.json and its migrations.
 */
export function sourceRoot(): string {
  if (process.env.NEEDMAP_ROOT) return process.env.NEEDMAP_ROOT;
  if (foundRoot) return foundRoot;
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'drizzle'))) return (foundRoot = dir);
    if (path.dirname(dir) === dir) return (foundRoot = path.resolve(here, '..'));
  }
}

export function defaultAppPaths(): AppPaths {
  return appPathsFrom(sourceRoot());
}
