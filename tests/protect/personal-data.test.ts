/**
 * Personal data is classed where it is defined, and erasure, retention, subject access and the
 * bundle export are driven by that classing: these tests walk the classing (and a real migrated
 * database), not a list of fields, so a new identifying column is covered the day it is added.
 */
import { getTableColumns } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBundleEntries } from '../../src-main/core/bundle/verify.ts';
import { ERASED_DESTINATION, FORMER_STAFF_NAME } from '../../src-main/core/protect/erasure.ts';
import { PERSONAL_DATA_CLASSES } from '../../src-main/core/protect/personal-data.ts';
import { classingOf } from '../../src-main/db/classing.ts';
import { caseTables, clientTables, erasedValue, erasureSummary, identifyingColumns, rowsOfClient } from '../../src-main/db/protect/personal-data.ts';
import { schemaTables, users } from '../../src-main/db/schema.ts';
import type { AppContext } from '../../src-main/ipc/handlers.ts';
import { callOk, testContext } from '../helpers.ts';
import { filledContext, PASSPHRASE, recentMonths } from '../bundle/fixtures.ts';
import { bytesOf, clientWithHistory, distinctive, distinctiveNote } from './fixtures.ts';

/** Tables of SQLite's and drizzle's own: no NeedMap data in them. */
const ENGINE_TABLES = new Set(['sqlite_sequence', '__drizzle_migrations']);

function databaseColumns(ctx: AppContext): Map<string, string[]> {
  const tables = ctx.caseDb.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
  return new Map(
    tables
      .filter((t) => !ENGINE_TABLES.has(t.name))
      .map((t) => [t.name, (ctx.caseDb.sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).all(t.name) as { name: string }[]).map((c) => c.name)]),
  );
}

/**
 * Puts a distinctive value in every identifying column of every client table, in client
 * `clientId`'s rows (as a new identifying field would hold one). Returns them by column.
 */
function fillIdentifying(ctx: AppContext, clientId: number): { table: string; key: string; value: string | number }[] {
  const filled: { table: string; key: string; value: string | number }[] = [];
  for (const t of clientTables()) {
    for (const [i, c] of identifyingColumns(t).entries()) {
      const value = c.column.dataType === 'number' ? 900_000 + filled.length : `Zq${t.name.replace(/_/g, '')}${c.key}${i}Qz`;
      ctx.caseDb.db
        .update(t.table)
        .set({ [c.key]: value })
        .where(rowsOfClient(t, clientId))
        .run();
      filled.push({ table: t.name, key: c.key, value });
    }
  }
  return filled;
}

/** Every row of every client table that is client `clientId`'s, as stored. */
function rowsOf(ctx: AppContext, clientId: number) {
  return Object.fromEntries(
    clientTables().map((t) => [t.name, ctx.caseDb.db.select().from(t.table).where(rowsOfClient(t, clientId)).all() as Record<string, unknown>[]]),
  );
}

/** A client whose every client table holds rows, every identifying column a distinctive value. */
async function filledClient(ctx: AppContext, contactDate = '2026-02-03') {
  const { id } = await clientWithHistory(ctx, { ...distinctive, email: 'zq.private@example.org' }, distinctiveNote, contactDate);
  const codes = ctx.taxonomy.issues.slice(2, 3).map((i) => i.code);
  await callOk(ctx, 'contacts.record', {
    clientId: id,
    contactDate,
    kind: 'phone_call',
    staffName: 'Pat Caseworker',
    note: 'second',
    issues: codes.map((issueCode) => ({ issueCode, withinRemit: false, referredTo: 'Dr Ottoline Referrer' })),
  });
  for (const t of clientTables()) expect(rowsOf(ctx, id)[t.name]!.length, `${t.name} has rows for the client`).toBeGreaterThan(0);
  return { id, filled: fillIdentifying(ctx, id) };
}

