/**
 * `geo.import` and `needmap geo import`: the user's reference file (copied from the shipped one the
 * first time, and brought up to the shipped data's format: reference-upgrade.ts) with the
 * downloaded files merged in (reference-import.ts), all of them or none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadReferenceContent, ReferenceError } from './reference-file.ts';
import { ReferenceImport, ReferenceImportError, saveReferenceFile, type ImportProgress, type ImportSummary } from './reference-import.ts';
import { upgradeUserReference } from './reference-upgrade.ts';

/** The user's copy of the reference data, made from the shipped one the first time it is needed. */
export function ensureUserReference(userFile: string, shippedFile: string): void {
  if (fs.existsSync(userFile)) return;
  if (!fs.existsSync(shippedFile)) throw new ReferenceError(`The shipped reference data is missing (${shippedFile}); reinstall NeedMap.`);
  fs.mkdirSync(path.dirname(path.resolve(userFile)), { recursive: true });
  const temp = `${userFile}.copying-${process.pid}`;
  fs.copyFileSync(shippedFile, temp);
  fs.renameSync(temp, userFile);
}

export interface ImportOptions {
  /** Copied to `referenceFile` first when that does not exist yet. */
  shippedFile?: string;
  onProgress?: (progress: ImportProgress) => void;
  now?: Date;
}

/**
 * Imports `inputs` into the reference file: all of them or none (a refused file throws
 * ReferenceImportError and the reference file is left exactly as it was).
 */
export async function importReferenceFiles(referenceFile: string, inputs: string[], options: ImportOptions = {}): Promise<ImportSummary> {
  if (inputs.length === 0) throw new ReferenceImportError('Choose at least one file to import.');
  if (options.shippedFile) {
    ensureUserReference(referenceFile, options.shippedFile);
    upgradeUserReference(referenceFile, options.shippedFile, options.now);
  }
  const base = loadReferenceContent(referenceFile);
  const run = new ReferenceImport(base, options.onProgress, options.now);
  for (const input of inputs) await run.addFile(input);
  const content = run.finish();
  saveReferenceFile(referenceFile, content);
  return { ...run.summary, referenceFile, postcodesTotal: content.index.size };
}
