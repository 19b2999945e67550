/**
 * The taxonomy as reviewed for 2026.2: the common issues added, each reviewer finding fixed, and
 * the mapping from 2026.1 complete, so bundles of both versions combine in the area picture.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOutcomesCsv } from '../../src-main/core/frameworks.ts';
import { cellKeyTranslator, readableTaxonomyVersions, TAXONOMY_MAPPINGS, type TaxonomyMapping } from '../../src-main/core/taxonomy-mapping.ts';
import { parseTaxonomy } from '../../src-main/core/taxonomy.ts';
import { importBundleBytes, taxonomiesOf } from '../../src-main/db/area/import.ts';
import { issueTrend } from '../../src-main/db/area/queries.ts';
import { trustKey } from '../../src-main/db/area/trust.ts';
import { bundleOf, constructedRows, lastMonths, newKey, tempArea } from '../area/fixtures.ts';

const root = path.resolve(import.meta.dirname, '../..');
const taxonomy = parseTaxonomy(JSON.parse(readFileSync(path.join(root, 'resources/taxonomy.json'), 'utf8')));
const outcomes = parseOutcomesCsv(readFileSync(path.join(root, 'resources/frameworks/outcomes.csv'), 'utf8'));
const issue = (code: string) => taxonomy.issues.find((i) => i.code === code)!;

describe('taxonomy 2026.2', () => {
  it('adds the common issues the review found missing', () => {
    expect(taxonomy.version).toBe('2026.2');
    for (const [code, words] of [
      ['MEN-DEMENTIA', /dementia/i],
      ['DIG-ARMED-FORCES', /armed forces/i],
      ['FAM-PREGNANCY', /pregnan/i],
      ['MEN-PERINATAL', /pregnancy or in the first year after birth/i],
      ['MON-CONSUMER', /not about an unpaid debt/i],
      ['DIG-POWER-OF-ATTORNEY', /lasting power of attorney.*mental capacity/i],
    ] as const) {
      expect(issue(code), code).toBeDefined();
      expect(issue(code).definition, code).toMatch(words);
    }
  });

  it('fixes each reviewer finding', () => {
    // HOU-AT-RISK cites the 56-day prevention duty (B15a), so its definition uses 56 days.
    expect(issue('HOU-AT-RISK').frameworks).toContain('PHOF-B15a');
    expect(issue('HOU-AT-RISK').definition).toMatch(/within 56 days/);
    expect(issue('HOU-AT-RISK').definition).not.toMatch(/few months/);
    // EMP-NEET covers 16–24, so it no longer cites B05 (16–17 only).
    expect(issue('EMP-NEET').definition).toMatch(/16 to 24/);
    expect(issue('EMP-NEET').frameworks).not.toContain('PHOF-B05');
    // Every benefits issue is linked to financial stability.
    const benefits = taxonomy.issues.filter((i) => i.category === 'benefits');
    expect(benefits.length).toBeGreaterThan(0);
    for (const b of benefits) expect(b.frameworks, b.code).toContain('SFOF-10');
    expect(issue('SAF-HONOUR-ABUSE').frameworks).toEqual(expect.arrayContaining(['SFOF-8', 'SFOF-6']));
    expect(issue('MEN-SEVERE').frameworks).toContain('PHOF-B06b');
    expect(issue('MEN-NEURODIVERGENCE').frameworks).toContain('PHOF-B06a');
    // Under-18 conceptions: the official list has only PHOF-C02, whose row is the indicator PHOF now codes C02a
    // (Fingertips 20401, the under-18 conception rate); the reference stays on the id that exists.
    expect(outcomes.find((o) => o.id === 'PHOF-C02')!.title).toBe('Under 18s conception rate');
    expect(readFileSync(path.join(root, 'resources/frameworks/outcomes.csv'), 'utf8')).toContain('PHOF-C02,PHOF,indicator,C02,20401,');
    expect(outcomes.some((o) => o.id === 'PHOF-C02a')).toBe(false);
    expect(issue('FAM-TEEN-PREGNANCY').frameworks).toEqual(['PHOF-C02']);
  });

  it('maps every 2026.1 code to a 2026.2 code, and every 2026.2 code is reached or new', () => {
    const previous = JSON.parse(readFileSync(path.join(root, 'resources/taxonomy-mapping-2026.1-to-2026.2.json'), 'utf8')) as TaxonomyMapping;
    const current = new Set(taxonomy.issues.map((i) => i.code));
    for (const e of previous.issues) expect(current.has(e.to), `${e.from} → ${e.to}`).toBe(true);
    const reached = new Set([...previous.issues.map((e) => e.to), ...(previous.newIn2026_2 ?? [])]);
    expect([...current].filter((c) => !reached.has(c))).toEqual([]);
    expect(previous.issues).toHaveLength(109);
    expect(previous.issues.find((e) => e.from === 'HOU-AT-RISK')).toMatchObject({ relation: 'narrowed' });
    expect(readableTaxonomyVersions(['2026.2'])).toEqual(['2026.2', '2026.1']);
    expect(readableTaxonomyVersions(['2099.1'])).toEqual(['2099.1']);
  });

  it('translates cell keys through a chain of mappings, and only issue codes', () => {
    const chain: TaxonomyMapping[] = [
      { from: 'v1', to: 'v2', about: '', issues: [{ from: 'AAA-OLD', to: 'AAA-MID', relation: 'renamed' }] },
      { from: 'v2', to: 'v3', about: '', issues: [{ from: 'AAA-MID', to: 'AAA-NEW', relation: 'renamed' }] },
    ];
    const translate = cellKeyTranslator('v1', ['v3'], chain);
    expect(translate('district-month-issue', ['PR1', '2026-01', 'AAA-OLD'])).toEqual(['PR1', '2026-01', 'AAA-NEW']);
    expect(translate('sector-month-category', ['PR1 2', '2026-01', 'AAA-OLD'])).toEqual(['PR1 2', '2026-01', 'AAA-OLD']);
    expect(cellKeyTranslator('v3', ['v3'], chain)('district-month-issue', ['PR1', '2026-01', 'AAA-OLD'])).toEqual(['PR1', '2026-01', 'AAA-OLD']);
    expect(TAXONOMY_MAPPINGS.map((m) => `${m.from}→${m.to}`)).toEqual(['2026.1→2026.2']);
  });

  it('combines a 2026.1 bundle and a 2026.2 bundle in one area picture', async () => {
    const area = tempArea();
    const months = lastMonths(2);
    const older = newKey();
    const newer = newKey();
    trustKey(area.db, { publicKeyPem: older.publicKeyPem });
    trustKey(area.db, { publicKeyPem: newer.publicKeyPem });
    const rows = (issueCode: string, category: string, n: number, offset: number) =>
      constructedRows('PR1 2', category, issueCode, months, [n, n]).map((r) => ({ ...r, clientId: r.clientId + offset }));
    const a = await bundleOf({
      org: { id: 'org-old', name: 'Still on 2026.1' },
      key: older,
      from: months[0]!,
      to: months[1]!,
      sequence: 1,
      taxonomyVersion: '2026.1',
      // Its tables range over the 2026.1 codes (no MEN-DEMENTIA…), as a 2026.1 app writes them.
      codes: { categories: taxonomy.categories.map((c) => c.code), issues: TAXONOMY_MAPPINGS[0]!.issues.map((e) => e.from) },
      rows: { presentations: rows('HOU-AT-RISK', 'housing', 30, 0), outcomes: [] },
    });
    const b = await bundleOf({
      org: { id: 'org-new', name: 'On 2026.2' },
      key: newer,
      from: months[0]!,
      to: months[1]!,
      sequence: 1,
      taxonomyVersion: '2026.2',
      rows: { presentations: [...rows('HOU-AT-RISK', 'housing', 20, 0), ...rows('MEN-DEMENTIA', 'mental-health', 25, 1000)], outcomes: [] },
    });
    const options = { taxonomies: taxonomiesOf(taxonomy) };
    expect((await importBundleBytes(area, 'a', a.file, options)).outcome).toBe('accepted');
    expect((await importBundleBytes(area, 'b', b.file, options)).outcome).toBe('accepted');
    // Both organisations' figures in the same issue's cells (each within the cell-key noise of its true count).
    const atRisk = issueTrend(area, 'HOU-AT-RISK').reduce((n, p) => n + p.presentations, 0);
    expect(Math.abs(atRisk - 100)).toBeLessThanOrEqual(8);
    expect(issueTrend(area, 'MEN-DEMENTIA').reduce((n, p) => n + p.presentations, 0)).toBeGreaterThan(40);
    const unknown = await bundleOf({
      org: { id: 'org-old', name: 'Still on 2026.1' },
      key: older,
      from: months[0]!,
      to: months[0]!,
      sequence: 2,
      taxonomyVersion: '2025.9',
      codes: { categories: taxonomy.categories.map((c) => c.code), issues: TAXONOMY_MAPPINGS[0]!.issues.map((e) => e.from) },
      rows: { presentations: rows('HOU-AT-RISK', 'housing', 3, 0).slice(0, 3), outcomes: [] },
    });
    const refused = await importBundleBytes(area, 'c', unknown.file, options);
    expect(refused).toMatchObject({ outcome: 'refused', reason: 'unknown-taxonomy-version' });
    expect(refused.message).toMatch(/it knows 2026\.2, 2026\.1/);
    // A 2026.1 bundle claiming the 2026.2 codes is refused: its tables must range over its own version's codes.
    const otherKey = newKey();
    trustKey(area.db, { publicKeyPem: otherKey.publicKeyPem });
    const mislabelled = await bundleOf({
      org: { id: 'org-other', name: 'Mislabelled' },
      key: otherKey,
      from: months[0]!,
      to: months[1]!,
      sequence: 1,
      taxonomyVersion: '2026.1',
      rows: { presentations: rows('HOU-AT-RISK', 'housing', 5, 0), outcomes: [] },
    });
    expect(await importBundleBytes(area, 'd', mislabelled.file, options)).toMatchObject({
      outcome: 'refused',
      reason: 'incomplete-table',
      message: expect.stringMatching(/does not range over the issue codes of taxonomy 2026\.1 \(not in it: DIG-ARMED-FORCES/),
    });
  });
});
