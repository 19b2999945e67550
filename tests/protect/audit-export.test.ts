import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { verifyAuditChain, type AuditEntry } from '../../src-main/core/protect/audit.ts';
import { dispatch } from '../helpers.ts';
import { callOk, tempDir, testContext, NEEDMAP_CLI } from '../helpers.ts';
import { clientWithHistory, distinctive } from './fixtures.ts';

const cli = NEEDMAP_CLI;
const needmap = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NEEDMAP_DB_KEY: '' } });

/** The CSV's rows back as audit entries, so the exported copy can be checked against its own hashes. */
function entriesOf(csv: string): AuditEntry[] {
  const rows = parse(csv, { columns: true, bom: true }) as Record<string, string>[];
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at!,
    userId: r.user_id === '' ? null : Number(r.user_id),
    username: r.username === '' ? null : r.username!,
    action: r.action!,
    target: r.target === '' ? null : r.target!,
    detail: r.detail!,
    prevHash: r.prev_hash!,
    hash: r.hash!,
  }));
}

describe('audit export', () => {
  it('exports every entry with its hashes (the copy verifies on its own), is logged, and is admin-only', async () => {
    const ctx = testContext();
    const c = await clientWithHistory(ctx, distinctive, 'note');
    await callOk(ctx, 'clients.get', { id: c.id });
    const { total } = await callOk(ctx, 'protect.auditList', {});

    const exported = await callOk(ctx, 'protect.auditExport', {});
    expect(exported.fileName).toMatch(/^needmap-audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
    const entries = entriesOf(exported.csv);
    // auditList itself was logged before the export, so the export holds one more than that count.
    expect(entries).toHaveLength(total + 1);
    expect(exported.entries).toBe(entries.length);
    expect(entries.some((e) => e.action === 'client.view' && e.target === `client:${c.id}`)).toBe(true);
    expect(verifyAuditChain(entries)).toEqual({ ok: true, entries: entries.length });
    // An edited copy no longer verifies.
    const edited = entries.map((e, i) => (i === 1 ? { ...e, action: 'nothing' } : e));
    expect(verifyAuditChain(edited)).toMatchObject({ ok: false, firstBadId: entries[1]!.id });

    const latest = await callOk(ctx, 'protect.auditList', { limit: 2 });
    expect(latest.entries.map((e) => e.action)).toContain('audit.export');

    await callOk(ctx, 'users.create', { username: 'mandy', displayName: 'Mandy', role: 'manager', password: 'copper kettle 77' });
    await callOk(ctx, 'auth.logout', {});
    await callOk(ctx, 'auth.login', { username: 'mandy', password: 'copper kettle 77' });
    expect(await dispatch('protect.auditExport', {}, ctx)).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'role' } });
  });

  it('`needmap audit export` writes the CSV, logs itself, and never overwrites a file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'case.db');
    const ctx = testContext(file);
    await clientWithHistory(ctx, distinctive, 'note');
    ctx.close(); // the app is closed: the command takes the database's lock and logs itself straight into the chain
    const out = path.join(dir, 'out', 'audit.csv');

    const run = needmap('audit', 'export', '--db', file, '--out', out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const entries = entriesOf(fs.readFileSync(out, 'utf8'));
    expect(run.stdout).toBe(`Exported ${entries.length} audit entries to ${out}.\n`);
    expect(entries.length).toBeGreaterThan(0);
    expect(verifyAuditChain(entries).ok).toBe(true);

    const again = needmap('audit', 'export', '--db', file, '--out', out);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    const verify = needmap('audit', 'verify', '--db', file);
    expect(verify.stdout).toMatch(`Audit log intact: ${entries.length + 1} entries`);
  });

  it('auth.status carries the organisation name from the first-run wizard', async () => {
    const ctx = testContext(undefined, { login: false });
    expect((await callOk(ctx, 'auth.status', {})).organisationName).toBeNull();
    await callOk(ctx, 'auth.setupAdmin', { organisationName: 'Riverside Advice', username: 'root', displayName: 'Root', password: 'quiet meadow 42' });
    expect((await callOk(ctx, 'auth.status', {})).organisationName).toBe('Riverside Advice');
  });
});
