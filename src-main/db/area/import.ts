/**
 * Importing bundles into the area database. Each file is verified in memory with the bundle
 * code's own verifier; the signing key must be trusted and not revoked before the payload is
 * even inflated (a large file from a stranger is never parsed). Then the signature, schema and
 * payload checks (core/bundle/payload-checks.ts), and in store-bundle.ts the checks that need the
 * database and the supersede rule. Every file gets its own transaction and its own log line; a
 * bad file never stops the others, and a refused one changes nothing already imported. Text from
 * a file (its name, the organisation's name) is written into messages with control characters
 * escaped.
 *
 * A batch (importBundleBatch, importBundleFiles) verifies its files in worker threads
 * (verify-pool.ts) while this thread stores those already verified, in the files' order, and
 * combines them all into the area cube once at its end (combine-pending.ts); a batch that stops
 * leaves its accepted bundles stored and marked as not yet combined, and the next open combines
 * them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { signerRefusal, type ImportReady } from '../../core/area/import-ready.ts';
import { BUNDLE_FILE_EXTENSION } from '../../core/bundle/package.ts';
import { VERIFY_LIMITS } from '../../core/bundle/verify.ts';
import { readableTaxonomyCodes } from '../../core/taxonomy-mapping.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import { taxonomyCodes } from '../bundle/export.ts';
import { BatchCombiner, finishBatch } from './combine-pending.ts';
import { refreshDistinctPeople } from './distinct-summary.ts';
import type { AreaDatabase } from './open.ts';
import {
  logAgain,
  logRefusal,
  readSignerStandings,
  signerStanding,
  storeBundle,
  storedTables,
  type ImportOptions,
  type ImportOutcome,
  type TaxonomyCodes,
} from './store-bundle.ts';
import { defaultPoolSize, signerSnapshot, VerifyPool } from './verify-pool.ts';
import { verifyForImport, type VerifyOutcome } from './verify-task.ts';

export type { ImportOptions, ImportOutcome, RefusalReason, TaxonomyCodes } from './store-bundle.ts';

/** The codes of the taxonomy this app carries (first), and of the older versions mapped to it, as import options expect them. */
export function taxonomiesOf(taxonomy: Taxonomy): TaxonomyCodes[] {
  return readableTaxonomyCodes({ version: taxonomy.version, ...taxonomyCodes(taxonomy) });
}

/**
 * Verifies (in this thread) and stores one bundle's bytes, adding it to the combined cube in the
 * same transaction; logs and returns the outcome. Never throws.
 */
export async function importBundleBytes(area: AreaDatabase, fileName: string, bytes: Buffer, options: ImportOptions): Promise<ImportOutcome> {
  const verified = await verifyForImport(bytes, (signer) => signerRefusal(signer, signerStanding(area, signer.fingerprint)));
  if (!verified.ok) return logRefusal(area, fileName, verified.reason, verified.message, options.now);
  return storeBundle(area, fileName, verified.ready, { ...options, combineNow: true });
}

/** One file of a batch: its bytes, or why they could not be had (logged as a refusal in its place). */
export type BatchFile = { name: string; bytes: Buffer } | { name: string; unreadable: { reason: 'oversized-file' | 'unreadable-file'; message: string } };

/**
 * Imports files in order: verified in worker threads a few files ahead, each stored in its own
 * transaction (a savepoint in a commit group, see CommitGroup) as soon as it and every file before
 * it are done, then the combined cube and the
 * distinct-people figures brought up to date once (also when something went wrong half-way).
 * `files` is read lazily, so a batch of thousands holds only a few files in memory.
 */
