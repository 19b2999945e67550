/**
 * How `needmap open` asks a running browser host for a new start link: the host writes a control
 * file — its address and a random control secret — into the user's data folder, readable by this
 * user only, and accepts POST /api/start-link only with that secret. Whoever can read the file is
 * already this user; nobody else can ask for a link.
 *
 * POSIX: the folder is created 0700 and the file 0600, and `needmap open` refuses a file that
 * another user owns or that others could read. Windows has no POSIX modes: the file lives under
 * %APPDATA% (the user's own profile), whose permissions by default admit only that user, the
 * system and administrators; NeedMap relies on that and does not change the folder's ACL.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PrivateFileError, readPrivateFile, writePrivateFile } from '../private-files.ts';

const ControlFile = z.object({
  format: z.literal('needmap-browser-host'),
  pid: z.number().int().positive(),
  origin: z.string().regex(/^http:\/\/127\.0\.0\.1:\d+$/),
  dbFile: z.string(),
  controlSecret: z.string().min(32),
  startedAt: z.string(),
});
export type ControlFile = z.infer<typeof ControlFile>;

/** One file per database, so hosts on different databases do not meet. */
export function controlFilePath(userDataDir: string, dbFile: string): string {
  const key = createHash('sha256').update(path.resolve(dbFile), 'utf8').digest('hex').slice(0, 16);
  return path.join(userDataDir, 'browser-hosts', `${key}.json`);
}

export function writeControlFile(userDataDir: string, content: ControlFile): string {
  const file = controlFilePath(userDataDir, content.dbFile);
  writePrivateFile(file, JSON.stringify(content, null, 2) + '\n');
  return file;
}

/** Removes the control file if it is still this process's. */
export function removeControlFile(file: string, pid = process.pid): void {
  try {
    const content = ControlFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (content.pid === pid) fs.rmSync(file, { force: true });
  } catch {
    // Gone already, or not ours.
  }
}

export class ControlFileError extends Error {
  override name = 'ControlFileError';
}

/** Reads the control file for `dbFile`, refusing one that is not private to this user (POSIX). Null when there is none. */
export function readControlFile(userDataDir: string, dbFile: string): ControlFile | null {
  const file = controlFilePath(userDataDir, dbFile);
  let text: string | null;
  try {
    text = readPrivateFile(file, 'Remove it and start NeedMap again.');
  } catch (error) {
    if (error instanceof PrivateFileError) throw new ControlFileError(error.message, { cause: error });
    throw error;
  }
  if (text === null) return null;
  let raw: unknown = null;
  try {
    raw = JSON.parse(text);
  } catch {
    // Reported below as not a NeedMap file.
  }
  const parsed = ControlFile.safeParse(raw);
  if (!parsed.success) throw new ControlFileError(`${file} is not a NeedMap browser-host file; remove it and start NeedMap again.`);
  return parsed.data;
}
