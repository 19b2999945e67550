/**
 * What is published discloses nothing more than intended, against a reader who knows the format
 * (issue 11, reviewed as a statistician would): listed zeros, part-quarters and re-exports,
 * match-key people counts, `organisations` in the open data, totals shared across tables — and
 * the Indices of Deprivation editions kept apart. Each test fails on the format and open data
 * before issue 11 (needmap-bundle/1).
 */
import { describe, expect, it } from 'vitest';
import { protectOpenData, type CubeTable } from '../../src-main/core/area/open-data.ts';
import { cellKeyPolicy, nhsEnglandPolicy, ptableNoise } from '../../src-main/core/bundle/disclosure.ts';
import { buildMatchKeySection, type MatchKeyPerson } from '../../src-main/core/bundle/match-keys.ts';
import { monthsBetween } from '../../src-main/core/bundle/period.ts';
import { IMD_DECILE_BAND_VALUES, tableCells } from '../../src-main/core/bundle/schema.ts';
import { wholeQuarters, type PresentationRow } from '../../src-main/core/bundle/tables.ts';
import { importBundleBytes } from '../../src-main/db/area/import.ts';
import { openDataFiles } from '../../src-main/db/area/open-data.ts';
import { needByDecile } from '../../src-main/db/area/queries.ts';
import { trustKey } from '../../src-main/db/area/trust.ts';
import { bundleOf, constructedRows, demoRows, importOptions, lastQuarter, newKey, payloadOf, signedRaw, taxonomy, tempArea } from './fixtures.ts';

const { months, quarter } = lastQuarter();
const [from, to] = [months[0]!, months[2]!];
const debt = taxonomy.issues.find((i) => i.category === 'money-debt')!.code;
const housing = taxonomy.issues.find((i) => i.category === 'housing')!.code;
const LINKAGE_KEY = 'disclosure-test-area-linkage-key-0123456789abcdef';

function person(id: number, recordKey: number, extra: Partial<PresentationRow> = {}): PresentationRow {
  return {
    clientId: id,
    recordKey,
    month: months[0]!,
    sector: 'PR1 2',
    district: 'PR1',
    imdDecile: 3,
    imdEdition: 'IoD2025',
    issueCode: debt,
    category: 'money-debt',
    ...extra,
  };
}

/** People for match keys: `n` in one district, record keys from `key(i)`. */
function people(n: number, key: (i: number) => number, district = 'PR1'): MatchKeyPerson[] {
  return Array.from({ length: n }, (_, i) => ({
    quarter,
    district,
    firstName: `Person${i}`,
    lastName: 'Example',
    dateOfBirth: '1980-01-01',
    externalIdType: null,
    externalId: null,
    erased: false,
    recordKey: key(i),
  }));
}

describe('listed zeros', () => {
  it('a published 0 for a true 1 looks exactly like a true 0: every cell of the universe is there', () => {
    const key = newKey();
    const org = { id: 'org-a', name: 'A' };
    const base = constructedRows('PR1 2', 'money-debt', debt, months, [12, 15, 11]);
    // One person with a housing issue in the first month; record key 5 (< 128) takes a true 1 to a published 0.
    const withOne = [...base, person(9001, 5, { issueCode: housing, category: 'housing' })];
    expect(1 + ptableNoise(1, 5)).toBe(0);
    const a = payloadOf({ org, key, from, to, sequence: 1, rows: { presentations: withOne, outcomes: [] } });
    const b = payloadOf({ org, key, from, to, sequence: 1, rows: { presentations: base, outcomes: [] } });
    const table = (p: typeof a) => p.tables.find((t) => t.id === 'sector-month-category')!;
    // Same universe, same cells, same values: nothing tells the true 1 from a true 0.
    expect(table(a).universe).toEqual(table(b).universe);
    expect(table(a).cells).toEqual(table(b).cells);
    const cells = [...tableCells(table(a))];
    expect(cells.length).toBe(table(a).universe[0]!.length * 3 * (taxonomy.categories.length + 1));
    expect(cells.find((c) => c.key[0] === 'PR1 2' && c.key[1] === months[0] && c.key[2] === 'housing')).toMatchObject({ people: 0, presentations: 0 });
  });
});

