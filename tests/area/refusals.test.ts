import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupedFingerprint } from '../../src-main/core/bundle/package.ts';
import { importBundleBytes, importBundleFiles, importLogEntries } from '../../src-main/db/area/import.ts';
import { revokeKey, trustKey } from '../../src-main/db/area/trust.ts';
import { tempDir } from '../helpers.ts';
import { bundleOf, lastMonths, newKey, payloadOf, signedRaw, tempArea, constructedRows, type OrgKey, importOptions } from './fixtures.ts';

const options = importOptions;
const months = lastMonths(3);
const rows = { presentations: constructedRows('PR1 2', 'money-debt', 'debt-general', months, [12, 15, 11]), outcomes: [] };
const org = { id: 'org-a', name: 'Riverside Advice' };

function spec(key: OrgKey, sequence = 1, extra: object = {}) {
  return { org, key, from: months[0]!, to: months[2]!, sequence, rows, ...extra };
}

function snapshot(area: ReturnType<typeof tempArea>) {
  return JSON.stringify([
    area.sqlite.prepare('SELECT * FROM combined_cells ORDER BY table_id, k1, k2, k3').all(),
    area.sqlite.prepare('SELECT id, sequence, superseded_by FROM imported_bundles ORDER BY id').all(),
  ]);
}

