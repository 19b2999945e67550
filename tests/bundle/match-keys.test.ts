/** Match keys: Soundex, normalisation, per-quarter keys, and two organisations de-duplicating one person. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoPostcodes } from '../../src-main/app-context.ts';
import { addToCellKey, cellKeyPolicy } from '../../src-main/core/bundle/disclosure.ts';
import { linkageKeyId, matchKeysFor, MATCH_KEY_TYPES, normaliseName, quarterKey, soundex, type MatchKeyPerson } from '../../src-main/core/bundle/match-keys.ts';
import { monthFromIndex, monthIndex, quarterOf } from '../../src-main/core/bundle/period.ts';
import type { BundlePayload } from '../../src-main/core/bundle/schema.ts';
import { readBundleEntries, verifyBundle } from '../../src-main/core/bundle/verify.ts';
import { generateDemoClients, lastWholeMonth } from '../../src-main/core/demo.ts';
import { geographyFor } from '../../src-main/core/geography.ts';
import { writeDemoClients } from '../../src-main/db/demo.ts';
import type { AppContext } from '../../src-main/ipc/handlers.ts';
import { dispatch } from '../helpers.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { callOk, testContext } from '../helpers.ts';
import { PASSPHRASE } from './fixtures.ts';

const LINKAGE_KEY = 'k3Yb0f8Qm2Zs9Lx4Vt7Rw1Np6Hc5Jd0Ue8Ga3Sy2Fo=';
const OTHER_LINKAGE_KEY = 'Q9w8E7r6T5y4U3i2O1p0A9s8D7f6G5h4J3k2L1z0Xc=';

beforeEach(() => {
  process.env.NEEDMAP_SIGNING_PASSPHRASE = PASSPHRASE;
});
afterEach(() => {
  delete process.env.NEEDMAP_SIGNING_PASSPHRASE;
});

describe('soundex (NARA rules)', () => {
  it('gives the codes of the US National Archives examples', () => {
    const examples: [string, string][] = [
      ['Robert', 'R163'],
      ['Rupert', 'R163'],
      ['Rubin', 'R150'],
      ['Ashcraft', 'A261'],
      ['Ashcroft', 'A261'],
      ['Tymczak', 'T522'],
      ['Pfister', 'P236'],
      ['Honeyman', 'H555'],
      ['Lee', 'L000'],
      ['Gutierrez', 'G362'],
      ['Jackson', 'J250'],
      ['Washington', 'W252'],
      ['Lloyd', 'L300'],
      ['Burroughs', 'B620'],
      ['Burrows', 'B620'],
    ];
    for (const [name, code] of examples) expect(soundex(name), name).toBe(code);
    expect(soundex('')).toBe('');
    expect(soundex('Иванов')).toBe('');
  });
});

describe('normalisation', () => {
  it('makes case, accent, space, hyphen and apostrophe variants agree', () => {
    const groups = [
      ["O'Brien", 'o brien', 'OBRIEN', 'O’Brien', 'O-Brien'],
      ['José', 'JOSE', 'jose\u0301', ' Jose '],
      ['Mary-Jane', 'Mary Jane', 'MARYJANE'],
      ['Zoë', 'ZOE', 'Zoe'],
      ['Ørsted', 'Orsted'],
      ['Straße', 'STRASSE'],
      ['Łukasz', 'Lukasz'],
    ];
    for (const group of groups) {
      expect(new Set(group.map(normaliseName)), group.join(' / ')).toHaveProperty('size', 1);
    }
    // Other scripts keep their letters rather than collapsing to "" (which would make everyone match).
    expect(normaliseName('Иван')).toBe('иван');
    expect(normaliseName('Smith')).not.toBe(normaliseName('Smyth'));
  });

  it('gives typed variants of one person the same keys, and different people different keys', () => {
    const key = quarterKey(LINKAGE_KEY, '2026-Q1');
    const base: MatchKeyPerson = {
      quarter: '2026-Q1',
      district: 'SE13',
      firstName: 'Zoë',
      lastName: "O'Connor-Smith",
      dateOfBirth: '1975-04-02',
      externalIdType: 'nhs',
      externalId: '943 476 5919',
      erased: false,
      recordKey: 1,
    };
    const typed = { ...base, firstName: ' ZOE', lastName: 'oconnor smith', externalId: '9434765919' };
    expect(matchKeysFor(typed, key)).toEqual(matchKeysFor(base, key));
    expect(matchKeysFor(base, key).every((k) => /^[A-Za-z0-9_-]{43}$/.test(k))).toBe(true);

    // A misspelt surname that sounds the same still agrees on the phonetic key only.
    const misspelt = matchKeysFor({ ...base, lastName: 'OConor-Smyth', externalIdType: null, externalId: null }, key);
    expect(misspelt[0]).not.toBe(matchKeysFor(base, key)[0]);
    expect(misspelt[1]).toBe(matchKeysFor(base, key)[1]);
    expect(misspelt[2]).toBe('');

    const other = matchKeysFor({ ...base, dateOfBirth: '1975-04-03', externalId: '4010232137' }, key);
    other.forEach((k, i) => expect(k, MATCH_KEY_TYPES[i]).not.toBe(matchKeysFor(base, key)[i]));
    // An invalid NHS number and an erased record give no key rather than a wrong one.
    expect(matchKeysFor({ ...base, externalId: '9434765910' }, key)[2]).toBe('');
    expect(matchKeysFor({ ...base, erased: true }, key)).toEqual(['', '', '']);
  });

  it('derives unrelated keys per quarter and per linkage key', () => {
    const person: MatchKeyPerson = {
      quarter: '2026-Q1',
      district: 'PR1',
      firstName: 'Ann',
      lastName: 'Lee',
      dateOfBirth: '1990-01-01',
      externalIdType: null,
      externalId: null,
      erased: false,
      recordKey: 1,
    };
    const q1 = matchKeysFor(person, quarterKey(LINKAGE_KEY, '2026-Q1'));
    const q2 = matchKeysFor(person, quarterKey(LINKAGE_KEY, '2026-Q2'));
    const nextYear = matchKeysFor(person, quarterKey(LINKAGE_KEY, '2027-Q1'));
    const otherKey = matchKeysFor(person, quarterKey(OTHER_LINKAGE_KEY, '2026-Q1'));
    for (const keys of [q2, nextYear, otherKey]) for (let i = 0; i < 2; i++) expect(keys[i]).not.toBe(q1[i]);
    expect(linkageKeyId(LINKAGE_KEY)).toMatch(/^[0-9a-f]{16}$/);
    expect(linkageKeyId(LINKAGE_KEY)).not.toBe(linkageKeyId(OTHER_LINKAGE_KEY));
    expect(linkageKeyId(` ${LINKAGE_KEY}\n`)).not.toBe(linkageKeyId(OTHER_LINKAGE_KEY));
  });
});

// ---- two organisations, one shared client ----

/** The end of the last calendar quarter that is over: match keys cover whole quarters only. */
const END = (() => {
  const last = monthIndex(lastWholeMonth());
  return monthFromIndex(last - ((last + 1) % 3));
})();
/** Six whole months: two whole quarters. */
const FROM = monthFromIndex(monthIndex(END) - 5);
const SHARED_MONTH = END;
const EARLIER_MONTH = FROM;
const SHARED_RECORD_KEY = 456;
const SHARED = {
  firstName: 'Zoë',
  lastName: "O'Connor-Smith",
  dateOfBirth: '1975-04-02',
  postcode: 'SE13 6AA',
  externalIdType: 'nhs' as const,
  externalId: '943 476 5919',
};