describe('part-quarters and re-exports', () => {
  it('one-month exports carry no quarter figures or match keys, so they cannot be differenced into months', () => {
    const key = newKey();
    const org = { id: 'org-a', name: 'A' };
    const rows = constructedRows('PR1 2', 'money-debt', debt, months, [12, 15, 11]);
    const keyPeople = people(12, (i) => i * 37);
    for (const month of months) {
      const p = payloadOf({
        org,
        key,
        from: month,
        to: month,
        sequence: 1,
        rows: { presentations: rows.filter((r) => r.month === month), outcomes: [] },
        matchKeys: buildMatchKeySection(LINKAGE_KEY, keyPeople, { policy: cellKeyPolicy, organisationId: org.id, wholeQuarters: wholeQuarters([month]) }),
      });
      for (const id of ['sector-quarter-issue', 'remit-outcome-category-quarter'] as const) {
        const t = p.tables.find((x) => x.id === id)!;
        expect(t.universe[1], `${id} in ${month}`).toEqual([]);
        expect(t.cells).toEqual([]);
        expect(t.totals).toEqual({ people: [], presentations: [] });
      }
      expect(p.matchKeys!.rows).toEqual([]);
    }
    // The whole quarter has them.
    const whole = payloadOf({ org, key, from, to, sequence: 2, rows: { presentations: rows, outcomes: [] } });
    expect(whole.tables.find((x) => x.id === 'sector-quarter-issue')!.universe[1]).toEqual([quarter]);
  });

  it('re-exports of the same people give the same match-key rows; one more person never shows as exactly one more row', () => {
    const org = 'org-a';
    const options = { policy: cellKeyPolicy, organisationId: org, wholeQuarters: [quarter] };
    // Five people whose cell key (5 × 20 = 100) gives noise 0, then a sixth (key 200, cell key 44) giving noise -1.
    const six = people(6, (i) => (i < 5 ? 20 : 200));
    const five = six.slice(0, 5);
    expect(ptableNoise(5, 100)).toBe(0);
    expect(ptableNoise(6, (100 + 200) % 256)).toBe(-1);
    const first = buildMatchKeySection(LINKAGE_KEY, five, options);
    expect(buildMatchKeySection(LINKAGE_KEY, [...five].reverse(), options)).toEqual(first);
    const second = buildMatchKeySection(LINKAGE_KEY, six, options);
    expect(first.rows).toHaveLength(5);
    expect(second.rows).toHaveLength(5);
    // The exact figures would differ by exactly one; the published rows do not.
    expect(second.rows.length - first.rows.length).not.toBe(1);
  });
});

