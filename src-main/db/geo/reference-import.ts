/**
 * Updating the postcode and deprivation reference from files the user downloaded: the ONS
 * postcode directory (NSPL / ONSPD: one national CSV, the per-area CSVs, or the ZIP ONS ships)
 * and Indices of Deprivation CSVs. Files are streamed (the national CSV is ~1 GB), checked
 * column by column, merged over the current data (official rows over derived ones, postcode by
 * postcode: core/postcode-merge.ts), written to a NEW file and only then renamed over the old
 * one — so the old data stays in use until the import has completed, and a refused file changes
 * nothing. The shipped data is built the same way (src-main/reference/build-reference.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse, type CsvError } from 'csv-parse';
import yauzl from 'yauzl';
import type { IodEdition } from '../../core/deprivation.ts';
import { detectLayout, validateIodRow, validatePostcodeRow, type FileLayout, type PostcodeRow, type PostcodeSource } from '../../core/nspl.ts';
import { mergeIntoIndex, PostcodeRows, type LsoaLookup } from '../../core/postcode-merge.ts';
import { COUNTRIES, NO_LSOA, OFFICIAL_FLAG, PostcodeIndex, TERMINATED_FLAG, monthNumber, postcodeKey } from '../../core/postcode-index.ts';
import { REFERENCE_FORMAT, openReferenceFile, writeReferenceContent, type IodRecord, type ReferenceContent, type SourceInfo } from './reference-file.ts';
import { populationTable } from './reference-population.ts';
import { IOD_SOURCES, onsPostcodeSource } from './reference-sources.ts';

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

export class ReferenceImportError extends Error {
  override name = 'ReferenceImportError';
}

export function emptyReferenceContent(): ReferenceContent {
  return {
    meta: { format: REFERENCE_FORMAT },
    sources: [],
    lsoaCodes: [],
    lsoaNames: new Map(),
    lsoaNames2011: new Map(),
    lsoaPopulation: new Map(),
    lsoaAuthority: new Map(),
    authorities: new Map(),
    successors: new Map(),
    iod: { IoD2019: new Map(), IoD2025: new Map() },
    index: PostcodeIndex.fromEntries([]),
    population: null,
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

/** What a CSV reader does with each record once the header says what the file is: null, or why the row is refused. */
type RecordHandler = (record: string[], line: number) => string | null;

/** One import: the current content, the files merged over it, and what happened. */
export class ReferenceImport {
  private readonly rows = new PostcodeRows();
  private readonly lsoaIds: Map<string, number>;
  private readonly content: ReferenceContent;
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
  /** How many postcodes had both an official and a derived row (the official one stands; set by finish). */
  officialOverDerived = 0;

  constructor(
    base: ReferenceContent,
    private readonly onProgress: (progress: ImportProgress) => void = () => {},
    private readonly now = new Date(),
  ) {
    this.content = {
      ...base,
      lsoaCodes: [...base.lsoaCodes],
      lsoaNames: new Map(base.lsoaNames),
      lsoaNames2011: new Map(base.lsoaNames2011),
      lsoaPopulation: new Map(base.lsoaPopulation),
      lsoaAuthority: new Map(base.lsoaAuthority),
      authorities: new Map(base.authorities),
      successors: new Map(base.successors),
      iod: { IoD2019: new Map(base.iod.IoD2019), IoD2025: new Map(base.iod.IoD2025) },
    };
    this.lsoaIds = new Map(this.content.lsoaCodes.map((code, id) => [code, id]));
    this.sources = new Map(base.sources.map((s) => [s.id, { ...s }]));
  }

