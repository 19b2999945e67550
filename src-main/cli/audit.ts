import fs from 'node:fs';
import path from 'node:path';
import { openCaseDatabase } from '../db/open.ts';
import { auditCsv, verifyAuditLog } from '../db/protect/audit.ts';
import { defaultAppPaths } from '../paths.ts';
import { UsageError, requireString, type Command } from './command.ts';
import { KEY_HELP, caseDbKey, keyFileOption } from './db-key.ts';
import { openForReadingAudited } from './writer.ts';

const usage = 'needmap audit verify --db FILE [--key-file FILE]';

export const auditVerifyCommand: Command = {
  name: 'audit verify',
  summary: "Check the audit log's hash chain: exit 0 when intact, 1 naming the first entry that was edited or removed.",
  usage: `${usage}

  --db FILE        case database
${KEY_HELP}`,
  options: { db: { type: 'string' }, ...keyFileOption },
  run(values) {
    const dbFile = requireString(values, 'db', usage);
    if (!fs.existsSync(dbFile)) throw new UsageError(`No database at ${dbFile}.`);
    const key = caseDbKey(values, dbFile);
    // Read-only, so verifying never changes the file being checked.
    const caseDb = openCaseDatabase(dbFile, { migrationsDir: defaultAppPaths().migrationsDir, readonly: true, ...(key ? { key } : {}) });
    try {
      const check = verifyAuditLog(caseDb);
      if (check.ok) {
        process.stdout.write(`Audit log intact: ${check.entries} entries, hash chain unbroken.\n`);
        return 0;
      }
      process.stdout.write(`Audit log BROKEN at entry ${check.firstBadId}: ${check.reason}.\n`);
      return 1;
    } finally {
      caseDb.close();
    }
  },
};

const exportUsage = 'needmap audit export --db FILE --out FILE [--key-file FILE]';

export const auditExportCommand: Command = {
  name: 'audit export',
  summary: 'Write the whole audit log (hashes included) to a CSV file; the export is itself logged.',
  usage: `${exportUsage}

  --db FILE        case database
  --out FILE       the CSV file to write (must not exist yet)
${KEY_HELP}`,
  options: { db: { type: 'string' }, out: { type: 'string' }, ...keyFileOption },
  run(values) {
    const dbFile = requireString(values, 'db', exportUsage);
    const outFile = requireString(values, 'out', exportUsage);
    if (!fs.existsSync(dbFile)) throw new UsageError(`No database at ${dbFile}.`);
    if (fs.existsSync(outFile)) throw new UsageError(`${outFile} already exists; choose a new file name.`);
    const key = caseDbKey(values, dbFile);
    // Works beside a running NeedMap too (read-only; the export's own audit entry then waits in the journal).
    const opened = openForReadingAudited(dbFile, key, 'needmap audit export');
    try {
      const { csv, entries } = auditCsv(opened.caseDb);
      fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
      // Owner-only: the log names staff and client record ids.
      fs.writeFileSync(outFile, csv, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
      opened.audit('audit.export', null, { entries, via: 'cli' });
      process.stdout.write(`Exported ${entries} audit entries to ${outFile}.\n`);
      return 0;
    } finally {
      opened.close();
    }
  },
};
