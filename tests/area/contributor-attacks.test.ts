/**
 * The area picture cannot be falsified by a contributor (an organisation whose key the local
 * authority trusts, or someone who got hold of such a key). Each attack of issue 11 is tried on a
 * live area database holding genuine bundles from two organisations: it is refused with its own
 * reason, the area database (and so its open data) is exactly as it was, and a genuine bundle from
 * each organisation is still accepted afterwards.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, groupedFingerprint, signBytes, zipBundle } from '../../src-main/core/bundle/package.ts';
import type { BundlePayload } from '../../src-main/core/bundle/schema.ts';
import { importBundleBytes, importBundleFiles } from '../../src-main/db/area/import.ts';
import { openDataFiles } from '../../src-main/db/area/open-data.ts';
import { listTrustedKeys, revokeKey, trustKey } from '../../src-main/db/area/trust.ts';
import { NEEDMAP_CLI, tempDir } from '../helpers.ts';
import { bundleOf, constructedRows, importOptions, lastQuarter, newKey, payloadOf, signedRaw, taxonomy, tempArea, type OrgKey } from './fixtures.ts';

const { months } = lastQuarter();
const [from, to] = [months[0]!, months[2]!];
const A = { id: 'org-a', name: 'Riverside Advice' };
const B = { id: 'org-b', name: 'Hillside Foodbank' };
const rowsA = {
  presentations: constructedRows('PR1 2', 'money-debt', taxonomy.issues.find((i) => i.category === 'money-debt')!.code, months, [14, 12, 16]),
  outcomes: [],
};
const rowsB = {
  presentations: constructedRows('PR1 3', 'housing', taxonomy.issues.find((i) => i.category === 'housing')!.code, months, [9, 13, 11]),
  outcomes: [],
};

/** Everything an import could change, the open data included. */
function snapshot(area: ReturnType<typeof tempArea>): string {
  const open = openDataFiles(area, { taxonomy, now: new Date('2030-01-01T00:00:00Z') }).contents;
  return JSON.stringify([
    area.sqlite.prepare('SELECT * FROM combined_cells ORDER BY table_id, k1, k2, k3').all(),
    area.sqlite.prepare('SELECT id, organisation_id, sequence, superseded_by, universe FROM imported_bundles ORDER BY id').all(),
    area.sqlite.prepare('SELECT fingerprint, organisation_id, revoked_at FROM trusted_keys ORDER BY id').all(),
    area.sqlite.prepare('SELECT COUNT(*) FROM match_keys').pluck().get(),
    open,
  ]);
}

/** An area database with genuine bundle #1 from A and from B, A's key bound at trust time, B's by its first bundle. */
async function liveArea() {
  const area = tempArea();
  const keyA = newKey();
  const keyB = newKey();
  trustKey(area.db, { publicKeyPem: keyA.publicKeyPem, name: A.name, organisationId: A.id });
  trustKey(area.db, { publicKeyPem: keyB.publicKeyPem, name: B.name });
  for (const [org, key, rows] of [
    [A, keyA, rowsA],
    [B, keyB, rowsB],
  ] as const) {
    const result = await importBundleBytes(area, `${org.id}-1.needmap-bundle`, (await bundleOf({ org, key, from, to, sequence: 1, rows })).file, importOptions);
    expect(result.outcome, result.message).toBe('accepted');
  }
  return { area, keyA, keyB };
}

/** Genuine next bundles from both organisations are still accepted (each replaces its #1). */
async function genuineStillAccepted(area: ReturnType<typeof tempArea>, keyA: OrgKey, keyB: OrgKey, sequence: number): Promise<void> {
  for (const [org, key, rows] of [
    [A, keyA, rowsA],
    [B, keyB, rowsB],
  ] as const) {
    const result = await importBundleBytes(
      area,
      `${org.id}-${sequence}.needmap-bundle`,
      (await bundleOf({ org, key, from, to, sequence, rows })).file,
      importOptions,
    );
    expect(result.outcome, result.message).toBe('accepted');
  }
}

/** Signs exact bytes as bundle.json (for texts the canonicaliser would not write, such as a count of 10^19). */
async function signedText(text: string, key: OrgKey): Promise<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  return zipBundle({ payload: bytes, signature: signBytes(bytes, key.privateKey), publicKeyPem: key.publicKeyPem });
}

function mutated(payload: BundlePayload, change: (p: Record<string, any>) => void): Record<string, unknown> {
  const copy = structuredClone(payload) as Record<string, any>;
  change(copy);
  return copy;
}

