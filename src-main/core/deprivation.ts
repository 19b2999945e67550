/**
 * What counts as an "area of deprivation", and how NeedMap says it in plain language.
 * Deciles are the English Indices of Deprivation's: 1 = the 10% most deprived neighbourhoods.
 */

export type IodEdition = 'IoD2019' | 'IoD2025';
export const IOD_EDITIONS: readonly IodEdition[] = ['IoD2019', 'IoD2025'];
/** The newest edition, used wherever a postcode's 2021 LSOA is known; IoD2019 stays a setting for continuity with past reports. */
export const DEFAULT_IOD_EDITION: IodEdition = 'IoD2025';

export const EDITION_NAMES: Record<IodEdition, string> = {
  IoD2019: 'English Indices of Deprivation 2019',
  IoD2025: 'English Indices of Deprivation 2025',
};

export function isIodEdition(value: unknown): value is IodEdition {
  return value === 'IoD2019' || value === 'IoD2025';
}

/** The seven domains, in the order the Indices publish them. */
export const DOMAIN_NAMES = ['income', 'employment', 'education', 'health', 'crime', 'housing', 'livingEnvironment'] as const;
export type DomainName = (typeof DOMAIN_NAMES)[number];
export type DomainDeciles = Record<DomainName, number>;

export const DOMAIN_LABELS: Record<DomainName, string> = {
  income: 'Income',
  employment: 'Employment',
  education: 'Education, skills and training',
  health: 'Health deprivation and disability',
  crime: 'Crime',
  housing: 'Barriers to housing and services',
  livingEnvironment: 'Living environment',
};

/** Deciles 1–2 (the most deprived 20%) unless the organisation chooses otherwise. */
export const DEFAULT_DEPRIVATION_THRESHOLD = 2;

export function checkThreshold(threshold: number): number {
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 10) {
    throw new RangeError(`The deprivation threshold must be a decile from 1 to 10 (got ${threshold}).`);
  }
  return threshold;
}

/** True when the decile is known and at or below the threshold; null when the decile is unknown. */
export function isAreaOfDeprivation(imdDecile: number | null, threshold = DEFAULT_DEPRIVATION_THRESHOLD): boolean | null {
  if (imdDecile === null) return null;
  return imdDecile <= checkThreshold(threshold);
}

/** "Lives in one of the 10% most deprived neighbourhoods in England", or null outside the threshold. */
export function deprivationBadge(imdDecile: number | null, threshold = DEFAULT_DEPRIVATION_THRESHOLD): string | null {
  if (!isAreaOfDeprivation(imdDecile, threshold)) return null;
  return `Lives in one of the ${imdDecile! * 10}% most deprived neighbourhoods in England`;
}

/** A plain sentence for any known decile, for the client page ("Decile 7 of 10 …"). */
export function decileDescription(imdDecile: number, edition: IodEdition): string {
  const where =
    imdDecile <= 5
      ? `among the ${imdDecile * 10}% most deprived neighbourhoods in England`
      : `among the ${(11 - imdDecile) * 10}% least deprived neighbourhoods in England`;
  return `Decile ${imdDecile} of 10 (${edition}): ${where}.`;
}
