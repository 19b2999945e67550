import { describe, expect, it } from 'vitest';
import { median, weightedMedian } from '../../src-main/core/reports.ts';

describe('weightedMedian', () => {
  it('equals the median of the expanded list (odd and even counts, zero weights, unsorted input)', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const counts = Array.from({ length: 1 + random(8) }, () => ({ value: random(400), count: random(4) }));
      const expanded = counts.flatMap((c) => Array<number>(c.count).fill(c.value));
      expect(weightedMedian(counts)).toBe(median(expanded));
    }
  });

  it('is null with nothing to take the median of', () => {
    expect(weightedMedian([])).toBeNull();
    expect(weightedMedian([{ value: 3, count: 0 }])).toBeNull();
  });

  it('averages the two middle values across groups', () => {
    expect(
      weightedMedian([
        { value: 10, count: 2 },
        { value: 4, count: 2 },
      ]),
    ).toBe(7);
  });
});