describe('a key speaks for one organisation', () => {
  it('refuses a bundle claiming another organisation, naming both, leaves everything as it was, and still takes the genuine ones', async () => {
    const { area, keyA, keyB } = await liveArea();
    const before = snapshot(area);
    // A's key, bound to org-a, signs a bundle claiming to be org-b with a higher sequence (it would replace B's).
    const claimB = await importBundleBytes(
      area,
      'impostor.needmap-bundle',
      (await bundleOf({ org: B, key: keyA, from, to, sequence: 9, rows: rowsA })).file,
      importOptions,
    );
    expect(claimB).toMatchObject({ outcome: 'refused', reason: 'organisation-mismatch' });
    expect(claimB.message).toContain(groupedFingerprint(keyA.fingerprint));
    expect(claimB.message).toMatch(/speaks for organisation org-a, but the bundle claims to be from org-b/);

    // A stolen key trusted without an organisation id, before it sent anything: it cannot take over org-b, whose key is bound.
    const stranger = newKey();
    trustKey(area.db, { publicKeyPem: stranger.publicKeyPem, name: 'New partner' });
    const before2 = snapshot(area);
    const takeover = await importBundleBytes(
      area,
      'takeover.needmap-bundle',
      (await bundleOf({ org: B, key: stranger, from, to, sequence: 9, rows: rowsA })).file,
      importOptions,
    );
    expect(takeover).toMatchObject({ outcome: 'refused', reason: 'organisation-mismatch' });
    // Both named: the organisation's key and the key that signed.
    expect(takeover.message).toContain(groupedFingerprint(keyB.fingerprint));
    expect(takeover.message).toContain(groupedFingerprint(stranger.fingerprint));
    expect(takeover.message).toMatch(/trust it with --org-id org-b/);
    expect(snapshot(area)).toBe(before2);
    // The stranger's key stays unbound: the refusal did not bind it to anything.
    expect(listTrustedKeys(area.db).find((k) => k.fingerprint === stranger.fingerprint)!.organisationId).toBeNull();
    revokeKey(area.db, stranger.fingerprint, 'test over');

    // B's genuine bundles are still accepted, not refused as "older sequence".
    expect(JSON.parse(before2)[1]).toEqual(JSON.parse(before)[1]);
    await genuineStillAccepted(area, keyA, keyB, 2);
  });

  it('binds at trust time with --org-id, refuses another id for a bound key, and lets an organisation rotate to a new key', async () => {
    const { area, keyA, keyB } = await liveArea();
    expect(() => trustKey(area.db, { publicKeyPem: keyA.publicKeyPem, organisationId: B.id })).toThrow(/already speaks for organisation org-a/);
    expect(() => trustKey(area.db, { publicKeyPem: newKey().publicKeyPem, organisationId: 'not an id!' })).toThrow(/organisation id/);
    // Rotation: B's new key, trusted for org-b, signs B's next bundle; the old one still works until revoked.
    const rotated = newKey();
    expect(trustKey(area.db, { publicKeyPem: rotated.publicKeyPem, name: B.name, organisationId: B.id }).key.organisationId).toBe(B.id);
    const next = await importBundleBytes(
      area,
      'b-rotated.needmap-bundle',
      (await bundleOf({ org: B, key: rotated, from, to, sequence: 2, rows: rowsB })).file,
      importOptions,
    );
    expect(next.outcome, next.message).toBe('accepted');
    revokeKey(area.db, keyB.fingerprint, 'rotated');
    const old = await importBundleBytes(
      area,
      'b-old-key.needmap-bundle',
      (await bundleOf({ org: B, key: keyB, from, to, sequence: 3, rows: rowsB })).file,
      importOptions,
    );
    expect(old).toMatchObject({ outcome: 'refused', reason: 'revoked-key' });
  });

  it('needmap area trust --org-id binds the key, and the CLI says so', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'area.db');
    const key = newKey();
    const keyFile = path.join(dir, 'signer.pub.pem');
    fs.writeFileSync(keyFile, key.publicKeyPem);
    const run = (...args: string[]) => spawnSync(process.execPath, [NEEDMAP_CLI, ...args], { encoding: 'utf8' });
    const trusted = run('area', 'trust', '--db', db, '--key', keyFile, '--name', A.name, '--org-id', A.id);
    expect(trusted.status, trusted.stderr).toBe(0);
    expect(trusted.stdout).toContain('Organisation id: org-a');
    const again = run('area', 'trust', '--db', db, '--key', keyFile, '--name', A.name, '--org-id', B.id);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already speaks for organisation org-a/);
    fs.writeFileSync(path.join(dir, 'claim-b.needmap-bundle'), (await bundleOf({ org: B, key, from, to, sequence: 1, rows: rowsA })).file);
    const imported = run('area', 'import', '--db', db, path.join(dir, 'claim-b.needmap-bundle'));
    expect(imported.status).toBe(1);
    expect(imported.stderr).toMatch(/refused \(organisation-mismatch\)/);
  });
});

