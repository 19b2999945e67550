import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openCaseDatabase } from '../../src-main/db/open.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { tempDir, NEEDMAP_CLI } from '../helpers.ts';

const cli = NEEDMAP_CLI;
const needmap = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

function contents(file: string): string {
  const db = new Database(file, { readonly: true });
  const rows = [
    db.prepare('SELECT first_name, last_name, date_of_birth, postcode, record_key FROM clients ORDER BY id').all(),
    db.prepare('SELECT client_id, contact_date, kind FROM contacts ORDER BY id').all(),
    db.prepare('SELECT client_id, issue_code, status, identified_on, status_changed_on FROM client_issues ORDER BY id').all(),
  ];
  db.close();
  return JSON.stringify(rows);
}

describe('needmap demo', () => {
  it('fills a database deterministically per seed, over 24 months, that the app opens', () => {
    const dir = tempDir();
    const [a, b, c] = ['a.db', 'b.db', 'c.db'].map((f) => path.join(dir, f)) as [string, string, string];
    const out = execFileSync(process.execPath, [cli, 'demo', '--db', a, '--clients', '300', '--seed', '7', '--end', '2026-10'], { encoding: 'utf8' });
    expect(out).toMatch(/Created .*: 300 clients/);
    execFileSync(process.execPath, [cli, 'demo', '--db', b, '--clients', '300', '--seed', '7', '--end', '2026-10']);
    execFileSync(process.execPath, [cli, 'demo', '--db', c, '--clients', '300', '--seed', '8', '--end', '2026-10']);
    expect(contents(a)).toBe(contents(b));
    expect(contents(a)).not.toBe(contents(c));

    const caseDb = openCaseDatabase(a, { migrationsDir: defaultAppPaths().migrationsDir });
    const span = caseDb.sqlite.prepare('SELECT MIN(contact_date) AS first, MAX(contact_date) AS last FROM contacts').get() as { first: string; last: string };
    expect(span.first >= '2024-11-01').toBe(true);
    expect(span.last <= '2026-10-31').toBe(true);
    const perClient = caseDb.sqlite
      .prepare('SELECT COUNT(*) AS n FROM clients c WHERE NOT EXISTS (SELECT 1 FROM client_issues i WHERE i.client_id = c.id)')
      .get() as { n: number };
    expect(perClient.n).toBe(0);
    caseDb.close();
  });

  it('has --help, and refuses bad flags on stderr with a non-zero exit', () => {
    const help = needmap('demo', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('needmap demo --db FILE --clients N');
    const missing = needmap('demo', '--db', path.join(tempDir(), 'x.db'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--clients is required');
    const bad = needmap('demo', '--db', path.join(tempDir(), 'x.db'), '--clients', 'lots');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--clients must be a whole number');
    const unknown = needmap('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  });

  it('refuses to overwrite an existing file without --replace', () => {
    const file = path.join(tempDir(), 'x.db');
    expect(needmap('demo', '--db', file, '--clients', '5').status).toBe(0);
    const again = needmap('demo', '--db', file, '--clients', '5');
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists');
  });
});
