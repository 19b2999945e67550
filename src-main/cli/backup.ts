import fs from 'node:fs';
import { acquireDatabaseLock } from '../db/database-lock.ts';
import { backupTo, restoreDatabase, RestoreRefused } from '../db/protect/backup.ts';
import { describeReapply } from '../db/protect/reconcile.ts';
import { defaultAppPaths } from '../paths.ts';
import { UsageError, requireString, type Command } from './command.ts';
import { KEY_HELP, caseDbKey, keyFileOption } from './db-key.ts';
import { openForReadingAudited, openForWriting } from './writer.ts';

const backupUsage = 'needmap backup --db FILE --out FILE [--key-file FILE]';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'Write a consistent copy of the case database (encrypted like the source, with its key slots file).',
  usage: `${backupUsage}

  --db FILE        case database (may be in use by the app)
  --out FILE       backup file to write (must not exist yet)
${KEY_HELP}`,
  options: { db: { type: 'string' }, out: { type: 'string' }, ...keyFileOption },
  run(values) {
    const dbFile = requireString(values, 'db', backupUsage);
    const out = requireString(values, 'out', backupUsage);
    if (!fs.existsSync(dbFile)) throw new UsageError(`No database at ${dbFile}.`);
    if (fs.existsSync(out)) throw new UsageError(`${out} already exists; choose a new file name.`);
    const key = caseDbKey(values, dbFile);
    // A backup only reads: beside a running app it copies read-only and its audit entry waits in the journal.
    const opened = openForReadingAudited(dbFile, key, 'needmap backup');
    try {
      // Logged before the copy (when it can be), so the backup holds its own entry.
      opened.audit('backup', null, { via: 'cli' });
      const result = backupTo(opened.caseDb, out);
      process.stdout.write(
        `Backed up ${dbFile} to ${out} (${result.bytes} bytes, ${key ? 'encrypted' : 'not encrypted'}).\n` +
          (result.keySlotsCopied ? `Key slots copied to ${out}.keys.json; keep them together.\n` : ''),
      );
      return 0;
    } finally {
      opened.close();
    }
  },
};

const restoreUsage = 'needmap restore --db FILE --from FILE [--force] [--key-file FILE]';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Replace the case database by a backup (the replaced file is kept aside); refuses to go back in time without --force.',
  usage: `${restoreUsage}

  --db FILE        case database to replace (refused while NeedMap has it open: close the app first)
  --from FILE      backup file
  --force          restore even though the database holds newer records than the backup
${KEY_HELP}

  The erasure register beside the database is then re-applied to the restored copy, so nobody
  erased since the backup comes back; what it re-applied is printed.`,
  options: { db: { type: 'string' }, from: { type: 'string' }, force: { type: 'boolean', default: false }, ...keyFileOption },
  run(values) {
    const dbFile = requireString(values, 'db', restoreUsage);
    const from = requireString(values, 'from', restoreUsage);
    if (!fs.existsSync(from)) throw new UsageError(`No backup at ${from}.`);
    // Never underneath a running NeedMap: refused with "in use by NeedMap (process N, since …)".
    const lock = acquireDatabaseLock(dbFile, 'needmap restore');
    try {
      // The backup carries its own key slots; the current database's are the fallback.
      const key = fs.existsSync(`${from}.keys.json`) || !fs.existsSync(dbFile) ? caseDbKey(values, from) : caseDbKey(values, dbFile);
      let result;
      try {
        result = restoreDatabase(dbFile, from, { migrationsDir: defaultAppPaths().migrationsDir, key, force: values.force === true });
      } catch (error) {
        // Refused (newer database) is an ordinary failure: exit 1 with the reason on stderr.
        if (error instanceof RestoreRefused) throw new Error(error.message, { cause: error });
        throw error;
      }
      const p = result.preview;
      process.stdout.write(
        `Restored ${dbFile} from ${from}: ${p.clients} clients (${p.erasedClients} erased), ${p.contacts} contacts, ${p.issues} issues, ` +
          `contacts ${p.firstContact ?? '-'} to ${p.lastContact ?? '-'}, schema ${p.schemaVersion ?? 'none'}.\n` +
          (result.replacedFile ? `The replaced database is kept at ${result.replacedFile}.\n` : ''),
      );
      // Opening it for writing re-applies the erasure register before anything else reads it.
      const restored = openForWriting(dbFile, key, 'needmap restore', { announce: false });
      try {
        restored.audit('restore', null, { from, replaced: result.replacedFile, erasuresReapplied: restored.report!.erasures.reapplied.length });
        process.stdout.write(`${describeReapply(restored.report!.erasures) ?? 'Erasure register: none yet (nobody has been erased).'}\n`);
      } finally {
        restored.close();
      }
      return 0;
    } finally {
      lock.release();
    }
  },
};
