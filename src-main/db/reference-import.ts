/**
 * Updating the postcode and deprivation reference from files the user downloaded: the ONS
 * postcode directory (NSPL / ONSPD: one national CSV, the per-area CSVs, or the ZIP ONS ships)
 * and Indices of Deprivation CSVs. Files are streamed (the national CSV is ~1 GB), checked
 * column by column, merged over the current data, written to a NEW file and only then renamed
 * over the old one — so the old data stays in use until the import has completed, and a
 * refused file changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import yauzl from 'yauzl';
import type { IodEdition } from '../core/deprivation.ts';
import { detectLayout, validateIodRow, validatePostcodeRow, type FileLayout, type PostcodeRow } from '../core/nspl.ts';
import { COUNTRIES, NO_LSOA, PostcodeIndex, TERMINATED_FLAG, monthNumber, postcodeKey, type PostcodeEntry } from '../core/postcode-index.ts';
import {
  REFERENCE_FORMAT,
  ReferenceError,
  loadReferenceContent,
  openReferenceFile,
  writeReferenceContent,
  type IodRecord,
  type ReferenceContent,
  type SourceInfo,
} from './reference.ts';

export const OGL = 'Contains public sector information licensed under the Open Government Licence v3.0.';
export const OGL_NAME = 'Open Government Licence v3.0';

export interface ImportProgress {
  /** The file (and, inside a ZIP, the entry) being read. */
  file: string;
  bytesRead: number;
  totalBytes: number;
  rowsRead: number;
}

export interface RefusedRow {
  file: string;
  line: number;
  reason: string;
}

export interface ImportSummary {
  referenceFile: string;
  filesRead: string[];
  /** CSVs inside a ZIP that were not postcode or deprivation data (ONS's documentation tables). */
  filesSkipped: string[];
  rowsRead: number;
  postcodesAdded: number;
  postcodesUpdated: number;
  deprivationRows: Record<IodEdition, number>;
  rowsRefused: number;
  /** The first refused rows, with why (all are counted in rowsRefused). */
  refusedExamples: RefusedRow[];
  /** Refused rows counted by kind of reason. */
  refusedByReason: Record<string, number>;
  postcodesTotal: number;
}

const MAX_EXAMPLES = 20;

/** "NSPL_NOV_2021_UK_WC.csv" → { id: "NSPL_NOV_2021", released: "November 2021", year: "2021" } */
export function onsRelease(fileName: string): { id: string; product: string; released: string; year: string } | null {
  const m = /(NSPL|ONSPD)(?:21|_?21)?_([A-Z]{3})_?(\d{4})/i.exec(path.basename(fileName));
  if (!m) return null;
  const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
  const month = months.indexOf(m[2]!.toUpperCase());
  if (month < 0) return null;
  const monthName = new Date(Date.UTC(2000, month, 1)).toLocaleDateString('en-GB', { month: 'long', timeZone: 'UTC' });
  const product = m[1]!.toUpperCase();
  return { id: `${product}_${m[2]!.toUpperCase()}_${m[3]}`, product, released: `${monthName} ${m[3]}`, year: m[3]! };
}

export function onsAttribution(year: string): string {
  return [
    'Source: Office for National Statistics licensed under the Open Government Licence v.3.0.',
    `Contains OS data © Crown copyright and database right ${year}.`,
    `Contains Royal Mail data © Royal Mail copyright and database right ${year}.`,
    `Contains GeoPlace data © Local Government Information House Limited copyright and database right ${year}.`,
  ].join(' ');
}

export const IOD_SOURCES: Record<IodEdition, Omit<SourceInfo, 'files' | 'rows' | 'importedAt'>> = {
  IoD2019: {
    id: 'iod:IoD2019',
    title: 'English Indices of Deprivation 2019 (LSOA 2011): IMD and domain ranks and deciles',
    publisher: 'Ministry of Housing, Communities & Local Government',
    released: 'September 2019',
    licence: OGL_NAME,
    attribution: `English Indices of Deprivation 2019, Ministry of Housing, Communities & Local Government.\n${OGL}`,
  },
  IoD2025: {
    id: 'iod:IoD2025',
    title: 'English Indices of Deprivation 2025 (LSOA 2021): ranks and deciles',
    publisher: 'Ministry of Housing, Communities & Local Government',
    released: 'October 2025',
    licence: OGL_NAME,
    attribution: `English Indices of Deprivation 2025, Ministry of Housing, Communities & Local Government.\n${OGL}`,
  },
};

export class ReferenceImportError extends Error {
  override name = 'ReferenceImportError';
}

