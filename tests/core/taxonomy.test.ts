import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { parseOutcomesCsv } from '../../src-main/core/frameworks.ts';
import { ISSUE_CODE_PATTERN, parseTaxonomy, searchIssues, type Taxonomy } from '../../src-main/core/taxonomy.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const resources = path.join(here, '../../resources');
const rawJson: unknown = JSON.parse(readFileSync(path.join(resources, 'taxonomy.json'), 'utf8'));
const outcomesText = readFileSync(path.join(resources, 'frameworks/outcomes.csv'), 'utf8');

/** Category → issue code prefix, as documented for the taxonomy. */
const REQUIRED_CATEGORIES: Record<string, string> = {
  housing: 'HOU',
  'money-debt': 'MON',
  benefits: 'BEN',
  'employment-skills': 'EMP',
  'physical-health': 'PHY',
  'mental-health': 'MEN',
  'substance-use': 'SUB',
  'family-relationships': 'FAM',
  'safety-abuse': 'SAF',
  'crime-justice': 'CRI',
  education: 'EDU',
  'social-isolation': 'ISO',
  caring: 'CAR',
  'immigration-legal': 'IMM',
  'digital-practical': 'DIG',
};

/** A deep copy of the shipped file to break in one place. */
function mutableCopy(): Taxonomy {
  return structuredClone(rawJson) as Taxonomy;
}

function issueAt(t: Taxonomy, i: number) {
  const issue = t.issues[i];
  if (!issue) throw new Error(`no issue at ${i}`);
  return issue;
}

describe('outcomes.csv', () => {
  it('parses, with unique ids from the three frameworks', () => {
    const outcomes = parseOutcomesCsv(outcomesText);
    expect(outcomes.length).toBeGreaterThanOrEqual(40);
    expect(new Set(outcomes.map((o) => o.framework))).toEqual(new Set(['SFOF', 'PHOF', 'ASCOF']));
    expect(outcomes.find((o) => o.id === 'PHOF-B15a')).toMatchObject({
      framework: 'PHOF',
      level: 'indicator',
      code: 'B15a',
    });
  });

  it('handles quoted fields containing commas and rejects duplicate ids', () => {
    const csv = 'id,framework,level,code,fingertips_id,title\nX-1,SFOF,headline,1,,"Safe, secure ""housing"""\n';
    expect(parseOutcomesCsv(csv)).toEqual([{ id: 'X-1', framework: 'SFOF', level: 'headline', code: '1', title: 'Safe, secure "housing"' }]);
    expect(() => parseOutcomesCsv(`${csv}X-1,SFOF,headline,2,,Other\n`)).toThrow(/duplicate id "X-1"/);
  });
});

describe('resources/taxonomy.json', () => {
  const taxonomy = parseTaxonomy(rawJson);
  const frameworkIds = new Set(parseOutcomesCsv(outcomesText).map((o) => o.id));

  it('is accepted by parseTaxonomy, including framework references', () => {
    expect(taxonomy.version).toBe('2026.2');
    expect(() => parseTaxonomy(rawJson, { frameworkIds })).not.toThrow();
  });

  it('has 90–120 issues', () => {
    expect(taxonomy.issues.length).toBeGreaterThanOrEqual(90);
    expect(taxonomy.issues.length).toBeLessThanOrEqual(120);
  });

  it('has every required category, each with at least 3 issues', () => {
    const codes = taxonomy.categories.map((c) => c.code);
    expect(codes.sort()).toEqual(Object.keys(REQUIRED_CATEGORIES).sort());
    for (const category of Object.keys(REQUIRED_CATEGORIES)) {
      const count = taxonomy.issues.filter((i) => i.category === category).length;
      expect(count, category).toBeGreaterThanOrEqual(3);
    }
  });

  it('has unique codes matching AAA-WORD[-WORD] with the category prefix', () => {
    const codes = taxonomy.issues.map((i) => i.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const issue of taxonomy.issues) {
      expect(issue.code, issue.code).toMatch(ISSUE_CODE_PATTERN);
      expect(issue.code.slice(0, 4), issue.code).toBe(`${REQUIRED_CATEGORIES[issue.category]}-`);
    }
  });

  it('references only framework ids that exist in outcomes.csv', () => {
    const unknown = taxonomy.issues.flatMap((i) => i.frameworks.filter((id) => !frameworkIds.has(id)).map((id) => `${i.code} → ${id}`));
    expect(unknown).toEqual([]);
    expect(taxonomy.issues.some((i) => i.frameworks.length > 0)).toBe(true);
  });

  it('has a real definition for every issue and lower-case synonyms', () => {
    for (const issue of taxonomy.issues) {
      expect(issue.definition.trim().length, issue.code).toBeGreaterThan(40);
      for (const s of issue.synonyms) expect(s, issue.code).toBe(s.toLowerCase().trim());
    }
  });

  it('only mentions issue codes in definitions that exist', () => {
    const codes = new Set(taxonomy.issues.map((i) => i.code));
    const dangling = taxonomy.issues.flatMap((i) =>
      (i.definition.match(/\b[A-Z]{3}-[A-Z0-9]+(?:-[A-Z0-9]+)*\b/g) ?? []).filter((c) => !codes.has(c)).map((c) => `${i.code} → ${c}`),
    );
    expect(dangling).toEqual([]);
  });
});

