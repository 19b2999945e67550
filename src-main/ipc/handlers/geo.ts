/** Geography's handlers: postcode lookups, reference data status, updates and recomputing clients. */
import fs from 'node:fs';
import type { z } from 'zod';
import { DEFAULT_DEPRIVATION_THRESHOLD, DEFAULT_IOD_EDITION, deprivationBadge, isAreaOfDeprivation, type IodEdition } from '../../core/deprivation.ts';
import { readDeprivationThreshold, readIodEdition, writeDeprivationThreshold, writeIodEdition } from '../../db/geo/settings.ts';
import { geographyFor } from '../../core/geography.ts';
import { parsePostcode } from '../../core/postcode.ts';
import { markClientsComputedWith, recomputeClientGeography } from '../../db/geo/clients.ts';
import { importReferenceFiles } from '../../db/geo/import.ts';
import { ReferenceImportError } from '../../db/geo/reference-import.ts';
import { ReferenceData, ReferenceError, loadReferenceCached } from '../../db/geo/reference.ts';
import { RecordError } from '../../core/errors.ts';
import type { geoCalls, SectorPopulationOut } from '../contract/geo.ts';
import type { AppContext, HandlersFor } from '../context.ts';

function referenceOf(ctx: AppContext): ReferenceData | null {
  return ctx.neighbourhoods instanceof ReferenceData ? ctx.neighbourhoods : null;
}

/** Residents of the given sectors, for rates per 1,000 residents (reports, the area picture). */
export function sectorPopulation(ctx: AppContext, sectors: readonly string[]): z.input<typeof SectorPopulationOut> {
  const reference = referenceOf(ctx);
  const table = reference?.population() ?? null;
  return {
    year: table?.year ?? null,
    basis: table?.basis ?? 'No population data is loaded.',
    sectors: [...new Set(sectors)].map((sector) => {
      const found = reference?.sectorResidents(sector) ?? null;
      return { sector, residents: found?.residents ?? null, mainAuthority: found?.mainAuthority ?? null, mainShare: found?.mainShare ?? 0 };
    }),
  };
}

/** Every client's stored geography from the loaded data, noted as computed with it (see app-context's refresh on open). */
function recompute(ctx: AppContext, edition: IodEdition) {
  const db = ctx.caseDb.db;
  return db.transaction(() => {
    const summary = recomputeClientGeography(db, (postcode) => geographyFor(postcode, ctx.neighbourhoods, edition));
    const reference = referenceOf(ctx);
    if (reference) markClientsComputedWith(db, reference.stamp);
    return summary;
  });
}