export function emptyReferenceContent(): ReferenceContent {
  return {
    meta: { format: REFERENCE_FORMAT },
    sources: [],
    lsoaCodes: [],
    iod: { IoD2019: new Map(), IoD2025: new Map() },
    index: PostcodeIndex.fromEntries([]),
  };
}

/** Counts the bytes flowing past, for the progress bar. */
function byteCounter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

/** Reason kinds for the summary: the message without its quoted values ("postcode "X" is not valid" → "postcode is not valid"). */
function reasonKind(reason: string): string {
  return reason.replace(/\s*"[^"]*"/g, '').replace(/\s*\b\d+\b/g, '');
}

/** One import: the current content, the files merged over it, and what happened. */
export class ReferenceImport {
  private readonly entries: Map<number, PostcodeEntry>;
  private readonly lsoaIds: Map<string, number>;
  private readonly lsoaCodes: string[];
  private readonly iod: Record<IodEdition, Map<string, IodRecord>>;
  private readonly sources: Map<string, SourceInfo>;
  readonly summary: Omit<ImportSummary, 'referenceFile' | 'postcodesTotal'> = {
    filesRead: [],
    filesSkipped: [],
    rowsRead: 0,
    postcodesAdded: 0,
    postcodesUpdated: 0,
    deprivationRows: { IoD2019: 0, IoD2025: 0 },
    rowsRefused: 0,
    refusedExamples: [],
    refusedByReason: {},
  };

  constructor(
    private readonly base: ReferenceContent,
    private readonly onProgress: (progress: ImportProgress) => void = () => {},
    private readonly now = new Date(),
  ) {
    this.entries = new Map();
    for (const e of base.index.entries()) this.entries.set(e.key, e);
    this.lsoaCodes = [...base.lsoaCodes];
    this.lsoaIds = new Map(this.lsoaCodes.map((code, id) => [code, id]));
    this.iod = { IoD2019: new Map(base.iod.IoD2019), IoD2025: new Map(base.iod.IoD2025) };
    this.sources = new Map(base.sources.map((s) => [s.id, { ...s }]));
  }

  private lsoaId(code: string | null): number {
    if (code === null) return NO_LSOA;
    let id = this.lsoaIds.get(code);
    if (id === undefined) {
      id = this.lsoaCodes.length;
      this.lsoaCodes.push(code);
      this.lsoaIds.set(code, id);
    }
    return id;
  }

  private refuse(file: string, line: number, reason: string): void {
    this.summary.rowsRefused++;
    const kind = reasonKind(reason);
    this.summary.refusedByReason[kind] = (this.summary.refusedByReason[kind] ?? 0) + 1;
    if (this.summary.refusedExamples.length < MAX_EXAMPLES) this.summary.refusedExamples.push({ file, line, reason });
  }

  /** Adds one checked postcode row; true when the postcode is new. */
  addPostcode(row: PostcodeRow): boolean {
    const key = postcodeKey(row.postcode);
    const entry: PostcodeEntry = {
      key,
      lsoa11: this.lsoaId(row.lsoa11),
      lsoa21: this.lsoaId(row.lsoa21),
      flags: COUNTRIES.indexOf(row.country) | (row.terminated ? TERMINATED_FLAG : 0),
      terminatedMonth: row.terminated ? monthNumber(row.terminated) : 0,
    };
    const existing = this.entries.get(key);
    // A newer file without lsoa21 must not forget the 2021 neighbourhood an earlier import gave.
    if (existing && entry.lsoa21 === NO_LSOA && existing.lsoa21 !== NO_LSOA && existing.lsoa11 === entry.lsoa11) entry.lsoa21 = existing.lsoa21;
    this.entries.set(key, entry);
    if (existing) this.summary.postcodesUpdated++;
    else this.summary.postcodesAdded++;
    return !existing;
  }

  /** Records (or extends) where the data came from. */
  addSource(source: Omit<SourceInfo, 'importedAt'>): void {
    const existing = this.sources.get(source.id);
    const importedAt = this.now.toISOString();
    if (existing) {
      const files = new Set([...existing.files.split('\n'), ...source.files.split('\n')]);
      this.sources.set(source.id, { ...existing, ...source, files: [...files].join('\n'), rows: existing.rows + source.rows, importedAt });
    } else {
      this.sources.set(source.id, { ...source, importedAt });
    }
  }

  /** Imports a CSV or a ZIP of CSVs; refuses a file that is neither postcode nor deprivation data. */
  async addFile(file: string): Promise<void> {
    if (!fs.existsSync(file)) throw new ReferenceImportError(`There is no file ${file}.`);
    if (/\.zip$/i.test(file) || isZip(file)) await this.addZip(file);
    else {
      const totalBytes = fs.statSync(file).size;
      const used = await this.addCsv(path.basename(file), fs.createReadStream(file), totalBytes, file, true);
      if (used) this.summary.filesRead.push(file);
    }
  }

