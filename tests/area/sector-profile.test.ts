/** Sector deprivation profiles for "local vs national", read from the national reference data. */
import { describe, expect, it } from 'vitest';
import { loadNeighbourhoods } from '../../src-main/app-context.ts';
import { sectorProfiles } from '../../src-main/db/area/sector-profile.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';

describe('sector profiles', () => {
  it('average the domain deciles of a sector’s neighbourhoods, for sectors given as a one-pass iterator too', () => {
    const reference = loadNeighbourhoods(defaultAppPaths(), '/nonexistent/reference.sqlite')!;
    const need = new Map([
      ['M14 4', 1],
      ['NE1 4', 1],
      ['CF10 1', 1], // Welsh: no English domains
    ]);
    const profiles = sectorProfiles(reference, need.keys());
    expect([...profiles.keys()]).toEqual(['M14 4', 'NE1 4']);
    const m14 = profiles.get('M14 4')!;
    expect(m14.neighbourhoods).toBeGreaterThan(3);
    expect(m14.imdDecile).toBeGreaterThanOrEqual(1);
    expect(m14.imdDecile).toBeLessThanOrEqual(10);
    // M14 4PX's own neighbourhood (E01005244, income decile 3 in IoD2025) is one of those averaged.
    expect(m14.domains.income).toBeGreaterThanOrEqual(1);
    expect(m14.domains.income).toBeLessThanOrEqual(10);
  });
});