async function organisation(seed: number, id: string, shared: typeof SHARED, months: string[]): Promise<AppContext> {
  const ctx = testContext();
  writeDemoClients(
    ctx.caseDb,
    generateDemoClients({
      seed,
      clients: 80,
      endMonth: END,
      issues: ctx.taxonomy.issues,
      postcodes: demoPostcodes(defaultAppPaths(), ctx.neighbourhoods),
      remitCategories: ['housing'],
    }),
    (postcode) => geographyFor(postcode, ctx.neighbourhoods),
  );
  const created = await callOk(ctx, 'clients.create', {
    client: { ...shared, consentToRecord: true, consentDate: `${EARLIER_MONTH}-01` },
    confirmedNotDuplicate: true,
  });
  if (created.kind !== 'created') throw new Error('shared client not created');
  // A fixed record key (it is random at creation) so the perturbation of the rows is the same on every run. The person is
  // alone in SE13: a true 1 is published as 0 or 2 (never 1), and this key (low byte 200) gives 2 — the person and one padding row.
  ctx.caseDb.sqlite.prepare('UPDATE clients SET record_key = ? WHERE id = ?').run(SHARED_RECORD_KEY, created.id);
  for (const month of months) {
    await callOk(ctx, 'contacts.record', {
      clientId: created.id,
      contactDate: `${month}-15`,
      kind: 'appointment',
      staffName: 'Staff',
      note: '',
      issues: [{ issueCode: ctx.taxonomy.issues[0]!.code, withinRemit: true, referredTo: null }],
    });
  }
  await callOk(ctx, 'bundle.settings', { organisation: { id, name: `Organisation ${id}` } });
  return ctx;
}

