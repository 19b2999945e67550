import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupedFingerprint } from '../../src-main/core/bundle/package.ts';
import { protectOpenData, type CubeTable } from '../../src-main/core/area/open-data.ts';
import { quarterOf } from '../../src-main/core/bundle/period.ts';
import { METADATA_FILE, OGL_V3 } from '../../src-main/db/area/open-data.ts';
import { openAreaDatabase } from '../../src-main/db/area/open.ts';
import { tempDir, NEEDMAP_CLI } from '../helpers.ts';
import { bundleOf, demoRows, hmac, lastQuarter, matchKeySection, newKey, paths, taxonomy } from './fixtures.ts';

const cli = NEEDMAP_CLI;
const needmap = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

const c = (sum: number, suppressed = 0) => ({ sum, suppressed, organisations: 1 + suppressed });

/** One sector × month × category table over the given categories (other tables empty). */
function oneTable(cells: { category: string; presentations: number; suppressed?: number }[], sectors = ['PR1 2']): CubeTable[] {
  return [
    {
      id: 'sector-month-category',
      universe: [sectors, ['2026-01'], cells.map((x) => x.category).sort()],
      period: 1,
      cells: cells.map((x) => ({
        key: [sectors[0]!, '2026-01', x.category],
        people: c(x.presentations, x.suppressed),
        presentations: c(x.presentations, x.suppressed),
      })),
      organisations: new Map([['2026-01', 1]]),
    },
  ];
}

describe('area-level disclosure control', () => {
  it('suppresses small and incomplete cells alike, and one more where a total would give a single suppressed cell away', () => {
    const rules = { threshold: 10, categoryOfIssue: new Map<string, string>() };
    const out = protectOpenData(
      oneTable([
        { category: 'a', presentations: 40 },
        { category: 'b', presentations: 4 },
        { category: 'c', presentations: 25 },
        { category: 'd', presentations: 12 },
      ]),
      rules,
    ).get('sector-month-category')!;
    const status = Object.fromEntries(out.map((o) => [o.key[2], [o.presentations.value, o.presentations.status]]));
    expect(status).toEqual({
      a: [40, 'published'],
      b: [null, 'suppressed'],
      // The smallest other cell goes too, so b cannot be recovered as total − a − c − d.
      c: [25, 'published'],
      d: [null, 'suppressed'],
      all: [81, 'published'],
    });
    // A figure suppressed at source makes the sum incomplete: suppressed, marked exactly like a small one.
    const incomplete = protectOpenData(
      oneTable([
        { category: 'a', presentations: 40 },
        { category: 'b', presentations: 30, suppressed: 1 },
      ]),
      rules,
    ).get('sector-month-category')!;
    expect(incomplete.map((o) => o.presentations.status)).toEqual(['published', 'suppressed', 'suppressed']);
    // Every published number is at least the threshold, and no group leaves exactly one hidden.
    for (const threshold of [5, 10, 20]) {
      const cells = Array.from({ length: 12 }, (_, i) => ({ category: `c${String(i).padStart(2, '0')}`, presentations: (i * 11) % 31 }));
      const protectedCells = protectOpenData(oneTable(cells), { ...rules, threshold }).get('sector-month-category')!;
      for (const o of protectedCells) if (o.presentations.status === 'published') expect(o.presentations.value!).toBeGreaterThanOrEqual(threshold);
      const total = protectedCells.find((o) => o.isTotal)!;
      const hidden = protectedCells.filter((o) => !o.isTotal && o.presentations.status !== 'published').length;
      if (total.presentations.status === 'published') expect(hidden).not.toBe(1);
    }
  });
});

