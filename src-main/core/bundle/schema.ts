/**
 * THE definition of an aggregate bundle's payload (`bundle.json`): one zod schema, from which
 * docs/bundle.schema.json is generated (scripts in tests/bundle/schema-file.test.ts check it is
 * up to date). Only strings and integers appear anywhere, so RFC 8785 canonical JSON is exact.
 * Every object is strict: a field this reader does not know is refused, not ignored. What JSON
 * Schema cannot say (each table's fixed dimensions, every cell inside the period, complete
 * tables) is checked by payload-checks.ts.
 */
import { z } from 'zod';

/** The schema identifier and version a reader must recognise. Bump on any incompatible change. */
export const BUNDLE_SCHEMA_ID = 'needmap-bundle/2';
export const BUNDLE_SCHEMA_PREFIX = 'needmap-bundle/';
/** Earlier versions this reader recognises but no longer accepts, and why (docs/bundle-format.md §7). */
export const RETIRED_SCHEMA_IDS: Readonly<Record<string, string>> = {
  'needmap-bundle/1':
    'it lists only cells above zero (a published 0 then gives away a true 1 or 2), publishes part-quarters and exact match-key counts, ' +
    'and does not say which Indices of Deprivation edition its decile bands come from',
};

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
export const QUARTER_PATTERN = /^\d{4}-Q[1-4]$/;

/** The largest count a bundle may hold: far above any one organisation's figures, far below where sums lose precision. */
export const MAX_COUNT = 10_000_000;
export const MAX_SEQUENCE = 1_000_000;
/** The largest table (cells in the product of its universe) a reader accepts. */
export const MAX_TABLE_CELLS = 5_000_000;
export const SUPPRESSED = 'suppressed';

const int = z.number().int();
const month = z.string().regex(MONTH_PATTERN, { message: 'A month must be written YYYY-MM.' });
const quarter = z.string().regex(QUARTER_PATTERN, { message: 'A quarter must be written YYYY-Qn.' });
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, { message: 'A fingerprint is 64 lower-case hex digits.' });
const shortText = (max: number) => z.string().min(1).max(max);

/** A protected count as the receiver sees it: a published whole number, or "suppressed" (never a fake 0). */
export const ProtectedCount = z.union([int.min(0).max(MAX_COUNT), z.literal(SUPPRESSED)]);
export type ProtectedCount = z.infer<typeof ProtectedCount>;

/** The cell-key perturbation table, published in every bundle that uses it. */
export const PerturbationRow = z.strictObject({
  /** Applies to true counts from `min` to `max` inclusive; `max` absent = no upper bound. */
  min: int.min(1),
  max: int.min(1).optional(),
  /** Noise → how many of the 256 cell keys get it (the counts sum to 256). */
  noise: z.array(z.strictObject({ noise: int, keys: int.min(1).max(256) })).min(1),
});

