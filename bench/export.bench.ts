/**
 * Aggregate bundle: export of 24 months from the demo database (target < 2 s) and verification
 * (target < 50 ms), each against a baseline measured in the same run: a raw SQL GROUP BY over
 * the same rows, and a bare crypto.verify of the same bytes. Export also with match keys (an
 * area linkage key set). Times are medians of wall-clock time, with the process's CPU time
 * beside them: on a shared, busy machine the CPU time is the steadier figure.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { createAppContext } from '../src-main/app-context.ts';
import { DISCLOSURE_POLICIES } from '../src-main/core/bundle/disclosure.ts';
import { canonicalBytes, generalCanonicalBytes, packBundle, signBytes, zipBundle } from '../src-main/core/bundle/package.ts';
import { buildMatchKeySection } from '../src-main/core/bundle/match-keys.ts';
import { buildPayload } from '../src-main/core/bundle/payload.ts';
import { verifyBundle } from '../src-main/core/bundle/verify.ts';
import { readExportRows, readMatchKeyPeople, taxonomyCodes } from '../src-main/db/bundle/export.ts';
import { monthsBetween } from '../src-main/core/bundle/period.ts';
import { wholeQuarters } from '../src-main/core/bundle/tables.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import { benchDatabase, timeMedian, timeWallAndCpu } from './demo-db.ts';
import type { BenchContext } from './run.ts';

/** Median wall-clock and median CPU (user + system) milliseconds of `runs` calls after one warm-up. */
async function timeMedianAsync(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  return (await timeWallAndCpu(fn, runs)).wall;
}

