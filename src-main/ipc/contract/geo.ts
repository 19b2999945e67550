/**
 * Geography's part of the contract (see ../contract.ts): postcode lookups for the client form,
 * the reference data's sources and licences for the About page, and the Settings update.
 * Imports only zod and pure core modules, so the renderer can import it too.
 */
import { z } from 'zod';
import { DOMAIN_NAMES, IOD_EDITIONS } from '../../core/deprivation.ts';
import { parsePostcode } from '../../core/postcode.ts';

const decile = z.number().int().min(1).max(10);

export const DomainDecilesOut = z.object(Object.fromEntries(DOMAIN_NAMES.map((d) => [d, decile])) as Record<(typeof DOMAIN_NAMES)[number], typeof decile>);

const edition = z.enum(IOD_EDITIONS as [string, ...string[]]);
export const LocalAuthorityOut = z.object({ code: z.string(), name: z.string() });

export const GeoLookupResult = z.object({
  postcode: z.string(),
  sector: z.string(),
  district: z.string(),
  /** True when the neighbourhood's deprivation decile is known. */
  found: z.boolean(),
  country: z.string().nullable(),
  neighbourhood: z.object({ lsoa: z.string(), name: z.string().nullable() }).nullable(),
  lsoa21: z.string().nullable(),
  localAuthority: LocalAuthorityOut.nullable(),
  /** official: from an ONS postcode directory or published lookup; derived: placed from the postcode's centre point; null: not in the data. */
  source: z.enum(['official', 'derived']).nullable(),
  deprivation: z
    .object({
      edition,
      imdDecile: decile,
      imdRank: z.number().int().positive(),
      domains: DomainDecilesOut,
      /** IMD decile at or below the threshold ("area of deprivation"). */
      deprived: z.boolean(),
      /** "Lives in one of the 10% most deprived neighbourhoods in England", or null. */
      badge: z.string().nullable(),
    })
    .nullable(),
  /** Why the deprivation is unknown (outside England, terminated, not in the data…); null when known. */
  reason: z.string().nullable(),
});
export type GeoLookupResult = z.infer<typeof GeoLookupResult>;

export const SectorPopulationOut = z.object({
  /** "mid-2020"; null when the reference data has no population. */
  year: z.string().nullable(),
  /** How each LSOA's residents were shared out among sectors, in words. */
  basis: z.string(),
  sectors: z.array(
    z.object({
      sector: z.string(),
      residents: z.number().int().nullable(),
      mainAuthority: LocalAuthorityOut.nullable(),
      /** Share (0–1) of the sector's residents who live in mainAuthority. */
      mainShare: z.number().min(0).max(1),
    }),
  ),
});
export type SectorPopulationOut = z.infer<typeof SectorPopulationOut>;

export const GeoSource = z.object({
  id: z.string(),
  title: z.string(),
  publisher: z.string(),
  released: z.string(),
  licence: z.string(),
  attribution: z.string(),
  files: z.string(),
  rows: z.number().int(),
  importedAt: z.string(),
});

export const GeoImportSummary = z.object({
  referenceFile: z.string(),
  filesRead: z.array(z.string()),
  filesSkipped: z.array(z.string()),
  rowsRead: z.number().int(),
  postcodesAdded: z.number().int(),
  postcodesUpdated: z.number().int(),
  deprivationRows: z.object({ IoD2019: z.number().int(), IoD2025: z.number().int() }),
  rowsRefused: z.number().int(),
  refusedExamples: z.array(z.object({ file: z.string(), line: z.number().int(), reason: z.string() })),
  refusedByReason: z.record(z.string(), z.number().int()),
  postcodesTotal: z.number().int(),
});

