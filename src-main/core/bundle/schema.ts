/**
 * THE definition of an aggregate bundle's payload (`bundle.json`): one zod schema, from which
 * docs/bundle.schema.json is generated (scripts in tests/bundle/schema-file.test.ts check it is
 * up to date). Only strings and integers appear anywhere, so RFC 8785 canonical JSON is exact.
 */
import { z } from 'zod';

/** The schema identifier and version a reader must recognise. Bump on any incompatible change. */
export const BUNDLE_SCHEMA_ID = 'needmap-bundle/1';
export const BUNDLE_SCHEMA_PREFIX = 'needmap-bundle/';

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
export const QUARTER_PATTERN = /^\d{4}-Q[1-4]$/;

const int = z.number().int();
const nonNegative = int.min(0);
const month = z.string().regex(MONTH_PATTERN, { message: 'A month must be written YYYY-MM.' });
const quarter = z.string().regex(QUARTER_PATTERN, { message: 'A quarter must be written YYYY-Qn.' });
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, { message: 'A fingerprint is 64 lower-case hex digits.' });

/** A protected count as the receiver sees it: a published number, or suppressed (never a fake 0). */
export const ProtectedCount = z.discriminatedUnion('status', [
  z.object({ status: z.literal('published'), value: nonNegative }),
  z.object({ status: z.literal('suppressed') }),
]);
export type ProtectedCount = z.infer<typeof ProtectedCount>;

/** The cell-key perturbation table, published in every bundle that uses it. */
export const PerturbationRow = z.object({
  /** Applies to true counts from `min` to `max` inclusive; `max` absent = no upper bound. */
  min: int.min(1),
  max: int.min(1).optional(),
  /** Noise → how many of the 256 cell keys get it (the counts sum to 256). */
  noise: z.array(z.object({ noise: int, keys: int.min(1).max(256) })).min(1),
});

export const DisclosurePolicyDescription = z.discriminatedUnion('policy', [
  z.object({
    policy: z.literal('cell-key'),
    source: z.string(),
    parameters: z.object({
      /** Cell key = (sum of the records' keys) mod this. */
      cellKeyModulus: int,
      /** Largest absolute noise. */
      maxNoise: int,
      /** True counts 1..this are never published exactly. */
      neverExactUpTo: int,
      /** Noise variance for large counts, ×256 (to stay an integer). */
      varianceTimes256: int,
      ptable: z.array(PerturbationRow),
    }),
  }),
  z.object({
    policy: z.literal('nhs-england'),
    source: z.string(),
    parameters: z.object({
      suppressFrom: int,
      suppressTo: int,
      roundTo: int,
    }),
  }),
]);
export type DisclosurePolicyDescription = z.infer<typeof DisclosurePolicyDescription>;

export const BundleCell = z.object({
  /** One value per dimension, in the order of the table's `dimensions`. */
  key: z.array(z.string()),
  people: ProtectedCount,
  presentations: ProtectedCount,
});
export type BundleCell = z.infer<typeof BundleCell>;

export const TABLE_IDS = [
  'sector-month-category',
  'district-month-issue',
  'sector-quarter-issue',
  'area-month-decile-category',
  'remit-outcome-category-quarter',
] as const;
export type TableId = (typeof TABLE_IDS)[number];

export const BundleTable = z.object({
  id: z.enum(TABLE_IDS),
  title: z.string(),
  dimensions: z.array(z.string()).min(1),
  /** Cells not listed are true zeros. */
  cells: z.array(BundleCell),
  /** One total per period (month or quarter) over every other dimension, protected from the raw total. */
  totals: z.array(z.object({ period: z.string(), people: ProtectedCount, presentations: ProtectedCount })),
});
export type BundleTable = z.infer<typeof BundleTable>;

export const MatchKeySection = z.object({
  /** Pseudonymised personal data: needs a data-sharing agreement between the parties. */
  notice: z.string(),
  algorithm: z.literal('HMAC-SHA256/HKDF-SHA256'),
  /** Identifies which shared area linkage key was used (first 16 hex digits of SHA-256 of its HKDF "id" output). */
  linkageKeyId: z.string().regex(/^[0-9a-f]{16}$/),
  keyTypes: z.array(z.string()),
  rows: z.array(
    z.object({
      quarter,
      district: z.string(),
      /** One base64url HMAC per key type, in `keyTypes` order; "" where that identifier is not recorded. */
      keys: z.array(z.string()),
    }),
  ),
});
export type MatchKeySection = z.infer<typeof MatchKeySection>;

export const BundlePayload = z.object({
  schema: z.literal(BUNDLE_SCHEMA_ID),
  organisation: z.object({ id: z.string().min(1), name: z.string().min(1) }),
  signer: z.object({ algorithm: z.literal('Ed25519'), fingerprint: hex64 }),
  taxonomyVersion: z.string().min(1),
  period: z.object({
    from: month,
    to: month,
    months: z.array(month).min(1),
    /** Calendar quarters touched by the period, with the months of each that are covered. */
    quarters: z.array(z.object({ quarter, months: z.array(month).min(1) })),
  }),
  sequence: int.min(1),
  /** ISO 8601 UTC, e.g. 2026-11-03T10:15:00Z (no fractions, so it stays a plain string). */
  createdAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
  software: z.object({ name: z.literal('NeedMap'), version: z.string() }),
  disclosure: DisclosurePolicyDescription,
  tables: z.array(BundleTable),
  matchKeys: MatchKeySection.optional(),
});
export type BundlePayload = z.infer<typeof BundlePayload>;

/** The JSON Schema of the payload, as committed in docs/bundle.schema.json. */
export function bundleJsonSchema(): unknown {
  return {
    ...z.toJSONSchema(BundlePayload, { target: 'draft-2020-12' }),
    $id: 'urn:needmap:bundle-schema:1',
    title: `NeedMap aggregate bundle payload (${BUNDLE_SCHEMA_ID})`,
  };
}
