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
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CaseDb, SqliteDatabase } from '../open.ts';
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

interface Register {
  databaseId: string;
  lines: Line[];
}

export function readErasureRegister(dbFile: string): Register | null {
  const file = erasureRegisterFile(dbFile);
  if (!fs.existsSync(file)) return null;
  const [first, ...rest] = fs.readFileSync(file, 'utf8').split('\n');
  const header = Header.safeParse(safeJson(first ?? ''));
  if (!header.success) throw new ErasureRegisterError(`${file} is not a NeedMap erasure register; move it aside and tell your administrator.`);
  const lines: Line[] = [];
  rest.forEach((text, i) => {
    if (!text.trim()) return;
    const parsed = Line.safeParse(safeJson(text));
    if (!parsed.success) {
      // A torn last line (a crash mid-write of an erasure that therefore rolled back) is ignored.
      if (i === rest.length - 1 || rest.slice(i + 1).every((t) => !t.trim())) return;
      throw new ErasureRegisterError(`${file} line ${i + 2} is damaged; the register cannot be applied safely. Tell your administrator.`);
    }
    lines.push(parsed.data);
  });
  return { databaseId: header.data.databaseId, lines };
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
}

/** What re-applying the register would do, read-only (also used to preview a backup). */
export function checkErasureRegister(sqlite: SqliteDatabase, registerOf: string): RegisterCheck {
  const register = readErasureRegister(registerOf);
  const empty: RegisterCheck = { status: 'none', due: [], alreadyErased: 0, notInDatabase: 0, retentionRunsMissing: [] };
  if (!register) return empty;
  const idRow = sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(DATABASE_ID_SETTING) as { value: string } | undefined;
  const dbId = idRow ? (JSON.parse(idRow.value) as string) : null;
  // A database from before ids existed is adopted only if it holds records (a restored backup), never a brand-new empty one.
  const holdsClients = (sqlite.prepare('SELECT count(*) AS n FROM clients').get() as { n: number }).n > 0;
  if (dbId ? dbId !== register.databaseId : !holdsClients) return { ...empty, status: 'other-database' };

  const client = sqlite.prepare('SELECT created_at AS createdAt, erased_at AS erasedAt FROM clients WHERE id = ?');
  const runAt = sqlite.prepare('SELECT 1 FROM retention_runs WHERE ran_at = ?');
  const check: RegisterCheck = { ...empty, status: 'applies' };
  const seen = new Set<number>();
  const consider = (clientId: number, at: string, retention: Due['retention']) => {
    if (seen.has(clientId)) return;
    seen.add(clientId);
    const row = client.get(clientId) as { createdAt: string; erasedAt: string | null } | undefined;
    if (!row || row.createdAt > at) check.notInDatabase++;
    else if (row.erasedAt) check.alreadyErased++;
    else check.due.push({ clientId, at, retention });
  };
  for (const line of register.lines) {
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
    setAsideAs: null,
  };
  if (check.status === 'other-database') {
    result.setAsideAs = setAside(dbFile, readErasureRegister(dbFile)!.databaseId);
    return result;
  }
  if (check.status === 'none') return result;
  if (!readSettingText(db, DATABASE_ID_SETTING)) writeSettingText(db, DATABASE_ID_SETTING, readErasureRegister(dbFile)!.databaseId);
  if (check.due.length === 0 && check.retentionRunsMissing.length === 0) return result;
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
  });
  return result;
}