describe('match-key people counts are protected like every other count', () => {
  it('never publishes 1–3 people exactly, adds zero-mean noise above, and follows the NHS England rule under that policy', () => {
    const options = { policy: cellKeyPolicy, organisationId: 'org-a', wholeQuarters: [quarter] };
    for (let n = 1; n <= 6; n++) {
      const seen = new Set<number>();
      let total = 0;
      for (let k = 0; k < 256; k++) {
        const rows = buildMatchKeySection(
          LINKAGE_KEY,
          people(n, (i) => (i === 0 ? k : 0)),
          options,
        ).rows;
        if (n <= 3) expect(rows.length, `${n} people, cell key ${k}`).not.toBe(n);
        expect(rows.length).toBe(n + ptableNoise(n, k));
        seen.add(rows.length);
        total += rows.length - n;
      }
      expect(total, `${n} people`).toBe(0);
      expect(seen.size).toBeGreaterThan(1);
    }
    // Padding rows look like people's rows, differ from each other and from another organisation's.
    const padded = buildMatchKeySection(
      LINKAGE_KEY,
      people(1, () => 200),
      options,
    ).rows;
    expect(padded).toHaveLength(2);
    for (const row of padded) expect(row.keys[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(padded.map((r) => r.keys[0])).size).toBe(2);
    const otherOrg = buildMatchKeySection(
      LINKAGE_KEY,
      people(1, () => 200),
      { ...options, organisationId: 'org-b' },
    ).rows;
    expect(otherOrg.filter((r) => !padded.some((p) => p.keys[0] === r.keys[0]))).toHaveLength(1);
    const nhs = { ...options, policy: nhsEnglandPolicy };
    expect(
      buildMatchKeySection(
        LINKAGE_KEY,
        people(5, (i) => i),
        nhs,
      ).rows,
    ).toHaveLength(0);
    expect(
      buildMatchKeySection(
        LINKAGE_KEY,
        people(12, (i) => i),
        nhs,
      ).rows,
    ).toHaveLength(10);
    expect(
      buildMatchKeySection(
        LINKAGE_KEY,
        people(13, (i) => i),
        nhs,
      ).rows,
    ).toHaveLength(15);
  });
});

describe('open data', () => {
  it('organisations does not reveal a suppressed contribution: the same for every row of a month, and a small cell looks like a zero', async () => {
    const area = tempArea();
    const a = { org: { id: 'org-a', name: 'A' }, key: newKey() };
    const b = { org: { id: 'org-b', name: 'B' }, key: newKey() };
    for (const o of [a, b]) trustKey(area.db, { publicKeyPem: o.key.publicKeyPem });
    // A sees one person from PR1 5 with a debt issue in the first month; B never sees anyone there.
    const rowsA = [...constructedRows('PR1 2', 'money-debt', debt, months, [30, 30, 30]), person(9001, 200, { sector: 'PR1 5' })];
    const rowsB = constructedRows('SE13 6', 'housing', housing, months, [25, 25, 25]).map((r) => ({ ...r, clientId: r.clientId + 5000 }));
    for (const [o, rows] of [
      [a, rowsA],
      [b, rowsB],
    ] as const) {
      const r = await importBundleBytes(
        area,
        `${o.org.id}.needmap-bundle`,
        (await bundleOf({ ...o, from, to, sequence: 1, rows: { presentations: rows, outcomes: [] } })).file,
        importOptions,
      );
      expect(r.outcome, r.message).toBe('accepted');
    }
    const csv = openDataFiles(area, { taxonomy }).contents.find((f) => f.name === 'sector-month-category.csv')!.text;
    const lines = csv
      .split('\r\n')
      .filter(Boolean)
      .slice(1)
      .map((l) => l.split(','));
    const ofMonth = lines.filter((l) => l[1] === months[0]);
    // Every row of the month says the same: two organisations report for it.
    expect(new Set(ofMonth.map((l) => l[7]))).toEqual(new Set(['2']));
    // The sector is listed for every category, with or without records, and the small cell is marked like the empty ones.
    const pr15 = ofMonth.filter((l) => l[0] === 'PR1 5');
    expect(pr15.length).toBe(taxonomy.categories.length + 2); // every category, "unknown" and the total
    const debtRow = pr15.find((l) => l[2] === 'money-debt')!;
    const housingRow = pr15.find((l) => l[2] === 'housing')!;
    expect(debtRow.slice(3)).toEqual(housingRow.slice(3));
    expect(debtRow.slice(3, 7)).toEqual(['', 'suppressed', '', 'suppressed']);
    // No other status could tell "some organisation counted 1–7 here" from "nobody was here".
    expect(new Set(lines.flatMap((l) => [l[4], l[6]]))).toEqual(new Set(['published', 'suppressed']));
  });

  it('secondary suppression covers totals shared by tables: a sector cannot be recovered from its district', () => {
    const m = months[0]!;
    const count = (sum: number) => ({ sum, suppressed: 0, organisations: 1 });
    const cell = (key: string[], sum: number) => ({ key, people: count(sum), presentations: count(sum) });
    const coverage = new Map([[m, 1]]);
    // Sectors PR1 1, PR1 2, PR1 3 with 25, 12 and 3 debt presentations; the district PR1 with 40 over its issue.
    const tables: CubeTable[] = [
      {
        id: 'sector-month-category',
        universe: [['PR1 1', 'PR1 2', 'PR1 3'], [m], ['money-debt']],
        period: 1,
        cells: [cell(['PR1 1', m, 'money-debt'], 25), cell(['PR1 2', m, 'money-debt'], 12), cell(['PR1 3', m, 'money-debt'], 3)],
        organisations: coverage,
      },
      { id: 'district-month-issue', universe: [['PR1'], [m], [debt]], period: 1, cells: [cell(['PR1', m, debt], 40)], organisations: coverage },
    ];
    const out = protectOpenData(tables, { threshold: 10, categoryOfIssue: new Map([[debt, 'money-debt']]) });
    const sectorTotals = out.get('sector-month-category')!.filter((c) => c.isTotal);
    const districtTotal = out.get('district-month-issue')!.find((c) => c.isTotal)!;
    const figures = [districtTotal, ...sectorTotals].map((c) => c.presentations);
    // Within the sector table alone, PR1 3 (3) is the only suppressed figure of its group … but PR1 = PR1 1 + PR1 2 + PR1 3.
    expect(sectorTotals.find((c) => c.key[0] === 'PR1 3')!.presentations.status).toBe('suppressed');
    expect(figures.filter((f) => f.status === 'suppressed').length).toBeGreaterThanOrEqual(2);
  });

  it('no figure of real open data is the only suppressed one of a relation between tables', async () => {
    const area = tempArea();
    const orgs = [1, 2, 3].map((i) => ({ org: { id: `org-${i}`, name: `Org ${i}` }, key: newKey(), seed: 40 + i }));
    for (const o of orgs) {
      trustKey(area.db, { publicKeyPem: o.key.publicKeyPem });
      const r = await importBundleBytes(
        area,
        `${o.org.id}.needmap-bundle`,
        (await bundleOf({ ...o, from, to, sequence: 1, rows: demoRows(o.seed, 300, from, to) })).file,
        importOptions,
      );
      expect(r.outcome, r.message).toBe('accepted');
    }
    const files = openDataFiles(area, { taxonomy, threshold: 10 }).contents;
    const rows = (name: string) =>
      files
        .find((f) => f.name === name)!
        .text.split('\r\n')
        .filter(Boolean)
        .slice(1)
        .map((l) => l.split(','));
    const suppressed = (l: string[]) => l[l.length - 2] === 'suppressed'; // presentations_status
    const sectors = rows('sector-month-category.csv');
    const districts = rows('district-month-issue.csv');
    const deciles = rows('area-month-decile-category.csv');
    let relations = 0;
    let published = 0;
    // A district's monthly total against its sectors' monthly totals (an independent check of the cross-table rule).
    for (const d of districts.filter((l) => l[2] === 'all')) {
      const members = [d, ...sectors.filter((s) => s[2] === 'all' && s[1] === d[1] && (s[0] === 'unknown' ? 'unknown' : s[0]!.split(' ')[0]) === d[0])];
      if (members.length < 2) continue;
      relations++;
      published += members.filter((x) => !suppressed(x)).length;
      expect(members.filter(suppressed).length, `${d[0]} ${d[1]}`).not.toBe(1);
    }
    // The whole area's month × category, by sector and by decile band (imd_edition and band are two columns there).
    for (const m of months) {
      for (const c of taxonomy.categories.map((x) => x.code)) {
        const members = [...sectors.filter((s) => s[1] === m && s[2] === c), ...deciles.filter((x) => x[0] === m && x[3] === c)];
        relations++;
        expect(members.filter(suppressed).length, `${m} ${c}`).not.toBe(1);
      }
    }
    expect(relations).toBeGreaterThan(20);
    expect(published).toBeGreaterThan(0);
  });
});

describe('Indices of Deprivation editions', () => {
  it('every bundle states the edition of its decile bands, and the area picture never adds two editions together', async () => {
    const area = tempArea();
    const old = { org: { id: 'org-old', name: 'Still on IoD2019' }, key: newKey() };
    const fresh = { org: { id: 'org-new', name: 'On IoD2025' }, key: newKey() };
    const mixed = { org: { id: 'org-mixed', name: 'Both' }, key: newKey() };
    const rows = (edition: string | null, offset: number) =>
      constructedRows('PR1 2', 'money-debt', debt, months, [20, 20, 20]).map((r) => ({
        ...r,
        clientId: r.clientId + offset,
        imdDecile: 1,
        imdEdition: edition,
      }));
    const payloads = new Map<string, ReturnType<typeof payloadOf>>();
    for (const [o, presentations] of [
      [old, rows('IoD2019', 0)],
      [fresh, rows('IoD2025', 1000)],
      [mixed, [...rows('IoD2019', 2000).slice(0, 30), ...rows('IoD2025', 3000).slice(30), ...rows(null, 4000).slice(0, 5)]],
    ] as const) {
      trustKey(area.db, { publicKeyPem: o.key.publicKeyPem });
      const spec = { ...o, from, to, sequence: 1, rows: { presentations: [...presentations], outcomes: [] } };
      payloads.set(o.org.id, payloadOf(spec));
      const r = await importBundleBytes(area, `${o.org.id}.needmap-bundle`, (await bundleOf(spec)).file, importOptions);
      expect(r.outcome, r.message).toBe('accepted');
    }
    // Stated in the bundle: each band value names its edition; both editions' bands are always there.
    for (const p of payloads.values()) {
      const t = p.tables.find((x) => x.id === 'area-month-decile-category')!;
      expect(t.dimensions[1]).toBe('imdDecileBand');
      expect(t.universe[1]).toEqual(IMD_DECILE_BAND_VALUES);
      expect(t.universe[1]).toContain('iod2019:1-2');
      expect(t.universe[1]).toContain('iod2025:1-2');
    }
    const published = (id: string, band: string) =>
      [...tableCells(payloads.get(id)!.tables.find((x) => x.id === 'area-month-decile-category')!)]
        .filter((c) => c.key[1] === band)
        .reduce((n, c) => n + (c.presentations as number), 0);
    expect(published('org-old', 'iod2025:1-2')).toBe(0);
    expect(published('org-new', 'iod2019:1-2')).toBe(0);

    // The area picture: one row per edition and band, each the sum of that edition's figures only.
    const decile = needByDecile(area).filter((r) => r.category === 'money-debt');
    const bandOf = (edition: string | null, band: string) => decile.filter((r) => r.edition === edition && r.decileBand === band);
    expect(bandOf('iod2019', '1-2')).toHaveLength(1);
    expect(bandOf('iod2025', '1-2')).toHaveLength(1);
    expect(bandOf('iod2019', '1-2')[0]!.presentations).toBe(published('org-old', 'iod2019:1-2') + published('org-mixed', 'iod2019:1-2'));
    expect(bandOf('iod2025', '1-2')[0]!.presentations).toBe(published('org-new', 'iod2025:1-2') + published('org-mixed', 'iod2025:1-2'));
    // Records whose edition is not recorded are "unknown", never folded into either edition.
    expect(bandOf(null, 'unknown')[0]!.presentations).toBe(published('org-mixed', 'unknown'));
    expect(decile.every((r) => r.edition === null || r.edition === 'iod2019' || r.edition === 'iod2025')).toBe(true);
    // The open data writes the edition in its own column.
    const csv = openDataFiles(area, { taxonomy }).contents.find((f) => f.name === 'area-month-decile-category.csv')!.text;
    expect(csv.split('\r\n')[0]).toBe('month,imd_edition,imd_decile_band,category,people,people_status,presentations,presentations_status,organisations');
    expect(csv).toContain(`${months[0]},iod2019,1-2,money-debt,`);
    expect(csv).toContain(`${months[0]},iod2025,1-2,money-debt,`);
  });

  it('keeps bundles imported in the retired format apart: their bands as "edition not stated", and out of the open data, named', async () => {
    const area = tempArea();
    const key = newKey();
    trustKey(area.db, { publicKeyPem: key.publicKeyPem });
    const spec = {
      org: { id: 'org-new', name: 'New' },
      key,
      from,
      to,
      sequence: 1,
      rows: { presentations: constructedRows('PR1 2', 'money-debt', debt, months, [20, 20, 20]), outcomes: [] },
    };
    expect((await importBundleBytes(area, 'new.needmap-bundle', (await bundleOf(spec)).file, importOptions)).outcome).toBe('accepted');
    const before = openDataFiles(area, { taxonomy, now: new Date('2030-01-01T00:00:00Z') });
    // A bundle imported by an earlier version: no universe, bands without an edition.
    const old = area.sqlite
      .prepare(
        `INSERT INTO imported_bundles (organisation_id, organisation_name, fingerprint, sequence, from_month, to_month, month_count, schema, taxonomy_version,
           disclosure_policy, created_at, file_name, payload_sha256, imported_at)
         VALUES ('org-old', 'Old', 'x', 1, ?, ?, 3, 'needmap-bundle/1', ?, 'cell-key', '2026-01-01T00:00:00Z', 'old.needmap-bundle', 'y', '2026-01-01T00:00:00Z')`,
      )
      .run(from, to, taxonomy.version).lastInsertRowid;
    area.sqlite
      .prepare(
        `INSERT INTO bundle_cells VALUES (?, 'area-month-decile-category', ?, '1-2', 'money-debt', 40, 0, 50, 0), (?, 'sector-month-category', 'PR1 9', ?, 'money-debt', 40, 0, 50, 0)`,
      )
      .run(old, from, old, from);
    area.sqlite
      .prepare(`INSERT INTO combined_cells SELECT table_id, k1, k2, k3, people, 0, presentations, 0, 1 FROM bundle_cells WHERE bundle_id = ?`)
      .run(old);
    expect(needByDecile(area).filter((r) => r.edition === 'unstated')).toEqual([
      { edition: 'unstated', decileBand: '1-2', category: 'money-debt', presentations: 50, people: 40, suppressed: 0 },
    ]);
    const after = openDataFiles(area, { taxonomy, now: new Date('2030-01-01T00:00:00Z') });
    expect(after.leftOut).toEqual([{ organisationId: 'org-old', organisationName: 'Old', sequence: 1, fromMonth: from, toMonth: to }]);
    // Its figures are not in the CSV files: they are exactly what they were without it.
    expect(after.contents.filter((f) => f.name.endsWith('.csv'))).toEqual(before.contents.filter((f) => f.name.endsWith('.csv')));
  });

  it('refuses bundles of the retired format needmap-bundle/1, saying to export again', async () => {
    const area = tempArea();
    const key = newKey();
    trustKey(area.db, { publicKeyPem: key.publicKeyPem });
    const v1 = {
      ...payloadOf({ org: { id: 'org-a', name: 'A' }, key, from, to, sequence: 1, rows: { presentations: [], outcomes: [] } }),
      schema: 'needmap-bundle/1',
    };
    const result = await importBundleBytes(area, 'old.needmap-bundle', await signedRaw(v1, key), importOptions);
    expect(result).toMatchObject({ outcome: 'refused', reason: 'retired-schema-version' });
    expect(result.message).toMatch(/export the same months again/);
    expect(monthsBetween(from, to)).toEqual(months);
  });
});
