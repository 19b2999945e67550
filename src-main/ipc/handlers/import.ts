/**
 * Spreadsheet import and records export handlers (contract/import.ts). An upload lives in memory,
 * per session, until it is replaced; its sheet is read once per sheet name and kept, so changing
 * the mapping re-runs only the dry run. Writing goes through db/import/batches.ts (one
 * transaction); while it runs, dispatch answers only `import.progress` (see handlers.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { RecordError } from '../../core/errors.ts';
import { geographyFor } from '../../core/geography.ts';
import { cellText, type Sheet } from '../../core/import/values.ts';
import { applyImport, importUnderWay, listImports, undoImport } from '../../db/import/batches.ts';
import { prepareImport } from '../../db/import/prepare.ts';
import { MAX_SHEET_BYTES, SheetFileError, readSheetFile } from '../../db/import/read-sheet.ts';
import { readIodEdition } from '../../db/geo/settings.ts';
import { exportCounts, exportTables, workbookBytes, zipBytes } from '../../db/records-export.ts';
import type { importCalls } from '../contract/import.ts';
import type { AppContext, HandlersFor } from '../context.ts';
import type { CallerSession } from '../sessions.ts';

interface Upload {
  id: string;
  name: string;
  chunks: Buffer[];
  bytes: number;
  done: boolean;
  /** Sheets read so far, by requested name ('' for the default sheet). */
  sheets: Map<string, Sheet>;
}

/** Each session's uploads (at most two: the one being sent and the one being previewed). */
const uploads = new WeakMap<CallerSession, Upload[]>();
const MAX_UPLOADS_PER_SESSION = 2;
const SAMPLE_ROWS = 5;

function uploadOf(caller: CallerSession, id: string): Upload {
  const found = uploads.get(caller)?.find((u) => u.id === id);
  if (!found) throw new RecordError('not_found', 'That file is no longer here: choose it again.');
  if (!found.done) throw new RecordError('conflict', 'That file has not finished uploading.');
  return found;
}

async function sheetOf(upload: Upload, sheetName: string | undefined): Promise<Sheet> {
  const key = sheetName ?? '';
  const cached = upload.sheets.get(key);
  if (cached) return cached;
  try {
    const sheet = await readSheetFile(Buffer.concat(upload.chunks), upload.name, sheetName);
    upload.sheets.set(key, sheet);
    return sheet;
  } catch (error) {
    if (error instanceof SheetFileError) throw new RecordError('invalid_input', error.message, { file: [error.message] });
    throw error;
  }
}

function actorOf(caller: CallerSession) {
  return { userId: caller.user?.userId ?? null, username: caller.user?.username ?? null };
}

async function prepared(
  ctx: AppContext,
  caller: CallerSession,
  input: { uploadId: string; sheet?: string | undefined; mapping: Parameters<typeof prepareImport>[2] },
) {
  const upload = uploadOf(caller, input.uploadId);
  const sheet = await sheetOf(upload, input.sheet);
  return { upload, sheet, prepared: prepareImport(ctx.caseDb.db, sheet, input.mapping, ctx.taxonomy) };
}

export const importHandlers: HandlersFor<typeof importCalls> = {
  'import.upload': (input, _ctx, caller) => {
    const list = uploads.get(caller) ?? [];
    let upload: Upload;
    if (input.uploadId === null) {
      upload = { id: randomBytes(16).toString('hex'), name: input.name, chunks: [], bytes: 0, done: false, sheets: new Map() };
      list.push(upload);
      uploads.set(caller, list.slice(-MAX_UPLOADS_PER_SESSION));
    } else {
      const found = list.find((u) => u.id === input.uploadId && !u.done);
      if (!found) throw new RecordError('not_found', 'That upload is no longer here: choose the file again.');
      upload = found;
    }
    const chunk = Buffer.from(input.base64, 'base64');
    if (upload.bytes + chunk.length > MAX_SHEET_BYTES) {
      uploads.set(
        caller,
        list.filter((u) => u !== upload),
      );
      throw new RecordError('invalid_input', `${input.name} is larger than ${MAX_SHEET_BYTES / 1024 / 1024} MB; split it into smaller files.`);
    }
    upload.chunks.push(chunk);
    upload.bytes += chunk.length;
    upload.done = input.done;
    return { uploadId: upload.id, bytes: upload.bytes };
  },

  'import.preview': async (input, ctx, caller) => {
    const { sheet, prepared: p } = await prepared(ctx, caller, input);
    return {
      report: p.report,
      headers: sheet.headers,
      sample: sheet.rows.slice(0, SAMPLE_ROWS).map((r) => ({ row: r.row, cells: sheet.headers.map((_, i) => cellText(r.cells[i] ?? null)) })),
    };
  },

  'import.apply': async (input, ctx, caller) => {
    const { upload, prepared: p } = await prepared(ctx, caller, input);
    const { report } = p;
    if ((report.rowsRefused > 0 && input.allOrNothing) || report.rowsImported === 0) return { batchId: null, report };
    const edition = readIodEdition(ctx.caseDb.db);
    const batchId = await applyImport(ctx.caseDb, p, {
      actor: actorOf(caller),
      geography: (postcode) => geographyFor(postcode, ctx.neighbourhoods, edition),
      fileSha256: createHash('sha256').update(Buffer.concat(upload.chunks)).digest('hex'),
    });
    return { batchId, report };
  },

  'import.progress': (_input, ctx) => importUnderWay(ctx.caseDb),

  'import.batches': (_input, ctx) => ({ batches: listImports(ctx.caseDb.db) }),

  'import.undo': (input, ctx, caller) => undoImport(ctx.caseDb.db, input.batchId, actorOf(caller)),

  'records.export': async (input, ctx) => {
    const tables = exportTables(ctx.caseDb);
    const day = new Date().toISOString().slice(0, 10);
    const bytes = input.format === 'xlsx' ? await workbookBytes(tables) : await zipBytes(tables, input.password);
    return { fileName: `needmap-records-${day}.${input.format}`, base64: bytes.toString('base64'), counts: exportCounts(tables) };
  },
};
