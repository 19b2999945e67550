/**
 * Spreadsheet import and the records export's part of the contract (see ../contract.ts). A sheet
 * is sent once, in chunks (`import.upload`: the browser host takes at most 5 MB per request), and
 * then previewed under a mapping as often as the user changes it (`import.preview`, the dry run),
 * written (`import.apply`, one transaction, `import.progress` polled meanwhile), listed and undone
 * whole (`import.batches`, `import.undo`). `records.export` returns every record as one XLSX
 * workbook or a ZIP of the CSV files (AES-256 encrypted when a password is given). Admin only
 * (ipc/permissions.ts). Imports only zod and pure core modules, so the renderer imports it too.
 */
import { z } from 'zod';
import { DUPLICATE_CHOICES, ImportMapping } from '../../core/import/mapping.ts';

/** Base64 characters per upload chunk: 4 MiB of text is 3 MiB of file, under the host's 5 MB per request. */
export const UPLOAD_CHUNK_CHARS = 4 * 1024 * 1024;

const base64 = z
  .string()
  .max(UPLOAD_CHUNK_CHARS, { message: `Send the file in chunks of at most ${UPLOAD_CHUNK_CHARS} base64 characters.` })
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'The file contents must be base64.' });

const uploadId = z.string().regex(/^[a-f0-9]{32}$/, { message: 'Upload the file first (import.upload).' });

const SheetChoice = z.object({
  uploadId,
  /** Which sheet of a workbook; omitted: the first with any cells. */
  sheet: z.string().max(200).optional(),
  mapping: ImportMapping,
});

const Refusal = z.object({ row: z.number().int(), column: z.string(), value: z.string(), reason: z.string() });
const AmbiguousDate = z.object({ row: z.number().int(), column: z.string(), value: z.string(), readAs: z.string(), otherReading: z.string() });
const PhraseMatch = z.object({
  phrase: z.string(),
  rows: z.number().int(),
  proposed: z.string().nullable(),
  confidence: z.enum(['exact', 'suggested', 'none']),
  chosen: z.string().nullable(),
});
const DuplicateGroup = z.object({
  id: z.string(),
  people: z.array(
    z.object({ rows: z.array(z.number().int()), firstName: z.string(), lastName: z.string(), dateOfBirth: z.string(), externalId: z.string().nullable() }),
  ),
  existing: z.array(
    z.object({
      id: z.number().int(),
      reason: z.enum(['same-external-id', 'same-dob-similar-name']),
      nameSimilarity: z.number(),
      firstName: z.string(),
      lastName: z.string(),
      dateOfBirth: z.string(),
    }),
  ),
  proposed: z.enum(DUPLICATE_CHOICES),
  choice: z.enum(DUPLICATE_CHOICES),
});

export const ImportReportOut = z.object({
  sheet: z.string(),
  sheetNames: z.array(z.string()),
  notes: z.array(z.string()),
  columns: z.record(z.string(), z.string()),
  rowsRead: z.number().int(),
  rowsImported: z.number().int(),
  rowsRefused: z.number().int(),
  rowsSkipped: z.number().int(),
  counts: z.object({
    clientsCreated: z.number().int(),
    existingClients: z.number().int(),
    contacts: z.number().int(),
    issues: z.number().int(),
    statusChanges: z.number().int(),
  }),
  refusals: z.array(Refusal),
  ambiguousDates: z.array(AmbiguousDate),
  phrases: z.array(PhraseMatch),
  duplicates: z.array(DuplicateGroup),
  sameDetailsPeople: z.number().int(),
});
export type ImportReportOut = z.infer<typeof ImportReportOut>;

export const PreviewOut = z.object({
  report: ImportReportOut,
  headers: z.array(z.string()),
  /** The first rows as text, for the mapping step (row number and one cell per header). */
  sample: z.array(z.object({ row: z.number().int(), cells: z.array(z.string()) })),
});
export type PreviewOut = z.infer<typeof PreviewOut>;

export const ImportBatchOut = z.object({
  id: z.number().int(),
  importedAt: z.string(),
  username: z.string().nullable(),
  sheet: z.string(),
  rowsImported: z.number().int(),
  clientsCreated: z.number().int(),
  existingClients: z.number().int(),
  contacts: z.number().int(),
  issues: z.number().int(),
  statusChanges: z.number().int(),
  undoneAt: z.string().nullable(),
});

export const importCalls = {
  /** One chunk of a sheet's bytes; the first (uploadId null) names the file, the last says `done`. */
  'import.upload': {
    input: z.object({
      uploadId: uploadId.nullable(),
      name: z.string().trim().min(1).max(255),
      base64,
      done: z.boolean(),
    }),
    output: z.object({ uploadId: z.string(), bytes: z.number().int() }),
  },
  /** The dry run: the report of what would be created and what is refused, and the sheet's headers. Writes nothing. */
  'import.preview': { input: SheetChoice, output: PreviewOut },
  /** Imports the rows that are not refused (or nothing, with allOrNothing and refusals), in one transaction. */
  'import.apply': {
    input: SheetChoice.extend({ allOrNothing: z.boolean().default(false) }),
    output: z.object({ batchId: z.number().int().nullable(), report: ImportReportOut }),
  },
  /** How far the import being written is (null when none is). */
  'import.progress': { input: z.object({}), output: z.object({ done: z.number().int(), total: z.number().int() }).nullable() },
  'import.batches': { input: z.object({}), output: z.object({ batches: z.array(ImportBatchOut) }) },
  /** Removes an import's clients and contacts whole (refused when they were changed since). */
  'import.undo': {
    input: z.object({ batchId: z.number().int().positive() }),
    output: z.object({ clients: z.number().int(), contacts: z.number().int() }),
  },
  /** Every record the organisation holds, as one XLSX workbook or a ZIP of the CSV files and the workbook. */
  'records.export': {
    input: z.object({
      format: z.enum(['xlsx', 'zip']),
      /** For the ZIP: encrypts it with AES-256 (at least 10 characters). */
      password: z.string().min(10, { message: 'The password must be at least 10 characters.' }).max(200).nullable().default(null),
    }),
    output: z.object({ fileName: z.string(), base64: z.string(), counts: z.record(z.string(), z.number().int()) }),
  },
} as const;
