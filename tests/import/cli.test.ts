/** `needmap import` and `needmap export-records` run as administrators run them, on real files and real databases. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { NEEDMAP_CLI, tempDir } from '../helpers.ts';
import { MESSY_HEADER, emptyCaseDatabase, messyRows, windows1252, xlsxBytes } from './sheets.ts';

const needmap = (...args: string[]) => spawnSync(process.execPath, [NEEDMAP_CLI, ...args], { encoding: 'utf8', env: { ...process.env, NEEDMAP_DB_KEY: '' } });

function query<T>(file: string, sql: string): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
const count = (file: string, table: string) => query<{ n: number }>(file, `SELECT COUNT(*) AS n FROM ${table}`)[0]!.n;

function setup(name: string, bytes: Buffer | string) {
  const dir = tempDir();
  const db = path.join(dir, 'case.db');
  emptyCaseDatabase(db);
  const sheet = path.join(dir, name);
  fs.writeFileSync(sheet, bytes);
  return { dir, db, sheet };
}

/** Everything a round trip must keep, by client name (record numbers differ between databases). */
function contents(file: string): string {
  return JSON.stringify([
    query(
      file,
      `SELECT first_name, last_name, date_of_birth, postcode, external_id_type, external_id, phone, email, preferred_contact, consent_to_record, consent_date
         FROM clients ORDER BY last_name, first_name, date_of_birth`,
    ),
    query(
      file,
      `SELECT c.first_name, c.last_name, c.date_of_birth, k.contact_date, k.kind, k.staff_name, k.note
         FROM contacts k JOIN clients c ON c.id = k.client_id ORDER BY 1, 2, 3, 4, 5, 6, 7`,
    ),
    query(
      file,
      `SELECT c.first_name, c.last_name, c.date_of_birth, i.issue_code, i.status, i.within_remit, i.referred_to, i.identified_on, i.status_changed_on
         FROM client_issues i JOIN clients c ON c.id = i.client_id ORDER BY 1, 2, 3, 4, 8`,
    ),
    query(
      file,
      `SELECT c.first_name, c.last_name, c.date_of_birth, i.issue_code, e.status, e.changed_on, e.note
         FROM issue_status_events e JOIN client_issues i ON i.id = e.client_issue_id JOIN clients c ON c.id = i.client_id ORDER BY 1, 2, 3, 4, 6, 5`,
    ),
  ]);
}

