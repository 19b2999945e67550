/** Need by outcome framework: issues counted under every entry they are defined against, people as a lower bound, unlinked issues said. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { needByFramework } from '../../src-main/core/framework-need.ts';
import { parseOutcomesCsv } from '../../src-main/core/frameworks.ts';
import { parseTaxonomy } from '../../src-main/core/taxonomy.ts';

const root = path.resolve(import.meta.dirname, '../..');
const taxonomy = parseTaxonomy(JSON.parse(readFileSync(path.join(root, 'resources/taxonomy.json'), 'utf8')));
const outcomes = parseOutcomesCsv(readFileSync(path.join(root, 'resources/frameworks/outcomes.csv'), 'utf8'));

describe('need by outcome framework', () => {
  it('groups issues under the framework entries they reference', () => {
    const need = needByFramework(
      [
        { issueCode: 'HOU-HOMELESS', presentations: 40, people: 30 },
        { issueCode: 'HOU-AT-RISK', presentations: 25, people: 25 },
        { issueCode: 'BEN-CLAIM', presentations: 10, people: 9 },
        { issueCode: 'DIG-ARMED-FORCES', presentations: 4, people: 4 },
        { issueCode: 'MEN-DEMENTIA', presentations: 0, people: 0 },
      ],
      taxonomy,
      outcomes,
    );
    expect(need.frameworks.map((f) => f.framework)).toEqual(['SFOF', 'PHOF', 'ASCOF']);
    const sfof = need.frameworks[0]!.rows;
    // SFOF 9 (secure housing): both housing issues; SFOF 10 (financial stability): the benefits issue (new in 2026.2).
    expect(sfof.find((r) => r.id === 'SFOF-9')).toMatchObject({
      presentations: 65,
      peopleAtLeast: 30,
      issues: [{ code: 'HOU-HOMELESS' }, { code: 'HOU-AT-RISK' }],
    });
    expect(sfof.find((r) => r.id === 'SFOF-10')).toMatchObject({ presentations: 10, peopleAtLeast: 9 });
    expect(need.frameworks[1]!.rows.find((r) => r.id === 'PHOF-B15a')).toMatchObject({ code: 'B15a', presentations: 65 });
    expect(need.frameworks[2]!.rows).toEqual([]);
    expect(need.unlinked).toEqual({ presentations: 4, issues: ['DIG-ARMED-FORCES'] });
    expect(need.totalPresentations).toBe(79);
    // Area figures carry no people: the lower bound is then unknown, not 0.
    const area = needByFramework([{ issueCode: 'HOU-HOMELESS', presentations: 5, people: null }], taxonomy, outcomes);
    expect(area.frameworks[0]!.rows[0]!.peopleAtLeast).toBeNull();
  });
});
