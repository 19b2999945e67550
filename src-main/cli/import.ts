/**
 * `needmap import`: bring clients (and their contacts, issues and status) in from an XLSX or CSV
 * sheet. Prints the report (core/import/report.ts); with --dry-run writes nothing. Refused rows
 * are not imported and the rest are, in one transaction — or nothing is, with --all-or-nothing.
 * Exit codes: 0 every row imported (or would be), 3 rows were refused, 1 the file or database
 * could not be used, 2 bad flags.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createAppContext } from '../app-context.ts';
import { RecordError } from '../core/errors.ts';
import { geographyFor } from '../core/geography.ts';
import { ImportMapping } from '../core/import/mapping.ts';
import { reportText } from '../core/import/report.ts';
import { applyImport } from '../db/import/batches.ts';
import { prepareImport } from '../db/import/prepare.ts';
import { readSheetFile, SheetFileError } from '../db/import/read-sheet.ts';
import { readIodEdition } from '../db/geo/settings.ts';
import { defaultAppPaths } from '../paths.ts';
import { UsageError, requireString, type Command } from './command.ts';
import { KEY_HELP, caseDbKey, keyFileOption } from './db-key.ts';
import { cliActor } from './writer.ts';

const usage = 'needmap import --db FILE SHEET [--sheet NAME] [--mapping FILE.json] [--dry-run] [--all-or-nothing]';

/** Exit code when rows were refused (those rows were not imported). */
export const EXIT_ROWS_REFUSED = 3;

function readMapping(file: string | undefined): ImportMapping {
  if (file === undefined) return ImportMapping.parse({});
  if (!fs.existsSync(file)) throw new UsageError(`No mapping file at ${file}.`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = ImportMapping.safeParse(json);
  if (!parsed.success) throw new UsageError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** A progress bar on a terminal; nothing when stderr is a file or pipe. */
function progressBar(): ((p: { done: number; total: number }) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return ({ done, total }) => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    process.stderr.write(
      `\rWriting [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done.toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')} clients${done === total ? '\n' : ''}`,
    );
  };
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Import clients, contacts and issues from an XLSX or CSV sheet (prints the report; --dry-run writes nothing).',
  usage: `${usage}

  --db FILE          case database
  SHEET              the .xlsx or .csv file (CSV: any common encoding and delimiter)
  --sheet NAME       which sheet of a workbook (default: the first with any cells)
  --mapping FILE     the column mapping as JSON (docs/import-export.md); without it, the columns are
                     proposed from their headers (and what earlier imports chose)
  --dry-run          print the report only: what would be created, what is refused and why
  --all-or-nothing   import nothing when any row is refused
${KEY_HELP}

  Dates are read day-first (04/03/1980 is 4 March) unless the mapping says "dateOrder": "month-first".
  Exit status: 0 all rows imported, ${EXIT_ROWS_REFUSED} some rows refused (not imported), 1 error, 2 bad flags.`,
  options: {
    db: { type: 'string' },
    sheet: { type: 'string' },
    mapping: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    'all-or-nothing': { type: 'boolean', default: false },
    ...keyFileOption,
  },
  allowPositionals: true,
  async run(values, positionals) {
    const dbFile = requireString(values, 'db', usage);
    if (positionals.length !== 1) throw new UsageError(`Give exactly one SHEET file.\nUsage: ${usage}`);
    const file = positionals[0]!;
    if (!fs.existsSync(dbFile)) throw new UsageError(`No database at ${dbFile}.`);
    if (!fs.existsSync(file)) throw new UsageError(`No file at ${file}.`);
    const mapping = readMapping(values.mapping as string | undefined);
    const bytes = fs.readFileSync(file);
    let sheet;
    try {
      sheet = await readSheetFile(bytes, path.basename(file), values.sheet as string | undefined);
    } catch (error) {
      if (error instanceof SheetFileError) throw new Error(error.message, { cause: error });
      throw error;
    }
    const ctx = createAppContext({ dbFile, paths: defaultAppPaths(), host: 'browser', key: caseDbKey(values, dbFile), lockPurpose: 'needmap import' });
    try {
      const prepared = prepareImport(ctx.caseDb.db, sheet, mapping, ctx.taxonomy);
      const { report } = prepared;
      const refused = report.rowsRefused > 0;
      if (values['dry-run']) {
        process.stdout.write(reportText(report, 'dry-run'));
      } else if ((refused && values['all-or-nothing']) || report.rowsImported === 0) {
        process.stdout.write(reportText(report, 'nothing-imported'));
      } else {
        const edition = readIodEdition(ctx.caseDb.db);
        const onProgress = progressBar();
        const batchId = await applyImport(ctx.caseDb, prepared, {
          actor: cliActor(),
          geography: (postcode) => geographyFor(postcode, ctx.neighbourhoods, edition),
          fileSha256: createHash('sha256').update(bytes).digest('hex'),
          ...(onProgress ? { onProgress } : {}),
        });
        process.stdout.write(reportText(report, 'imported', batchId));
      }
      return refused ? EXIT_ROWS_REFUSED : 0;
    } catch (error) {
      if (error instanceof RecordError) throw new Error(error.message, { cause: error });
      throw error;
    } finally {
      ctx.close();
    }
  },
};