export async function run(bench: BenchContext): Promise<void> {
  // BENCH_EXPORT_DB=bench/out/demo-100000-s1.db: the issue-5 database, whose bundle is of a typical size.
  const ctx = createAppContext({ dbFile: process.env.BENCH_EXPORT_DB ?? benchDatabase(bench), paths: defaultAppPaths(), host: 'browser' });
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const key = { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  const fingerprint = crypto
    .createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  const [from, to] = ['2024-11', '2026-10'];
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.availableParallelism()} CPUs`,
  );

  let file: Buffer = Buffer.alloc(0);
  let payloadBytes: Buffer = Buffer.alloc(0);
  let signature: Buffer = Buffer.alloc(0);
  /** The plain cell-key bundle (no match keys): the typical bundle verification is timed on. */
  let typical: { file: Buffer; payloadBytes: Buffer; signature: Buffer } | null = null;
  let cells = 0;
  const linkageKey = 'bench area linkage key, 32 characters or more';
  for (const [policy, withMatchKeys] of [
    ['cell-key', false],
    ['nhs-england', false],
    ['cell-key', true],
  ] as const) {
    let matchKeyRows = 0;
    const exportMs = await timeWallAndCpu(async () => {
      const rows = readExportRows(ctx.caseDb, ctx.taxonomy, from, to);
      const matchKeys = withMatchKeys
        ? buildMatchKeySection(linkageKey, readMatchKeyPeople(ctx.caseDb, from, to), {
            policy: DISCLOSURE_POLICIES[policy],
            organisationId: 'bench',
            wholeQuarters: wholeQuarters(monthsBetween(from, to)),
          })
        : undefined;
      matchKeyRows = matchKeys?.rows.length ?? 0;
      const payload = buildPayload({
        organisation: { id: 'bench', name: 'Bench' },
        fingerprint,
        taxonomyVersion: ctx.taxonomy.version,
        ...taxonomyCodes(ctx.taxonomy),
        from,
        to,
        sequence: 1,
        createdAt: new Date(),
        softwareVersion: ctx.version,
        policy: DISCLOSURE_POLICIES[policy],
        ...rows,
        ...(matchKeys ? { matchKeys } : {}),
      });
      cells = payload.tables.reduce((n, t) => n + t.cells.length, 0);
      ({ file, payloadBytes, signature } = await packBundle(payload, key));
    });
    if (policy === 'cell-key' && !withMatchKeys) typical = { file, payloadBytes, signature };
    console.log(
      `export 24 months (${policy}${withMatchKeys ? `, with ${matchKeyRows} match-key rows` : ''}): ${exportMs.wall.toFixed(0)} ms (CPU ${exportMs.cpu.toFixed(0)} ms) — ` +
        `${cells} cells, bundle ${(file.length / 1024).toFixed(0)} KiB (bundle.json ${(payloadBytes.length / 1024).toFixed(0)} KiB)` +
        (withMatchKeys ? ' — optional, no target' : ' — target < 2000 ms'),
    );
  }

  // Baseline: the database alone grouping the same presentations by sector × month × category.
  const groupBy = ctx.caseDb.sqlite.prepare(
    `SELECT c.postcode_sector, substr(ci.identified_on, 1, 7) AS m, ci.issue_code, COUNT(DISTINCT ci.client_id), COUNT(*)
     FROM client_issues ci JOIN clients c ON c.id = ci.client_id
     WHERE ci.identified_on >= ? AND ci.identified_on < ? GROUP BY 1, 2, 3`,
  );
  const baselineMs = timeMedian(() => groupBy.raw().all(`${from}-01`, '2026-11-01'), 5);
  const rowsMs = await timeWallAndCpu(async () => readExportRows(ctx.caseDb, ctx.taxonomy, from, to), 5);
  console.log(
    `baseline: one SQL GROUP BY of the same rows: ${baselineMs.toFixed(0)} ms; ` +
      `reading the export rows alone: ${rowsMs.wall.toFixed(0)} ms (CPU ${rowsMs.cpu.toFixed(0)} ms)`,
  );

  // Where an export's time goes, and the canonical writer against the general path it replaced (same payload, same run).
  const rows = readExportRows(ctx.caseDb, ctx.taxonomy, from, to);
  const payload = buildPayload({
    organisation: { id: 'bench', name: 'Bench' },
    fingerprint,
    taxonomyVersion: ctx.taxonomy.version,
    ...taxonomyCodes(ctx.taxonomy),
    from,
    to,
    sequence: 1,
    createdAt: new Date(),
    softwareVersion: ctx.version,
    policy: DISCLOSURE_POLICIES['cell-key'],
    ...rows,
  });
  const tablesMs = await timeWallAndCpu(async () =>
    buildPayload({
      organisation: { id: 'bench', name: 'Bench' },
      fingerprint,
      taxonomyVersion: ctx.taxonomy.version,
      ...taxonomyCodes(ctx.taxonomy),
      from,
      to,
      sequence: 1,
      createdAt: new Date(),
      softwareVersion: ctx.version,
      policy: DISCLOSURE_POLICIES['cell-key'],
      ...rows,
    }),
  );
  let fast: Buffer = Buffer.alloc(0);
  let general: Buffer = Buffer.alloc(0);
  const fastMs = await timeWallAndCpu(async () => (fast = canonicalBytes(payload)));
  const generalMs = await timeWallAndCpu(async () => (general = generalCanonicalBytes(payload)));
  if (!fast.equals(general)) throw new Error('The canonical writer and the general path disagree.');
  const signZipMs = await timeWallAndCpu(async () => zipBundle({ payload: fast, signature: signBytes(fast, privateKey), publicKeyPem: key.publicKeyPem }));
  console.log(
    `cell-key export split: rows ${rowsMs.wall.toFixed(0)} ms, tables ${tablesMs.wall.toFixed(0)} ms (CPU ${tablesMs.cpu.toFixed(0)}), ` +
      `canonical JSON ${fastMs.wall.toFixed(0)} ms (CPU ${fastMs.cpu.toFixed(0)}), sign + ZIP ${signZipMs.wall.toFixed(0)} ms (CPU ${signZipMs.cpu.toFixed(0)})`,
  );
  console.log(
    `canonical JSON of the same ${(fast.length / 1024 / 1024).toFixed(1)} MiB payload: canonical writer ${fastMs.wall.toFixed(0)} ms (CPU ${fastMs.cpu.toFixed(0)}); ` +
      `baseline the general path it replaced (canonicalize) ${generalMs.wall.toFixed(0)} ms (CPU ${generalMs.cpu.toFixed(0)}) — ×${(fastMs.wall / generalMs.wall).toFixed(2)}; same bytes`,
  );

  const verifyMs = await timeMedianAsync(async () => {
    const result = await verifyBundle(typical!.file);
    if (!result.ok) throw new Error(result.message);
  }, 9);
  const rawVerifyMs = timeMedian(() => crypto.verify(null, typical!.payloadBytes, publicKey, typical!.signature), 9);
  console.log(
    `verify (ZIP in memory, signature, canonical form, schema): ${verifyMs.toFixed(1)} ms — target < 50 ms; ` +
      `baseline crypto.verify of the same bytes: ${rawVerifyMs.toFixed(2)} ms (×${(verifyMs / rawVerifyMs).toFixed(0)})`,
  );
  ctx.caseDb.close();
}
