/**
 * Disclosure control for exported counts, as a pluggable policy. A policy turns a true count
 * (with its cell key) into what the receiver sees, and describes itself — parameters and source —
 * inside the bundle so a reader knows how to interpret every number.
 */
import { SUPPRESSED, type DisclosurePolicyDescription, type ProtectedCount } from './schema.ts';

/** A true count and the key of the cell it belongs to (sum of its records' keys, mod 256). */
export interface RawCount {
  value: number;
  cellKey: number;
}

export interface DisclosurePolicy {
  readonly description: DisclosurePolicyDescription;
  protect(count: RawCount): ProtectedCount;
}

export const CELL_KEY_MODULUS = 256;

/** Adds one record key to a running cell key. Record keys are up to 31 bits; only the low 8 matter. */
export function addToCellKey(cellKey: number, recordKey: number): number {
  return (cellKey + (recordKey & 0xff)) & 0xff;
}

/**
 * The published perturbation table (ptable). Each row gives, for true counts in [min, max], how
 * many of the 256 cell keys map to each noise value. Every row sums to 256 keys and has zero mean
 * (Σ noise × keys = 0), no row takes a count below zero, rows for 1–3 never give noise 0 (small
 * counts are never published exactly), and zero is not perturbed at all (it has no row).
 * Large-count variance: (2 × 16 × 4 + 2 × 64 × 1) / 256 = 1.
 */
export const PTABLE = [
  {
    min: 1,
    max: 1,
    noise: [
      { noise: -1, keys: 128 },
      { noise: 1, keys: 128 },
    ],
  },
  {
    min: 2,
    max: 3,
    noise: [
      { noise: -2, keys: 32 },
      { noise: -1, keys: 96 },
      { noise: 1, keys: 96 },
      { noise: 2, keys: 32 },
    ],
  },
  {
    min: 4,
    noise: [
      { noise: -2, keys: 16 },
      { noise: -1, keys: 64 },
      { noise: 0, keys: 96 },
      { noise: 1, keys: 64 },
      { noise: 2, keys: 16 },
    ],
  },
] as const satisfies readonly { min: number; max?: number; noise: readonly { noise: number; keys: number }[] }[];

/** The noise a ptable gives a true count with a cell key: walk the row's noise values in order, 256 keys in all. */
export function ptableNoise(value: number, cellKey: number): number {
  if (value === 0) return 0;
  const row = PTABLE.find((r) => value >= r.min && ('max' in r ? value <= r.max : true));
  if (!row) throw new Error(`No perturbation row for ${value}.`);
  let upTo = 0;
  for (const entry of row.noise) {
    upTo += entry.keys;
    if (cellKey < upTo) return entry.noise;
  }
  throw new Error(`Cell key ${cellKey} is outside 0–255.`);
}

export const cellKeyPolicy: DisclosurePolicy = {
  description: {
    policy: 'cell-key',
    source:
      'Cell key perturbation as used by ONS for Census 2021 (ONS, "Protecting personal data in Census 2021 results", 2023; ' +
      'Statistical Disclosure Control methodology); method of the Australian Bureau of Statistics TableBuilder.',
    parameters: {
      cellKeyModulus: CELL_KEY_MODULUS,
      maxNoise: 2,
      neverExactUpTo: 3,
      varianceTimes256: 256,
      ptable: PTABLE.map((r) => ({ ...r, noise: r.noise.map((n) => ({ ...n })) })),
    },
  },
  protect({ value, cellKey }) {
    return value + ptableNoise(value, cellKey);
  },
};

/** NHS England rule: 1–7 suppressed, everything else rounded to the nearest 5. */
export const nhsEnglandPolicy: DisclosurePolicy = {
  description: {
    policy: 'nhs-england',
    source:
      'NHS England / NHS Digital small-number suppression for published statistics: counts of 1 to 7 are suppressed, ' +
      'all other counts rounded to the nearest 5; totals are computed from unrounded figures and then rounded.',
    parameters: { suppressFrom: 1, suppressTo: 7, roundTo: 5 },
  },
  protect({ value }) {
    if (value >= 1 && value <= 7) return SUPPRESSED;
    return roundToNearest(value, 5);
  },
};

/** The nearest multiple of `step` (halves, which only odd steps can produce, round up). */
export function roundToNearest(value: number, step: number): number {
  return Math.floor((value + step / 2) / step) * step;
}

export const DISCLOSURE_POLICIES = { 'cell-key': cellKeyPolicy, 'nhs-england': nhsEnglandPolicy } as const;
export type DisclosurePolicyName = keyof typeof DISCLOSURE_POLICIES;
export const DISCLOSURE_POLICY_NAMES = Object.keys(DISCLOSURE_POLICIES) as [DisclosurePolicyName, ...DisclosurePolicyName[]];
