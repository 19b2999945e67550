/** The area picture's handlers; each refuses clearly when this entry point has no area database. */
import { importBundleBatch, importedBundles, importLogEntries, taxonomiesOf } from '../../db/area/import.ts';
import type { AreaDatabase } from '../../db/area/open.ts';
import { exportOpenData, openDataFiles } from '../../db/area/open-data.ts';
import {
  addEvent,
  compareAroundEvent,
  coverageBySector,
  deleteEvent,
  distinctPeopleAcrossOrganisations,
  issueTrend,
  listEvents,
  localNeedAgainstIndices,
  needByDecile,
  needBySectorMonth,
  recentChanges,
  topIssuesPerSector,
} from '../../db/area/queries.ts';
import { readOurArea, writeOurArea, type ChosenAuthority } from '../../db/area/our-area.ts';
import { listTrustedKeys, revokeKey, trustKey } from '../../db/area/trust.ts';
import { ReferenceData } from '../../db/geo/reference.ts';
import { RecordError } from '../../core/errors.ts';
import type { areaCalls } from '../contract/area.ts';
import type { AppContext, HandlersFor } from '../context.ts';

function area(ctx: AppContext): AreaDatabase {
  if (!ctx.areaDb) throw new RecordError('invalid_input', 'The area picture is not available here: no area database is configured.');
  return ctx.areaDb.get();
}

function requireDesktop(ctx: AppContext, what: string): void {
  if (ctx.host !== 'electron') {
    throw new RecordError('invalid_input', `${what} is only possible in the desktop app; in the browser, choose or drop the files instead.`);
  }
}

/** The chosen authorities with the sectors that belong to them (most of their residents live there). */
function ourArea(ctx: AppContext, authorities: ChosenAuthority[]) {
  const reference = ctx.neighbourhoods instanceof ReferenceData ? ctx.neighbourhoods : null;
  const year = reference?.population()?.year ?? null;
  return {
    authorities,
    sectors: reference ? reference.sectorsOfAuthorities(authorities.map((a) => a.code)).sort() : [],
    rule: `A postcode sector is in our area when at least half of its residents (${year ?? 'no population data'} ONS estimates, shared among sectors by their postcodes) live in the chosen local authorities.`,
  };
}

function categoryLabels(ctx: AppContext): Record<string, string> {
  return Object.fromEntries(ctx.taxonomy.categories.map((c) => [c.code, c.name]));
}

export const areaHandlers: HandlersFor<typeof areaCalls> = {
  'area.status': (_input, ctx) => {
    if (!ctx.areaDb) return { available: false, file: null, activeBundles: 0, organisations: 0, trustedKeys: 0 };
    const s = area(ctx).sqlite;
    const [activeBundles, organisations] = s
      .prepare('SELECT COUNT(*), COUNT(DISTINCT organisation_id) FROM imported_bundles WHERE superseded_by IS NULL')
      .raw()
      .get() as [number, number];
    const [trustedKeys] = s.prepare('SELECT COUNT(*) FROM trusted_keys WHERE revoked_at IS NULL').raw().get() as [number];
    return { available: true, file: ctx.areaDb.file, activeBundles, organisations, trustedKeys };
  },
  'area.trust': (input, ctx) => trustKey(area(ctx).db, input),
  'area.revoke': (input, ctx) => revokeKey(area(ctx).db, input.fingerprint, input.reason ?? null),
  'area.trusted': (_input, ctx) => listTrustedKeys(area(ctx).db),
  'area.import': async (input, ctx) => {
    const db = area(ctx);
    const options = { taxonomies: taxonomiesOf(ctx.taxonomy) };
    if (input.paths.length > 0) requireDesktop(ctx, 'Importing by file path');
    const uploads = input.files.map((file) => ({ name: file.name, bytes: Buffer.from(file.base64, 'base64') }));
    // Files by path and uploads are one batch: distinct people are worked out once, at its end.
    return importBundleBatch(db, input.paths, uploads, options);
  },
  'area.importLog': (input, ctx) => importLogEntries(area(ctx), input.limit),
  'area.bundles': (_input, ctx) => importedBundles(area(ctx)),
  'area.needBySectorMonth': (input, ctx) => needBySectorMonth(area(ctx), input.sectors),
  'area.topIssues': (input, ctx) => topIssuesPerSector(area(ctx), input.limit, input.sectors),
  'area.issueTrend': (input, ctx) => ({ points: issueTrend(area(ctx), input.issue), events: listEvents(area(ctx)) }),
  'area.coverage': (_input, ctx) => coverageBySector(area(ctx)),
  'area.needByDecile': (_input, ctx) => needByDecile(area(ctx)),
  'area.distinctPeople': (_input, ctx) => distinctPeopleAcrossOrganisations(area(ctx)),
  'area.events.add': (input, ctx) => addEvent(area(ctx), input),
  'area.events.list': (_input, ctx) => listEvents(area(ctx)),
  'area.events.delete': (input, ctx) => {
    deleteEvent(area(ctx), input.id);
    return { deleted: true as const };
  },
  'area.events.compare': (input, ctx) => compareAroundEvent(area(ctx), input.id, { months: input.months, categoryLabels: categoryLabels(ctx) }),
  'area.changes': (input, ctx) => recentChanges(area(ctx), { window: input.window, limit: input.limit }),
  'area.needVsIndices': (input, ctx) => {
    if (!(ctx.neighbourhoods instanceof ReferenceData)) {
      throw new RecordError('invalid_input', 'No postcode reference data is loaded, so sectors cannot be compared with the Indices of Deprivation.');
    }
    return localNeedAgainstIndices(area(ctx), ctx.neighbourhoods, { ...input, labels: categoryLabels(ctx) });
  },
  'area.ourArea': (_input, ctx) => ourArea(ctx, readOurArea(area(ctx))),
  'area.setOurArea': (input, ctx) => {
    if (!(ctx.neighbourhoods instanceof ReferenceData)) {
      throw new RecordError('invalid_input', 'No postcode reference data is loaded, so local authorities cannot be chosen.');
    }
    const reference = ctx.neighbourhoods;
    const unknown = input.codes.filter((code) => !reference.authority(code));
    if (unknown.length) {
      const message = `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a local authority' : 'are not local authorities'} in the reference data (2022 codes).`;
      throw new RecordError('invalid_input', message, { codes: [message] });
    }
    return ourArea(
      ctx,
      writeOurArea(
        area(ctx),
        input.codes.map((code) => reference.authority(code)!),
      ),
    );
  },
  'area.exportOpenData': (input, ctx) => {
    const options = { taxonomy: ctx.taxonomy, threshold: input.threshold };
    if (input.outDir !== undefined) {
      requireDesktop(ctx, 'Writing open data to a folder');
      const result = exportOpenData(area(ctx), input.outDir, options);
      return { threshold: result.threshold, outDir: input.outDir, tables: result.tables, leftOut: result.leftOut, files: [] };
    }
    const result = openDataFiles(area(ctx), options);
    return { threshold: result.threshold, outDir: null, tables: result.tables, leftOut: result.leftOut, files: result.contents };
  },
};