export const DisclosurePolicyDescription = z.discriminatedUnion('policy', [
  z.strictObject({
    policy: z.literal('cell-key'),
    source: z.string(),
    parameters: z.strictObject({
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
  z.strictObject({
    policy: z.literal('nhs-england'),
    source: z.string(),
    parameters: z.strictObject({
      suppressFrom: int,
      suppressTo: int,
      roundTo: int,
    }),
  }),
]);
export type DisclosurePolicyDescription = z.infer<typeof DisclosurePolicyDescription>;

export const TABLE_IDS = [
  'sector-month-category',
  'district-month-issue',
  'sector-quarter-issue',
  'area-month-decile-category',
  'remit-outcome-category-quarter',
] as const;
export type TableId = (typeof TABLE_IDS)[number];

export type DimensionName = 'postcodeSector' | 'postcodeDistrict' | 'month' | 'quarter' | 'category' | 'issue' | 'imdDecileBand' | 'outcome';

/** Each table's fixed dimensions, in their fixed order, and which of them is the period its totals are per. */
export const TABLE_SPECS: Readonly<Record<TableId, { title: string; dimensions: readonly DimensionName[]; period: number }>> = {
  'sector-month-category': { title: 'Postcode sector × month × issue category', dimensions: ['postcodeSector', 'month', 'category'], period: 1 },
  'district-month-issue': { title: 'Postcode district × month × issue', dimensions: ['postcodeDistrict', 'month', 'issue'], period: 1 },
  'sector-quarter-issue': { title: 'Postcode sector × quarter × issue (whole quarters only)', dimensions: ['postcodeSector', 'quarter', 'issue'], period: 1 },
  'area-month-decile-category': {
    title: 'Whole area (local-authority total) × month × deprivation decile band (with its edition) × issue category',
    dimensions: ['month', 'imdDecileBand', 'category'],
    period: 0,
  },
  'remit-outcome-category-quarter': {
    title: 'Within-remit issues reaching an outcome (improved / resolved / unresolved) by category × quarter (whole quarters only)',
    dimensions: ['category', 'quarter', 'outcome'],
    period: 1,
  },
};

/** The Indices of Deprivation editions decile bands can come from, as written in bundles. */
export const IOD_BUNDLE_EDITIONS = ['iod2019', 'iod2025'] as const;
export type IodBundleEdition = (typeof IOD_BUNDLE_EDITIONS)[number];
export const DECILE_BANDS = ['1-2', '3-4', '5-6', '7-8', '9-10'] as const;
/** Every value of `imdDecileBand`, sorted: the edition and the band ("iod2025:1-2"), or "unknown". */
export const IMD_DECILE_BAND_VALUES: readonly string[] = [...IOD_BUNDLE_EDITIONS.flatMap((e) => DECILE_BANDS.map((b) => `${e}:${b}`)), 'unknown'];
export const OUTCOME_VALUES = ['improved', 'resolved', 'unresolved'] as const;

/** What each dimension's values look like ("unknown" where the records do not say). */
export const DIMENSION_PATTERNS: Readonly<Record<DimensionName, RegExp>> = {
  postcodeSector: /^(unknown|[A-Z0-9]{2,4} [0-9])$/,
  postcodeDistrict: /^(unknown|[A-Z0-9]{2,4})$/,
  month: MONTH_PATTERN,
  quarter: QUARTER_PATTERN,
  category: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
  issue: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
  imdDecileBand: /^(iod2019|iod2025):(1-2|3-4|5-6|7-8|9-10)$|^unknown$/,
  outcome: /^(improved|resolved|unresolved)$/,
};

export const BundleCell = z.strictObject({
  /** One value per dimension, each from that dimension's universe. */
  key: z.array(z.string().max(64)).max(8),
  people: ProtectedCount,
  presentations: ProtectedCount,
});
export type BundleCell = z.infer<typeof BundleCell>;

/**
 * One table, complete over a stated universe: `universe` lists each dimension's values (sorted,
 * each once) and the table has a published count for every combination of them. `cells` lists
 * those whose published people or presentations are not 0, in the universe's order (row-major:
 * the last dimension changes fastest); every other cell was **published** as 0 — which may be a
 * true 0, 1 or 2. What is listed depends on the published values only, never on the true ones.
 */
export const BundleTable = z.strictObject({
  id: z.enum(TABLE_IDS),
  title: z.string().max(300),
  /** The table's fixed dimensions (TABLE_SPECS), in order. */
  dimensions: z.array(z.string().max(64)).max(8),
  /** One sorted list of values per dimension. */
  universe: z.array(z.array(z.string().max(64))).max(8),
  /** The cells not published as 0 (for both counts). */
  cells: z.array(BundleCell),
  /** One total per value of the period dimension, over every other dimension, protected from the raw total. */
  totals: z.strictObject({ people: z.array(ProtectedCount), presentations: z.array(ProtectedCount) }),
});
export type BundleTable = z.infer<typeof BundleTable>;

export const MatchKeySection = z.strictObject({
  /** Pseudonymised personal data: needs a data-sharing agreement between the parties. */
  notice: z.string().max(2000),
  algorithm: z.literal('HMAC-SHA256/HKDF-SHA256'),
  /** Identifies which shared area linkage key was used (first 16 hex digits of SHA-256 of its HKDF "id" output). */
  linkageKeyId: z.string().regex(/^[0-9a-f]{16}$/),
  keyTypes: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/))
    .min(1)
    .max(8),
  rows: z.array(
    z.strictObject({
      quarter,
      district: z.string().max(64),
      /** One base64url HMAC per key type, in `keyTypes` order; "" where that identifier is not recorded. */
      keys: z.array(z.string().max(64)),
    }),
  ),
});
export type MatchKeySection = z.infer<typeof MatchKeySection>;

export const BundlePayload = z.strictObject({
  schema: z.literal(BUNDLE_SCHEMA_ID),
  organisation: z.strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'The organisation id is 1–64 letters, digits, dots, dashes or underscores.' }),
    name: shortText(200),
  }),
  signer: z.strictObject({ algorithm: z.literal('Ed25519'), fingerprint: hex64 }),
  taxonomyVersion: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$/),
  period: z.strictObject({
    from: month,
    to: month,
    months: z.array(month).min(1).max(120),
    /** Calendar quarters touched by the period, with the months of each that are covered (a quarter may be partial). */
    quarters: z.array(z.strictObject({ quarter, months: z.array(month).min(1).max(3) })).max(41),
  }),
  sequence: int.min(1).max(MAX_SEQUENCE),
  /** ISO 8601 UTC, e.g. 2026-11-03T10:15:00Z (no fractions, so it stays a plain string); a real date and time. */
  createdAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
  software: z.strictObject({ name: z.literal('NeedMap'), version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$/) }),
  disclosure: DisclosurePolicyDescription,
  tables: z.array(BundleTable).max(16),
  matchKeys: MatchKeySection.optional(),
});
export type BundlePayload = z.infer<typeof BundlePayload>;