  private async addZip(file: string): Promise<void> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, z) =>
        err ? reject(new ReferenceImportError(`${file} is not a readable ZIP file (${err.message}).`)) : resolve(z),
      ),
    );
    const all: yauzl.Entry[] = [];
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        all.push(entry);
        zip.readEntry();
      });
      zip.on('end', resolve);
      zip.on('error', reject);
      zip.readEntry();
    });
    let csvs = all.filter((e) => /\.csv$/i.test(e.fileName) && !e.fileName.startsWith('__MACOSX/'));
    // ONS ZIPs carry the national file AND the same rows split by area: read the national one only.
    const national = csvs.filter((e) => /(NSPL|ONSPD)[^/]*_UK\.csv$/i.test(e.fileName) && !/multi_csv/i.test(e.fileName));
    if (national.length) csvs = csvs.filter((e) => national.includes(e) || !/(NSPL|ONSPD)/i.test(path.basename(e.fileName)));
    let used = 0;
    const reopened = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z))),
    );
    try {
      for (const entry of csvs) {
        const stream = await new Promise<Readable>((resolve, reject) => reopened.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
        const label = `${path.basename(file)}: ${entry.fileName}`;
        if (await this.addCsv(entry.fileName, stream, entry.uncompressedSize, label, false)) {
          used++;
          this.summary.filesRead.push(label);
        } else this.summary.filesSkipped.push(label);
      }
    } finally {
      reopened.close();
    }
    if (used === 0) {
      throw new ReferenceImportError(
        `${file} holds no ONS postcode directory (NSPL/ONSPD) or Indices of Deprivation CSV` +
          (csvs.length ? ` (its CSV files ${csvs.map((e) => e.fileName).join(', ')} are something else).` : ' (it has no CSV files).'),
      );
    }
  }

  /**
   * Streams one CSV. Returns false when it is not reference data and `mustBeData` is false (a
   * documentation table in a ZIP); throws a ReferenceImportError when it must be data.
   */
  async addCsv(name: string, input: Readable, totalBytes: number, label: string, mustBeData: boolean, forced?: FileLayout): Promise<boolean> {
    let layout: FileLayout | null = forced ?? null;
    let width = 0;
    let bytesRead = 0;
    let lastReport = 0;
    let rowsInFile = 0;
    let refusedInFile = 0;
    let notData = false;
    const release = onsRelease(name) ?? onsRelease(label);
    const report = (force = false) => {
      const now = Date.now();
      if (force || now - lastReport > 100) {
        lastReport = now;
        this.onProgress({ file: label, bytesRead, totalBytes, rowsRead: this.summary.rowsRead });
      }
    };
    const parser = parse({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
      on_skip: (err: CsvError | undefined) => {
        if (!err) return;
        rowsInFile++;
        refusedInFile++;
        this.summary.rowsRead++;
        this.refuse(label, Number(err.lines ?? 0), `not valid CSV (${err.message.replace(/^Invalid |\.$/g, '')})`);
      },
    });
    const rows = async function (source: AsyncIterable<{ record: string[]; info: { lines: number } }>, self: ReferenceImport) {
      for await (const { record, info } of source) {
        if (layout === null || (forced && width === 0)) {
          width = record.length;
          if (forced) continue;
          layout = detectLayout(record, name);
          if (layout.kind === 'unrecognised') {
            if (mustBeData) throw new ReferenceImportError(layout.reason);
            notData = true;
          }
          continue;
        }
        if (notData) continue;
        rowsInFile++;
        self.summary.rowsRead++;
        if (record.length !== width) {
          refusedInFile++;
          self.refuse(label, info.lines, `has ${record.length} fields where the header has ${width}`);
          continue;
        }
        if (layout.kind === 'postcodes') {
          const checked = validatePostcodeRow(record, layout.columns);
          if (!checked.ok) {
            refusedInFile++;
            self.refuse(label, info.lines, checked.reason);
          } else self.addPostcode(checked.row);
        } else if (layout.kind === 'iod') {
          const checked = validateIodRow(record, layout.columns);
          if (!checked.ok) {
            refusedInFile++;
            self.refuse(label, info.lines, checked.reason);
          } else {
            const { lsoa, ...rest } = checked.row;
            self.iod[layout.edition].set(lsoa, { ...rest, domains: Object.freeze(rest.domains) });
            self.lsoaId(lsoa);
            self.summary.deprivationRows[layout.edition]++;
          }
        }
        if ((rowsInFile & 0x3ff) === 0) report();
      }
    };
    const counted = input.pipe(byteCounter((n) => (bytesRead += n)));
    input.on('error', (error) => parser.destroy(error));
    await rows(counted.pipe(parser) as AsyncIterable<{ record: string[]; info: { lines: number } }>, this);
    report(true);
    if (notData) return false;
    if (layout === null) {
      if (mustBeData) throw new ReferenceImportError(`${label} is empty.`);
      return false;
    }
    const chosen = layout as FileLayout;
    if (rowsInFile > 0 && refusedInFile === rowsInFile) {
      throw new ReferenceImportError(
        `None of the ${rowsInFile} rows of ${label} could be read; nothing was imported. The first problem: ${this.summary.refusedExamples.find((r) => r.file === label)?.reason ?? 'unknown'}.`,
      );
    }
    const accepted = rowsInFile - refusedInFile;
    if (chosen.kind === 'iod') {
      this.addSource({ ...IOD_SOURCES[chosen.edition], files: path.basename(label), rows: accepted });
    } else if (chosen.kind === 'postcodes' && !forced) {
      const product = release?.product === 'ONSPD' ? 'ONS Postcode Directory' : 'ONS National Statistics Postcode Lookup';
      this.addSource({
        id: `postcodes:${release?.id ?? path.basename(label)}`,
        title: release ? `${product} (${release.released})` : `ONS postcode directory (${path.basename(label)})`,
        publisher: 'Office for National Statistics',
        released: release?.released ?? 'not stated in the file name',
        licence: OGL_NAME,
        attribution: onsAttribution(release?.year ?? String(this.now.getUTCFullYear())),
        files: path.basename(label),
        rows: accepted,
      });
    }
    return true;
  }

  /** The merged content, ready to write. */
  finish(meta: Record<string, string> = {}): ReferenceContent {
    return {
      meta: { ...this.base.meta, ...meta, format: REFERENCE_FORMAT, built_at: this.now.toISOString() },
      sources: [...this.sources.values()].sort((a, b) => a.id.localeCompare(b.id)),
      lsoaCodes: this.lsoaCodes,
      iod: this.iod,
      index: PostcodeIndex.fromEntries(this.entries.values()),
    };
  }
}