async function exported(ctx: AppContext): Promise<{ payload: BundlePayload; file: Buffer }> {
  const out = await callOk(ctx, 'bundle.export', { from: FROM, to: END });
  const file = Buffer.from(out.base64!, 'base64');
  const result = await verifyBundle(file);
  if (!result.ok) throw new Error(result.message);
  return { payload: result.payload, file };
}

function rowsWith(payload: BundlePayload, keys: string[]) {
  return payload.matchKeys!.rows.filter((r) => r.keys.some((k, i) => k !== '' && k === keys[i]));
}

describe('two organisations', () => {
  it('give the same person equal keys in the same quarter, different keys in another quarter, and leak no identifier', async () => {
    const a = await organisation(11, 'ORG-A', SHARED, [EARLIER_MONTH, SHARED_MONTH]);
    // Organisation B typed the same person differently.
    const b = await organisation(12, 'ORG-B', { ...SHARED, firstName: 'ZOE', lastName: 'oconnor smith', externalId: '9434765919' }, [SHARED_MONTH]);

    // Off by default: no section until the linkage key is entered.
    expect((await exported(a)).payload.matchKeys).toBeUndefined();

    const short = await dispatch('bundle.settings', { linkageKey: 'too short' }, a);
    expect(short).toMatchObject({ ok: false, error: { code: 'invalid_input', fieldErrors: { linkageKey: [expect.stringContaining('at least 32')] } } });
    for (const ctx of [a, b]) {
      const settings = await callOk(ctx, 'bundle.settings', { linkageKey: LINKAGE_KEY });
      expect(settings.linkageKey).toEqual({ set: true, keyId: linkageKeyId(LINKAGE_KEY) });
      expect(JSON.stringify(settings)).not.toContain(LINKAGE_KEY);
      // Stored sealed, never in clear.
      const stored = ctx.caseDb.sqlite.prepare('SELECT group_concat(value) FROM settings').pluck().get() as string;
      expect(stored).not.toContain(LINKAGE_KEY);
    }

    const [bundleA, bundleB] = [await exported(a), await exported(b)];
    const sharedQuarter = quarterOf(SHARED_MONTH);
    const earlierQuarter = quarterOf(EARLIER_MONTH);
    expect(sharedQuarter).not.toBe(earlierQuarter);
    for (const { payload } of [bundleA, bundleB]) {
      expect(payload.matchKeys).toMatchObject({
        algorithm: 'HMAC-SHA256/HKDF-SHA256',
        linkageKeyId: linkageKeyId(LINKAGE_KEY),
        keyTypes: [...MATCH_KEY_TYPES],
      });
      // Only quarter, district and keys: no issue codes, no months.
      for (const row of payload.matchKeys!.rows) expect(Object.keys(row).sort()).toEqual(['district', 'keys', 'quarter']);
    }

    const person = { ...SHARED, quarter: sharedQuarter, district: 'SE13', erased: false, recordKey: SHARED_RECORD_KEY };
    const expectedShared = matchKeysFor(person, quarterKey(LINKAGE_KEY, sharedQuarter));
    const inA = rowsWith(bundleA.payload, expectedShared);
    const inB = rowsWith(bundleB.payload, expectedShared);
    expect(inA).toEqual([{ quarter: sharedQuarter, district: 'SE13', keys: expectedShared }]);
    expect(inB).toEqual(inA);
    // Alone in SE13 that quarter, the person is not published as exactly 1: a padding row keeps them company.
    expect(bundleA.payload.matchKeys!.rows.filter((r) => r.quarter === sharedQuarter && r.district === 'SE13')).toHaveLength(2);

    // The same person in an earlier quarter at organisation A: a row whose keys share nothing with the later one.
    const expectedEarlier = matchKeysFor({ ...person, quarter: earlierQuarter }, quarterKey(LINKAGE_KEY, earlierQuarter));
    expect(rowsWith(bundleA.payload, expectedEarlier)).toEqual([{ quarter: earlierQuarter, district: 'SE13', keys: expectedEarlier }]);
    expectedEarlier.forEach((k, i) => expect(k).not.toBe(expectedShared[i]));

    // The rows of each district × quarter are the people seen there, protected like every other count: as many as the
    // cell-key policy publishes for them (their cell key from their record keys), padded or cut to that.
    const groups = a.caseDb.sqlite
      .prepare(
        `SELECT substr(ci.identified_on, 1, 4) || '-Q' || ((CAST(substr(ci.identified_on, 6, 2) AS INTEGER) + 2) / 3) AS quarter,
                coalesce(c.postcode_district, 'unknown') AS district, COUNT(DISTINCT c.id) AS people
         FROM client_issues ci JOIN clients c ON c.id = ci.client_id WHERE ci.identified_on >= ? AND ci.identified_on < ? GROUP BY 1, 2`,
      )
      .all(`${FROM}-01`, `${monthFromIndex(monthIndex(END) + 1)}-01`) as { quarter: string; district: string; people: number }[];
    const cellKeys = new Map<string, number>();
    for (const r of a.caseDb.sqlite
      .prepare(
        `SELECT DISTINCT substr(ci.identified_on, 1, 4) || '-Q' || ((CAST(substr(ci.identified_on, 6, 2) AS INTEGER) + 2) / 3) AS quarter,
                coalesce(c.postcode_district, 'unknown') AS district, c.id, c.record_key AS recordKey
         FROM client_issues ci JOIN clients c ON c.id = ci.client_id WHERE ci.identified_on >= ? AND ci.identified_on < ?`,
      )
      .all(`${FROM}-01`, `${monthFromIndex(monthIndex(END) + 1)}-01`) as { quarter: string; district: string; recordKey: number }[]) {
      const id = `${r.quarter}|${r.district}`;
      cellKeys.set(id, addToCellKey(cellKeys.get(id) ?? 0, r.recordKey));
    }
    expect(groups.length).toBeGreaterThan(4);
    for (const g of groups) {
      const rows = bundleA.payload.matchKeys!.rows.filter((r) => r.quarter === g.quarter && r.district === g.district);
      expect(rows.length, `${g.quarter} ${g.district}`).toBe(cellKeyPolicy.protect({ value: g.people, cellKey: cellKeys.get(`${g.quarter}|${g.district}`)! }));
    }

    // Another linkage key: none of the shared person's values, and another key id.
    await callOk(b, 'bundle.settings', { linkageKey: OTHER_LINKAGE_KEY });
    const otherB = (await exported(b)).payload;
    expect(otherB.matchKeys!.linkageKeyId).toBe(linkageKeyId(OTHER_LINKAGE_KEY));
    expect(rowsWith(otherB, expectedShared)).toEqual([]);
    expect(otherB.tables).toEqual(bundleB.payload.tables);

    // No raw identifier of any client of either organisation appears in the bundle bytes.
    for (const [ctx, bundle] of [
      [a, bundleA],
      [b, bundleB],
    ] as const) {
      const entries = await readBundleEntries(bundle.file);
      const haystacks = [bundle.file, ...Object.values(entries)];
      const clients = ctx.caseDb.sqlite.prepare('SELECT first_name, last_name, date_of_birth, postcode, external_id FROM clients').all() as Record<
        string,
        string | null
      >[];
      const secrets = new Set<string>([LINKAGE_KEY, OTHER_LINKAGE_KEY]);
      for (const c of clients) {
        for (const value of Object.values(c)) if (value && value.length >= 5) secrets.add(value);
        secrets.add(c.date_of_birth!.replaceAll('-', ''));
        if (c.external_id) secrets.add(c.external_id.replace(/\D/g, ''));
      }
      for (const secret of secrets) {
        for (const bytes of haystacks) expect(bytes.includes(Buffer.from(secret, 'utf8')), `"${secret}" found in the bundle`).toBe(false);
      }
      // The shared person's (long) identifiers in any case and in normalised form.
      for (const secret of ['oconnor', 'connor-smith', 'oconnorsmith', '9434765919', '943 476 5919', '1975-04-02']) {
        for (const bytes of haystacks) expect(bytes.toString('latin1').toLowerCase().includes(secret), secret).toBe(false);
      }
    }

    // Clearing the key turns match keys off again.
    expect((await callOk(b, 'bundle.settings', { linkageKey: null })).linkageKey).toEqual({ set: false, keyId: null });
    expect((await exported(b)).payload.matchKeys).toBeUndefined();
  });

  it('needs the signing passphrase to use a stored linkage key, and says so', async () => {
    const a = await organisation(13, 'ORG-A', SHARED, [SHARED_MONTH]);
    await callOk(a, 'bundle.settings', { linkageKey: LINKAGE_KEY });
    delete process.env.NEEDMAP_SIGNING_PASSPHRASE;
    const preview = await dispatch('bundle.preview', { from: FROM, to: END }, a);
    expect(preview).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('area linkage key') } });
    const wrong = await dispatch('bundle.preview', { from: FROM, to: END, passphrase: 'not the passphrase' }, a);
    expect(wrong).toMatchObject({ ok: false, error: { fieldErrors: { passphrase: [expect.stringContaining('does not unlock the area linkage key')] } } });
    const right = await callOk(a, 'bundle.preview', { from: FROM, to: END, passphrase: PASSPHRASE });
    expect(right.payload.matchKeys?.linkageKeyId).toBe(linkageKeyId(LINKAGE_KEY));
  });
});
