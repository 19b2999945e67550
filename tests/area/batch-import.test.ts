/**
 * Import batches: verified in worker threads, stored one file per transaction, combined once at
 * the end. The combined cube must always equal the sum of the active bundles' stored cells —
 * after a batch (cells summed in memory), after supersedes within and across batches, and after
 * a batch whose process was killed half-way, once the area database is next opened.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { importBundleBatch, importBundleFiles } from '../../src-main/db/area/import.ts';
import { trustKey } from '../../src-main/db/area/trust.ts';
import type { AreaDatabase } from '../../src-main/db/area/open.ts';
import { tempDir } from '../helpers.ts';
import { bundleOf, demoRows, importOptions, lastQuarter, newKey, paths, tempArea, type OrgKey } from './fixtures.ts';

const ROOT = path.resolve(paths.migrationsDir, '..');

/** combined_cells exactly as a fresh sum over the active bundles' stored cells would make it. */
function expectCubeIsFreshSum(sqlite: InstanceType<typeof Database>): void {
  const stored = sqlite
    .prepare(
      `SELECT table_id, k1, k2, k3, people, people_suppressed, presentations, presentations_suppressed, organisations,
              typeof(people), typeof(organisations)
       FROM combined_cells ORDER BY table_id, k1, k2, k3`,
    )
    .raw()
    .all();
  const fresh = sqlite
    .prepare(
      `SELECT c.table_id, c.k1, c.k2, c.k3, SUM(coalesce(c.people, 0)), SUM(c.people_suppressed), SUM(coalesce(c.presentations, 0)),
              SUM(c.presentations_suppressed), COUNT(*), 'integer', 'integer'
       FROM bundle_cells c JOIN imported_bundles b ON b.id = c.bundle_id WHERE b.superseded_by IS NULL
       GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    )
    .raw()
    .all();
  expect(fresh.length).toBeGreaterThan(0);
  expect(stored).toEqual(fresh);
}

function pendingCount(sqlite: InstanceType<typeof Database>): number {
  return sqlite.prepare('SELECT COUNT(*) FROM imported_bundles WHERE combined <> (superseded_by IS NULL)').pluck().get() as number;
}

interface Org {
  id: string;
  key: OrgKey;
}

async function writeBundles(dir: string, count: number, sequence: number, orgs: Org[]): Promise<string[]> {
  const { months } = lastQuarter();
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const org = orgs[i % orgs.length]!;
    const rows = demoRows(40 + (i % 5), 60, months[0]!, months[2]!);
    const file = path.join(dir, `${String(i).padStart(3, '0')}-${org.id}-${sequence}.needmap-bundle`);
    const { file: bytes } = await bundleOf({
      org: { id: org.id, name: `Organisation ${org.id}` },
      key: org.key,
      from: months[0]!,
      to: months[2]!,
      sequence,
      rows,
      policy: i % 2 === 0 ? 'cell-key' : 'nhs-england',
    });
    fs.writeFileSync(file, bytes);
    files.push(file);
  }
  return files;
}

function trustAll(area: AreaDatabase, orgs: Org[]): void {
  for (const org of orgs) trustKey(area.db, { publicKeyPem: org.key.publicKeyPem, name: org.id, organisationId: org.id });
}

const orgsOf = (n: number, prefix: string): Org[] => Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, key: newKey() }));

describe('an import batch', () => {
  it('combines its bundles once at its end, equal to a fresh sum, with supersedes within the batch and of earlier batches', async () => {
    const dir = tempDir();
    const area = tempArea(path.join(dir, 'area.db'));
    const orgs = orgsOf(4, 'org');
    trustAll(area, orgs);
    const first = await writeBundles(fs.mkdtempSync(path.join(dir, 'a-')), 4, 1, orgs);
    expect((await importBundleFiles(area, first, importOptions)).every((r) => r.outcome === 'accepted')).toBe(true);
    expectCubeIsFreshSum(area.sqlite);

    // Sequence 2 replaces every bundle of the first batch; sequence 3 of org-0 replaces its #2 within the same batch.
    const second = await writeBundles(fs.mkdtempSync(path.join(dir, 'b-')), 4, 2, orgs);
    const third = await writeBundles(fs.mkdtempSync(path.join(dir, 'c-')), 1, 3, orgs);
    const results = await importBundleFiles(area, [...second, ...third], importOptions);
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    expect(results.filter((r) => r.outcome === 'accepted' && r.supersededBundleId !== null)).toHaveLength(5);
    expect(pendingCount(area.sqlite)).toBe(0);
    expect(area.sqlite.prepare('SELECT COUNT(*) FROM imported_bundles WHERE superseded_by IS NULL').pluck().get()).toBe(4);
    expectCubeIsFreshSum(area.sqlite);
  });

  it('refuses a bad file in its own transaction and still combines the good ones around it', async () => {
    const dir = tempDir();
    const area = tempArea(path.join(dir, 'area.db'));
    const orgs = orgsOf(3, 'good');
    trustAll(area, orgs);
    const files = await writeBundles(dir, 3, 1, orgs);
    const stranger = await writeBundles(fs.mkdtempSync(path.join(dir, 's-')), 1, 1, orgsOf(1, 'stranger'));
    const damaged = path.join(dir, 'damaged.needmap-bundle');
    fs.writeFileSync(damaged, fs.readFileSync(files[0]!).subarray(0, 200));
    const results = await importBundleBatch(
      area,
      [files[0]!, stranger[0]!, damaged, files[1]!, files[0]!, files[2]!].map((f) => ({ name: path.basename(f), bytes: fs.readFileSync(f) })),
      importOptions,
    );
    expect(results.map((r) => (r.outcome === 'accepted' ? 'accepted' : r.reason))).toEqual([
      'accepted',
      'untrusted-key',
      'malformed-zip',
      'accepted',
      'duplicate',
      'accepted',
    ]);
    expectCubeIsFreshSum(area.sqlite);
  });
});

describe('a commit group rolled back by SQLite itself', () => {
  it('reports none of its files as accepted, logs every file once, and still combines exactly what was kept', async () => {
    const dir = tempDir();
    const area = tempArea(path.join(dir, 'area.db'));
    const orgs = orgsOf(5, 'grouped');
    trustAll(area, orgs);
    const files = await writeBundles(dir, 5, 1, orgs);
    // Storing the second file makes SQLite roll back the whole transaction (as a full disk would):
    // the files committed together with it are gone too, whatever was said of them before.
    const failing = path.basename(files[1]!);
    area.sqlite.exec(`CREATE TEMP TRIGGER fail_one BEFORE INSERT ON main.imported_bundles WHEN NEW.file_name = '${failing}'
      BEGIN SELECT RAISE(ROLLBACK, 'simulated failure'); END;`);
    const results = await importBundleFiles(area, files, importOptions);
    expect(results).toHaveLength(5);
    expect(results[1]).toMatchObject({ outcome: 'refused', reason: 'internal-error' });
    const stored = new Set(area.sqlite.prepare('SELECT file_name FROM imported_bundles').pluck().all() as string[]);
    for (const r of results) expect([r.file, r.outcome === 'accepted']).toEqual([r.file, stored.has(r.file)]);
    // A file before it that was in its group is reported as rolled back, not accepted.
    if (!stored.has(path.basename(files[0]!))) expect(results[0]).toMatchObject({ outcome: 'refused', reason: 'internal-error' });
    expect(results.filter((r) => r.outcome === 'accepted').length).toBeGreaterThanOrEqual(3);
    const logged = area.sqlite.prepare('SELECT file_name, outcome FROM import_log ORDER BY id').raw().all() as [string, string][];
    expect(logged.map(([file, outcome]) => `${file} ${outcome}`).sort()).toEqual(results.map((r) => `${r.file} ${r.outcome}`).sort());
    expect(pendingCount(area.sqlite)).toBe(0);
    expectCubeIsFreshSum(area.sqlite);
  });
});

describe('a commit group whose commit fails', () => {
  it('reports the files of that group as not kept, and logs each of them', async () => {
    const dir = tempDir();
    const area = tempArea(path.join(dir, 'area.db'));
    const orgs = orgsOf(3, 'commit');
    trustAll(area, orgs);
    const files = await writeBundles(dir, 3, 1, orgs);
    // Storing the first file leaves a foreign-key violation that is only checked at COMMIT (deferred
    // until the next commit, which is its group's), so that commit fails as a full disk would make it.
    const failing = path.basename(files[0]!);
    area.sqlite.exec(`CREATE TEMP TRIGGER fail_commit AFTER INSERT ON main.imported_bundles WHEN NEW.file_name = '${failing}'
      BEGIN INSERT INTO import_log (file_name, outcome, message, bundle_id, at) VALUES ('x', 'refused', 'x', -1, 'x'); END;`);
    // Set as the batch reads its first file (anything committed before would switch it off again).
    const batch = function* () {
      for (const file of files) {
        if (file === files[0]) area.sqlite.pragma('defer_foreign_keys = ON');
        yield { name: path.basename(file), bytes: fs.readFileSync(file) };
      }
    };
    const results = await importBundleBatch(area, batch(), importOptions);
    expect(results[0]).toMatchObject({ outcome: 'refused', reason: 'internal-error' });
    expect(results[0]!.message).toContain('the commit failed');
    const stored = new Set(area.sqlite.prepare('SELECT file_name FROM imported_bundles').pluck().all() as string[]);
    for (const r of results) expect([r.file, r.outcome === 'accepted']).toEqual([r.file, stored.has(r.file)]);
    const logged = area.sqlite.prepare("SELECT file_name, outcome FROM import_log WHERE file_name <> 'x' ORDER BY id").raw().all() as [string, string][];
    expect(logged.map(([file, outcome]) => `${file} ${outcome}`).sort()).toEqual(results.map((r) => `${r.file} ${r.outcome}`).sort());
    expect(pendingCount(area.sqlite)).toBe(0);
    if (stored.size > 0) expectCubeIsFreshSum(area.sqlite);
  });
});

describe('a batch stopped half-way', () => {
  it('leaves every accepted bundle stored, and combined after the next start (a killed child process)', async () => {
    const dir = tempDir();
    const areaFile = path.join(dir, 'area.db');
    const orgs = orgsOf(10, 'org');
    const area = tempArea(areaFile);
    trustAll(area, orgs);
    // An earlier, complete batch: org-0's #1, which the stopped batch's #2 replaces.
    const earlier = await writeBundles(fs.mkdtempSync(path.join(dir, 'earlier-')), 1, 1, orgs);
    expect((await importBundleFiles(area, earlier, importOptions))[0]!.outcome).toBe('accepted');
    area.close();

    const folder = fs.mkdtempSync(path.join(dir, 'batch-'));
    await writeBundles(folder, 10, 2, orgs);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'stop-mid-batch.ts'), areaFile, folder, '8', ROOT], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NEEDMAP_VERIFY_WORKERS: '2' },
    });
    let output = '';
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        output += c.toString();
        if (output.includes('stopped')) resolve();
        if (output.includes('finished')) reject(new Error(`the batch did not stop: ${output}`));
      });
      child.on('exit', (code) => reject(new Error(`the child exited (${code}): ${output}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    // As the killed process left it: bundles accepted and committed, none of them in the cube yet.
    const raw = new Database(areaFile, { readonly: true });
    const accepted = raw.prepare("SELECT COUNT(*) FROM import_log WHERE outcome = 'accepted'").pluck().get() as number;
    expect(accepted).toBeGreaterThanOrEqual(2); // the earlier bundle and at least one of the stopped batch
    expect(accepted).toBeLessThan(11);
    const acceptedInBatch = accepted - 1;
    // Every one of them waits, and so does org-0's earlier #1, replaced but still in the cube.
    expect(pendingCount(raw)).toBe(acceptedInBatch + 1);
    expect(() => expectCubeIsFreshSum(raw)).toThrow();
    raw.close();

    // The next start: opening the area database combines what was pending.
    const reopened = tempArea(areaFile);
    expect(pendingCount(reopened.sqlite)).toBe(0);
    expect(reopened.sqlite.prepare('SELECT COUNT(*) FROM imported_bundles').pluck().get()).toBe(accepted);
    expectCubeIsFreshSum(reopened.sqlite);

    // And the rest of the folder imports as usual afterwards: the stored files are duplicates, the others are accepted.
    const rest = await importBundleFiles(reopened, [folder], importOptions);
    expect(rest.filter((r) => r.outcome === 'accepted')).toHaveLength(10 - acceptedInBatch);
    expect(rest.filter((r) => r.outcome === 'refused' && r.reason === 'duplicate')).toHaveLength(acceptedInBatch);
    expectCubeIsFreshSum(reopened.sqlite);
  });
});
