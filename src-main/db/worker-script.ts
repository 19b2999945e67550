/**
 * Where a worker thread's code comes from: the compiled file in dist/node when it is fresh
 * (launcher/compiled.mjs), else the TypeScript source run through tsx; null when neither can be
 * had (a packaged app without the file), and the caller then does the work in its own thread.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledFile } from '../launcher/compiled.mjs';
import { sourceRoot } from '../paths.ts';

export interface WorkerSource {
  /** A file name, or (eval) the code itself. */
  file: string;
  eval: boolean;
}

/** `name` is the compiled entry (launcher/compiled.mjs ENTRIES), `source` its file under the app's folder `root`. */
export function workerSource(name: string, source: string, root = sourceRoot()): WorkerSource | null {
  try {
    const compiled = compiledFile(name);
    if (compiled) return { file: compiled, eval: false };
    const file = path.join(root, source);
    if (!fs.existsSync(file)) return null;
    return { file: `const { register } = await import('tsx/esm/api'); register();\nawait import(${JSON.stringify(pathToFileURL(file).href)});\n`, eval: true };
  } catch {
    return null;
  }
}
