/**
 * The office server in one process over real TLS on loopback addresses (issue 16): the pinned
 * client refuses any other certificate before sending anything; a PC must be approved before its
 * calls run; each person logs in with their own account and the audit log names the PC; what a
 * remote session may not do; rate-limited pairing; TLS 1.2+ only; only the chosen address bound;
 * malformed requests refused plainly.
 */
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { AttemptLimiter } from '../../src-main/core/office/attempt-limit.ts';
import { formatOfficeAddress, parsePairingCode, type OfficeAddress } from '../../src-main/core/office/address.ts';
import { loadOrCreateCertificate } from '../../src-main/office/certificate.ts';
import { connectionFor } from '../../src-main/office/connection-file.ts';
import { OfficeForwarder } from '../../src-main/office/forwarder.ts';
import { OfficeShare } from '../../src-main/office/share.ts';
import { startOfficeServer } from '../../src-main/office/server.ts';
import type { CallResult } from '../../src-main/ipc/contract.ts';
import type { AppContext } from '../../src-main/ipc/context.ts';
import { createUser } from '../../src-main/db/protect/users.ts';
import { aClient, callOk, tempDir, testContext, TEST_ADMIN } from '../helpers.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sharing(ctx: AppContext, host = '127.0.0.1'): Promise<{ office: OfficeShare; address: OfficeAddress; fingerprint: string }> {
  const office = new OfficeShare(ctx);
  ctx.office = office;
  const server = await office.start({ host, port: 0 });
  cleanups.push(() => office.close());
  const status = office.status();
  return { office, address: server.address, fingerprint: status.fingerprint! };
}

function clientPc(address: OfficeAddress, fingerprint: string, name = 'Reception PC'): OfficeForwarder {
  const forwarder = new OfficeForwarder(connectionFor(tempDir(), address, fingerprint, name));
  cleanups.push(() => forwarder.close());
  return forwarder;
}

async function ok<T = unknown>(result: Promise<CallResult<unknown>>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value as T;
}

function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const STAFF = { username: 'sam.case', displayName: 'Sam', role: 'caseworker' as const, password: 'sam long password' };