export const geoCalls = {
  'geo.lookup': {
    input: z.object({
      postcode: z
        .string({ message: 'Enter a postcode.' })
        .max(20, { message: 'That is too long for a postcode.' })
        .superRefine((value, ctx) => {
          const parsed = parsePostcode(value);
          if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
        }),
      /** Default: the organisation's setting (geo.settings). */
      threshold: decile.optional(),
    }),
    output: GeoLookupResult,
  },
  /** The organisation's "area of deprivation" threshold and Indices edition: readable by every role (badges use them). */
  'geo.settings': {
    input: z.object({}),
    output: z.object({ deprivationThreshold: decile, defaultThreshold: decile, iodEdition: edition, defaultEdition: edition }),
  },
  /** Admin only: which edition of the Indices deciles come from; every client's stored decile is recomputed in the same step. */
  'settings.iodEdition': {
    input: z.object({ iodEdition: z.enum(IOD_EDITIONS as [string, ...string[]], { message: 'Choose IoD2025 or IoD2019.' }) }),
    output: z.object({
      iodEdition: edition,
      recomputed: z.object({ clients: z.number().int(), changed: z.number().int(), withDecile: z.number().int(), unknown: z.number().int() }),
    }),
  },
  /** Every local authority (2022) in the reference data, with its residents, by name. */
  'geo.localAuthorities': {
    input: z.object({}),
    output: z.object({ populationYear: z.string().nullable(), authorities: z.array(LocalAuthorityOut.extend({ residents: z.number().int().nullable() })) }),
  },
  /** Residents of postcode sectors (apportioned from LSOA estimates) and the local authority most of them live in. */
  'geo.sectorPopulation': {
    input: z.object({ sectors: z.array(z.string().trim().max(8)).max(20_000) }),
    output: SectorPopulationOut,
  },
  /** Admin only (the "settings." prefix in ipc/permissions.ts). */
  'settings.deprivationThreshold': {
    input: z.object({
      deprivationThreshold: z
        .number({ message: 'Choose a decile from 1 to 10.' })
        .int({ message: 'Choose a decile from 1 to 10.' })
        .min(1, { message: 'Choose a decile from 1 to 10.' })
        .max(10, { message: 'Choose a decile from 1 to 10.' }),
    }),
    output: z.object({ deprivationThreshold: decile, defaultThreshold: decile }),
  },
  'geo.status': {
    input: z.object({}),
    output: z.object({
      loaded: z.boolean(),
      file: z.string().nullable(),
      /** True when the data is the user's updated copy rather than the shipped one. */
      updated: z.boolean(),
      builtAt: z.string().nullable(),
      postcodes: z.number().int(),
      livePostcodes: z.number().int(),
      terminatedPostcodes: z.number().int(),
      englishPostcodes: z.number().int(),
      welshPostcodes: z.number().int(),
      officialPostcodes: z.number().int(),
      derivedPostcodes: z.number().int(),
      localAuthorities: z.number().int(),
      populationYear: z.string().nullable(),
      lsoas: z.object({ IoD2019: z.number().int(), IoD2025: z.number().int() }),
      sources: z.array(GeoSource),
      attribution: z.array(z.string()),
    }),
  },
  'geo.import': {
    input: z.object({
      files: z
        .array(z.string().trim().min(1, { message: 'A file name is empty.' }), { message: 'Choose the files to import.' })
        .min(1, { message: 'Choose at least one file to import.' })
        .max(200, { message: 'Import at most 200 files at a time.' }),
    }),
    output: GeoImportSummary,
  },
  /** How far the import under way has got (polled by the Settings page while geo.import runs). */
  'geo.importProgress': {
    input: z.object({}),
    output: z.object({
      running: z.boolean(),
      file: z.string().nullable(),
      bytesRead: z.number().int(),
      totalBytes: z.number().int(),
      rowsRead: z.number().int(),
    }),
  },
  'geo.recomputeClients': {
    input: z.object({}),
    output: z.object({ clients: z.number().int(), changed: z.number().int(), withDecile: z.number().int(), unknown: z.number().int() }),
  },
} as const;