/** After erasing `clientId`: no identifying column holds its value; everything else is as `before`. */
function expectErased(ctx: AppContext, clientId: number, filled: { table: string; key: string; value: string | number }[], before: ReturnType<typeof rowsOf>) {
  const after = rowsOf(ctx, clientId);
  for (const { table, key, value } of filled) {
    for (const row of after[table]!) expect(row[key], `${table}.${key} was erased`).not.toBe(value);
  }
  for (const t of clientTables()) {
    const kept = t.columns.filter((c) => c.classing.class !== 'identifying' && !c.classing.recordKeeping).map((c) => c.key);
    const pick = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(kept.map((k) => [k, r[k]])));
    expect(pick(after[t.name]!), `${t.name} keeps its non-identifying columns`).toEqual(pick(before[t.name]!));
  }
  ctx.caseDb.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const bytes = bytesOf(ctx.caseDb.file, `${ctx.caseDb.file}-wal`);
  for (const { table, key, value } of filled) {
    if (typeof value === 'string') expect(bytes.includes(Buffer.from(value)), `${table}.${key} survives in the file`).toBe(false);
  }
}

describe('personal-data classing', () => {
  it('classes every column of every table of a real case database, and names only columns that exist', () => {
    const ctx = testContext();
    const classed = new Map(caseTables().map((t) => [t.name, t]));
    for (const [table, columns] of databaseColumns(ctx)) {
      const classing = classed.get(table);
      expect(classing, `table ${table} has no personal-data classing`).toBeDefined();
      for (const column of columns) {
        expect(
          classing!.columns.find((c) => c.name === column),
          `${table}.${column} has no personal-data class`,
        ).toBeDefined();
      }
      expect(classing!.columns.map((c) => c.name).sort(), `${table}: classing names columns the table does not have`).toEqual([...columns].sort());
    }
    expect([...classed.keys()].sort()).toEqual([...databaseColumns(ctx).keys()].sort());
  });

  it('gives every column a known class and a label, and every drizzle table its classing', () => {
    for (const table of Object.values(schemaTables)) {
      const classing = classingOf(table);
      expect(classing.columns.map((c) => c.key).sort()).toEqual(Object.keys(getTableColumns(table)).sort());
    }
    for (const t of caseTables()) {
      for (const c of t.columns) {
        expect(Object.keys(PERSONAL_DATA_CLASSES), `${t.name}.${c.name}`).toContain(c.classing.class);
        expect(c.classing.label.length, `${t.name}.${c.name} has a label`).toBeGreaterThan(0);
      }
    }
  });

  it('knows how to erase every identifying column of the clients’ and staff tables', () => {
    const erasable = [...clientTables(), classingOf(users)];
    for (const t of erasable) for (const c of identifyingColumns(t)) expect(() => erasedValue(c as never), `${t.name}.${c.name}`).not.toThrow();
    // Referral destinations and staff names are classed identifying, as free text that can name a person.
    const classOf = (table: string, key: string) =>
      caseTables()
        .find((t) => t.name === table)!
        .columns.find((c) => c.key === key)!.classing.class;
    expect(classOf('client_issues', 'referredTo')).toBe('identifying');
    expect(classOf('contacts', 'staffName')).toBe('identifying');
    expect(classOf('users', 'displayName')).toBe('identifying');
    expect(classOf('report_referral_facts', 'destination')).toBe('identifying');
    expect(classOf('client_issues', 'issueCode')).toBe('special');
  });

  it('says what erasure removes and keeps from the column labels', () => {
    const { removed, kept } = erasureSummary();
    expect(removed).toEqual(
      expect.arrayContaining(['date of birth', 'full postcode', 'referral destination', 'staff member who saw the client', 'contact note']),
    );
    expect(kept).toEqual(expect.arrayContaining(['postcode sector', 'deprivation decile', 'issue presented (from the issue taxonomy)', 'local authority']));
    expect(removed.filter((label) => kept.includes(label))).toEqual([]);
  });
});

