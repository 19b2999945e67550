/**
 * The erasure register, `<db>.erasures.jsonl` beside the database: every erasure and retention
 * run, as client ids and times only (no personal data), one JSON line each, written inside the
 * erasure's own transaction (if the line cannot be written, nothing is erased). A restore brings
 * back the database as it was when the backup was made — including people erased since — so
 * every process that opens the database for writing re-applies the register first
 * (`reapplyErasureRegister`), and a restore reports what it re-applied.
 *
 * The register names the database it belongs to (a random id kept in the database's settings and
 * so in its backups). A register that belongs to another database is set aside, never applied,
 * and an entry is only re-applied to a client created before that erasure — so a client id
 * reused by a newer record can never be erased by an old line.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CaseDb, SqliteDatabase } from '../open.ts';
import { settings } from '../schema.ts';
import { readSettingText, writeSettingText } from './settings.ts';

export const DATABASE_ID_SETTING = 'protect.databaseId';

const Header = z.object({ format: z.literal('needmap-erasure-register'), version: z.literal(1), databaseId: z.string().min(1) });
const ErasureLine = z.object({ kind: z.literal('erasure'), clientId: z.number().int().positive(), at: z.string() });
const RetentionLine = z.object({
  kind: z.literal('retention'),
  at: z.string(),
  userId: z.number().int().nullable(),
  policyYears: z.number().int(),
  cutoffDate: z.string(),
  clientIds: z.array(z.number().int().positive()),
});
const Line = z.discriminatedUnion('kind', [ErasureLine, RetentionLine]);
type Line = z.infer<typeof Line>;

export function erasureRegisterFile(dbFile: string): string {
  return `${path.resolve(dbFile)}.erasures.jsonl`;
}

export class ErasureRegisterError extends Error {
  override name = 'ErasureRegisterError';
}

/** The database's own id, made on first use (every open for writing calls this). */
export function ensureDatabaseId(db: CaseDb): string {
  const existing = readSettingText(db, DATABASE_ID_SETTING);
  if (existing) return existing;
  const id = randomUUID();
  writeSettingText(db, DATABASE_ID_SETTING, id);
  return id;
}

/** The register as text: its header and its complete lines (a torn, unterminated tail is not a line). */
interface RegisterText {
  file: string;
  databaseId: string;
  header: string;
  lines: string[];
}

function readRegisterText(dbFile: string): RegisterText | null {
  const file = erasureRegisterFile(dbFile);
  if (!fs.existsSync(file)) return null;
  const text = fs.readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
  complete.pop(); // the empty piece after the last newline
  const [header = '', ...lines] = complete;
  const parsed = Header.safeParse(safeJson(header));
  if (!parsed.success) throw new ErasureRegisterError(`${file} is not a NeedMap erasure register; move it aside and tell your administrator.`);
  return { file, databaseId: parsed.data.databaseId, header, lines: lines.filter((l) => l.trim() !== '') };
}

function parseLine(register: RegisterText, index: number): Line {
  const parsed = Line.safeParse(safeJson(register.lines[index]!));
  if (!parsed.success)
    throw new ErasureRegisterError(`${register.file} line ${index + 2} is damaged; the register cannot be applied safely. Tell your administrator.`);
  return parsed.data;
}

/** The whole register, parsed (for tools and tests; opening the database reads only what it has not applied yet). */
export function readErasureRegister(dbFile: string): { databaseId: string; lines: Line[] } | null {
  const register = readRegisterText(dbFile);
  return register ? { databaseId: register.databaseId, lines: register.lines.map((_, i) => parseLine(register, i)) } : null;
}

/**
 * How much of the register this database has had applied: its first `lines` lines, which hash to
 * `sha256` with the header. Kept in the database (so a backup carries the point it had reached):
 * an open checks only the lines after it, and the whole register when the prefix no longer matches.
 */
export const APPLIED_SETTING = 'protect.erasureRegisterApplied';
const Applied = z.object({ lines: z.number().int().nonnegative(), sha256: z.string() });

function prefixDigest(register: RegisterText, lines: number): string {
  const hash = createHash('sha256').update(register.header, 'utf8');
  for (let i = 0; i < lines; i++) hash.update('\n').update(register.lines[i]!, 'utf8');
  return hash.digest('hex');
}