export async function importBundleBatch(area: AreaDatabase, files: Iterable<BatchFile>, options: ImportOptions): Promise<ImportOutcome[]> {
  const pool = new VerifyPool(defaultPoolSize());
  const snapshot = signerSnapshot(readSignerStandings(area));
  const ahead = Math.max(2, pool.size * 2 + 1);
  const iterator = files[Symbol.iterator]();
  type Verified = VerifyOutcome | { unreadable: { reason: 'oversized-file' | 'unreadable-file'; message: string } };
  const window: { name: string; verified: Promise<Verified>; done: boolean }[] = [];
  const fill = () => {
    while (window.length < ahead) {
      const next = iterator.next();
      if (next.done) return;
      const file = next.value;
      const entry = {
        name: file.name,
        verified: 'bytes' in file ? pool.verify(file.bytes, snapshot) : Promise.resolve({ unreadable: file.unreadable }),
        done: false,
      };
      void entry.verified.then(() => (entry.done = true));
      window.push(entry);
    }
  };
  const combiner = new BatchCombiner();
  const results: ImportOutcome[] = [];
  // SQLite rolled back a whole group by itself (disk full, an I/O error): none of its files was
  // kept, so none may be reported as accepted, and its log lines are written again.
  const group = new CommitGroup(area, (members, why) => {
    for (const i of members) {
      const result = results[i]!;
      if (result.outcome === 'refused') logAgain(area, result, options.now);
      else {
        results[i] = logRefusal(
          area,
          result.file,
          'internal-error',
          `was stored, then rolled back with the files committed together with it (${why}); nothing from it was kept: import it again.`,
          options.now,
        );
      }
    }
    // Its sums hold bundles that are gone: the batch's end combines from the stored cells instead.
    combiner.overflowed = true;
  });
  try {
    fill();
    while (window.length > 0) {
      const entry = window.shift()!;
      // Never wait for a worker with a transaction open.
      if (!entry.done) group.commit();
      const outcome = await entry.verified;
      fill();
      group.begin();
      let result: ImportOutcome;
      if ('unreadable' in outcome) result = logRefusal(area, entry.name, outcome.unreadable.reason, outcome.unreadable.message, options.now);
      else if (!outcome.ok) result = logRefusal(area, entry.name, outcome.reason, outcome.message, options.now);
      else {
        result = storeBundle(area, entry.name, outcome.ready, { ...options, combineNow: false });
        if (result.outcome === 'accepted') combiner.add(result.bundleId, storedTables(outcome.ready as ImportReady, options.taxonomies));
      }
      group.checkNotRolledBack();
      group.add(results.push(result) - 1);
      group.commitIfDue();
    }
  } finally {
    group.commit();
    void pool.close();
    if (combiner.bundles.size > 0 || results.some((r) => r.outcome === 'accepted')) {
      finishBatch(area, combiner);
      // Distinct people across organisations, worked out once for the whole batch; a failure here is caught up on the next read.
      try {
        refreshDistinctPeople(area);
      } catch (error) {
        console.error('[needmap] could not refresh the distinct-people figures (they are recomputed on the next read):', error);
      }
    }
  }
  return results;
}

/**
 * Files verified ahead of the importing thread are committed together: each file still gets its
 * own transaction — a savepoint inside the group's, released when it is accepted and rolled back
 * when it is refused, so a refused file changes nothing — but the group commits once, at most
 * every GROUP_MS, and always before the import waits for a worker. A stop loses at most the files
 * of the group not yet committed, none of them reported as accepted. If SQLite rolls the group back
 * by itself, or its commit fails (disk full, an I/O error), `onLost` is told which files went with
 * it, so none of them is reported as accepted (tests/area/batch-import.test.ts).
 */
class CommitGroup {
  private static readonly GROUP_MS = 100;
  private startedAt = 0;
  private open = false;
  /** The batch's result indices of the files in the open group. */
  private members: number[] = [];
  constructor(
    private readonly area: AreaDatabase,
    private readonly onLost: (members: readonly number[], why: string) => void,
  ) {}

  begin(): void {
    if (this.open) return;
    this.area.sqlite.exec('BEGIN IMMEDIATE');
    this.open = true;
    this.members = [];
    this.startedAt = performance.now();
  }

  add(resultIndex: number): void {
    if (this.open) this.members.push(resultIndex);
  }

  /** After each file: a statement that failed badly enough can make SQLite roll back the whole transaction. */
  checkNotRolledBack(): void {
    if (this.open && !this.area.sqlite.inTransaction) this.lost('SQLite rolled the transaction back');
  }

  commitIfDue(): void {
    if (performance.now() - this.startedAt >= CommitGroup.GROUP_MS) this.commit();
  }

