/** Geography's handlers: postcode lookups, reference data status, updates and recomputing clients. */
import fs from 'node:fs';
import { DEFAULT_DEPRIVATION_THRESHOLD, deprivationBadge, isAreaOfDeprivation } from '../../core/deprivation.ts';
import { readDeprivationThreshold, writeDeprivationThreshold } from '../../db/geo-settings.ts';
import { geographyFor } from '../../core/geography.ts';
import { parsePostcode } from '../../core/postcode.ts';
import { recomputeClientGeography } from '../../db/geo-clients.ts';
import { ReferenceImportError, importReferenceFiles } from '../../db/reference-import.ts';
import { ReferenceData, ReferenceError } from '../../db/reference.ts';
import { RecordError } from '../../db/records.ts';
import type { geoCalls } from '../contract/geo.ts';
import type { AppContext, HandlersFor } from '../context.ts';

function referenceOf(ctx: AppContext): ReferenceData | null {
  return ctx.neighbourhoods instanceof ReferenceData ? ctx.neighbourhoods : null;
}

export const geoHandlers: HandlersFor<typeof geoCalls> = {
  'geo.lookup': (input, ctx) => {
    const parsed = parsePostcode(input.postcode);
    if (!parsed.ok) throw new RecordError('invalid_input', parsed.error, { postcode: [parsed.error] });
    const areas = { postcode: parsed.postcode, sector: parsed.sector, district: parsed.district };
    const reference = referenceOf(ctx);
    if (!reference) {
      return { ...areas, found: false, country: null, neighbourhood: null, deprivation: null, reason: 'No postcode reference data is loaded.' };
    }
    const found = reference.lookup(parsed.postcode);
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
      ctx.neighbourhoods = ReferenceData.load(ctx.reference.userFile);
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
  }),

  'settings.deprivationThreshold': (input, ctx) => {
    writeDeprivationThreshold(ctx.caseDb.db, input.deprivationThreshold);
    return { deprivationThreshold: input.deprivationThreshold, defaultThreshold: DEFAULT_DEPRIVATION_THRESHOLD };
  },

  'geo.importProgress': (_input, ctx) => {
    const progress = ctx.referenceImport;
    return progress ? { running: true, ...progress } : { running: false, file: null, bytesRead: 0, totalBytes: 0, rowsRead: 0 };
  },

  'geo.recomputeClients': (_input, ctx) => recomputeClientGeography(ctx.caseDb.db, (postcode) => geographyFor(postcode, ctx.neighbourhoods)),
};
