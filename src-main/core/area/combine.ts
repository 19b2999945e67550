/**
 * Combining rules for counts from many organisations. Each organisation publishes a cell either
 * as a (protected) number or as suppressed. The area sum adds the published numbers; a suppressed
 * contribution is NOT treated as 0 silently: the combined cell carries how many contributions
 * were suppressed, so the sum is then a lower bound and is shown as such.
 */
import { SUPPRESSED, type ProtectedCount } from '../bundle/schema.ts';

export interface CombinedCount {
  /** Sum of the published values. */
  sum: number;
  /** How many organisations' figures for this cell were suppressed (the true total is then higher than `sum`). */
  suppressed: number;
  /** How many organisations contributed a figure (published or suppressed). */
  organisations: number;
}

export const EMPTY_COUNT: CombinedCount = { sum: 0, suppressed: 0, organisations: 0 };

export function addCount(into: CombinedCount, count: ProtectedCount): CombinedCount {
  return count === SUPPRESSED
    ? { sum: into.sum, suppressed: into.suppressed + 1, organisations: into.organisations + 1 }
    : { sum: into.sum + count, suppressed: into.suppressed, organisations: into.organisations + 1 };
}

export function combineCounts(counts: readonly ProtectedCount[]): CombinedCount {
  return counts.reduce(addCount, EMPTY_COUNT);
}

/** True when every contribution was published, so `sum` is the combined figure itself. */
export function isComplete(count: CombinedCount): boolean {
  return count.suppressed === 0;
}

/** "42", or "at least 42 (2 organisations' figures suppressed)". */
export function describeCount(count: CombinedCount): string {
  if (count.suppressed === 0) return String(count.sum);
  const who = count.suppressed === 1 ? "1 organisation's figure" : `${count.suppressed} organisations' figures`;
  return `at least ${count.sum} (${who} suppressed)`;
}