function isZip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const magic = Buffer.alloc(4);
    fs.readSync(fd, magic, 0, 4, 0);
    return magic.readUInt32LE(0) === 0x04034b50;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a complete reference file next to `file`, then renames it into place in one step. */
export function saveReferenceFile(file: string, content: ReferenceContent): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.importing-${process.pid}`;
  fs.rmSync(temp, { force: true });
  const sqlite = openReferenceFile(temp, { readonly: false });
  try {
    sqlite.pragma('journal_mode = OFF');
    sqlite.pragma('page_size = 4096');
    sqlite.transaction(() => writeReferenceContent(sqlite, content))();
    sqlite.exec('VACUUM');
  } catch (error) {
    sqlite.close();
    fs.rmSync(temp, { force: true });
    throw error;
  }
  sqlite.close();
  fs.renameSync(temp, file);
}

/** The user's copy of the reference data, made from the shipped one the first time it is needed. */
export function ensureUserReference(userFile: string, shippedFile: string): void {
  if (fs.existsSync(userFile)) return;
  if (!fs.existsSync(shippedFile)) throw new ReferenceError(`The shipped reference data is missing (${shippedFile}); reinstall NeedMap.`);
  fs.mkdirSync(path.dirname(path.resolve(userFile)), { recursive: true });
  const temp = `${userFile}.copying-${process.pid}`;
  fs.copyFileSync(shippedFile, temp);
  fs.renameSync(temp, userFile);
}

export interface ImportOptions {
  /** Copied to `referenceFile` first when that does not exist yet. */
  shippedFile?: string;
  onProgress?: (progress: ImportProgress) => void;
  now?: Date;
}

/**
 * Imports `inputs` into the reference file: all of them or none (a refused file throws
 * ReferenceImportError and the reference file is left exactly as it was).
 */
export async function importReferenceFiles(referenceFile: string, inputs: string[], options: ImportOptions = {}): Promise<ImportSummary> {
  if (inputs.length === 0) throw new ReferenceImportError('Choose at least one file to import.');
  if (options.shippedFile) ensureUserReference(referenceFile, options.shippedFile);
  const base = loadReferenceContent(referenceFile);
  const run = new ReferenceImport(base, options.onProgress, options.now);
  for (const input of inputs) await run.addFile(input);
  const content = run.finish();
  saveReferenceFile(referenceFile, content);
  return { ...run.summary, referenceFile, postcodesTotal: content.index.size };
}
