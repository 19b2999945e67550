/**
 * One writing process per case database. The app, `needmap serve` and every CLI command that
 * writes hold `<db>.lock` beside the database while they run: a small JSON file naming the
 * holder's process id, the time that process started (as the OS reports it), the computer and
 * what it is doing. A second writer is refused with "in use by NeedMap (process N, since …)".
 *
 * A lock left behind by a process that died (kill -9, a power cut) is stale: its process is gone,
 * or a process with that id exists but started at another time (the id was reused). A stale lock
 * is taken over under a short-lived `<db>.lock.takeover` file, so two processes finding the same
 * stale lock cannot both take it. Within one process the lock is counted, not taken twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ownStartTime, processAlive, processStartTime } from './process-start.ts';

const LockHolder = z.object({
  format: z.literal('needmap-lock'),
  pid: z.number().int().positive(),
  /** When the holding process started (OS), ISO; compared to tell a reused process id. */
  processStartedAt: z.string(),
  lockedAt: z.string(),
  hostname: z.string(),
  purpose: z.string(),
});
export type LockHolder = z.infer<typeof LockHolder>;

/** Start times reported by the OS and recorded at lock time may differ by rounding. */
const START_TIME_TOLERANCE_MS = 3000;
/** A lock file still being written (or garbage) younger than this is waited for, not taken over. */
const UNREADABLE_GRACE_MS = 5000;

export function lockFileOf(dbFile: string): string {
  return `${path.resolve(dbFile)}.lock`;
}

/** "2026-03-03 14:15:02 UTC" */
function when(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError';
  constructor(
    readonly dbFile: string,
    readonly holder: LockHolder | null,
  ) {
    super(
      holder
        ? `${dbFile} is in use by NeedMap (process ${holder.pid}${holder.hostname !== os.hostname() ? ` on ${holder.hostname}` : ''}, since ${when(holder.processStartedAt)}; ${holder.purpose}). Close that NeedMap first.`
        : `${dbFile} is in use by NeedMap (another process is starting or taking it over). Try again in a moment.`,
    );
  }
}

export interface DatabaseLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Gives the lock up (the last release in this process removes the file). */
  release(): void;
}

interface Held {
  holder: LockHolder;
  count: number;
}
const heldHere = new Map<string, Held>();

function me(purpose: string): LockHolder {
  return {
    format: 'needmap-lock',
    pid: process.pid,
    processStartedAt: ownStartTime().toISOString(),
    lockedAt: new Date().toISOString(),
    hostname: os.hostname(),
    purpose,
  };
}

type Read = { kind: 'missing' } | { kind: 'unreadable'; ageMs: number } | { kind: 'held'; holder: LockHolder; raw: string };

function readLock(file: string): Read {
  let raw: string;
  let ageMs = 0;
  try {
    ageMs = Date.now() - fs.statSync(file).mtimeMs;
    raw = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', ageMs }; // e.g. another OS user's lock we may not read
  }
  try {
    const parsed = LockHolder.safeParse(JSON.parse(raw));
    return parsed.success ? { kind: 'held', holder: parsed.data, raw } : { kind: 'unreadable', ageMs };
  } catch {
    return { kind: 'unreadable', ageMs };
  }
}

/** Whether the lock's holder is still running (true when that cannot be told, e.g. another computer). */
export function holderAlive(holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname()) return true;
  if (!processAlive(holder.pid)) return false;
  const started = holder.pid === process.pid ? ownStartTime() : processStartTime(holder.pid);
  if (!started) return true;
  return Math.abs(started.getTime() - Date.parse(holder.processStartedAt)) <= START_TIME_TOLERANCE_MS;
}

/** Creates `file` holding `content` only if it does not exist; false if it does. Atomic: never seen half-written. */
function createExclusive(file: string, content: string): boolean {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(temp, content, { mode: 0o644 });
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw error;
    // No hard links here (e.g. a FAT USB stick): an exclusive create, then the content.
    try {
      fs.writeFileSync(file, content, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Removes a stale lock, provided it is still the same stale lock, under the takeover file. */
function removeStale(file: string, staleRaw: string | null): void {
  const takeover = `${file}.takeover`;
  if (!createExclusive(takeover, JSON.stringify(me('taking over a stale lock')))) {
    const other = readLock(takeover);
    // Someone else is taking over right now; if they died doing it, clear their marker.
    if (other.kind === 'held' && !holderAlive(other.holder)) fs.rmSync(takeover, { force: true });
    else if (other.kind === 'unreadable' && other.ageMs > UNREADABLE_GRACE_MS) fs.rmSync(takeover, { force: true });
    return;
  }
  try {
    const current = readLock(file);
    const same = current.kind === 'held' ? current.raw === staleRaw : current.kind === 'unreadable' && staleRaw === null;
    if (same) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(takeover, { force: true });
  }
}

/**
 * Takes the lock on `dbFile` for this process, or throws DatabaseInUseError naming the live
 * holder. `purpose` is shown to a refused second writer (e.g. "needmap serve").
 */
export function acquireDatabaseLock(dbFile: string, purpose: string): DatabaseLock {
  const file = lockFileOf(dbFile);
  const already = heldHere.get(file);
  if (already) {
    already.count++;
    return handle(file, already);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const holder = me(purpose);
  for (let attempt = 0; attempt < 20; attempt++) {
    if (createExclusive(file, JSON.stringify(holder, null, 2) + '\n')) {
      const held = { holder, count: 1 };
      heldHere.set(file, held);
      return handle(file, held);
    }
    const found = readLock(file);
    if (found.kind === 'missing') continue;
    if (found.kind === 'held' && holderAlive(found.holder)) throw new DatabaseInUseError(dbFile, found.holder);
    if (found.kind === 'unreadable' && found.ageMs < UNREADABLE_GRACE_MS) {
      pause(100);
      continue;
    }
    removeStale(file, found.kind === 'held' ? found.raw : null);
    pause(attempt < 3 ? 0 : 50);
  }
  const last = readLock(file);
  throw new DatabaseInUseError(dbFile, last.kind === 'held' ? last.holder : null);
}

function handle(file: string, held: Held): DatabaseLock {
  let released = false;
  return {
    file,
    holder: held.holder,
    release() {
      if (released) return;
      released = true;
      if (--held.count > 0) return;
      heldHere.delete(file);
      removeIfOurs(file, held.holder);
    },
  };
}

function removeIfOurs(file: string, holder: LockHolder): void {
  const current = readLock(file);
  if (current.kind === 'held' && current.holder.pid === holder.pid && current.holder.lockedAt === holder.lockedAt) fs.rmSync(file, { force: true });
}

/** Who holds the lock on `dbFile` now (null when nobody does or the lock is stale). */
export function liveLockHolder(dbFile: string): LockHolder | null {
  const file = lockFileOf(dbFile);
  if (heldHere.has(file)) return heldHere.get(file)!.holder;
  const found = readLock(file);
  return found.kind === 'held' && holderAlive(found.holder) ? found.holder : null;
}

/** Whether this process holds the lock on `dbFile`. */
export function heldByThisProcess(dbFile: string): boolean {
  return heldHere.has(lockFileOf(dbFile));
}

// A process that ends normally leaves no lock behind (one that is killed leaves a stale one).
process.on('exit', () => {
  for (const [file, held] of heldHere) removeIfOurs(file, held.holder);
  heldHere.clear();
});
