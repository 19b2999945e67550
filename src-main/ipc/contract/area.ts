/**
 * The area picture's part of the contract (see ../contract.ts): trusted keys, importing bundles,
 * the import log, dashboard data, distinct people, events and before/after verdicts, local need
 * against national indices, and open data. Imports only zod and pure core modules.
 *
 * Files and the two hosts: bundles are sent as bytes (`files`, base64) from a file picker or drag
 * and drop; `paths` (files or whole folders) is accepted only in the Electron app, because the
 * local browser host must never read a path a web page names. Likewise open data is written to
 * `outDir` only in the Electron app; otherwise the files come back as text to download.
 */
import { z } from 'zod';
import { isoDate } from '../../core/records/fields.ts';
import { FrameworkNeedOut } from './reports.ts';

const fingerprint = z
  .string({ message: 'Enter the fingerprint.' })
  .trim()
  .refine((v) => /^[0-9a-fA-F]{64}$/.test(v.replace(/[\s:-]/g, '')), { message: 'A fingerprint is 64 hex digits (spaces and colons are allowed).' });

const sectorList = z
  .array(
    z
      .string()
      .trim()
      .regex(/^[A-Z]{1,2}\d[A-Z\d]? \d$/, { message: 'A postcode sector looks like "PR1 2".' }),
  )
  .max(500);

const count = z.number().int().min(0);

export const TrustedKeyInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  fingerprint: z.string(),
  groupedFingerprint: z.string(),
  hasPublicKey: z.boolean(),
  organisationId: z.string().nullable(),
  addedAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedReason: z.string().nullable(),
});

export const ImportResult = z.discriminatedUnion('outcome', [
  z.object({
    file: z.string(),
    outcome: z.literal('accepted'),
    bundleId: z.number().int(),
    organisationId: z.string(),
    sequence: z.number().int(),
    supersededBundleId: z.number().int().nullable(),
    message: z.string(),
  }),
  z.object({ file: z.string(), outcome: z.literal('refused'), reason: z.string(), message: z.string() }),
]);

const AreaEvent = z.object({ id: z.number().int(), date: z.string(), title: z.string(), sectors: z.array(z.string()).nullable() });

/** A difference-in-differences estimate (core/area/change.ts) with the counts it came from. */
export const ChangeEstimate = z.object({
  studyBefore: count,
  studyAfter: count,
  baselineBefore: count,
  baselineAfter: count,
  ratio: z.number().positive().nullable(),
  lower: z.number().min(0).nullable(),
  upper: z.number().min(0).nullable(),
  pValue: z.number().min(0).max(1).nullable(),
  qValue: z.number().min(0).max(1).nullable(),
  tooLittle: z.string().nullable(),
});

const BaselineKind = z.enum(['year-earlier', 'comparison-sectors', 'rest-of-area']);

/** One study-against-baseline report over many categories or issues (db/area/baselines.ts). */
export const BaselineReport = z.object({
  kind: BaselineKind,
  description: z.string(),
  comparisonSectors: z.array(z.string()).nullable(),
  baselinePeriodsBefore: z.array(z.string()),
  baselinePeriodsAfter: z.array(z.string()),
  organisations: z.array(z.string()),
  suppressedCells: count,
  dispersion: z.number().min(0).nullable(),
  dispersionDf: count,
  tested: count,
  discoveries: count,
  comparisons: z.array(ChangeEstimate.extend({ key: z.string(), verdict: z.string() })),
  note: z.string().nullable(),
});

const AreaService = z.object({
  id: z.number().int(),
  name: z.string(),
  openedOn: z.string(),
  sectors: z.array(z.string()),
  issues: z.array(z.string()),
  organisationId: z.string().nullable(),
});

const authorityCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[EWSN]\d{8}$/, { message: 'A local authority code looks like "E08000003".' });

export const OurAreaOut = z.object({
  /** The chosen local authorities; empty = the whole area the bundles cover. */
  authorities: z.array(z.object({ code: z.string(), name: z.string() })),
  /** Postcode sectors at least half of whose residents live in the chosen authorities (all sectors of England and Wales that qualify). */
  sectors: z.array(z.string()),
  /** The rule and the population year, in words, for the screen. */
  rule: z.string(),
});

