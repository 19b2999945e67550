/**
 * The stored distinct-people figures: written once per import batch, stamped with the bundles
 * they reflect, recomputed on read when bundles were imported since (one at a time, or a
 * superseding bundle), and always equal to merging the active match keys afresh.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeDistinctPeople } from '../../src-main/db/area/distinct-summary.ts';
import { importBundleBytes, importBundleFiles } from '../../src-main/db/area/import.ts';
import { distinctPeopleAcrossOrganisations } from '../../src-main/db/area/queries.ts';
import { trustKey } from '../../src-main/db/area/trust.ts';
import { tempDir } from '../helpers.ts';
import { bundleOf, constructedRows, hmac, matchKeySection, newKey, taxonomy, tempArea, importOptions, lastQuarter } from './fixtures.ts';

const options = importOptions;

describe('stored distinct people', () => {
  it('is written by an import batch, caught up on read after single imports and supersedes, and always equals a fresh merge', async () => {
    const area = tempArea();
    // A whole quarter: match keys cover whole quarters only.
    const { months, quarter } = lastQuarter();
    const [from, to] = [months[0]!, months[2]!];
    const rows = constructedRows('PR1 2', 'housing', taxonomy.issues[0]!.code, months, [3, 4, 2]);
    const a = { org: { id: 'org-a', name: 'Riverside Advice' }, key: newKey() };
    const b = { org: { id: 'org-b', name: 'Hillside Foodbank' }, key: newKey() };
    const c = { org: { id: 'org-c', name: 'Valley Carers' }, key: newKey() };
    for (const o of [a, b, c]) trustKey(area.db, { publicKeyPem: o.key.publicKeyPem });
    const person = (name: string): [string, string] => [hmac(`nhs:${name}`), ''];
    const stamp = () => area.sqlite.prepare("SELECT as_of_bundle_id FROM derived_versions WHERE name = 'distinct-people'").pluck().get();
    const stored = () => area.sqlite.prepare('SELECT COUNT(*) FROM distinct_people_cells').pluck().get();

    // A batch of files: A sees X and Y in PR1, B sees X in PR1 and Z in SE13.
    const dir = tempDir();
    const a1 = await bundleOf({
      ...a,
      from,
      to,
      sequence: 1,
      rows: { presentations: rows, outcomes: [] },
      matchKeys: matchKeySection([
        { quarter, district: 'PR1', keys: person('X') },
        { quarter, district: 'PR1', keys: person('Y') },
      ]),
    });
    const b1 = await bundleOf({
      ...b,
      from,
      to,
      sequence: 1,
      rows: { presentations: rows, outcomes: [] },
      matchKeys: matchKeySection([
        { quarter, district: 'PR1', keys: person('X') },
        { quarter, district: 'SE13', keys: person('Z') },
      ]),
    });
    fs.writeFileSync(path.join(dir, 'a1.needmap-bundle'), a1.file);
    fs.writeFileSync(path.join(dir, 'b1.needmap-bundle'), b1.file);
    fs.writeFileSync(path.join(dir, 'broken.needmap-bundle'), 'not a zip');
    const batch = await importBundleFiles(area, [dir], options);
    expect(batch.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'refused']);
    const afterBatch = [
      { district: 'PR1', quarter, records: 3, distinctPeople: 2, sharedPeople: 1, organisations: 2 },
      { district: 'SE13', quarter, records: 1, distinctPeople: 1, sharedPeople: 0, organisations: 1 },
    ];
    // Stored by the batch itself, before anything reads them.
    expect(stamp()).toBe(2);
    expect(stored()).toBe(2);
    expect(distinctPeopleAcrossOrganisations(area)).toEqual(afterBatch);

    // One file on its own (no batch end): the stored figures are stale until read.
    const c1 = await bundleOf({
      ...c,
      from,
      to,
      sequence: 1,
      rows: { presentations: rows, outcomes: [] },
      matchKeys: matchKeySection([{ quarter, district: 'SE13', keys: person('Z') }]),
    });
    expect((await importBundleBytes(area, 'c1', c1.file, options)).outcome).toBe('accepted');
    expect(stamp()).toBe(2);
    const afterC = distinctPeopleAcrossOrganisations(area);
    expect(afterC).toEqual([afterBatch[0], { district: 'SE13', quarter, records: 2, distinctPeople: 1, sharedPeople: 1, organisations: 2 }]);
    expect(stamp()).toBe(3);
    expect(afterC).toEqual(computeDistinctPeople(area));

    // A newer bundle from A replaces its match keys: Y goes, W comes in a new district.
    const a2 = await bundleOf({
      ...a,
      from,
      to,
      sequence: 2,
      rows: { presentations: rows, outcomes: [] },
      matchKeys: matchKeySection([
        { quarter, district: 'PR1', keys: person('X') },
        { quarter, district: 'SE4', keys: person('W') },
      ]),
    });
    expect((await importBundleBytes(area, 'a2', a2.file, options)).outcome).toBe('accepted');
    const afterSupersede = distinctPeopleAcrossOrganisations(area);
    expect(afterSupersede).toEqual([
      { district: 'PR1', quarter, records: 2, distinctPeople: 1, sharedPeople: 1, organisations: 2 },
      { district: 'SE13', quarter, records: 2, distinctPeople: 1, sharedPeople: 1, organisations: 2 },
      { district: 'SE4', quarter, records: 1, distinctPeople: 1, sharedPeople: 0, organisations: 1 },
    ]);
    expect(afterSupersede).toEqual(computeDistinctPeople(area));
    expect(stamp()).toBe(4);

    // A batch where every file is refused leaves the stamp alone.
    expect((await importBundleFiles(area, [path.join(dir, 'broken.needmap-bundle')], options))[0]!.outcome).toBe('refused');
    expect(stamp()).toBe(4);
  });
});