export const geoHandlers: HandlersFor<typeof geoCalls> = {
  'geo.lookup': (input, ctx) => {
    const parsed = parsePostcode(input.postcode);
    if (!parsed.ok) throw new RecordError('invalid_input', parsed.error, { postcode: [parsed.error] });
    const areas = { postcode: parsed.postcode, sector: parsed.sector, district: parsed.district };
    const reference = referenceOf(ctx);
    if (!reference) {
      return {
        ...areas,
        found: false,
        country: null,
        neighbourhood: null,
        lsoa21: null,
        localAuthority: null,
        source: null,
        deprivation: null,
        reason: 'No postcode reference data is loaded.',
      };
    }
    const found = reference.lookup(parsed.postcode, readIodEdition(ctx.caseDb.db));
    const threshold = input.threshold ?? readDeprivationThreshold(ctx.caseDb.db);
    const deprivation =
      found.imdDecile !== null && found.imdRank !== null && found.imdEdition !== null && found.domains !== null
        ? {
            edition: found.imdEdition,
            imdDecile: found.imdDecile,
            imdRank: found.imdRank,
            domains: { ...found.domains },
            deprived: isAreaOfDeprivation(found.imdDecile, threshold) === true,
            badge: deprivationBadge(found.imdDecile, threshold),
          }
        : null;
    return {
      ...areas,
      found: deprivation !== null,
      country: found.country,
      neighbourhood: found.lsoa ? { lsoa: found.lsoa, name: found.lsoaName } : null,
      lsoa21: found.lsoa21,
      localAuthority: found.localAuthority,
      source: found.source,
      deprivation,
      reason: found.reason,
    };
  },

  'geo.status': (_input, ctx) => {
    const reference = referenceOf(ctx);
    if (!reference) {
      return {
        loaded: false,
        file: null,
        updated: false,
        builtAt: null,
        postcodes: 0,
        livePostcodes: 0,
        terminatedPostcodes: 0,
        englishPostcodes: 0,
        welshPostcodes: 0,
        officialPostcodes: 0,
        derivedPostcodes: 0,
        localAuthorities: 0,
        populationYear: null,
        lsoas: { IoD2019: 0, IoD2025: 0 },
        sources: [],
        attribution: [],
      };
    }
    const { format: _format, ...status } = reference.status();
    return { loaded: true, updated: ctx.reference?.userFile === reference.file, ...status };
  },

  'geo.import': async (input, ctx) => {
    if (!ctx.reference) throw new RecordError('invalid_input', 'This NeedMap has no place to keep updated reference data.');
    const missing = input.files.filter((f) => !fs.existsSync(f));
    if (missing.length) {
      throw new RecordError('invalid_input', `File not found: ${missing.join(', ')}.`, { files: missing.map((f) => `There is no file ${f}.`) });
    }
    try {
      if (ctx.referenceImport) throw new RecordError('conflict', 'An import is already under way; wait for it to finish.');
      ctx.referenceImport = { file: input.files[0]!, bytesRead: 0, totalBytes: 0, rowsRead: 0 };
      const summary = await importReferenceFiles(ctx.reference.userFile, input.files, {
        shippedFile: ctx.reference.shippedFile,
        onProgress: (progress) => (ctx.referenceImport = { ...progress }),
      }).finally(() => (ctx.referenceImport = null));
      // Swap in the new data only now that it is complete; lookups until here used the old data.
      ctx.neighbourhoods = loadReferenceCached(ctx.reference.userFile);
      return summary;
    } catch (error) {
      if (error instanceof ReferenceImportError || error instanceof ReferenceError) {
        throw new RecordError('invalid_input', error.message, { files: [error.message] });
      }
      throw error;
    }
  },

  'geo.settings': (_input, ctx) => ({
    deprivationThreshold: readDeprivationThreshold(ctx.caseDb.db),
    defaultThreshold: DEFAULT_DEPRIVATION_THRESHOLD,
    iodEdition: readIodEdition(ctx.caseDb.db),
    defaultEdition: DEFAULT_IOD_EDITION,
  }),

  'settings.iodEdition': (input, ctx) => {
    const edition = input.iodEdition as IodEdition;
    // The setting and every client's stored decile change together, so reports never mix the two.
    const recomputed = ctx.caseDb.db.transaction(() => {
      writeIodEdition(ctx.caseDb.db, edition);
      return recompute(ctx, edition);
    });
    return { iodEdition: edition, recomputed };
  },

  'geo.localAuthorities': (_input, ctx) => {
    const reference = referenceOf(ctx);
    return { populationYear: reference?.population()?.year ?? null, authorities: reference?.localAuthorities() ?? [] };
  },

  'geo.sectorPopulation': (input, ctx) => sectorPopulation(ctx, input.sectors),

  'settings.deprivationThreshold': (input, ctx) => {
    writeDeprivationThreshold(ctx.caseDb.db, input.deprivationThreshold);
    return { deprivationThreshold: input.deprivationThreshold, defaultThreshold: DEFAULT_DEPRIVATION_THRESHOLD };
  },

  'geo.importProgress': (_input, ctx) => {
    const progress = ctx.referenceImport;
    return progress ? { running: true, ...progress } : { running: false, file: null, bytesRead: 0, totalBytes: 0, rowsRead: 0 };
  },

  'geo.recomputeClients': (_input, ctx) => recompute(ctx, readIodEdition(ctx.caseDb.db)),
};
