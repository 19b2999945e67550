/**
 * NeedMap's own small secret files (the browser host's control file; the office server's and a
 * client PC's certificate key, device register, sessions, connection settings): written whole (temporary file, flushed, renamed) so a crash
 * leaves the old or the new file and never half of one; readable by this user only (POSIX 0600 in
 * a 0700 folder). On Windows there are no POSIX modes: the files live in the user's profile or
 * beside the database, as the key slots do (see docs/data-protection.md).
 */
import fs from 'node:fs';
import path from 'node:path';

export class PrivateFileError extends Error {
  override name = 'PrivateFileError';
}

export function ensurePrivateFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export function writePrivateFile(file: string, content: string | Buffer): void {
  ensurePrivateFolder(path.dirname(file));
  const temp = `${file}.${process.pid}.tmp`;
  // A fresh file ('wx'): never one left or planted at that name (a link would be followed).
  fs.rmSync(temp, { force: true });
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}

/**
 * A private file's text, or null when it does not exist; refuses one another user owns or others can
 * read (POSIX). `remedy` tells the reader what to do about a readable one.
 */
export function readPrivateFile(file: string, remedy = `Make it private (chmod 600 ${path.basename(file)}) and start again.`): string | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return null;
  }
  if (process.platform !== 'win32') {
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) throw new PrivateFileError(`${file} belongs to another user; NeedMap will not use it.`);
    if ((stat.mode & 0o077) !== 0) {
      throw new PrivateFileError(`${file} can be read by other users; NeedMap will not use it. ${remedy}`);
    }
  }
  return fs.readFileSync(file, 'utf8');
}
