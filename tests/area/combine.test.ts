import { describe, expect, it } from 'vitest';
import { SUPPRESSED, tableCells, type BundlePayload } from '../../src-main/core/bundle/schema.ts';
import { importBundleBytes } from '../../src-main/db/area/import.ts';
import { distinctPeopleAcrossOrganisations, needBySectorMonth, coverageBySector } from '../../src-main/db/area/queries.ts';
import { trustKey } from '../../src-main/db/area/trust.ts';
import { bundleOf, demoRows, hmac, lastMonths, matchKeySection, newKey, tempArea, importOptions, lastQuarter } from './fixtures.ts';

const options = importOptions;

/** Expected combined cube computed straight from the payloads: sum of published values, count of suppressed. */
function expectedCube(payloads: BundlePayload[]) {
  const cube = new Map<string, { people: number; peopleSuppressed: number; presentations: number; presentationsSuppressed: number; organisations: number }>();
  for (const p of payloads) {
    for (const t of p.tables) {
      for (const c of tableCells(t)) {
        // Cells published as 0 add nothing and are not stored.
        if (c.people === 0 && c.presentations === 0) continue;
        const id = [t.id, ...c.key].join('|');
        const e = cube.get(id) ?? { people: 0, peopleSuppressed: 0, presentations: 0, presentationsSuppressed: 0, organisations: 0 };
        if (c.people !== SUPPRESSED) e.people += c.people;
        else e.peopleSuppressed++;
        if (c.presentations !== SUPPRESSED) e.presentations += c.presentations;
        else e.presentationsSuppressed++;
        e.organisations++;
        cube.set(id, e);
      }
    }
  }
  return cube;
}