describe('importing bundles: every refusal names the file and the exact reason', () => {
  it('refuses an untrusted key, naming its fingerprint', async () => {
    const area = tempArea();
    const key = newKey();
    const result = await importBundleBytes(area, 'stranger.needmap-bundle', (await bundleOf(spec(key))).file, options);
    expect(result.outcome).toBe('refused');
    if (result.outcome !== 'refused') return;
    expect(result.reason).toBe('untrusted-key');
    expect(result.message).toContain('stranger.needmap-bundle');
    expect(result.message).toContain(groupedFingerprint(key.fingerprint));
    expect(importLogEntries(area)[0]).toMatchObject({ fileName: 'stranger.needmap-bundle', outcome: 'refused', reasonCode: 'untrusted-key' });
  });

  it('refuses a revoked key, and a trust entry made from a fingerprint that does not match the key file', async () => {
    const area = tempArea();
    const key = newKey();
    trustKey(area.db, { publicKeyPem: key.publicKeyPem, name: 'Riverside' });
    revokeKey(area.db, groupedFingerprint(key.fingerprint), 'laptop stolen');
    const result = await importBundleBytes(area, 'r.needmap-bundle', (await bundleOf(spec(key))).file, options);
    expect(result).toMatchObject({ outcome: 'refused', reason: 'revoked-key' });
    expect(() => trustKey(area.db, { publicKeyPem: key.publicKeyPem })).toThrow(/revoked/);
    expect(() => trustKey(area.db, { publicKeyPem: newKey().publicKeyPem, fingerprint: key.fingerprint })).toThrow(/not the .* you were given/);
  });

  it('refuses a bad signature, an unknown schema, an unknown taxonomy version, a malformed file and an implausible period', async () => {
    const area = tempArea();
    const key = newKey();
    trustKey(area.db, { publicKeyPem: key.publicKeyPem });
    const other = newKey();
    // Signed by another key, but carrying this key's public key: the signature does not verify.
    const good = payloadOf(spec(key));
    const forged = await signedRaw(good, { ...other, publicKeyPem: key.publicKeyPem });
    const unknownSchema = await signedRaw({ ...good, schema: 'needmap-bundle/3' }, key);
    const unknownTaxonomy = (await bundleOf(spec(key, 1, { taxonomyVersion: '1999.9' }))).file;
    const createdTooEarly = (await bundleOf(spec(key, 1, { createdAt: new Date(`${months[1]}-15T00:00:00Z`) }))).file;
    const cases: [string, Buffer, string, RegExp][] = [
      ['forged.needmap-bundle', forged, 'bad-signature', /signature/],
      ['schema2.needmap-bundle', unknownSchema, 'unknown-schema-version', /needmap-bundle\/3/],
      ['taxonomy.needmap-bundle', unknownTaxonomy, 'unknown-taxonomy-version', /1999\.9/],
      ['notazip.needmap-bundle', Buffer.from('this is not a zip file at all'), 'malformed-zip', /ZIP/],
      ['early.needmap-bundle', createdTooEarly, 'implausible-period', /before its last month/],
    ];
    for (const [name, bytes, reason, message] of cases) {
      const result = await importBundleBytes(area, name, bytes, options);
      expect(result, name).toMatchObject({ outcome: 'refused', reason });
      expect(result.message).toContain(name);
      expect(result.message).toMatch(message);
    }
    expect(area.sqlite.prepare('SELECT COUNT(*) AS n FROM imported_bundles').get()).toEqual({ n: 0 });
  });

  it('refuses older and duplicate sequences and overlapping periods, keeping what is imported', async () => {
    const area = tempArea();
    const key = newKey();
    trustKey(area.db, { publicKeyPem: key.publicKeyPem });
    const two = (await bundleOf(spec(key, 2))).file;
    expect((await importBundleBytes(area, 'two', two, options)).outcome).toBe('accepted');
    const before = snapshot(area);
    expect(await importBundleBytes(area, 'two-again', two, options)).toMatchObject({ outcome: 'refused', reason: 'duplicate' });
    expect(await importBundleBytes(area, 'two-remade', (await bundleOf(spec(key, 2, { createdAt: new Date(Date.now() - 1000) }))).file, options)).toMatchObject(
      {
        outcome: 'refused',
        reason: 'duplicate',
      },
    );
    const older = await importBundleBytes(area, 'one', (await bundleOf(spec(key, 1))).file, options);
    expect(older).toMatchObject({ outcome: 'refused', reason: 'older-sequence' });
    expect(older.message).toMatch(/#1 is older than bundle #2/);
    const overlapping = await importBundleBytes(
      area,
      'overlap',
      (
        await bundleOf({
          ...spec(key, 3),
          from: months[1]!,
          to: months[2]!,
          rows: { presentations: rows.presentations.filter((r) => r.month !== months[0]), outcomes: [] },
        })
      ).file,
      options,
    );
    expect(overlapping).toMatchObject({ outcome: 'refused', reason: 'overlapping-period' });
    // A key bound to org-a cannot speak for another organisation.
    const impostor = await importBundleBytes(area, 'impostor', (await bundleOf({ ...spec(key, 9), org: { id: 'org-z', name: 'Z' } })).file, options);
    expect(impostor).toMatchObject({ outcome: 'refused', reason: 'organisation-mismatch' });
    expect(snapshot(area)).toBe(before);
  });

  it('a bad file in a folder never stops the others and loses nothing', async () => {
    const area = tempArea();
    const dir = tempDir();
    const keys = [newKey(), newKey(), newKey()];
    keys.forEach((k, i) => i < 2 && trustKey(area.db, { publicKeyPem: k.publicKeyPem }));
    const make = async (k: OrgKey, id: string) => (await bundleOf({ ...spec(k), org: { id, name: id } })).file;
    // Imported earlier; must survive the batch untouched.
    expect((await importBundleBytes(area, 'earlier', await make(keys[0]!, 'org-0'), options)).outcome).toBe('accepted');
    const before = area.sqlite.prepare('SELECT * FROM bundle_cells WHERE bundle_id = 1 ORDER BY rowid').all();

    fs.writeFileSync(path.join(dir, 'a-broken.needmap-bundle'), Buffer.from('PK\u0003\u0004 truncated'));
    fs.writeFileSync(path.join(dir, 'b-good.needmap-bundle'), await make(keys[1]!, 'org-1'));
    fs.writeFileSync(path.join(dir, 'c-untrusted.needmap-bundle'), await make(keys[2]!, 'org-2'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a bundle, not picked up from a folder');
    const results = await importBundleFiles(area, [dir, path.join(dir, 'missing.needmap-bundle')], options);
    expect(results.map((r) => [r.file, r.outcome === 'refused' ? r.reason : 'accepted'])).toEqual([
      ['a-broken.needmap-bundle', 'malformed-zip'],
      ['b-good.needmap-bundle', 'accepted'],
      ['c-untrusted.needmap-bundle', 'untrusted-key'],
      ['missing.needmap-bundle', 'unreadable-file'],
    ]);
    expect(area.sqlite.prepare('SELECT * FROM bundle_cells WHERE bundle_id = 1 ORDER BY rowid').all()).toEqual(before);
    expect(area.sqlite.prepare('SELECT COUNT(DISTINCT organisation_id) AS n FROM imported_bundles').get()).toEqual({ n: 2 });
    expect(importLogEntries(area).map((e) => e.outcome)).toEqual(['refused', 'refused', 'accepted', 'refused', 'accepted']);
  });
});