function appliedLines(sqlite: SqliteDatabase, register: RegisterText): number {
  const row = sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(APPLIED_SETTING) as { value: string } | undefined;
  const applied = Applied.safeParse(row ? safeJson(row.value) : null);
  if (!applied.success || applied.data.lines > register.lines.length) return 0;
  return prefixDigest(register, applied.data.lines) === applied.data.sha256 ? applied.data.lines : 0;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Appends a line and flushes it to disk. Called inside the erasure's transaction: a failure rolls it back. */
export function appendErasureRegister(dbFile: string, db: CaseDb, line: Line): void {
  const databaseId = ensureDatabaseId(db);
  const file = erasureRegisterFile(dbFile);
  try {
    const existingId = registerDatabaseId(file);
    if (existingId !== null && existingId !== databaseId) setAside(dbFile, existingId);
    dropTornTail(file);
    const fd = fs.openSync(file, 'a', 0o600);
    try {
      if (existingId !== databaseId) fs.writeSync(fd, JSON.stringify({ format: 'needmap-erasure-register', version: 1, databaseId }) + '\n');
      fs.writeSync(fd, JSON.stringify(line) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    if (error instanceof ErasureRegisterError) throw error;
    throw new ErasureRegisterError(
      `The erasure could not be written to the erasure register ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}), so nothing was erased. Check that folder can be written to and try again.`,
    );
  }
}

/** A crash mid-append leaves an unterminated tail (its erasure rolled back): cut it off before the next line. */
function dropTornTail(file: string): void {
  if (!fs.existsSync(file)) return;
  const size = fs.statSync(file).size;
  if (size === 0) return;
  const fd = fs.openSync(file, 'r+');
  try {
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
    const text = fs.readFileSync(file);
    fs.ftruncateSync(fd, text.lastIndexOf(0x0a) + 1);
  } finally {
    fs.closeSync(fd);
  }
}

/** The id in a register's first line, null when there is no register (read without reading it all). */
function registerDatabaseId(file: string): string | null {
  if (!fs.existsSync(file)) return null;
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(512);
    const first =
      buffer
        .subarray(0, fs.readSync(fd, buffer, 0, 512, 0))
        .toString('utf8')
        .split('\n')[0] ?? '';
    const header = Header.safeParse(safeJson(first));
    if (!header.success) throw new ErasureRegisterError(`${file} is not a NeedMap erasure register; move it aside and tell your administrator.`);
    return header.data.databaseId;
  } finally {
    fs.closeSync(fd);
  }
}

/** Moves another database's register out of the way (kept, never applied here). Returns where. */
function setAside(dbFile: string, otherId: string): string {
  const file = erasureRegisterFile(dbFile);
  const aside = `${file}.other-${otherId}`;
  fs.renameSync(file, aside);
  return aside;
}

/** A client the register says was erased, and what this database holds for that id. */
interface Due {
  clientId: number;
  at: string;
  retention: z.infer<typeof RetentionLine> | null;
}

export interface RegisterCheck {
  /** 'applies': the register is this database's (or adopted); 'none': no register; 'other-database': set aside. */
  status: 'applies' | 'none' | 'other-database';
  /** Clients the register says were erased that this database still holds unerased: to re-apply. */
  due: Due[];
  alreadyErased: number;
  /** Register entries for ids this database does not hold, or holds as a client created later (another person). */
  notInDatabase: number;
  /** Retention runs in the register missing from this database's retention log. */
  retentionRunsMissing: z.infer<typeof RetentionLine>[];
  /** Lines this database had already had applied (not checked again), and all the register's lines. */
  linesApplied: number;
  linesTotal: number;
}

/** What re-applying the register would do, read-only (also used to preview a backup). */
export function checkErasureRegister(sqlite: SqliteDatabase, registerOf: string): RegisterCheck {
  const register = readRegisterText(registerOf);
  const empty: RegisterCheck = { status: 'none', due: [], alreadyErased: 0, notInDatabase: 0, retentionRunsMissing: [], linesApplied: 0, linesTotal: 0 };
  if (!register) return empty;
  const idRow = sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(DATABASE_ID_SETTING) as { value: string } | undefined;
  const dbId = idRow ? (JSON.parse(idRow.value) as string) : null;
  // A database from before ids existed is adopted only if it holds records (a restored backup), never a brand-new empty one.
  const holdsClients = (sqlite.prepare('SELECT count(*) AS n FROM clients').get() as { n: number }).n > 0;
  if (dbId ? dbId !== register.databaseId : !holdsClients) return { ...empty, status: 'other-database' };

  const client = sqlite.prepare('SELECT created_at AS createdAt, erased_at AS erasedAt FROM clients WHERE id = ?');
  const runAt = sqlite.prepare('SELECT 1 FROM retention_runs WHERE ran_at = ?');
  const from = appliedLines(sqlite, register);
  const check: RegisterCheck = { ...empty, status: 'applies', linesApplied: from, linesTotal: register.lines.length };
  const seen = new Set<number>();
  const consider = (clientId: number, at: string, retention: Due['retention']) => {
    if (seen.has(clientId)) return;
    seen.add(clientId);
    const row = client.get(clientId) as { createdAt: string; erasedAt: string | null } | undefined;
    if (!row || row.createdAt > at) check.notInDatabase++;
    else if (row.erasedAt) check.alreadyErased++;
    else check.due.push({ clientId, at, retention });
  };
  for (let i = from; i < register.lines.length; i++) {
    const line = parseLine(register, i);
    if (line.kind === 'erasure') consider(line.clientId, line.at, null);
    else {
      for (const id of line.clientIds) consider(id, line.at, line);
      if (!runAt.get(line.at)) check.retentionRunsMissing.push(line);
    }
  }
  return check;
}

export interface ReapplyResult {
  status: RegisterCheck['status'];
  reapplied: number[];
  alreadyErased: number;
  notInDatabase: number;
  retentionRunsRestored: number;
  /** Register lines read this time (those after the point this database had already reached). */
  linesChecked: number;
  /** Where another database's register was moved, when it was. */
  setAsideAs: string | null;
}

/**
 * Re-applies the register to an open database: erases (as erasure does) every listed client it
 * still holds unerased, and puts back missing retention-log rows. `erase` is db/protect/erase.ts's
 * eraseOne (passed in to keep the two files from importing each other). One transaction.
 */
export function reapplyErasureRegister(
  dbFile: string,
  sqlite: SqliteDatabase,
  db: CaseDb,
  erase: (tx: CaseDb, clientId: number, at: string) => void,
): ReapplyResult {
  const check = checkErasureRegister(sqlite, dbFile);
  const result: ReapplyResult = {
    status: check.status,
    reapplied: [],
    alreadyErased: check.alreadyErased,
    notInDatabase: check.notInDatabase,
    retentionRunsRestored: 0,
    linesChecked: check.linesTotal - check.linesApplied,
    setAsideAs: null,
  };
  if (check.status === 'other-database') {
    result.setAsideAs = setAside(dbFile, readRegisterText(dbFile)!.databaseId);
    return result;
  }
  if (check.status === 'none') return result;
  const register = readRegisterText(dbFile)!;
  if (!readSettingText(db, DATABASE_ID_SETTING)) writeSettingText(db, DATABASE_ID_SETTING, register.databaseId);
  if (check.linesApplied === check.linesTotal) return result;
  db.transaction((tx) => {
    for (const due of check.due) {
      erase(tx as unknown as CaseDb, due.clientId, due.at);
      result.reapplied.push(due.clientId);
    }
    const insertRun = sqlite.prepare(
      'INSERT INTO retention_runs (ran_at, user_id, policy_years, cutoff_date, client_ids, anonymised) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const run of check.retentionRunsMissing) {
      insertRun.run(run.at, run.userId, run.policyYears, run.cutoffDate, JSON.stringify(run.clientIds), run.clientIds.length);
      result.retentionRunsRestored++;
    }
    // Lines read before this open are not re-checked next time (a restored backup carries its own, earlier point).
    const applied = { lines: check.linesTotal, sha256: prefixDigest(register, check.linesTotal) };
    tx.insert(settings)
      .values({ key: APPLIED_SETTING, value: JSON.stringify(applied) })
      .onConflictDoUpdate({ target: settings.key, set: { value: JSON.stringify(applied) } })
      .run();
  });
  return result;
}