describe('needmap area trust / import / export', () => {
  it('trusts a key, imports with per-file results, and writes open data with CSVW metadata and no match keys', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'area.db');
    const { months } = lastQuarter();
    const key = newKey();
    const keyFile = path.join(dir, 'signer.pub.pem');
    fs.writeFileSync(keyFile, key.publicKeyPem);
    const secretKey = hmac('nhs:someone');
    const b = await bundleOf({
      org: { id: 'org-a', name: 'Riverside' },
      key,
      from: months[0]!,
      to: months[2]!,
      sequence: 1,
      rows: demoRows(31, 400, months[0]!, months[2]!),
      matchKeys: matchKeySection([{ quarter: quarterOf(months[2]!), district: 'PR1', keys: [secretKey, ''] }]),
    });
    fs.writeFileSync(path.join(dir, 'good.needmap-bundle'), b.file);
    fs.writeFileSync(
      path.join(dir, 'stranger.needmap-bundle'),
      (
        await bundleOf({
          ...{ org: { id: 'x', name: 'X' }, key: newKey(), from: months[0]!, to: months[2]!, sequence: 1, rows: { presentations: [], outcomes: [] } },
        })
      ).file,
    );

    const trusted = needmap('area', 'trust', '--db', db, '--key', keyFile, '--name', 'Riverside Advice');
    expect(trusted.status, trusted.stderr).toBe(0);
    expect(trusted.stdout).toContain(`Fingerprint: ${groupedFingerprint(key.fingerprint)}`);

    const imported = needmap('area', 'import', '--db', db, path.join(dir, 'good.needmap-bundle'), path.join(dir, 'stranger.needmap-bundle'));
    expect(imported.status).toBe(1);
    expect(imported.stdout).toMatch(/good\.needmap-bundle: accepted: Riverside \(org-a\) bundle #1/);
    expect(imported.stderr).toMatch(/stranger\.needmap-bundle: refused \(untrusted-key\): signed by an untrusted key with fingerprint [0-9A-F ]{79}/);
    expect(imported.stdout).toContain('1 accepted, 1 refused.');

    const out = path.join(dir, 'open');
    const exported = needmap('area', 'export', '--db', db, '--out', out, '--threshold', '5');
    expect(exported.status, exported.stderr).toBe(0);
    const files = fs.readdirSync(out).sort();
    expect(files).toContain(METADATA_FILE);
    expect(files).toContain('sector-month-category.csv');
    const metadata = JSON.parse(fs.readFileSync(path.join(out, METADATA_FILE), 'utf8'));
    expect(metadata['@context'][0]).toBe('http://www.w3.org/ns/csvw');
    expect(metadata['dc:license']).toEqual({ '@id': OGL_V3 });
    expect(metadata['https://needmap.org/terms#taxonomyVersion']).toBe(taxonomy.version);
    expect(metadata['https://needmap.org/terms#disclosureRule'].threshold).toBe(5);
    const table = metadata.tables.find((t: { url: string }) => t.url === 'sector-month-category.csv');
    const header = fs.readFileSync(path.join(out, 'sector-month-category.csv'), 'utf8').split('\r\n')[0]!.split(',');
    expect(table.tableSchema.columns.map((col: { name: string }) => col.name)).toEqual(header);

    let published = 0;
    for (const file of files) {
      const text = fs.readFileSync(path.join(out, file), 'utf8');
      expect(text).not.toContain(secretKey);
      if (!file.endsWith('.csv')) continue;
      for (const line of text.split('\r\n').slice(1).filter(Boolean)) {
        const fields = line.split(',');
        const [people, peopleStatus, presentations, presentationsStatus] = fields.slice(-5, -1);
        for (const [value, status] of [
          [people, peopleStatus],
          [presentations, presentationsStatus],
        ] as const) {
          if (status === 'published') {
            expect(Number(value)).toBeGreaterThanOrEqual(5);
            published++;
          } else expect(value).toBe('');
        }
      }
    }
    expect(published).toBeGreaterThan(0);
    // The match keys stay in the area database itself.
    const area = openAreaDatabase(db, { migrationsDir: paths.migrationsDir });
    expect(area.sqlite.prepare('SELECT key_value FROM match_keys').all()).toEqual([{ key_value: secretKey }]);
    area.close();
  });
});
