/** The area picture's handlers; each refuses clearly when this entry point has no area database. */
import { importBundleFiles, importedBundles, importLogEntries, taxonomiesOf } from '../../db/area/import.ts';
import type { AreaDatabase } from '../../db/area/open.ts';
import { exportOpenData, openDataFiles } from '../../db/area/open-data.ts';
import { recentChanges } from '../../db/area/change-scan.ts';
import { addEvent, compareAroundEvent, deleteEvent, listEvents } from '../../db/area/events.ts';
import {
  coverageBySector,
  distinctPeopleAcrossOrganisations,
  issueTrend,
  needByDecile,
  presentationsByIssue,
  needBySectorMonth,
  topIssuesPerSector,
} from '../../db/area/queries.ts';
import { needAgainstNationalAssumptions, populationFromReference } from '../../db/area/national.ts';
import { needByFramework } from '../../core/framework-need.ts';
import { loadOutcomes } from '../../framework-outcomes.ts';
import { sectorProfiles } from '../../db/area/sector-profile.ts';
import { addService, compareService, deleteService, listServices } from '../../db/area/services.ts';
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

/** Sectors' average IMD decile from the postcode reference data (for choosing comparison sectors); empty without it. */
function deprivationOf(ctx: AppContext): (sectors: readonly string[]) => ReadonlyMap<string, number> {
  const reference = ctx.neighbourhoods;
  if (!(reference instanceof ReferenceData)) return () => new Map();
  return (sectors) => new Map([...sectorProfiles(reference, sectors)].map(([s, p]) => [s, p.imdDecile]));
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
    // Files by path and uploads are one batch (verified in worker threads): combined and distinct people worked out once, at its end.
    return importBundleFiles(db, input.paths, options, uploads);
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
  'area.events.compare': (input, ctx) =>
    compareAroundEvent(area(ctx), input.id, {
      months: input.months,
      categoryLabels: categoryLabels(ctx),
      categories: input.categories ?? null,
      deprivation: deprivationOf(ctx),
    }),
  'area.changes': (input, ctx) => recentChanges(area(ctx), { window: input.window, limit: input.limit }),
  'area.services.add': (input, ctx) => {
    const known = new Set(ctx.taxonomy.issues.map((i) => i.code));
    const unknown = input.issues.filter((code) => !known.has(code));
    if (unknown.length > 0) {
      throw new RecordError('invalid_input', `Not in the issue taxonomy: ${unknown.join(', ')}.`, {
        issues: [`Not in the issue taxonomy: ${unknown.join(', ')}.`],
      });
    }
    return addService(area(ctx), input);
  },
  'area.services.list': (_input, ctx) => listServices(area(ctx)),
  'area.services.delete': (input, ctx) => {
    deleteService(area(ctx), input.id);
    return { deleted: true as const };
  },
  'area.services.compare': (input, ctx) =>
    compareService(area(ctx), input.id, {
      quarters: input.quarters,
      issueLabels: Object.fromEntries(ctx.taxonomy.issues.map((i) => [i.code, i.name])),
      deprivation: deprivationOf(ctx),
    }),
  'area.frameworks': (_input, ctx) => needByFramework(presentationsByIssue(area(ctx)), ctx.taxonomy, loadOutcomes(ctx.paths)),
  'area.needVsAssumptions': (input, ctx) => {
    const reference = ctx.neighbourhoods;
    if (!(reference instanceof ReferenceData)) {
      return { note: 'No postcode reference data is loaded, so sectors have no deprivation profile or residents to compare with.', report: null };
    }
    const population = populationFromReference(reference);
    if (!population) {
      return {
        note: 'The postcode reference data loaded here has no residents per postcode sector, so need cannot be set against population. Reference data with the ONS mid-year population per sector (shipped with the national postcode data) is needed.',
        report: null,
      };
    }
    const deprivation = (sectors: readonly string[]) => sectorProfiles(reference, sectors);
    // With "our area" chosen, the expectation comes from our own sectors only (people from neighbouring areas are few and far between).
    const chosen = readOurArea(area(ctx));
    const limit = chosen.length ? { sectors: new Set(reference.sectorsOfAuthorities(chosen.map((a) => a.code))), names: chosen.map((a) => a.name) } : null;
    return {
      note: null,
      report: needAgainstNationalAssumptions(area(ctx), population, deprivation, {
        ...input,
        labels: categoryLabels(ctx),
        ...(limit ? { within: limit } : {}),
      }),
    };
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
