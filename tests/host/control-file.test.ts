/** The browser host's control file (how `needmap open` gets a new start link) stays private to this user. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ControlFileError, readControlFile, writeControlFile } from '../../src-main/host/control-file.ts';

const content = {
  format: 'needmap-browser-host',
  pid: 4242,
  origin: 'http://127.0.0.1:5123',
  dbFile: '/data/case.db',
  controlSecret: 'c'.repeat(43),
  startedAt: 'now',
} as const;

describe.skipIf(process.platform === 'win32')('the control file', () => {
  it('is written 0600 and read back; a file others can read, or a planted temporary file, is never used', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'needmap-control-'));
    const file = writeControlFile(dir, { ...content });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readControlFile(dir, content.dbFile)).toEqual(content);
    expect(readControlFile(dir, '/data/other.db')).toBeNull();

    fs.chmodSync(file, 0o644);
    expect(() => readControlFile(dir, content.dbFile)).toThrow(ControlFileError);
    expect(() => readControlFile(dir, content.dbFile)).toThrow(/can be read by other users; NeedMap will not use it\. Remove it and start NeedMap again\./);

    // Another program links the temporary name to a file of its own: the write replaces the link, never writes through it.
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'untouched');
    fs.symlinkSync(victim, `${file}.${process.pid}.tmp`);
    writeControlFile(dir, { ...content, pid: 4343 });
    expect(fs.readFileSync(victim, 'utf8')).toBe('untouched');
    expect(readControlFile(dir, content.dbFile)?.pid).toBe(4343);
  });
});
