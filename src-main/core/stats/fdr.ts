/**
 * Benjamini–Hochberg control of the false discovery rate: when many comparisons are tested at
 * once, the q-value of each is the smallest false discovery rate at which it would be called a
 * discovery. Calling everything with q < 0.05 a discovery keeps the expected share of false ones
 * among them at or below 5% (for independent or positively dependent tests).
 */

/** q-values in the order of `pValues` (step-up: sorted, scaled by m / rank, made monotone). */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const q = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const { p, i } = order[rank - 1]!;
    running = Math.min(running, (p * m) / rank);
    q[i] = running;
  }
  return q;
}