describe('the payload is checked as strictly as the signature', () => {
  it('refuses each forged payload with its own reason, changes nothing, and still takes the genuine bundles', async () => {
    const { area, keyA, keyB } = await liveArea();
    const before = snapshot(area);
    const genuine = payloadOf({ org: A, key: keyA, from, to, sequence: 5, rows: rowsA });
    const sector = genuine.tables.findIndex((t) => t.id === 'sector-month-category');
    const quarterTable = genuine.tables.findIndex((t) => t.id === 'sector-quarter-issue');
    const earlier = `${Number(from.slice(0, 4)) - 7}-01`;
    /** A signed copy of the genuine payload with one thing changed. */
    const forged = (change: (p: Record<string, any>) => void) => signedRaw(mutated(genuine, change), keyA);
    const cells = (p: Record<string, any>) => p.tables[sector].cells;
    const attacks: [string, Buffer, string][] = [
      // Renaming the month dimension used to skip the period check.
      ['renamed-dimension', await forged((p) => (p.tables[sector].dimensions[1] = 'mnth')), 'wrong-dimensions'],
      ['reordered-dimensions', await forged((p) => p.tables[sector].dimensions.reverse()), 'wrong-dimensions'],
      // 2019 figures in a later bundle: in the universe, or in a cell of a table whose universe is right.
      ['old-month', await forged((p) => (p.tables[sector].universe[1] = [earlier, ...p.tables[sector].universe[1].slice(1)])), 'outside-period'],
      ['old-month-cell', await forged((p) => (cells(p)[0].key[1] = earlier)), 'outside-period'],
      // A cell listed twice, or a sector listed twice in the universe: counted twice.
      ['duplicate-cell', await forged((p) => (p.tables[sector].cells = [cells(p)[0], ...cells(p)])), 'duplicate-cell'],
      [
        'duplicate-value',
        await forged((p) => (p.tables[sector].universe[0] = [p.tables[sector].universe[0][0], ...p.tables[sector].universe[0]])),
        'duplicate-cell',
      ],
      // The same table three times: the organisation counted three times.
      ['duplicate-table', await forged((p) => (p.tables = [p.tables[0], p.tables[0], p.tables[0], ...p.tables.slice(1)])), 'duplicate-table'],
      ['missing-table', await forged((p) => p.tables.splice(quarterTable, 1)), 'missing-table'],
      // A count stored as a float and published.
      ['huge-count', await forged((p) => (cells(p)[0].presentations = 9_000_000_000_000_000)), 'count-out-of-range'],
      [
        'float-count',
        await signedText(
          canonicalBytes(genuine)
            .toString('utf8')
            .replace(/"presentations":\d+/, '"presentations":10000000000000000000'),
          keyA,
        ),
        'count-out-of-range',
      ],
      ['negative-count', await forged((p) => (cells(p)[0].people = -3)), 'count-out-of-range'],
      ['impossible-time', await forged((p) => (p.createdAt = '2026-99-99T99:99:99Z')), 'invalid-timestamp'],
      ['february-30', await forged((p) => (p.createdAt = `${to.slice(0, 4)}-02-30T10:00:00Z`)), 'invalid-timestamp'],
      ['unknown-field', await forged((p) => (p.extra = 'verified as valid')), 'unknown-field'],
      ['unknown-table-field', await forged((p) => (p.tables[sector].weight = 3)), 'unknown-field'],
      ['unknown-cell-field', await forged((p) => (cells(p)[0].weight = 3)), 'unknown-field'],
      // A table that leaves out a month of its period, a total, or an issue code.
      ['missing-month', await forged((p) => (p.tables[sector].universe[1] = p.tables[sector].universe[1].slice(1))), 'incomplete-table'],
      ['short-totals', await forged((p) => p.tables[sector].totals.people.pop()), 'incomplete-table'],
      ['missing-issue', await forged((p) => p.tables[quarterTable].universe[2].splice(3, 1)), 'incomplete-table'],
      ['bad-sector', await forged((p) => (p.tables[sector].universe[0][0] = 'PR1 2\u001b[2K')), 'invalid-value'],
      ['other-ptable', await forged((p) => (p.disclosure.parameters.maxNoise = 0)), 'unknown-disclosure-policy'],
    ];
    for (const [name, bytes, reason] of attacks) {
      const result = await importBundleBytes(area, `${name}.needmap-bundle`, bytes, importOptions);
      expect(result, name).toMatchObject({ outcome: 'refused', reason });
      expect(snapshot(area), name).toBe(before);
    }
    await genuineStillAccepted(area, keyA, keyB, 2);
  });

  it('refuses a quarter table holding part of a quarter (a month-level table in disguise)', async () => {
    const { area, keyA } = await liveArea();
    const before = snapshot(area);
    // Two months: the quarter is not whole, so the honest bundle has no quarter figures at all …
    const twoMonths = payloadOf({
      org: A,
      key: keyA,
      from: months[1]!,
      to,
      sequence: 7,
      rows: { presentations: rowsA.presentations.filter((r) => r.month !== from), outcomes: [] },
    });
    expect(twoMonths.tables.find((t) => t.id === 'sector-quarter-issue')!.universe[1]).toEqual([]);
    // … and one claiming the part-quarter is refused.
    const partial = mutated(twoMonths, (p) => {
      const t = p.tables.find((x: { id: string }) => x.id === 'sector-quarter-issue');
      t.universe[1] = [lastQuarter().quarter];
      t.totals = { people: [0], presentations: [0] };
    });
    expect(await importBundleBytes(area, 'partial.needmap-bundle', await signedRaw(partial, keyA), importOptions)).toMatchObject({
      outcome: 'refused',
      reason: 'partial-quarter',
    });
    expect(snapshot(area)).toBe(before);
  });
});