describe('erasure, retention and subject access follow the classing', () => {
  it('erasure overwrites every identifying column in every client table, keeps the rest, and leaves no byte behind', async () => {
    const ctx = testContext();
    const other = await clientWithHistory(ctx, { ...distinctive, firstName: 'Keepme', externalId: 'KEEP-1' }, 'other note');
    const { id, filled } = await filledClient(ctx);
    const before = rowsOf(ctx, id);
    const otherBefore = rowsOf(ctx, other.id);
    await callOk(ctx, 'protect.eraseClient', { clientId: id });
    expectErased(ctx, id, filled, before);
    expect(rowsOf(ctx, other.id)).toEqual(otherBefore);
  });

  it('retention anonymises through the same classing', async () => {
    const ctx = testContext();
    const { id, filled } = await filledClient(ctx, '2018-05-02');
    const before = rowsOf(ctx, id);
    const preview = await callOk(ctx, 'protect.retentionPreview', { today: '2026-11-25' });
    expect(preview.clients.map((c) => c.id)).toEqual([id]);
    await callOk(ctx, 'protect.retentionApply', { today: '2026-11-25', clientIds: [id] });
    expectErased(ctx, id, filled, before);
  });

  it('subject access shows every column of every client table but the internal record key, with each value held', async () => {
    const ctx = testContext();
    const { id, filled } = await filledClient(ctx);
    const { report } = await callOk(ctx, 'protect.subjectAccess', { clientId: id });
    const text = JSON.stringify(report);
    for (const { table, key, value } of filled) expect(text, `${table}.${key}`).toContain(JSON.stringify(value));
    const sections = report as { client: object; contacts: object[]; issues: { events: object[] }[] };
    const keysIn = (rows: object[]) => new Set(rows.flatMap((r) => Object.keys(r)));
    const shown: Record<string, Set<string>> = {
      clients: keysIn([sections.client]),
      contacts: keysIn(sections.contacts),
      client_issues: keysIn(sections.issues),
      issue_status_events: keysIn(sections.issues.flatMap((i) => i.events)),
    };
    for (const t of clientTables()) {
      expect(shown[t.name], `subject access has no section for ${t.name}`).toBeDefined();
      for (const c of t.columns) expect(shown[t.name]!.has(c.key), `${t.name}.${c.key}`).toBe(!c.classing.internal);
    }
    expect(report.personalData).toMatchObject({ specialCategory: expect.arrayContaining(['issue presented (from the issue taxonomy)']) });
  });
});