describe('parseTaxonomy rejects broken copies', () => {
  it('a duplicated issue code', () => {
    const t = mutableCopy();
    issueAt(t, 1).code = issueAt(t, 0).code;
    expect(() => parseTaxonomy(t)).toThrow(/duplicate issue code "HOU-ROUGH-SLEEPING"/);
  });

  it('a duplicated category code', () => {
    const t = mutableCopy();
    t.categories.push({ code: 'housing', name: 'Housing again' });
    expect(() => parseTaxonomy(t)).toThrow(/duplicate category code "housing"/);
  });

  it('an unknown category', () => {
    const t = mutableCopy();
    issueAt(t, 3).category = 'weather';
    expect(() => parseTaxonomy(t)).toThrow(/unknown category "weather"/);
  });

  it('an empty or whitespace-only definition', () => {
    const t = mutableCopy();
    issueAt(t, 5).definition = '   ';
    expect(() => parseTaxonomy(t)).toThrow(/issues\[5\]\.definition: definition must not be empty/);
    issueAt(t, 5).definition = '';
    expect(() => parseTaxonomy(t)).toThrow(/definition must not be empty/);
  });

  it('a synonym repeated within one issue', () => {
    const t = mutableCopy();
    const issue = issueAt(t, 0);
    issue.synonyms.push(issue.synonyms[0]!.toUpperCase());
    expect(() => parseTaxonomy(t)).toThrow(/repeats synonym/);
  });

  it('a malformed issue code or missing field', () => {
    const t = mutableCopy();
    issueAt(t, 0).code = 'housing-1';
    expect(() => parseTaxonomy(t)).toThrow(/issues\[0\]\.code/);
    expect(() => parseTaxonomy({ version: '1', title: 'x', categories: [] })).toThrow(/Invalid taxonomy/);
  });

  it('an unknown framework id when framework ids are given', () => {
    const t = mutableCopy();
    issueAt(t, 0).frameworks = ['PHOF-Z99'];
    expect(() => parseTaxonomy(t)).not.toThrow();
    expect(() => parseTaxonomy(t, { frameworkIds: ['PHOF-B15a'] })).toThrow(/unknown framework id "PHOF-Z99"/);
  });

  it('lists every problem in one error', () => {
    const t = mutableCopy();
    issueAt(t, 1).code = issueAt(t, 0).code;
    issueAt(t, 2).category = 'nowhere';
    expect(() => parseTaxonomy(t)).toThrow(/2 problem\(s\)[\s\S]*duplicate issue code[\s\S]*unknown category/);
  });
});

describe('searchIssues', () => {
  const taxonomy = parseTaxonomy(rawJson);
  const codes = (q: string, limit?: number) => searchIssues(taxonomy, q, limit).map((i) => i.code);

  it('finds unsuitable housing from the synonym "damp"', () => {
    expect(codes('damp')[0]).toBe('HOU-UNSUITABLE');
    expect(codes('Mould')).toContain('HOU-UNSUITABLE');
  });

  it('puts an exact code match first, case-insensitively', () => {
    expect(codes('HOU-UNSUITABLE')[0]).toBe('HOU-UNSUITABLE');
    expect(codes('hou-unsuitable')[0]).toBe('HOU-UNSUITABLE');
  });

  it('ranks name prefix above word prefix above synonym above definition', () => {
    // "Homelessness" starts with "home"; "At risk of homelessness" has it as a later word.
    const home = codes('home');
    expect(home[0]).toBe('HOU-HOMELESS');
    expect(home.indexOf('HOU-AT-RISK')).toBeGreaterThan(0);
    // "Rent or mortgage arrears" (name words) beats issues that only mention arrears elsewhere.
    expect(codes('arrears')[0]).toBe('HOU-ARREARS');
    // Name prefix ("Debt enforcement…") before word prefix ("Problem debt", "Priority debts").
    const debt = codes('debt');
    expect(debt.slice(0, 3)).toEqual(['MON-ENFORCEMENT', 'MON-PROBLEM-DEBT', 'MON-PRIORITY-DEBT']);
    // Exact synonym ("bailiffs") before a synonym that only starts with it ("bailiffs eviction").
    expect(codes('bailiffs')).toEqual(['MON-ENFORCEMENT', 'HOU-AT-RISK']);
    // A code prefix lists that category's issues ahead of name-word matches.
    const hou = codes('HOU-');
    const housing = taxonomy.issues.filter((i) => i.category === 'housing').map((i) => i.code);
    expect(hou.slice(0, housing.length).sort()).toEqual([...housing].sort());
    // Synonym matches rank above definition-only matches: "boiler" is only in a definition.
    expect(codes('boiler')).toEqual(['MON-FUEL-POVERTY']);
    const sanction = codes('sanction');
    expect(sanction[0]).toBe('BEN-SANCTION');
    expect(sanction.indexOf('BEN-PAYMENT')).toBeGreaterThan(0);
  });

  it('does not match short words inside longer definition words', () => {
    expect(codes('dv')).toEqual(['SAF-DOMESTIC-ABUSE']);
  });

  it('requires every word of a multi-word query to match', () => {
    expect(codes('rent arrears')[0]).toBe('HOU-ARREARS');
    expect(codes('domestic abuse')[0]).toBe('SAF-DOMESTIC-ABUSE');
    expect(codes('no fixed abode')).toContain('HOU-HOMELESS');
    expect(codes('domestic zebra')).toEqual([]);
  });

  it('returns [] for nonsense or empty queries and respects the limit', () => {
    expect(codes('xyzzyqq')).toEqual([]);
    expect(codes('')).toEqual([]);
    expect(codes('   ')).toEqual([]);
    expect(codes('e', 5)).toHaveLength(5);
    expect(codes('e').length).toBeLessThanOrEqual(20);
  });

  it('ignores apostrophes and accents', () => {
    expect(codes("carer's assessment")[0]).toBe('CAR-ASSESSMENT');
    expect(codes('carers allowance')).toContain('CAR-FINANCES');
  });
});