describe('office server', () => {
  it('makes its certificate once, keeps the key private, and shows the fingerprint the client pins', async () => {
    const folder = path.join(tempDir(), 'case.db.office');
    const first = await loadOrCreateCertificate(folder);
    const again = await loadOrCreateCertificate(folder);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(first.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(first.groupedFingerprint).toMatch(/^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
    expect(fs.statSync(path.join(folder, 'private-key.pem')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(folder).mode & 0o777).toBe(0o700);

    const ctx = testContext();
    const { address, fingerprint, office } = await sharing(ctx);
    const presented = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: address.host, port: address.port, rejectUnauthorized: false }, () => {
        resolve(socket.getPeerCertificate().fingerprint256.replace(/:/g, '').toLowerCase());
        socket.end();
      });
      socket.on('error', reject);
    });
    expect(presented).toBe(fingerprint);
    expect(parsePairingCode(office.status().pairingCode!)).toEqual({ address, fingerprint });
  });

  it('refuses a server with another certificate before sending anything', async () => {
    const ctx = testContext();
    const { address } = await sharing(ctx);
    const impostorFingerprint = (await loadOrCreateCertificate(path.join(tempDir(), 'other.office'))).fingerprint;
    const pc = clientPc(address, impostorFingerprint);
    const result = await pc.dispatch('auth.status', {}, pc.sessions.attach('test'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('unavailable');
    expect(result.error.reason).toBe('wrong-certificate');
    expect(result.error.message).toMatch(/is not the office server this PC was set up with/);
    // Nothing reached the server: not even a pairing request.
    expect(ctx.office!.status().devices).toEqual([]);
  });

  it('refuses an unapproved PC, lets it in once approved, and shuts it out when revoked', async () => {
    const ctx = testContext();
    createUser(ctx.caseDb.db, STAFF);
    const { address, fingerprint, office } = await sharing(ctx);
    const pc = clientPc(address, fingerprint);
    const desk = pc.sessions.attach('test');

    const pending = await pc.dispatch('auth.status', {}, desk);
    expect(pending).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'device-pending' } });
    if (pending.ok) return;
    expect(pending.error.message).toContain(pc.code);
    const [device] = office.status().devices;
    expect(device).toMatchObject({ name: 'Reception PC', state: 'pending', code: pc.code });
    // Logging in does not get past it either.
    expect(await pc.dispatch('auth.login', { username: STAFF.username, password: STAFF.password }, desk)).toMatchObject({
      ok: false,
      error: { reason: 'device-pending' },
    });

    // Approval is refused from a session of another PC, even an admin's: only at the server PC.
    office.decide(device!.id, 'approved', TEST_ADMIN.username);
    const adminDesk = pc.sessions.attach('test');
    await ok(pc.dispatch('auth.login', { username: TEST_ADMIN.username, password: TEST_ADMIN.password }, adminDesk));
    expect(await pc.dispatch('office.approveDevice', { deviceId: device!.id }, adminDesk)).toMatchObject({ ok: false, error: { reason: 'server-pc-only' } });
    expect(await pc.dispatch('protect.restorePreview', { file: '/etc/passwd' }, adminDesk)).toMatchObject({ ok: false, error: { reason: 'server-pc-only' } });
    expect(await pc.dispatch('bundle.export', { from: '2026-01', to: '2026-02', path: '/tmp/x.needmap-bundle' }, adminDesk)).toMatchObject({
      ok: false,
      error: { reason: 'server-pc-only' },
    });

    // Staff log in with their own account; their role applies.
    await ok(pc.dispatch('auth.login', { username: STAFF.username, password: STAFF.password }, desk));
    const created = await ok<{ kind: string; id: number }>(pc.dispatch('clients.create', { client: aClient }, desk));
    expect(created.kind).toBe('created');
    expect(await pc.dispatch('reports.need', { filter: { from: '2026-01-01', to: '2026-01-31' } }, desk)).toMatchObject({
      ok: false,
      error: { reason: 'role' },
    });

    // Every change names the person and the PC.
    const entry = ctx.caseDb.sqlite.prepare("SELECT username, detail FROM audit_log WHERE action = 'client.create' ORDER BY id DESC").get() as {
      username: string;
      detail: string;
    };
    expect(entry.username).toBe(STAFF.username);
    expect(JSON.parse(entry.detail).device).toEqual({ id: device!.id, name: 'Reception PC' });
    const login = ctx.caseDb.sqlite.prepare("SELECT detail FROM audit_log WHERE action = 'auth.login' AND username = ?").get(STAFF.username) as {
      detail: string;
    };
    expect(JSON.parse(login.detail).device.name).toBe('Reception PC');

    // Revoked: the PC's people are logged out at once and nothing more gets through.
    office.decide(device!.id, 'revoked', TEST_ADMIN.username);
    expect(ctx.sessions.all().filter((s) => s.device?.id === device!.id && s.user)).toEqual([]);
    expect(await pc.dispatch('clients.get', { id: created.id }, desk)).toMatchObject({ ok: false, error: { reason: 'device-refused' } });
  });

  it('keeps client PCs logged in across a server restart, and says so plainly while it is down', async () => {
    const dbFile = path.join(tempDir(), 'case.db');
    let ctx = testContext(dbFile);
    createUser(ctx.caseDb.db, STAFF);
    const first = await sharing(ctx, '127.0.0.2');
    const pc = clientPc(first.address, first.fingerprint);
    await pc.pair();
    first.office.decide(first.office.status().devices[0]!.id, 'approved', TEST_ADMIN.username);
    const desk = pc.sessions.attach('test');
    await ok(pc.dispatch('auth.login', { username: STAFF.username, password: STAFF.password }, desk));

    await first.office.close();
    ctx.close();
    // (A person does not press Save within the same millisecond: the client has seen its connections close.)
    await new Promise((resolve) => setTimeout(resolve, 100));
    const down = await pc.dispatch('clients.create', { client: aClient }, desk);
    expect(down).toMatchObject({ ok: false, error: { code: 'unavailable', reason: 'unreachable' } });

    ctx = testContext(dbFile, { login: false });
    const again = new OfficeShare(ctx);
    ctx.office = again;
    cleanups.push(() => again.close());
    expect(await again.resume()).toBe(true);
    expect(again.address).toEqual(first.address);
    const created = await ok<{ kind: string }>(pc.dispatch('clients.create', { client: aClient }, desk));
    expect(created.kind).toBe('created');
  });

  it('rate-limits pairing requests from one address', async () => {
    const ctx = testContext();
    const office = new OfficeShare(ctx);
    const certificate = await office.ensureCertificate();
    const server = await startOfficeServer({
      ctx,
      listen: { host: '127.0.0.1', port: 0 },
      certificate,
      devices: office.devices,
      pairingLimiter: new AttemptLimiter({ limit: 3, windowMs: 60_000 }, { limit: 100, windowMs: 60_000 }),
    });
    cleanups.push(() => server.close());
    const results = [];
    for (let i = 0; i < 4; i++) {
      const pc = clientPc(server.address, certificate.fingerprint, `PC ${i}`);
      results.push(await pc.status());
    }
    expect(results.slice(0, 3).map((r) => r.device.state)).toEqual(['pending', 'pending', 'pending']);
    expect(results[3]!.message).toMatch(/Too many attempts from this PC/);
    expect(office.devices.list()).toHaveLength(3);
    // A PC already asking may still ask how its request stands.
    const known = new OfficeForwarder({ ...connectionFor(tempDir(), server.address, certificate.fingerprint, 'x') });
    cleanups.push(() => known.close());
    expect((await known.status()).message).toMatch(/Too many attempts/);
  });

  it('speaks TLS 1.2 or later only, on the address it was given only', async () => {
    const ctx = testContext();
    const { address } = await sharing(ctx, '127.0.0.3');
    const old = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: address.host, port: address.port, rejectUnauthorized: false, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
      socket.on('secureConnect', () => resolve('connected'));
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(old).not.toBe('connected');
    const elsewhere = await new Promise<string>((resolve) => {
      const socket = net.connect(address.port, '127.0.0.4', () => resolve('connected'));
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(elsewhere).toBe('ECONNREFUSED');
  });

  it('answers malformed requests with a plain refusal, never a stack trace', async () => {
    const ctx = testContext();
    const { address } = await sharing(ctx);
    const post = (pathname: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json', 'x-needmap': '1' }) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = https.request({ host: address.host, port: address.port, path: pathname, method: 'POST', headers, rejectUnauthorized: false }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const cases = [
      await post('/office/pair', 'null'),
      await post('/office/pair', '{"deviceId":"x"}'),
      await post('/office/pair', JSON.stringify({ deviceId: '3b241101-e2bb-4255-8caf-4136c566a962', deviceSecret: 'a'.repeat(43), deviceName: 'x', extra: 1 })),
      await post('/office/call', '{"name":"clients.search","input":{}}'),
      await post('/office/pair', '{}', { 'content-type': 'text/plain', 'x-needmap': '1' }),
      await post('/office/pair', '{}', { 'content-type': 'application/json', 'x-needmap': '1', origin: 'https://evil.example' }),
      await post('/nowhere', '{}'),
    ];
    expect(cases.map((c) => c.status)).toEqual([400, 400, 400, 403, 415, 403, 403]);
    for (const c of cases) {
      expect(JSON.parse(c.body)).toMatchObject({ refused: expect.any(String), message: expect.any(String) });
      expect(c.body).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('says plainly when the server cannot be reached at all', async () => {
    const free = await freePort();
    const pc = clientPc({ host: '127.0.0.1', port: free }, 'a'.repeat(64));
    const result = await pc.dispatch('clients.search', {}, pc.sessions.attach('test'));
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', reason: 'unreachable' } });
    if (!result.ok) expect(result.error.message).toContain(formatOfficeAddress({ host: '127.0.0.1', port: free }));
  });
});

describe('sharing again at start', () => {
  it('does not stop the app when the saved address cannot be used, and says why in Settings', async () => {
    const dbFile = path.join(tempDir(), 'case.db');
    let ctx = testContext(dbFile);
    const first = await sharing(ctx);
    await first.office.close();
    ctx.close();
    // Another program has taken the port meanwhile.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(first.address.port, first.address.host, () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    ctx = testContext(dbFile);
    const again = new OfficeShare(ctx);
    ctx.office = again;
    cleanups.push(() => again.close());
    expect(await again.resume()).toBe(false);
    const status = await callOk(ctx, 'office.status', {});
    expect(status.sharing).toBe(false);
    expect(status.problem).toMatch(/another program already uses the port/);
  });
});

describe('office calls on the server PC', () => {
  it('turns sharing on and off from Settings, remembering it', async () => {
    const ctx = testContext();
    ctx.office = new OfficeShare(ctx);
    cleanups.push(() => ctx.office!.close());
    const on = await callOk(ctx, 'office.share', { sharing: true, listen: `127.0.0.1:${await freePort()}` });
    expect(on.sharing).toBe(true);
    expect(on.groupedFingerprint).toMatch(/^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
    expect(on.pairingCode).toMatch(/^needmap-office:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{64}$/);
    expect((await callOk(ctx, 'office.connection', {})).mode).toBe('server');
    const off = await callOk(ctx, 'office.share', { sharing: false });
    expect(off.sharing).toBe(false);
    expect(await ctx.office.resume()).toBe(false);
    const bad = await (await import('../helpers.ts')).dispatch('office.share', { sharing: true, listen: 'printer.local:80' }, ctx);
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', fieldErrors: { listen: [expect.stringMatching(/not an address/)] } } });
    const audit = ctx.caseDb.sqlite.prepare("SELECT action FROM audit_log WHERE action LIKE 'office.%' ORDER BY id").all();
    expect(audit).toEqual([{ action: 'office.shareOn' }, { action: 'office.shareOff' }]);
  });
});
