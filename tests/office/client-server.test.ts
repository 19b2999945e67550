/**
 * The office server with real processes on loopback addresses (issue 16): an office server
 * (`needmap serve --office`) and client PCs (`needmap serve --connect`), each with its own data
 * folder. A client PC pinned to another fingerprint refuses the server and sends nothing. Two
 * staff on two client PCs see each other's clients at once and get the duplicate warning across
 * desks; the audit log names the PC; a client PC keeps no case data on disk. A server killed in
 * the middle of writes loses no committed record and duplicates none; the clients say plainly it
 * cannot be reached, and carry on when it is back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filesUnder, freePort, startClientPc, startOfficeServer, tempFolder, Tab, type Running } from './processes.ts';

const started: Running[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) await p.kill();
  for (const f of folders.splice(0)) fs.rmSync(f, { recursive: true, force: true });
});

const ADMIN = { organisationName: 'Riverside Advice', displayName: 'Jo Admin', username: 'jo.admin', password: 'a long admin passphrase' };
const STAFF = [
  { username: 'ali.desk', displayName: 'Ali', role: 'caseworker', password: 'ali long password' },
  { username: 'bea.desk', displayName: 'Bea', role: 'caseworker', password: 'bea long password' },
];
const MARIA = { firstName: 'Maria', lastName: 'Nowakowska', dateOfBirth: '1984-03-12', postcode: 'SE13 6AA', consentToRecord: true, consentDate: '2026-01-10' };

async function office(host: string) {
  const dir = tempFolder();
  folders.push(dir);
  const dbFile = path.join(dir, 'server', 'needmap.db');
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  const listen = `${host}:${await freePort(host)}`;
  const serverHome = path.join(dir, 'server-home');
  const server = await startOfficeServer(dbFile, listen, serverHome);
  started.push(server);
  const admin = await Tab.open(server);
  await admin.ok('auth.setupAdmin', ADMIN);
  for (const staff of STAFF) await admin.ok('users.create', staff);
  return { dir, dbFile, listen, serverHome, server, admin };
}

async function clientPc(dir: string, server: { address: string; fingerprint: string }, name: string, admin: Tab) {
  const home = path.join(dir, `${name.replace(/\W/g, '-')}-home`);
  const pc = await startClientPc(server.address, server.fingerprint, name, home);
  started.push(pc);
  const tab = await Tab.open(pc);
  // Not approved yet: nothing gets through.
  const waiting = await tab.call('auth.status');
  expect(waiting).toMatchObject({ ok: false, error: { reason: 'device-pending' } });
  const device = (await admin.ok<{ devices: { id: string; name: string; state: string }[] }>('office.status')).devices.find((d) => d.name === name)!;
  expect(device.state).toBe('pending');
  await admin.ok('office.approveDevice', { deviceId: device.id });
  return { pc, tab, home, deviceId: device.id };
}

describe('office server and client PCs as separate processes', () => {
  it('two staff at two PCs see each other’s clients at once and get the duplicate warning across desks; the client PCs keep no case data', async () => {
    const { dir, server, admin } = await office('127.0.0.5');
    const a = await clientPc(dir, server, 'Desk A', admin);
    const b = await clientPc(dir, server, 'Desk B', admin);
    await a.tab.ok('auth.login', { username: STAFF[0]!.username, password: STAFF[0]!.password });
    await b.tab.ok('auth.login', { username: STAFF[1]!.username, password: STAFF[1]!.password });

    const created = await a.tab.ok<{ kind: string; id: number }>('clients.create', { client: MARIA });
    expect(created.kind).toBe('created');
    // Desk B sees Desk A's client straight away…
    const found = await b.tab.ok<{ items: { id: number; firstName: string; lastName: string }[] }>('clients.search', { query: 'Nowakowska' });
    expect(found.items.map((c) => c.id)).toEqual([created.id]);
    // …and recording the same person again gets the duplicate warning.
    const again = await b.tab.ok<{ kind: string; matches: { client: { id: number } }[] }>('clients.create', {
      client: { ...MARIA, firstName: 'María', postcode: 'SE13 6AA' },
    });
    expect(again.kind).toBe('possible-duplicates');
    expect(again.matches.map((m) => m.client.id)).toContain(created.id);
    const contact = await b.tab.ok<{ contactId: number }>('contacts.record', {
      clientId: created.id,
      contactDate: '2026-02-03',
      kind: 'drop_in',
      staffName: 'Bea',
      note: 'Rent arrears letter',
      issues: [{ issueCode: 'HOU-ARREARS', withinRemit: true }],
    });
    const seenAtA = await a.tab.ok<{ contacts: { id: number; note: string }[] }>('clients.get', { id: created.id });
    expect(seenAtA.contacts.map((c) => c.id)).toContain(contact.contactId);

    // Roles apply per person: a caseworker's report call is refused on the server.
    expect(await a.tab.call('reports.need', { filter: { from: '2026-01-01', to: '2026-01-31' } })).toMatchObject({ ok: false, error: { reason: 'role' } });

    // The audit log names the person and the PC.
    const audit = await admin.ok<{ entries: { action: string; username: string; detail: string }[] }>('protect.auditList', { limit: 100 });
    const creation = audit.entries.find((e) => e.action === 'client.create')!;
    expect(creation.username).toBe(STAFF[0]!.username);
    expect(JSON.parse(creation.detail).device).toEqual({ id: a.deviceId, name: 'Desk A' });
    const recording = audit.entries.find((e) => e.action === 'contact.record')!;
    expect(JSON.parse(recording.detail).device.name).toBe('Desk B');

    // After use, a client PC's data folder holds its connection settings (and the browser host's control file) only: no database, no names.
    await a.pc.stop();
    await b.pc.stop();
    for (const pc of [a, b]) {
      const dataDir = path.join(pc.home, 'NeedMap');
      const files = filesUnder(dataDir);
      expect(files.filter((f) => !f.startsWith('browser-hosts/'))).toEqual(['office-connection.json']);
      for (const file of files) {
        const bytes = fs.readFileSync(path.join(dataDir, file)).toString('latin1');
        for (const personal of ['Nowakowska', 'Maria', 'SE13', 'Rent arrears', '1984-03-12']) expect(bytes).not.toContain(personal);
      }
      const connection = JSON.parse(fs.readFileSync(path.join(dataDir, 'office-connection.json'), 'utf8'));
      expect(Object.keys(connection).sort()).toEqual(['createdAt', 'device', 'fingerprint', 'format', 'server']);
      expect(fs.statSync(path.join(dataDir, 'office-connection.json')).mode & 0o777).toBe(0o600);
    }
  });

  it('a client PC set up with another fingerprint refuses the server before sending anything, and says so plainly', async () => {
    const { dir, server, admin } = await office('127.0.0.8');
    // One digit changed: what an impostor on the network (or a mistyped code) would present.
    const last = server.fingerprint.at(-1) === '0' ? '1' : '0';
    const wrong = server.fingerprint.slice(0, -1) + last;
    const pc = await startClientPc(server.address, wrong, 'Impostor check', path.join(dir, 'impostor-home'));
    started.push(pc);
    expect(pc.output()).toMatch(/is not the office server this PC was set up with/);
    const tab = await Tab.open(pc);
    const refused = await tab.call('auth.status');
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable', reason: 'wrong-certificate' } });
    if (!refused.ok) expect(refused.error.message).toMatch(/NeedMap did not connect and sent nothing/);
    // Nothing reached the server: not even a pairing request.
    expect((await admin.ok<{ devices: unknown[] }>('office.status')).devices).toEqual([]);
  });

  it('a server killed in the middle of writes loses no committed record and duplicates none; the clients say so and carry on when it is back', async () => {
    const { dir, dbFile, listen, serverHome, server, admin } = await office('127.0.0.6');
    const a = await clientPc(dir, server, 'Desk A', admin);
    const b = await clientPc(dir, server, 'Desk B', admin);
    const desks = [
      { tab: a.tab, staff: STAFF[0]!, prefix: 'Crash-A' },
      { tab: b.tab, staff: STAFF[1]!, prefix: 'Crash-B' },
    ];
    for (const d of desks) await d.tab.ok('auth.login', { username: d.staff.username, password: d.staff.password });

    const PER_DESK = 30;
    const acknowledged = new Set<string>();
    const maybe = new Set<string>();
    const plainMessages = new Set<string>();

    async function desk(d: (typeof desks)[number]): Promise<void> {
      for (let i = 0; i < PER_DESK;) {
        const lastName = `${d.prefix}-${i}`;
        const r = await d.tab.call<{ kind: string }>('clients.create', {
          client: { ...MARIA, firstName: 'Kill', lastName, postcode: null },
          confirmedNotDuplicate: true,
        });
        if (r.ok) {
          acknowledged.add(lastName);
          i += 1;
        } else if (r.error.code === 'unavailable') {
          plainMessages.add(r.error.reason!);
          // Sent and cut off: it may or may not be saved, so (as the message says) this one is not simply saved again.
          if (r.error.reason === 'interrupted') {
            maybe.add(lastName);
            i += 1;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        } else if (r.error.reason === 'server-restarted' || r.error.reason === 'login-required') {
          plainMessages.add(r.error.reason);
          await d.tab.ok('auth.login', { username: d.staff.username, password: d.staff.password });
        } else throw new Error(JSON.stringify(r.error));
      }
    }

    const work = Promise.all(desks.map((d) => desk(d)));
    // Kill the server while both desks are writing…
    while (acknowledged.size < 12) await new Promise((resolve) => setTimeout(resolve, 5));
    await server.kill();
    const atKill = acknowledged.size;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(acknowledged.size).toBe(atKill); // nothing got through while it was down
    // …and start it again on the same address (its lock left behind is taken over as stale).
    const restarted = await startOfficeServer(dbFile, listen, serverHome);
    started.push(restarted);
    await work;
    expect(plainMessages.has('unreachable')).toBe(true);
    // The database was encrypted and locked at the restart: people log in again to carry on, on the same screen.
    expect(plainMessages.has('server-restarted')).toBe(true);

    const names = (await a.tab.ok<{ total: number; items: { lastName: string }[] }>('clients.search', { query: 'Kill', limit: 200 })).items.map(
      (c) => c.lastName,
    );
    const counts = new Map<string, number>();
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
    for (const n of acknowledged) expect(counts.get(n), `${n} was acknowledged`).toBe(1);
    for (const [n, count] of counts) {
      expect(count, `${n} is there once`).toBe(1);
      expect(acknowledged.has(n) || maybe.has(n), `${n} was asked for`).toBe(true);
    }
    expect(acknowledged.size + maybe.size).toBe(2 * PER_DESK);

    // The audit chain survived the crash intact.
    const adminAgain = await Tab.open(restarted);
    await adminAgain.ok('auth.login', { username: ADMIN.username, password: ADMIN.password });
    expect(await adminAgain.ok('protect.auditVerify')).toMatchObject({ ok: true });
  });
});