describe('needmap import', () => {
  it('dry-runs a messy XLSX: the report lists every refused row with column, value and reason; nothing is written', async () => {
    const { db, sheet } = setup('clients.xlsx', await xlsxBytes([{ name: 'Clients', rows: [MESSY_HEADER, ...messyRows()] }]));
    const run = needmap('import', '--db', db, sheet, '--dry-run');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(3);
    expect(run.stdout).toContain('Sheet: Clients');
    expect(run.stdout).toContain('"D.O.B." → date of birth (client.dateOfBirth)');
    expect(run.stdout).toMatch(/Rows: 8 read, 5 to import, 3 refused/);
    expect(run.stdout).toContain('row 5\t"D.O.B."\t"31/02/1990"\tdate of birth: 31/02/1990 is not a real date.');
    expect(run.stdout).toContain('row 6\t"Date seen"\t"32/13/2026"\tcontact date: 32/13/2026 is not a real date.');
    expect(run.stdout).toContain('row 7\t"Presenting issues"\t"my cat"\t"my cat" is not matched to an issue');
    expect(run.stdout).toContain('Dry run: nothing was written.');
    expect(count(db, 'clients')).toBe(0);
    expect(count(db, 'import_batches')).toBe(0);
  });

  it('imports the rows that are not refused (exit 3), in one batch; --all-or-nothing imports none', async () => {
    const { db, sheet } = setup('clients.xlsx', await xlsxBytes([{ name: 'Clients', rows: [MESSY_HEADER, ...messyRows()] }]));
    const none = needmap('import', '--db', db, sheet, '--all-or-nothing');
    expect(none.status).toBe(3);
    expect(none.stdout).toContain('Nothing was imported');
    expect(count(db, 'clients')).toBe(0);

    const run = needmap('import', '--db', db, sheet);
    expect(run.status).toBe(3);
    expect(run.stdout).toContain('Imported as batch 1');
    const clients = query<{ first_name: string; postcode: string; date_of_birth: string; import_batch_id: number }>(
      db,
      'SELECT first_name, postcode, date_of_birth, import_batch_id FROM clients ORDER BY first_name',
    );
    // Anna's two rows (one client number) are one client; Ann Smith (same birth date, similar name, another client number) is kept apart.
    expect(clients.map((c) => c.first_name)).toEqual(['Ann', 'Anna', 'Bob', 'Fay']);
    expect(clients.map((c) => c.postcode)).toEqual(['PR1 2AA', 'PR1 2AA', 'SE13 6AA', 'M1 1AE']);
    expect(run.stdout).toMatch(/Possible duplicates[^]*row-2: separate — Anna Smith 1980-03-04 \(rows 2, 3\); Ann Smith 1980-03-04 \(rows 8\)/);
    expect(clients.every((c) => c.date_of_birth === '1980-03-04' || c.first_name !== 'Bob')).toBe(true);
    expect(clients.every((c) => c.import_batch_id === 1)).toBe(true);
    const issues = query<{ first_name: string; issue_code: string; status: string; referred_to: string | null }>(
      db,
      'SELECT c.first_name, i.issue_code, i.status, i.referred_to FROM client_issues i JOIN clients c ON c.id = i.client_id ORDER BY 1, 2, i.id',
    );
    expect(issues).toEqual([
      { first_name: 'Ann', issue_code: 'MON-PROBLEM-DEBT', status: 'identified', referred_to: null },
      { first_name: 'Anna', issue_code: 'ISO-LONELINESS', status: 'identified', referred_to: null },
      { first_name: 'Anna', issue_code: 'MON-PROBLEM-DEBT', status: 'resolved', referred_to: null },
      { first_name: 'Bob', issue_code: 'ISO-LONELINESS', status: 'identified', referred_to: null },
      { first_name: 'Bob', issue_code: 'MON-PROBLEM-DEBT', status: 'identified', referred_to: null },
      { first_name: 'Fay', issue_code: 'MON-PROBLEM-DEBT', status: 'referred', referred_to: 'Citizens Advice' },
    ]);
    // Bob's contact date was an Excel serial (46040 = 2026-01-18).
    expect(query<{ contact_date: string }>(db, "SELECT contact_date FROM contacts k JOIN clients c ON c.id = k.client_id WHERE c.first_name = 'Bob'")).toEqual([
      { contact_date: '2026-01-18' },
    ]);
    const audit = query<{ action: string }>(db, "SELECT action FROM audit_log WHERE action LIKE 'import.%' OR action = 'client.create'");
    expect(audit.filter((a) => a.action === 'client.create')).toHaveLength(4);
    expect(audit.filter((a) => a.action === 'import.apply')).toHaveLength(1);
  });

  it('reads a Windows-1252 CSV and a UTF-8 CSV with a byte-order mark and semicolons, with a mapping file', () => {
    const text =
      'Forename,Surname,DOB,Postcode,Date seen,Issue,Consent\r\nZoë,O’Brien,07/06/1975,M1 1AE,02/02/2026,debt,yes\r\nSiân,Müller,1988-12-01,M1 1AE,03/02/2026,loneliness,yes\r\n';
    const legacy = setup('legacy.csv', windows1252(text));
    const run = needmap('import', '--db', legacy.db, legacy.sheet);
    expect(run.stdout).toContain('Read as Windows-1252');
    expect(run.status).toBe(0);
    expect(query<{ first_name: string; last_name: string }>(legacy.db, 'SELECT first_name, last_name FROM clients ORDER BY id')).toEqual([
      { first_name: 'Zoë', last_name: 'O’Brien' },
      { first_name: 'Siân', last_name: 'Müller' },
    ]);

    const bom = setup('bom.csv', '\uFEFF' + 'Name;Born;Where;When;Need\r\n"Smith, Anna";04/03/1980;pr1 2aa;12/01/2026;debt\r\n');
    const mapping = path.join(path.dirname(bom.sheet), 'mapping.json');
    fs.writeFileSync(
      mapping,
      JSON.stringify({
        columns: { Name: 'client.fullName', Born: 'client.dateOfBirth', Where: 'client.postcode', When: 'contact.contactDate', Need: 'issue.issueCode' },
        defaults: { 'client.consentToRecord': 'yes', 'client.consentDate': '12/01/2026' },
      }),
    );
    const withMapping = needmap('import', '--db', bom.db, bom.sheet, '--mapping', mapping);
    expect(withMapping.stdout).toContain('UTF-8 with a byte-order mark, separated by semicolons');
    expect(withMapping.status).toBe(0);
    expect(query(bom.db, 'SELECT first_name, last_name, date_of_birth, consent_date FROM clients')).toEqual([
      { first_name: 'Anna', last_name: 'Smith', date_of_birth: '1980-03-04', consent_date: '2026-01-12' },
    ]);

    fs.writeFileSync(mapping, JSON.stringify({ columns: { Name: 'client.shoeSize' } }));
    const bad = needmap('import', '--db', bom.db, bom.sheet, '--mapping', mapping);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('columns.Name: Each column maps to one of');
  });

  it('refuses files it cannot read with a clear message, writing nothing', async () => {
    const oleHeader = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    const cases: [string, Buffer | string, RegExp][] = [
      ['locked.xlsx', Buffer.concat([oleHeader, Buffer.alloc(200), Buffer.from('EncryptionInfo', 'utf16le'), Buffer.alloc(200)]), /is password-protected/],
      ['old.xls', Buffer.concat([oleHeader, Buffer.alloc(500)]), /old Excel \(\.xls\)/],
      ['broken.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(300, 7)]), /is not an Excel workbook NeedMap can read/],
      ['report.pdf', Buffer.from('%PDF-1.7\n...'), /is a PDF, not a spreadsheet/],
      ['empty.csv', '', /empty\.csv is empty/],
      ['header.csv', 'Forename,Surname\r\n', /has a header but no rows/],
      ['image.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), /is not a spreadsheet NeedMap can read/],
      ['blank.xlsx', await xlsxBytes([{ name: 'Empty', rows: [] }]), /The sheet "Empty" of blank\.xlsx is empty/],
    ];
    for (const [name, bytes, message] of cases) {
      const { db, sheet } = setup(name, bytes);
      const run = needmap('import', '--db', db, sheet);
      expect(run.status, name).toBe(1);
      expect(run.stderr, name).toMatch(message);
      expect(run.stdout, name).toBe('');
      expect(count(db, 'clients')).toBe(0);
    }
  });

  it('reads formulas by their saved result, refuses a formula without one, and reads a header over two rows with merged cells', async () => {
    const rows = [
      ['Client', null, 'Born', 'Postcode', 'Seen', 'Issue', 'Consent'],
      ['Forename', 'Surname', 'DOB', 'Postcode', 'Date seen', 'Issue', 'Consent'],
      ['Anna', { formula: 'UPPER("smith")', result: 'SMITH' }, '04/03/1980', 'M1 1AE', '12/01/2026', 'debt', 'yes'],
      ['Bob', { formula: 'A1&"x"' }, '05/03/1980', 'M1 1AE', '12/01/2026', 'debt', 'yes'],
    ];
    const { db, sheet } = setup('merged.xlsx', await xlsxBytes([{ name: 'Sheet1', rows, merge: ['A1:B1'] }]));
    const run = needmap('import', '--db', db, sheet);
    expect(run.stdout).toContain('The header spans two rows');
    expect(run.stdout).toContain('"Forename" → first name');
    expect(run.stdout).toMatch(/row 4\t"Surname"\t.*A formula with no saved result/);
    expect(run.status).toBe(3);
    expect(query(db, 'SELECT first_name, last_name FROM clients')).toEqual([{ first_name: 'Anna', last_name: 'SMITH' }]);
  });

  it('picks a workbook sheet by --sheet and names the sheets when it is missing', async () => {
    const bytes = await xlsxBytes([
      { name: 'Notes', rows: [['Read me']] },
      { name: 'Clients', rows: [MESSY_HEADER, messyRows()[0]!] },
    ]);
    const { db, sheet } = setup('two.xlsx', bytes);
    const missing = needmap('import', '--db', db, sheet, '--sheet', 'Nope', '--dry-run');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('has no sheet called "Nope"; its sheets are "Notes", "Clients"');
    const run = needmap('import', '--db', db, sheet, '--sheet', 'Clients');
    expect(run.status).toBe(0);
    expect(count(db, 'clients')).toBe(1);
  });
});

describe('needmap export-records, and back', () => {
  it('exports every record as CSV and XLSX that import into an empty database as the same records', () => {
    const dir = tempDir();
    const source = path.join(dir, 'source.db');
    expect(needmap('demo', '--db', source, '--clients', '120', '--seed', '4', '--end', '2026-10').status).toBe(0);
    // The demo writes some issues outside the remit as signposted yet never referred — a state that entering them (and so
    // importing them) cannot make: an issue outside the remit needs a referral destination, and recording one refers it.
    const demo = new Database(source);
    demo.pragma('foreign_keys = ON');
    const unreachable = demo
      .prepare(
        "DELETE FROM client_issues WHERE within_remit = 0 AND status <> 'referred' AND NOT EXISTS (SELECT 1 FROM issue_status_events e WHERE e.client_issue_id = client_issues.id AND e.status = 'referred')",
      )
      .run().changes;
    expect(unreachable).toBeLessThan(40);
    demo.close();

    const out = path.join(dir, 'csv');
    const exported = needmap('export-records', '--db', source, '--out', out);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toMatch(/^Exported 120 clients, \d+ contacts, \d+ issues, \d+ status changes and \d+ referrals to /);
    expect(fs.readdirSync(out).sort()).toEqual([
      'clients.csv',
      'columns.csv',
      'contacts.csv',
      'issues.csv',
      'records.csv',
      'referrals.csv',
      'status_history.csv',
    ]);
    const columns = fs.readFileSync(path.join(out, 'columns.csv'), 'utf8');
    expect(columns.startsWith('\uFEFFfile,column,description,personal_data')).toBe(true);
    expect(columns).toContain('clients,date_of_birth,');
    expect(query<{ action: string }>(source, "SELECT action FROM audit_log WHERE action = 'records.export'")).toHaveLength(1);

    const fromCsv = path.join(dir, 'from-csv.db');
    emptyCaseDatabase(fromCsv);
    const imported = needmap('import', '--db', fromCsv, path.join(out, 'records.csv'));
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect(contents(fromCsv)).toBe(contents(source));

    const xlsx = path.join(dir, 'records.xlsx');
    expect(needmap('export-records', '--db', source, '--out', xlsx).status).toBe(0);
    const fromXlsx = path.join(dir, 'from-xlsx.db');
    emptyCaseDatabase(fromXlsx);
    expect(needmap('import', '--db', fromXlsx, xlsx, '--sheet', 'records').status).toBe(0);
    expect(contents(fromXlsx)).toBe(contents(source));

    const again = needmap('export-records', '--db', source, '--out', xlsx);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists');
  });
});