describe('referral destinations and staff names', () => {
  it('an erased client’s referrals still count, under "Destination erased"', async () => {
    const ctx = testContext();
    const { id } = await clientWithHistory(ctx, distinctive, distinctiveNote);
    const code = ctx.taxonomy.issues[5]!.code;
    await callOk(ctx, 'contacts.record', {
      clientId: id,
      contactDate: '2026-02-10',
      kind: 'appointment',
      staffName: 'Sam Staff',
      note: '',
      issues: [{ issueCode: code, withinRemit: false, referredTo: 'Mrs Winifred Neighbour' }],
    });
    const filter = { from: '2026-01-01', to: '2026-03-31' };
    const before = await callOk(ctx, 'reports.referrals', { filter });
    expect(before.destinations.map((d) => d.destination)).toContain('Mrs Winifred Neighbour');
    await callOk(ctx, 'protect.eraseClient', { clientId: id });
    const after = await callOk(ctx, 'reports.referrals', { filter });
    expect(after.total).toBe(before.total);
    expect(after.destinations).toEqual([{ destination: ERASED_DESTINATION, referrals: 1, people: 1 }]);
    const detail = await callOk(ctx, 'clients.get', { id });
    expect(detail.issues.find((i) => i.issueCode === code)!.referredTo).toBe(ERASED_DESTINATION);
    expect(detail.issues.filter((i) => i.withinRemit).map((i) => i.referredTo)).toEqual([null, null]);
    expect(detail.contacts.map((c) => c.staffName)).toEqual(['', '']);
  });

  it('a removed account loses its password hash now, and its name once no identifiable client record names it', async () => {
    const ctx = testContext();
    const created = await callOk(ctx, 'users.create', {
      username: 'jo.leaver',
      displayName: 'Jo Leaver',
      role: 'caseworker',
      password: 'a long enough password',
    });
    const idle = await callOk(ctx, 'users.create', {
      username: 'never.recorded',
      displayName: 'Nev Recorded',
      role: 'caseworker',
      password: 'a long enough password',
    });
    const { id } = await clientWithHistory(ctx, distinctive, distinctiveNote);
    // Jo recorded a contact for this client.
    ctx.caseDb.sqlite.prepare('UPDATE contacts SET created_by = ? WHERE client_id = ?').run(created.id, id);
    const account = (userId: number) =>
      ctx.caseDb.sqlite.prepare('SELECT username, display_name, password_hash, disabled_at FROM users WHERE id = ?').get(userId) as Record<
        string,
        string | null
      >;

    await callOk(ctx, 'users.disable', { id: created.id });
    await callOk(ctx, 'users.disable', { id: idle.id });
    expect(account(created.id)).toMatchObject({ username: 'jo.leaver', display_name: 'Jo Leaver', password_hash: '' });
    expect(account(idle.id)).toMatchObject({ username: `former-${idle.id}`, display_name: FORMER_STAFF_NAME, password_hash: '' });
    const sar = await callOk(ctx, 'protect.subjectAccess', { clientId: id });
    expect(JSON.stringify(sar.report)).toContain('Jo Leaver (jo.leaver)');

    await callOk(ctx, 'protect.eraseClient', { clientId: id });
    expect(account(created.id)).toMatchObject({ username: `former-${created.id}`, display_name: FORMER_STAFF_NAME });
    expect(account(created.id).disabled_at).not.toBeNull();
    // The audit log is append-only and hash-chained: it keeps who did what.
    const audited = ctx.caseDb.sqlite.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE username = 'test-admin'").get() as { n: number };
    expect(audited.n).toBeGreaterThan(0);
    expect((await callOk(ctx, 'protect.auditVerify', {})).ok).toBe(true);
  });
});

describe('nothing identifying leaves in a bundle', () => {
  beforeEach(() => {
    process.env.NEEDMAP_SIGNING_PASSPHRASE = PASSPHRASE;
  });
  afterEach(() => {
    delete process.env.NEEDMAP_SIGNING_PASSPHRASE;
  });

  it('no value of any identifying column of any table appears in the exported bundle', async () => {
    const ctx = await filledContext();
    const values = new Set<string>();
    for (const t of caseTables()) {
      for (const c of t.columns.filter((c) => c.classing.class === 'identifying')) {
        const enumValues = t.table ? (getTableColumns(t.table)[c.key]?.enumValues ?? []) : [];
        const rows = ctx.caseDb.sqlite.prepare(`SELECT DISTINCT "${c.name}" AS v FROM "${t.name}" WHERE "${c.name}" IS NOT NULL`).all() as { v: unknown }[];
        // Enumerated codes ("nhs", "email") are vocabulary, not anybody's details.
        for (const { v } of rows) if (typeof v === 'string' && v.length >= 4 && !enumValues.includes(v)) values.add(v);
      }
    }
    expect(values.size).toBeGreaterThan(20);
    expect(values).toContain('Food bank');
    expect(values).toContain('Ingrid Staffmember');
    const { from, to } = recentMonths();
    const out = await callOk(ctx, 'bundle.export', { from, to });
    const file = Buffer.from(out.base64!, 'base64');
    const haystacks = [file, ...Object.values(await readBundleEntries(file))].map((b) => b.toString('utf8').toLowerCase());
    for (const value of values) for (const text of haystacks) expect(text.includes(value.toLowerCase()), `"${value}" found in the bundle`).toBe(false);
  });
});