describe('combining organisations’ bundles', () => {
  it('sums three demo organisations cell by cell, keeping suppressed contributions flagged, and counts distinct people from match keys', async () => {
    const area = tempArea();
    // A whole quarter: match keys cover whole quarters only.
    const { months, quarter } = lastQuarter();
    const [from, to] = [months[0]!, months[2]!];
    const orgs = [
      { org: { id: 'org-a', name: 'Riverside Advice' }, key: newKey(), seed: 11, policy: 'cell-key' as const },
      { org: { id: 'org-b', name: 'Hillside Foodbank' }, key: newKey(), seed: 12, policy: 'nhs-england' as const },
      { org: { id: 'org-c', name: 'Valley Carers' }, key: newKey(), seed: 13, policy: 'cell-key' as const },
    ];
    // Shared clients with known identities: X is seen by all three (A and B agree on NHS number,
    // B and C on email only — transitively one person); Y by A and B (NHS number); the others once.
    const A = matchKeySection([
      { quarter, district: 'PR1', keys: [hmac('nhs:X'), ''] },
      { quarter, district: 'PR1', keys: [hmac('nhs:Y'), hmac('email:y')] },
      { quarter, district: 'PR1', keys: [hmac('nhs:A1'), ''] },
      { quarter, district: 'SE13', keys: [hmac('nhs:A2'), ''] },
    ]);
    const B = matchKeySection([
      { quarter, district: 'PR1', keys: [hmac('nhs:X'), hmac('email:x')] },
      { quarter, district: 'PR1', keys: [hmac('nhs:Y'), ''] },
      { quarter, district: 'PR1', keys: ['', hmac('email:b1')] },
    ]);
    // Org C did not opt in to match keys; its counts still combine.
    const bundles = await Promise.all(
      orgs.map((o, i) =>
        bundleOf({
          org: o.org,
          key: o.key,
          from,
          to,
          sequence: 1,
          policy: o.policy,
          rows: demoRows(o.seed, 250, from, to),
          ...(i === 0 ? { matchKeys: A } : i === 1 ? { matchKeys: B } : {}),
        }),
      ),
    );
    // C2 has the same email as X at B, so it joins X's group although it has no NHS number.
    const cBundleWithKeys = await bundleOf({
      org: { id: 'org-d', name: 'Town Mentoring' },
      key: newKey(),
      from,
      to,
      sequence: 1,
      rows: { presentations: [], outcomes: [] },
      matchKeys: matchKeySection([
        { quarter, district: 'PR1', keys: ['', hmac('email:x')] },
        { quarter, district: 'SE13', keys: [hmac('nhs:A2'), ''] },
      ]),
    });
    for (const o of orgs) trustKey(area.db, { publicKeyPem: o.key.publicKeyPem, name: o.org.name });
    trustKey(area.db, { fingerprint: cBundleWithKeys.payload.signer.fingerprint, name: 'Town Mentoring' });

    for (const [i, b] of [...bundles, cBundleWithKeys].entries()) {
      const result = await importBundleBytes(area, `bundle-${i}.needmap-bundle`, b.file, options);
      expect(result.outcome, result.message).toBe('accepted');
    }

    const expected = expectedCube([...bundles, cBundleWithKeys].map((b) => b.payload));
    const stored = area.sqlite.prepare('SELECT * FROM combined_cells').all() as Record<string, string | number>[];
    expect(stored.length).toBe(expected.size);
    let suppressedSeen = 0;
    for (const row of stored) {
      const e = expected.get([row.table_id, row.k1, row.k2, row.k3].join('|'));
      expect(e, `unexpected cell ${JSON.stringify(row)}`).toBeDefined();
      expect([row.people, row.people_suppressed, row.presentations, row.presentations_suppressed, row.organisations]).toEqual([
        e!.people,
        e!.peopleSuppressed,
        e!.presentations,
        e!.presentationsSuppressed,
        e!.organisations,
      ]);
      suppressedSeen += Number(row.presentations_suppressed);
    }
    // The NHS England policy of org B suppresses small cells: they must be visible as such, not as 0.
    expect(suppressedSeen).toBeGreaterThan(0);

    // The sector × month view is the same sums regrouped.
    const bySectorMonth = needBySectorMonth(area);
    const fromPayloads = new Map<string, number>();
    for (const b of bundles) {
      const t = b.payload.tables.find((x) => x.id === 'sector-month-category')!;
      for (const c of tableCells(t))
        if (c.presentations !== SUPPRESSED && (c.presentations !== 0 || c.people !== 0))
          fromPayloads.set(`${c.key[0]}|${c.key[1]}`, (fromPayloads.get(`${c.key[0]}|${c.key[1]}`) ?? 0) + c.presentations);
    }
    for (const r of bySectorMonth) expect(r.presentations).toBe(fromPayloads.get(`${r.sector}|${r.month}`) ?? 0);
    expect(coverageBySector(area).every((c) => c.organisations >= 1 && c.organisations <= 3)).toBe(true);

    // Distinct people: PR1 has records X(A), Y(A), A1(A), X(B), Y(B), b1(B), x-email(D) = 7 records,
    // people X, Y, A1, b1 = 4, of whom X and Y were seen by more than one organisation.
    // SE13 has A2 at A and at D: 2 records, 1 person, shared.
    expect(distinctPeopleAcrossOrganisations(area)).toEqual([
      { district: 'PR1', quarter, records: 7, distinctPeople: 4, sharedPeople: 2, organisations: 3 },
      { district: 'SE13', quarter, records: 2, distinctPeople: 1, sharedPeople: 1, organisations: 2 },
    ]);
  });

  it('a newer bundle for the same months replaces the old one in the sums, and its match keys replace the old ones', async () => {
    const area = tempArea();
    const months = lastMonths(2);
    const key = newKey();
    const org = { id: 'org-a', name: 'Riverside Advice' };
    trustKey(area.db, { publicKeyPem: key.publicKeyPem });
    const first = await bundleOf({ org, key, from: months[0]!, to: months[1]!, sequence: 1, rows: demoRows(21, 120, months[0]!, months[1]!) });
    const second = await bundleOf({ org, key, from: months[0]!, to: months[1]!, sequence: 2, rows: demoRows(22, 150, months[0]!, months[1]!) });
    expect((await importBundleBytes(area, 'one', first.file, options)).outcome).toBe('accepted');
    const replaced = await importBundleBytes(area, 'two', second.file, options);
    expect(replaced.outcome).toBe('accepted');
    expect(replaced.message).toMatch(/replacing bundle #1/);
    const expected = expectedCube([second.payload]);
    const total = area.sqlite.prepare('SELECT COUNT(*) AS n, SUM(presentations) AS p FROM combined_cells').get() as { n: number; p: number };
    expect(total.n).toBe(expected.size);
    expect(total.p).toBe([...expected.values()].reduce((n, e) => n + e.presentations, 0));
    const active = area.sqlite.prepare('SELECT sequence FROM imported_bundles WHERE superseded_by IS NULL').all();
    expect(active).toEqual([{ sequence: 2 }]);
  });
});