describe('cheap checks before a large payload is parsed', () => {
  it('refuses an untrusted or revoked key before reading bundle.json at all', async () => {
    const area = tempArea();
    const stranger = newKey();
    // A bundle.json that is not even a valid deflate stream: reading it would fail as a damaged ZIP.
    const genuine = await bundleOf({ org: A, key: stranger, from, to, sequence: 1, rows: rowsA });
    const damaged = Buffer.from(genuine.file);
    const at = damaged.indexOf(Buffer.from('bundle.json')) + 'bundle.json'.length;
    damaged.fill(0xff, at, at + 200);
    const untrusted = await importBundleBytes(area, 'stranger.needmap-bundle', damaged, importOptions);
    expect(untrusted).toMatchObject({ outcome: 'refused', reason: 'untrusted-key' });
    expect(untrusted.message).toMatch(/its payload was not read/);
    // A trusted key with the same damaged file gets as far as the payload, and it is refused for what it is.
    trustKey(area.db, { publicKeyPem: stranger.publicKeyPem, name: 'Stranger' });
    expect(await importBundleBytes(area, 'stranger.needmap-bundle', damaged, importOptions)).toMatchObject({ outcome: 'refused', reason: 'malformed-zip' });
    revokeKey(area.db, stranger.fingerprint, 'lost');
    expect(await importBundleBytes(area, 'stranger.needmap-bundle', damaged, importOptions)).toMatchObject({ outcome: 'refused', reason: 'revoked-key' });
    // A payload that is signed but not JSON at all, from an untrusted key: refused for the key, not parsed.
    const other = newKey();
    expect(await importBundleBytes(area, 'junk.needmap-bundle', await signedText('x'.repeat(1 << 20), other), importOptions)).toMatchObject({
      outcome: 'refused',
      reason: 'untrusted-key',
    });
  });
});

describe('output that cannot lie', () => {
  it('escapes control characters of an organisation name in needmap verify, needmap area import and the import log', async () => {
    const dir = tempDir();
    const key = newKey();
    const trustedLooking = groupedFingerprint(crypto.randomBytes(32).toString('hex'));
    const name = `Riverside\nSigner fingerprint: ${trustedLooking}\u001b[1A\u001b[2K\r\u202eevil`;
    const file = path.join(dir, 'spoof.needmap-bundle');
    fs.writeFileSync(file, (await bundleOf({ org: { id: 'org-s', name }, key, from, to, sequence: 1, rows: rowsA })).file);
    const verified = spawnSync(process.execPath, [NEEDMAP_CLI, 'verify', file], { encoding: 'utf8' });
    expect(verified.status, verified.stderr).toBe(0);
    // No control character reaches the terminal, and the only signer line is the real one.
    expect(verified.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    const signerLines = verified.stdout.split('\n').filter((l) => l.startsWith('Signer fingerprint:'));
    expect(signerLines).toEqual([`Signer fingerprint: ${groupedFingerprint(key.fingerprint)}`]);
    expect(verified.stdout).toContain('Riverside\\x0ASigner fingerprint: ');
    expect(verified.stdout).toContain('\\x1B[1A\\x1B[2K\\x0D\\u202Eevil');

    const area = tempArea(path.join(dir, 'area.db'));
    trustKey(area.db, { publicKeyPem: key.publicKeyPem, name: 'Spoof test' });
    area.close();
    const spoofName = path.join(dir, 'line\nbreak.needmap-bundle');
    fs.copyFileSync(file, spoofName);
    const imported = spawnSync(process.execPath, [NEEDMAP_CLI, 'area', 'import', '--db', path.join(dir, 'area.db'), file, spoofName], { encoding: 'utf8' });
    expect(imported.stdout + imported.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(imported.stdout + imported.stderr).toContain('line\\x0Abreak.needmap-bundle');
    const results = await importBundleFiles(tempArea(), [file], importOptions);
    expect(results[0]!.message).not.toMatch(/[\u0000-\u001f]/);
  });
});