/** The JSON Schema of the payload, as committed in docs/bundle.schema.json. */
export function bundleJsonSchema(): unknown {
  return {
    ...z.toJSONSchema(BundlePayload, { target: 'draft-2020-12' }),
    $id: 'urn:needmap:bundle-schema:2',
    title: `NeedMap aggregate bundle payload (${BUNDLE_SCHEMA_ID})`,
  };
}

/** The number of cells a universe spans (the product of its dimensions' sizes). */
export function universeSize(universe: readonly (readonly string[])[]): number {
  return universe.reduce((n, values) => n * values.length, 1);
}

/** A cell's position in row-major order over a universe, or -1 when a value is not in it. */
export function cellIndex(universe: readonly (readonly string[])[], key: readonly string[], positions?: readonly ReadonlyMap<string, number>[]): number {
  let index = 0;
  for (let d = 0; d < universe.length; d++) {
    const p = positions ? positions[d]!.get(key[d]!) : universe[d]!.indexOf(key[d]!);
    if (p === undefined || p < 0) return -1;
    index = index * universe[d]!.length + p;
  }
  return index;
}

/** Every cell of a table's universe with its published counts — 0 where not listed — in order (for screens, tests and readers that want all rows). */
export function* tableCells(table: Pick<BundleTable, 'universe' | 'cells'>): IterableIterator<BundleCell> {
  const sizes = table.universe.map((values) => values.length);
  const size = universeSize(table.universe);
  const positions = table.universe.map((values) => new Map(values.map((v, i) => [v, i])));
  const listed = new Map(table.cells.map((c) => [cellIndex(table.universe, c.key, positions), c]));
  for (let index = 0; index < size; index++) {
    const found = listed.get(index);
    if (found) {
      yield found;
      continue;
    }
    const key = new Array<string>(sizes.length);
    let rest = index;
    for (let d = sizes.length - 1; d >= 0; d--) {
      key[d] = table.universe[d]![rest % sizes[d]!]!;
      rest = Math.floor(rest / sizes[d]!);
    }
    yield { key, people: 0, presentations: 0 };
  }
}
