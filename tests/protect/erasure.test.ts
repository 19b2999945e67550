import { describe, expect, it } from 'vitest';
import { dispatch } from '../helpers.ts';
import type { AppContext } from '../../src-main/ipc/handlers.ts';
import { callOk, testContext } from '../helpers.ts';
import { bytesOf, clientWithHistory, contains, distinctive, distinctiveNote } from './fixtures.ts';

/** What reports count: issues by sector, decile, month, code and status; clients by sector and decile. */
function reportTotals(ctx: AppContext) {
  const q = (sql: string) => ctx.caseDb.sqlite.prepare(sql).all();
  return {
    facts: q(`SELECT sector, imd_decile, substr(identified_on,1,7) AS month, issue_code, status, count(*) AS n
              FROM report_issue_facts GROUP BY 1,2,3,4,5 ORDER BY 1,2,3,4,5`),
    clients: q('SELECT postcode_sector, postcode_district, imd_decile, count(*) AS n FROM clients GROUP BY 1,2,3 ORDER BY 1,2,3'),
    contacts: q('SELECT substr(contact_date,1,7) AS month, kind, count(*) AS n FROM contacts GROUP BY 1,2 ORDER BY 1,2'),
  };
}

const secrets = [
  distinctive.firstName,
  distinctive.lastName,
  distinctive.dateOfBirth,
  distinctive.postcode,
  distinctive.externalId,
  distinctive.phone,
  distinctive.email,
  distinctiveNote,
];

describe('right to erasure', () => {
  it('leaves none of the erased values in the file, WAL or free pages, and report totals unchanged', async () => {
    // A plain database, so any surviving byte would be visible.
    const ctx = testContext();
    const file = ctx.caseDb.file;
    const target = await clientWithHistory(ctx, distinctive, distinctiveNote);
    const other = await clientWithHistory(
      ctx,
      {
        ...distinctive,
        firstName: 'Keepme',
        lastName: 'Otherperson',
        email: null,
        phone: null,
        externalId: null,
        externalIdType: null,
        postcode: 'SE13 6AA',
        dateOfBirth: '1990-05-05',
      },
      'ordinary note',
      '2026-03-04',
    );
    // The values are really in the file first (so this test can fail).
    ctx.caseDb.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    for (const value of secrets) expect(contains(bytesOf(file, `${file}-wal`), value), value).toBe(true);
    const before = reportTotals(ctx);

    const erased = await callOk(ctx, 'protect.eraseClient', { clientId: target.id });
    expect(erased.walTruncated).toBe(true);
    expect(erased.removed).toContain('date of birth');
    expect(erased.kept).toContain('deprivation decile');
    expect(reportTotals(ctx)).toEqual(before);

    const bytes = bytesOf(file, `${file}-wal`);
    for (const value of secrets) expect(contains(bytes, value), `${value} survived`).toBe(false);
    expect(contains(bytes, 'Otherperson')).toBe(true);

    const detail = await callOk(ctx, 'clients.get', { id: target.id });
    expect(detail.client).toMatchObject({
      firstName: 'Erased',
      lastName: 'client',
      dateOfBirth: '',
      postcode: null,
      phone: null,
      email: null,
      externalId: null,
    });
    expect(detail.client.geography.postcodeSector).toBe('PR1 2');
    expect(detail.issues).toHaveLength(2);
    expect(detail.contacts[0]!.note).toBe('');
    expect((await callOk(ctx, 'clients.get', { id: other.id })).client.lastName).toBe('Otherperson');
    expect(await dispatch('protect.eraseClient', { clientId: target.id }, ctx)).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });
});

describe('retention', () => {
  it('anonymises exactly the previewed clients, refuses a stale preview, and logs the run', async () => {
    const ctx = testContext();
    const old1 = await clientWithHistory(ctx, distinctive, 'old one', '2019-03-01');
    const old2 = await clientWithHistory(ctx, { ...distinctive, firstName: 'Second', externalId: 'XQ-2' }, 'old two', '2020-11-24');
    const recent = await clientWithHistory(ctx, { ...distinctive, firstName: 'Recent', externalId: 'XQ-3' }, 'recent', '2020-11-26');
    const preview = await callOk(ctx, 'protect.retentionPreview', { today: '2026-11-25' });
    expect(preview.cutoffDate).toBe('2020-11-25');
    expect(preview.policyYears).toBe(6);
    expect(preview.clients.map((c) => c.id)).toEqual([old1.id, old2.id]);

    expect(await dispatch('protect.retentionApply', { today: '2026-11-25', clientIds: [old1.id] }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    const applied = await callOk(ctx, 'protect.retentionApply', { today: '2026-11-25', clientIds: preview.clients.map((c) => c.id) });
    expect(applied.anonymised).toBe(2);
    const erasedIds = (ctx.caseDb.sqlite.prepare('SELECT id FROM clients WHERE erased_at IS NOT NULL ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    expect(erasedIds).toEqual(preview.clients.map((c) => c.id));
    expect(erasedIds).not.toContain(recent.id);
    const log = await callOk(ctx, 'protect.retentionLog', {});
    expect(log.runs).toEqual([expect.objectContaining({ id: applied.runId, anonymised: 2, clientIds: [old1.id, old2.id], cutoffDate: '2020-11-25' })]);
    expect((await callOk(ctx, 'protect.retentionPreview', { today: '2026-11-25' })).clients).toEqual([]);
  });
});

describe('subject access', () => {
  it('returns everything held about one client, with who recorded what', async () => {
    const ctx = testContext();
    const c = await clientWithHistory(ctx, distinctive, distinctiveNote);
    await callOk(ctx, 'clients.get', { id: c.id });
    const { report } = await callOk(ctx, 'protect.subjectAccess', { clientId: c.id });
    const r = report as {
      client: Record<string, unknown>;
      contacts: { note: string; createdBy: string }[];
      issues: { events: { recordedBy: string }[] }[];
      accessLog: { action: string }[];
    };
    expect(r.client).toMatchObject({ lastName: distinctive.lastName, email: distinctive.email, createdBy: 'Test Admin (test-admin)' });
    expect(r.client).not.toHaveProperty('recordKey');
    expect(r.contacts[0]).toMatchObject({ note: distinctiveNote, createdBy: 'Test Admin (test-admin)' });
    expect(r.issues).toHaveLength(2);
    expect(r.issues.flatMap((i) => i.events).every((e) => e.recordedBy === 'Test Admin (test-admin)')).toBe(true);
    expect(r.accessLog.map((e) => e.action)).toEqual(['client.create', 'contact.record', 'client.view']);
  });
});