  lsoaId(code: string | null): number {
    if (code === null) return NO_LSOA;
    let id = this.lsoaIds.get(code);
    if (id === undefined) {
      id = this.content.lsoaCodes.length;
      this.content.lsoaCodes.push(code);
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

  /** Adds one checked postcode row (merged, with official rows first, in finish). */
  addPostcode(row: PostcodeRow, source: PostcodeSource): void {
    this.rows.push(postcodeKey(row.postcode), {
      lsoa11: this.lsoaId(row.lsoa11),
      lsoa21: this.lsoaId(row.lsoa21),
      flags: COUNTRIES.indexOf(row.country) | (row.terminated ? TERMINATED_FLAG : 0) | (source === 'official' ? OFFICIAL_FLAG : 0),
      terminatedMonth: row.terminated ? monthNumber(row.terminated) : 0,
    });
  }

  /** Adds a row already in index form (an earlier file's), by LSOA code. */
  addIndexedRow(key: number, lsoa11: string | null, lsoa21: string | null, flags: number, terminatedMonth: number): void {
    this.rows.push(key, { lsoa11: this.lsoaId(lsoa11), lsoa21: this.lsoaId(lsoa21), flags, terminatedMonth });
  }

  /** Adds one edition's row for one LSOA (a name it gives is the LSOA's name in that edition's geography). */
  addIod(edition: IodEdition, lsoa: string, record: IodRecord): void {
    this.content.iod[edition].set(lsoa, record);
    this.lsoaId(lsoa);
    if (record.name) (edition === 'IoD2019' ? this.content.lsoaNames2011 : this.content.lsoaNames).set(lsoa, record.name);
    this.summary.deprivationRows[edition]++;
  }

  /** One row of the ONS 2011 → 2021 LSOA lookup with the 2022 local authority of the 2021 LSOA. */
  addLsoaLink(row: { lsoa11: string; lsoa11Name: string; lsoa21: string; lsoa21Name: string; authority: string; authorityName: string }): void {
    this.lsoaId(row.lsoa11);
    this.lsoaId(row.lsoa21);
    const { content } = this;
    const next = content.successors.get(row.lsoa11) ?? content.successors.set(row.lsoa11, []).get(row.lsoa11)!;
    if (!next.includes(row.lsoa21)) next.push(row.lsoa21);
    if (row.lsoa11Name) content.lsoaNames2011.set(row.lsoa11, row.lsoa11Name);
    if (row.lsoa21Name) content.lsoaNames.set(row.lsoa21, row.lsoa21Name);
    content.authorities.set(row.authority, row.authorityName);
    content.lsoaAuthority.set(row.lsoa21, row.authority);
  }

  /** The residents of one 2011 LSOA (ONS mid-year estimates). */
  addPopulation(lsoa11: string, residents: number): void {
    this.lsoaId(lsoa11);
    this.content.lsoaPopulation.set(lsoa11, residents);
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

  /** Imports a CSV (or gzipped CSV) or a ZIP of CSVs; refuses a file that is neither postcode nor deprivation data. */
  async addFile(file: string): Promise<void> {
    if (!fs.existsSync(file)) throw new ReferenceImportError(`There is no file ${file}.`);
    if (/\.zip$/i.test(file) || isZip(file)) await this.addZip(file);
    else {
      const used = await this.addCsv(path.basename(file), fs.createReadStream(file), fs.statSync(file).size, file, true);
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
   * Streams one CSV (gunzipped when its name ends .gz). Returns false when it is not reference
   * data and `mustBeData` is false (a documentation table in a ZIP); throws a
   * ReferenceImportError when it must be data. `forced` skips detection for files whose layout
   * the caller knows (the build's Lewisham lookup).
   */
  async addCsv(name: string, input: Readable, totalBytes: number, label: string, mustBeData: boolean, forced?: FileLayout): Promise<boolean> {
    let layout: FileLayout | null = forced ?? null;
    let accepted = 0;
    const used = await this.readCsv(name, input, totalBytes, label, mustBeData, (header) => {
      layout ??= detectLayout(header, name);
      if (layout.kind === 'unrecognised') {
        if (mustBeData) throw new ReferenceImportError(layout.reason);
        return null;
      }
      const chosen = layout;
      return (record) => {
        if (chosen.kind === 'postcodes') {
          const checked = validatePostcodeRow(record, chosen.columns);
          if (!checked.ok) return checked.reason;
          this.addPostcode(checked.row, chosen.source);
        } else if (chosen.kind === 'iod') {
          const checked = validateIodRow(record, chosen.columns);
          if (!checked.ok) return checked.reason;
          const { lsoa, ...rest } = checked.row;
          this.addIod(chosen.edition, lsoa, { ...rest, domains: Object.freeze(rest.domains) });
        }
        accepted++;
        return null;
      };
    });
    if (!used || layout === null) return false;
    const chosen = layout as FileLayout;
    if (chosen.kind === 'iod') {
      this.addSource({ ...IOD_SOURCES[chosen.edition], files: path.basename(label), rows: accepted });
    } else if (chosen.kind === 'postcodes' && !forced && chosen.source === 'official') {
      this.addSource({ ...onsPostcodeSource(name, this.now), files: path.basename(label), rows: accepted });
    }
    return true;
  }

  /**
   * The CSV loop every reference file goes through: bytes counted for progress, malformed and
   * refused rows counted with their reasons, and the whole file refused if no row could be read.
   * `onHeader` says how to read the records (null: not data).
   */
  async readCsv(
    name: string,
    input: Readable,
    totalBytes: number,
    label: string,
    mustBeData: boolean,
    onHeader: (header: string[]) => RecordHandler | null,
  ): Promise<boolean> {
    let handler: RecordHandler | null = null;
    let width = 0;
    let sawHeader = false;
    let notData = false;
    let bytesRead = 0;
    let lastReport = 0;
    let rowsInFile = 0;
    let refusedInFile = 0;
    const report = (force = false) => {
      const now = Date.now();
      if (force || now - lastReport > 100) {
        lastReport = now;
        this.onProgress({ file: label, bytesRead, totalBytes, rowsRead: this.summary.rowsRead });
      }
    };
    const refuse = (line: number, reason: string) => {
      refusedInFile++;
      this.refuse(label, line, reason);
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
        this.summary.rowsRead++;
        refuse(Number(err.lines ?? 0), `not valid CSV (${err.message.replace(/^Invalid |\.$/g, '')})`);
      },
    });
    const counted = input.pipe(byteCounter((n) => (bytesRead += n)));
    input.on('error', (error) => parser.destroy(error));
    const source = /\.gz$/i.test(name) ? counted.pipe(createGunzip()).pipe(parser) : counted.pipe(parser);
    for await (const { record, info } of source as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!sawHeader) {
        sawHeader = true;
        width = record.length;
        handler = onHeader(record);
        notData = handler === null;
        continue;
      }
      if (notData) continue;
      rowsInFile++;
      this.summary.rowsRead++;
      if (record.length !== width) refuse(info.lines, `has ${record.length} fields where the header has ${width}`);
      else {
        const refused = handler!(record, info.lines);
        if (refused !== null) refuse(info.lines, refused);
      }
      if ((rowsInFile & 0x3ff) === 0) report();
    }
    report(true);
    if (notData) return false;
    if (!sawHeader) {
      if (mustBeData) throw new ReferenceImportError(`${label} is empty.`);
      return false;
    }
    if (rowsInFile > 0 && refusedInFile === rowsInFile) {
      throw new ReferenceImportError(
        `None of the ${rowsInFile} rows of ${label} could be read; nothing was imported. The first problem: ${this.summary.refusedExamples.find((r) => r.file === label)?.reason ?? 'unknown'}.`,
      );
    }
    return true;
  }

  /** Reads a local file through readCsv (gzipped when it ends .gz) and records it as read. */
  async readLocalCsv(file: string, onHeader: (header: string[]) => RecordHandler | null): Promise<void> {
    if (!fs.existsSync(file)) throw new ReferenceImportError(`There is no file ${file}.`);
    await this.readCsv(path.basename(file), fs.createReadStream(file), fs.statSync(file).size, file, true, onHeader);
    this.summary.filesRead.push(file);
  }

  private lookupById(): LsoaLookup {
    const successors = new Map<number, number[]>();
    const predecessors = new Map<number, number[]>();
    for (const [from, tos] of this.content.successors) {
      const a = this.lsoaId(from);
      for (const to of tos) {
        const b = this.lsoaId(to);
        (successors.get(a) ?? successors.set(a, []).get(a)!).push(b);
        (predecessors.get(b) ?? predecessors.set(b, []).get(b)!).push(a);
      }
    }
    return { successors: (id) => successors.get(id) ?? [], predecessors: (id) => predecessors.get(id) ?? [] };
  }

  /** The merged content, ready to write. */
  finish(meta: Record<string, string> = {}): ReferenceContent {
    const { content } = this;
    // A 2011 LSOA is in a local authority when all its 2021 successors are.
    for (const [from, tos] of content.successors) {
      const authorities = new Set(tos.map((to) => content.lsoaAuthority.get(to)));
      const only = [...authorities][0];
      if (authorities.size === 1 && only !== undefined) content.lsoaAuthority.set(from, only);
    }
    const { index, counts } = mergeIntoIndex(content.index, this.rows, this.lookupById());
    this.summary.postcodesAdded = counts.added;
    this.summary.postcodesUpdated = counts.updated;
    this.officialOverDerived = counts.officialOverDerived;
    const merged: ReferenceContent = {
      ...content,
      meta: { ...content.meta, ...meta, format: REFERENCE_FORMAT, built_at: this.now.toISOString() },
      sources: [...this.sources.values()].sort((a, b) => a.id.localeCompare(b.id)),
      index,
    };
    return { ...merged, population: populationTable(merged) };
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
