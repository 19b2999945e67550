/**
 * Audit entries that cannot be written into the database when they happen wait in a journal
 * beside it, `<db>.audit-journal/`, one small JSON file each (written whole, then renamed in):
 * failed logins while the encrypted database is locked (closed, its key not in memory), and CLI
 * commands that read the database while another NeedMap process holds it. The next process that
 * opens the database for writing chains them into the hash-chained audit log, oldest first, each
 * keeping the time it happened and its journal id (a crash between chaining and deleting can
 * chain one twice; the id shows it). Entries hold no password and no client details.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CaseDatabase, CaseDb } from '../open.ts';
import { appendAudit } from './audit.ts';

export const JournalEntry = z.object({
  at: z.string(),
  userId: z.number().int().nullable(),
  username: z.string().nullable(),
  action: z.string().min(1).max(100),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

/** Beyond this many waiting entries, new ones are only counted (one entry says how many). */
export const MAX_JOURNAL_ENTRIES = 10_000;

const NAME = /^(\d{15})-\d+-[0-9a-f]{12}\.json$/;

export function auditJournalDir(dbFile: string): string {
  return `${path.resolve(dbFile)}.audit-journal`;
}

/** Entries counted but not written because the journal was full, per journal folder (this process). */
const overflow = new Map<string, number>();

export function journalAudit(dbFile: string, entry: Omit<JournalEntry, 'at'> & { at?: string }): void {
  const dir = auditJournalDir(dbFile);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (fs.readdirSync(dir).length >= MAX_JOURNAL_ENTRIES) {
    overflow.set(dir, (overflow.get(dir) ?? 0) + 1);
    return;
  }
  const at = entry.at ?? new Date().toISOString();
  const name = `${String(Date.parse(at)).padStart(15, '0')}-${process.pid}-${randomBytes(6).toString('hex')}.json`;
  const temp = path.join(dir, `.${name}.tmp`);
  fs.writeFileSync(temp, JSON.stringify({ ...entry, at }), { mode: 0o600 });
  fs.renameSync(temp, path.join(dir, name));
}

export function pendingJournalEntries(dbFile: string): number {
  const dir = auditJournalDir(dbFile);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => NAME.test(n)).length : 0;
}

/** Chains every waiting entry into the audit log (oldest first) and removes it. Returns how many. */
export function drainAuditJournal(caseDb: CaseDatabase): number {
  const dir = auditJournalDir(caseDb.file);
  if (!fs.existsSync(dir)) return 0;
  const names = fs
    .readdirSync(dir)
    .filter((n) => NAME.test(n))
    .sort();
  const dropped = overflow.get(dir) ?? 0;
  if (names.length === 0 && dropped === 0) return 0;
  const done: string[] = [];
  caseDb.db.transaction((tx) => {
    for (const name of names) {
      const file = path.join(dir, name);
      let entry: JournalEntry;
      try {
        entry = JournalEntry.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
      } catch {
        // A damaged entry is kept aside for a person to look at, and its existence is logged.
        fs.renameSync(file, `${file}.unreadable`);
        appendAudit(tx as unknown as CaseDb, { userId: null, username: null }, 'audit.journalUnreadable', null, { journalId: name });
        continue;
      }
      appendAudit(tx as unknown as CaseDb, { userId: entry.userId, username: entry.username }, entry.action, entry.target, {
        ...entry.detail,
        happenedAt: entry.at,
        journalId: name.replace(/\.json$/, ''),
      });
      done.push(file);
    }
    if (dropped > 0) appendAudit(tx as unknown as CaseDb, { userId: null, username: null }, 'audit.journalOverflow', null, { notWritten: dropped });
  });
  overflow.delete(dir);
  for (const file of done) fs.rmSync(file, { force: true });
  return done.length;
}
