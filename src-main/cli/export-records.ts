/**
 * `needmap export-records`: everything the organisation holds about its clients, as CSV files in a
 * folder, one XLSX workbook, or an AES-256 encrypted ZIP of both (db/records-export.ts). Personal
 * data: the export is audited, and the output says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { exportCounts, exportTables, tableCsv, workbookBytes, zipBytes } from '../db/records-export.ts';
import { UsageError, requireString, type Command } from './command.ts';
import { KEY_HELP, caseDbKey, keyFileOption } from './db-key.ts';
import { openForReadingAudited } from './writer.ts';

const usage = 'needmap export-records --db FILE --out DIR|FILE.xlsx';

/** The ZIP's password, for --out FILE.zip. */
export const EXPORT_PASSWORD_ENV = 'NEEDMAP_EXPORT_PASSWORD';

export const exportRecordsCommand: Command = {
  name: 'export-records',
  summary: 'Export every client record (CSV files, one XLSX workbook, or an encrypted ZIP): personal data, audited.',
  usage: `${usage}

  --db FILE        case database (may be in use by the app)
  --out DIR        a folder for the CSV files (created; must be empty if it exists)
  --out FILE.xlsx  one workbook, a sheet per file
  --out FILE.zip   the CSV files and the workbook in a ZIP encrypted with AES-256, the password
                   read from ${EXPORT_PASSWORD_ENV} (at least 10 characters)
${KEY_HELP}

  Files: records, clients, contacts, issues, status_history, referrals and columns (what every
  column holds); see docs/import-export.md. The output holds personal data: keep it safe.`,
  options: { db: { type: 'string' }, out: { type: 'string' }, ...keyFileOption },
  async run(values) {
    const dbFile = requireString(values, 'db', usage);
    const out = requireString(values, 'out', usage);
    if (!fs.existsSync(dbFile)) throw new UsageError(`No database at ${dbFile}.`);
    const format = out.toLowerCase().endsWith('.xlsx') ? 'xlsx' : out.toLowerCase().endsWith('.zip') ? 'zip' : 'csv';
    if (format !== 'csv' && fs.existsSync(out)) throw new UsageError(`${out} already exists; choose a new file name.`);
    if (format === 'csv' && fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length > 0)) {
      throw new UsageError(`${out} exists and is not an empty folder; choose a new folder.`);
    }
    const password = process.env[EXPORT_PASSWORD_ENV] ?? '';
    if (format === 'zip' && password.length < 10) throw new UsageError(`Set ${EXPORT_PASSWORD_ENV} to the ZIP's password (at least 10 characters).`);
    const opened = openForReadingAudited(dbFile, caseDbKey(values, dbFile), 'needmap export-records');
    try {
      const tables = exportTables(opened.caseDb);
      if (format === 'xlsx') fs.writeFileSync(out, await workbookBytes(tables), { mode: 0o600 });
      else if (format === 'zip') fs.writeFileSync(out, await zipBytes(tables, password), { mode: 0o600 });
      else {
        fs.mkdirSync(out, { recursive: true });
        for (const table of tables) fs.writeFileSync(path.join(out, `${table.name}.csv`), tableCsv(table), { mode: 0o600 });
      }
      const counts = exportCounts(tables);
      opened.audit('records.export', null, { format, via: 'cli', ...counts });
      process.stdout.write(
        `Exported ${counts.clients} clients, ${counts.contacts} contacts, ${counts.issues} issues, ${counts.status_history} status changes and ${counts.referrals} referrals to ${out}` +
          (format === 'csv' ? ` (${tables.map((t) => `${t.name}.csv`).join(', ')}).\n` : format === 'zip' ? ' (encrypted with AES-256).\n' : '.\n') +
          'This is personal data: keep it safe, and delete it when it is no longer needed.\n',
      );
      return 0;
    } finally {
      opened.close();
    }
  },
};