export const areaCalls = {
  'area.status': {
    input: z.object({}),
    output: z.object({ available: z.boolean(), file: z.string().nullable(), activeBundles: count, organisations: count, trustedKeys: count }),
  },
  'area.trust': {
    input: z
      .object({
        name: z.string().trim().max(200, { message: 'The name is too long (200 characters at most).' }).optional(),
        publicKeyPem: z.string().max(4096, { message: 'A public key file is much smaller than this.' }).optional(),
        fingerprint: fingerprint.optional(),
        /** The organisation id the key speaks for (its bundles' organisation.id); checked by trustKey. */
        organisationId: z.string().trim().max(64, { message: 'An organisation id is at most 64 characters.' }).optional(),
      })
      .refine((v) => v.publicKeyPem !== undefined || v.fingerprint !== undefined, {
        message: 'Give the public key file or the fingerprint the organisation read out.',
        path: ['fingerprint'],
      }),
    output: z.object({ key: TrustedKeyInfo, alreadyTrusted: z.boolean() }),
  },
  'area.revoke': {
    input: z.object({ fingerprint, reason: z.string().trim().max(500).optional() }),
    output: TrustedKeyInfo,
  },
  'area.trusted': { input: z.object({}), output: z.array(TrustedKeyInfo) },
  'area.import': {
    input: z
      .object({
        files: z
          .array(
            z.object({
              name: z.string().trim().min(1, { message: 'Each file needs its name.' }).max(255),
              base64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'The file contents must be base64.' }),
            }),
          )
          .max(1000)
          .default([]),
        paths: z.array(z.string().min(1)).max(1000).default([]),
      })
      .refine((v) => v.files.length + v.paths.length > 0, { message: 'Choose at least one bundle file or folder.', path: ['files'] }),
    output: z.array(ImportResult),
  },
  'area.importLog': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(200) }),
    output: z.array(
      z.object({
        id: z.number().int(),
        fileName: z.string(),
        outcome: z.enum(['accepted', 'refused']),
        reasonCode: z.string().nullable(),
        message: z.string(),
        bundleId: z.number().int().nullable(),
        at: z.string(),
      }),
    ),
  },
  'area.bundles': {
    input: z.object({}),
    output: z.array(
      z.object({
        id: z.number().int(),
        organisationId: z.string(),
        organisationName: z.string(),
        fingerprint: z.string(),
        sequence: z.number().int(),
        fromMonth: z.string(),
        toMonth: z.string(),
        taxonomyVersion: z.string(),
        disclosurePolicy: z.string(),
        fileName: z.string(),
        importedAt: z.string(),
        supersededBy: z.number().int().nullable(),
        matchKeys: z.boolean(),
      }),
    ),
  },
  'area.needBySectorMonth': {
    input: z.object({ sectors: sectorList.optional() }),
    output: z.array(z.object({ sector: z.string(), month: z.string(), presentations: count, people: count, suppressed: count })),
  },
  'area.topIssues': {
    input: z.object({ limit: z.number().int().min(1).max(50).default(5), sectors: sectorList.optional() }),
    output: z.array(z.object({ sector: z.string(), issue: z.string(), rank: z.number().int(), presentations: count, suppressed: count })),
  },
  'area.issueTrend': {
    input: z.object({ issue: z.string().trim().min(1, { message: 'Choose an issue.' }) }),
    output: z.object({
      points: z.array(z.object({ month: z.string(), presentations: count, suppressed: count })),
      /** Events to mark on the chart. */
      events: z.array(AreaEvent),
    }),
  },
  'area.coverage': { input: z.object({}), output: z.array(z.object({ sector: z.string(), organisations: count })) },
  'area.needByDecile': {
    input: z.object({}),
    /** `edition`: iod2019 / iod2025, "unstated" (bundles of the retired format), null for band "unknown"; editions are never added together. */
    output: z.array(
      z.object({ edition: z.string().nullable(), decileBand: z.string(), category: z.string(), presentations: count, people: count, suppressed: count }),
    ),
  },
  'area.distinctPeople': {
    input: z.object({}),
    output: z.array(z.object({ district: z.string(), quarter: z.string(), records: count, distinctPeople: count, sharedPeople: count, organisations: count })),
  },
  'area.events.add': {
    input: z.object({
      date: isoDate,
      title: z.string().trim().min(1, { message: 'Say what happened.' }).max(200, { message: 'The title is too long (200 characters at most).' }),
      sectors: sectorList.nullable().default(null),
    }),
    output: AreaEvent,
  },
  'area.events.list': { input: z.object({}), output: z.array(AreaEvent) },
  'area.events.delete': { input: z.object({ id: z.number().int() }), output: z.object({ deleted: z.literal(true) }) },
  'area.events.compare': {
    input: z.object({
      id: z.number().int(),
      months: z.number().int().min(1).max(24).default(3),
      /** Only these categories (the ones the event is expected to affect); all when absent. */
      categories: z.array(z.string().trim().min(1)).max(50).optional(),
    }),
    output: z.object({
      event: AreaEvent,
      monthsBefore: z.array(z.string()),
      monthsAfter: z.array(z.string()),
      baselines: z.array(BaselineReport),
      note: z.string().nullable(),
    }),
  },
  'area.changes': {
    input: z.object({ window: z.number().int().min(1).max(12).default(3), limit: z.number().int().min(1).max(200).default(20) }),
    output: z.object({
      window: z.number().int(),
      baseline: BaselineKind.nullable(),
      baselineWhy: z.string(),
      monthsBefore: z.array(z.string()),
      monthsAfter: z.array(z.string()),
      organisations: z.array(z.string()),
      tested: count,
      tooLittle: count,
      discoveries: count,
      fdrLevel: z.number(),
      dispersion: z.number().min(0).nullable(),
      dispersionDf: count,
      changes: z.array(ChangeEstimate.extend({ sector: z.string(), category: z.string(), reading: z.string() })),
    }),
  },
  'area.services.add': {
    input: z.object({
      name: z.string().trim().min(1, { message: 'Name the service.' }).max(200, { message: 'The name is too long (200 characters at most).' }),
      openedOn: isoDate,
      sectors: sectorList.min(1, { message: 'Give at least one catchment sector.' }),
      issues: z
        .array(z.string().trim().min(1))
        .min(1, { message: 'Choose at least one issue the service addresses.' })
        .max(50, { message: 'At most 50 issues.' }),
      organisationId: z
        .string()
        .trim()
        .max(200)
        .transform((v) => (v === '' ? null : v))
        .nullable()
        .default(null),
    }),
    output: AreaService,
  },
  'area.services.list': { input: z.object({}), output: z.array(AreaService) },
  'area.services.delete': { input: z.object({ id: z.number().int() }), output: z.object({ deleted: z.literal(true) }) },
  'area.services.compare': {
    input: z.object({ id: z.number().int(), quarters: z.number().int().min(1).max(8).default(2) }),
    output: z.object({
      service: AreaService,
      quartersBefore: z.array(z.string()),
      quartersAfter: z.array(z.string()),
      presentations: BaselineReport,
      reach: ChangeEstimate.omit({ qValue: true }).extend({ verdict: z.string() }).nullable(),
      reachNote: z.string(),
      note: z.string().nullable(),
    }),
  },
  'area.frameworks': { input: z.object({}), output: FrameworkNeedOut },
  'area.needVsAssumptions': {
    input: z.object({ limit: z.number().int().min(1).max(500).default(20), minResidents: z.number().int().min(1).max(100_000).default(1000) }),
    output: z.object({
      /** Why there is nothing to show, when so. */
      note: z.string().nullable(),
      report: z
        .object({
          months: z.array(z.string()),
          populationYear: z.string(),
          dispersion: z.number().min(0),
          dispersionDf: count,
          leftOut: z.array(z.string()),
          limitedTo: z.array(z.string()).nullable(),
          rows: z.array(
            z.object({
              sector: z.string(),
              category: z.string(),
              observed: count,
              expected: z.number().min(0),
              residents: z.number().min(0),
              ratePer1000: z.number().min(0),
              basis: z.string(),
              ratio: z.number().min(0),
              lower: z.number().min(0),
              upper: z.number().min(0),
              distance: z.number().min(0),
              summary: z.string(),
            }),
          ),
        })
        .nullable(),
    }),
  },
  /** "Our area": which local authorities the area picture is limited to. */
  'area.ourArea': { input: z.object({}), output: OurAreaOut },
  'area.setOurArea': {
    input: z.object({
      codes: z
        .array(authorityCode, { message: 'Choose the local authorities.' })
        .max(50, { message: 'Choose at most 50 local authorities.' })
        .refine((codes) => new Set(codes).size === codes.length, { message: 'A local authority is chosen twice.' }),
    }),
    output: OurAreaOut,
  },
  'area.exportOpenData': {
    input: z.object({ threshold: z.number().int().min(1).max(1000).default(10), outDir: z.string().min(1).optional() }),
    output: z.object({
      threshold: z.number().int(),
      outDir: z.string().nullable(),
      tables: z.array(z.object({ id: z.string(), file: z.string(), rows: count, published: count, suppressed: count })),
      /** Active bundles of the retired format needmap-bundle/1, left out of the open data (their tables are not complete). */
      leftOut: z.array(
        z.object({ organisationId: z.string(), organisationName: z.string(), sequence: z.number().int(), fromMonth: z.string(), toMonth: z.string() }),
      ),
      /** The files' contents when nothing was written (browser mode or no outDir). */
      files: z.array(z.object({ name: z.string(), text: z.string() })),
    }),
  },
} as const;