  commit(): void {
    if (!this.open) return;
    if (!this.area.sqlite.inTransaction) return this.lost('SQLite rolled the transaction back');
    try {
      this.area.sqlite.exec('COMMIT');
    } catch (error) {
      if (this.area.sqlite.inTransaction) this.area.sqlite.exec('ROLLBACK');
      return this.lost(`the commit failed: ${(error as Error).message}`);
    }
    this.open = false;
  }

  private lost(why: string): void {
    this.open = false;
    const members = this.members;
    this.members = [];
    this.onLost(members, why);
  }
}

/** Every *.needmap-bundle in a folder (not recursive), in name order; a file stays a file. */
export function expandBundlePaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = fs.statSync(p).isDirectory();
    } catch {
      // Missing files are reported by importBundleFiles as unreadable.
    }
    if (isDir) {
      for (const name of fs.readdirSync(p).sort()) if (name.endsWith(BUNDLE_FILE_EXTENSION)) out.push(path.join(p, name));
    } else out.push(p);
  }
  return out;
}

/** A bundle file read for a batch, or why it cannot be. */
function readBatchFile(file: string): BatchFile {
  const name = path.basename(file);
  try {
    const size = fs.statSync(file).size;
    if (size > VERIFY_LIMITS.fileBytes) {
      return { name, unreadable: { reason: 'oversized-file', message: `the file is ${size} bytes; a bundle is at most ${VERIFY_LIMITS.fileBytes}.` } };
    }
    return { name, bytes: fs.readFileSync(file) };
  } catch (error) {
    return {
      name,
      unreadable: { reason: 'unreadable-file', message: `could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).` },
    };
  }
}

/** A bundle handed over as bytes (a file chosen in the browser) rather than by path. */
export interface BundleUpload {
  name: string;
  bytes: Buffer;
}

/**
 * Reads and imports files (and folders' bundle files), then `uploads`, as one batch: combined and
 * distinct people worked out once at its end; an unreadable file is refused and the rest go on.
 */
export async function importBundleFiles(
  area: AreaDatabase,
  paths: readonly string[],
  options: ImportOptions,
  uploads: readonly BundleUpload[] = [],
): Promise<ImportOutcome[]> {
  const files = expandBundlePaths(paths);
  return importBundleBatch(
    area,
    (function* (): Generator<BatchFile> {
      for (const file of files) yield readBatchFile(file);
      yield* uploads;
    })(),
    options,
  );
}

export interface ImportLogEntry {
  id: number;
  fileName: string;
  outcome: 'accepted' | 'refused';
  reasonCode: string | null;
  message: string;
  bundleId: number | null;
  at: string;
}

export function importLogEntries(area: AreaDatabase, limit = 200): ImportLogEntry[] {
  return area.sqlite
    .prepare(
      'SELECT id, file_name AS fileName, outcome, reason_code AS reasonCode, message, bundle_id AS bundleId, at FROM import_log ORDER BY id DESC LIMIT ?',
    )
    .all(limit) as ImportLogEntry[];
}

export interface ImportedBundleSummary {
  id: number;
  organisationId: string;
  organisationName: string;
  fingerprint: string;
  sequence: number;
  fromMonth: string;
  toMonth: string;
  taxonomyVersion: string;
  disclosurePolicy: string;
  fileName: string;
  importedAt: string;
  supersededBy: number | null;
  matchKeys: boolean;
}

export function importedBundles(area: AreaDatabase): ImportedBundleSummary[] {
  return (
    area.sqlite
      .prepare(
        `SELECT id, organisation_id AS organisationId, organisation_name AS organisationName, fingerprint, sequence, from_month AS fromMonth,
                to_month AS toMonth, taxonomy_version AS taxonomyVersion, disclosure_policy AS disclosurePolicy, file_name AS fileName,
                imported_at AS importedAt, superseded_by AS supersededBy, linkage_key_id IS NOT NULL AS matchKeys
         FROM imported_bundles ORDER BY organisation_id, from_month, sequence`,
      )
      .all() as (Omit<ImportedBundleSummary, 'matchKeys'> & { matchKeys: number })[]
  ).map((b) => ({ ...b, matchKeys: b.matchKeys === 1 }));
}
