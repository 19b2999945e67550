/**
 * Where the app's own files are: reference data (`resources/`), migrations (`drizzle/`) and the
 * built renderer (`dist/renderer`). In a source checkout they sit at the repository root; the
 * packaged Electron app passes its own root (see src-main/electron/main.ts).
 */
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

/** The repository root when running from source (tsx, vitest). */
export function sourceRoot(): string {
  return process.env.NEEDMAP_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
}

export function defaultAppPaths(): AppPaths {
  return appPathsFrom(sourceRoot());
}
