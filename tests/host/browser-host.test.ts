/**
 * The browser host over real HTTP (issue 12): one-time start links exchanged for per-tab session
 * secrets, login state per session, nothing but the secret opens the API; and every malformed
 * request — body, URL, headers, content type, size — gets a plain 4xx, with no stack trace in the
 * response or on the console.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/server.ts';
import { handlers } from '../../src-main/ipc/handlers.ts';
import { callOk, tempDir, testContext } from '../helpers.ts';

const admin = { organisationName: 'Riverside Advice', username: 'jo.admin', displayName: 'Jo', password: 'a long admin passphrase' };

let host: BrowserHost | null = null;
let consoleLines: string[] = [];
beforeEach(() => {
  consoleLines = [];
  for (const method of ['error', 'log', 'warn'] as const) {
    vi.spyOn(console, method).mockImplementation(
      (...args: unknown[]) => void consoleLines.push(args.map((a) => (a instanceof Error ? a.stack : String(a))).join(' ')),
    );
  }
});
afterEach(async () => {
  vi.restoreAllMocks();
  await host?.close();
  host = null;
});

async function started(options: { login?: boolean } = {}) {
  const ctx = testContext(undefined, { login: options.login ?? false });
  const rendererDir = tempDir();
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>NeedMap</title>');
  host = await startBrowserHost({ ctx, rendererDir });
  return { ctx, host };
}

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function request(url: string, options: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer | null }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'POST', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    if (options.body !== undefined && options.body !== null) req.write(options.body);
    req.end();
  });
}

/** Raw bytes on a socket, for requests an HTTP client would refuse to send. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (c) => (out += c.toString()));
    socket.on('end', () => resolve(out));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

const JSON_HEADERS = { 'content-type': 'application/json', 'x-needmap': '1' };

async function newSession(h: BrowserHost, url = h.url): Promise<string> {
  const token = new URL(url).searchParams.get('token')!;
  const reply = await request(`${h.origin}/api/session`, { headers: JSON_HEADERS, body: JSON.stringify({ token }) });
  expect(reply.status).toBe(200);
  return (JSON.parse(reply.body) as { secret: string }).secret;
}

async function apiCall(h: BrowserHost, secret: string | null, name: string, input: unknown) {
  const reply = await request(`${h.origin}/api/call`, {
    headers: { ...JSON_HEADERS, ...(secret ? { 'x-needmap-session': secret } : {}) },
    body: JSON.stringify({ name, input }),
  });
  return { status: reply.status, result: reply.status === 200 ? JSON.parse(reply.body) : reply.body };
}

const STACK = /\n\s+at |at .*\.(ts|js):\d+/;

describe('sessions over HTTP', () => {
  it('a start link works once; each tab is its own session; a secret is needed on every call', async () => {
    const { ctx, host: h } = await started();
    await callOk(ctx, 'auth.setupAdmin', admin); // the admin set up in a session of their own
    await callOk(ctx, 'auth.logout', {});
    // The page is served; opening the link again once it has been used shows how to get a new one.
    expect((await request(h.url, { method: 'GET' })).status).toBe(200);
    const tabA = await newSession(h);
    const again = await request(h.url, { method: 'GET' });
    expect(again.status).toBe(410);
    expect(again.headers['content-type']).toMatch(/text\/html/);
    expect(again.body).toContain('<code>needmap open</code>');
    const replayedToken = await request(`${h.origin}/api/session`, {
      headers: JSON_HEADERS,
      body: JSON.stringify({ token: new URL(h.url).searchParams.get('token') }),
    });
    expect(replayedToken.status).toBe(401);
    expect(replayedToken.body).toContain('needmap open');

    // A second link (what `needmap open` gets) is a second, separate session.
    const tabB = await newSession(h, h.newStartLink());
    expect((await apiCall(h, tabA, 'auth.login', { username: admin.username, password: admin.password })).result).toMatchObject({ ok: true });
    expect((await apiCall(h, tabA, 'clients.search', {})).result).toMatchObject({ ok: true });
    expect((await apiCall(h, tabB, 'clients.search', {})).result).toMatchObject({ ok: false, error: { reason: 'login-required' } });
    expect((await apiCall(h, tabB, 'auth.status', {})).result).toMatchObject({ ok: true, value: { session: null } });
    // No secret, a made-up one, or a cookie: refused before any handler runs.
    expect((await apiCall(h, null, 'clients.search', {})).status).toBe(401);
    expect((await apiCall(h, 'made-up-secret', 'clients.search', {})).status).toBe(401);
    const withCookie = await request(`${h.origin}/api/call`, {
      headers: { ...JSON_HEADERS, cookie: `needmap_session=${tabA}` },
      body: JSON.stringify({ name: 'clients.search', input: {} }),
    });
    expect(withCookie.status).toBe(401);
    // Logging out in tab A ends only tab A's login.
    await apiCall(h, tabB, 'auth.login', { username: admin.username, password: admin.password });
    await apiCall(h, tabA, 'auth.logout', {});
    expect((await apiCall(h, tabA, 'clients.search', {})).result).toMatchObject({ ok: false, error: { reason: 'login-required' } });
    expect((await apiCall(h, tabB, 'clients.search', {})).result).toMatchObject({ ok: true });
  });

  it('gives a new start link only to the holder of the control secret', async () => {
    const { host: h } = await started();
    const refused = await request(`${h.origin}/api/start-link`, { headers: { ...JSON_HEADERS, 'x-needmap-control': 'guess' }, body: '{}' });
    expect(refused.status).toBe(403);
  });
});

describe('malformed requests', () => {
  it('get a plain 4xx and no stack trace, in the response or on the console', async () => {
    const { host: h } = await started();
    const secret = await newSession(h);
    const call = (body: string | Buffer, headers: Record<string, string> = {}) =>
      request(`${h.origin}/api/call`, { headers: { ...JSON_HEADERS, 'x-needmap-session': secret, ...headers }, body });
    const cases: [string, Promise<Reply>, number, RegExp][] = [
      ['null body', call('null'), 400, /must be a JSON object/],
      ['array body', call('[]'), 400, /must be a JSON object/],
      ['bare string', call('"clients.search"'), 400, /must be a JSON object/],
      ['broken JSON', call('{"name":'), 400, /not valid JSON/],
      ['not UTF-8', call(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 400, /not valid JSON/],
      ['name not a string', call('{"name":5}'), 400, /must name a call/],
      ['empty body', call(''), 400, /not valid JSON/],
      ['wrong content type', call('{}', { 'content-type': 'text/plain' }), 415, /Content-Type: application\/json/],
      ['form content type', call('name=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, /JSON/],
      [
        'no X-NeedMap',
        request(`${h.origin}/api/call`, { headers: { 'content-type': 'application/json', 'x-needmap-session': secret }, body: '{}' }),
        400,
        /X-NeedMap/,
      ],
      ['other origin', call('{}', { origin: 'http://127.0.0.1:1' }), 403, /Cross-origin/],
      ['session header too long', call('{}', { 'x-needmap-session': 'x'.repeat(5000) }), 400, /header is not valid/],
      ['declared too large', request(`${h.origin}/api/call`, { headers: { ...JSON_HEADERS, 'content-length': String(50 * 1024 * 1024) } }), 413, /too large/],
      ['sent too large', call(Buffer.alloc(6 * 1024 * 1024, 0x20), { 'transfer-encoding': 'chunked' }), 413, /too large/],
      ['GET on the API', request(`${h.origin}/api/call`, { method: 'GET' }), 405, /POST only/],
      ['unknown API path', request(`${h.origin}/api/nothing`, { headers: JSON_HEADERS, body: '{}' }), 404, /no such/],
      ['session body null', request(`${h.origin}/api/session`, { headers: JSON_HEADERS, body: 'null' }), 400, /must be a JSON object/],
      ['malformed URL escape', request(`${h.origin}/%E0%A4%A`, { method: 'GET' }), 400, /malformed %-escape/],
      ['escaped NUL', request(`${h.origin}/index.html%00.js`, { method: 'GET' }), 400, /not valid/],
      ['method', request(`${h.origin}/`, { method: 'DELETE' }), 405, /not allowed/],
      ['wrong host', request(`${h.origin}/`, { method: 'GET', headers: { host: 'evil.example' } }), 421, /Wrong host/],
    ];
    for (const [what, pending, status, message] of cases) {
      const reply = await pending;
      expect(reply.status, what).toBe(status);
      expect(reply.body, what).toMatch(message);
      expect(reply.body, what).not.toMatch(STACK);
    }
    // Requests too broken for HTTP parsing.
    const badHeader = await raw(h.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nBad Header Line\r\n\r\n`);
    expect(badHeader).toMatch(/^HTTP\/1\.1 400/);
    const hugeHeader = await raw(h.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(hugeHeader).toMatch(/^HTTP\/1\.1 431/);
    // A well-formed call still works after all that, and nothing reached the console.
    expect((await call(JSON.stringify({ name: 'auth.status', input: null }))).status).toBe(200);
    expect(consoleLines).toEqual([]);
  });

  it('an internal error is one plain console line; the stack goes to the error log beside the database', async () => {
    const { ctx, host: h } = await started();
    const secret = await newSession(h);
    const original = handlers['app.info'];
    (handlers as Record<string, unknown>)['app.info'] = () => {
      throw new TypeError('boom in a handler');
    };
    try {
      const { result } = await apiCall(h, secret, 'app.info', {});
      expect(result).toMatchObject({ ok: false, error: { code: 'internal', message: expect.not.stringMatching(STACK) } });
    } finally {
      (handlers as Record<string, unknown>)['app.info'] = original;
    }
    expect(consoleLines).toHaveLength(1);
    expect(consoleLines[0]).toMatch(/^\[needmap\] app\.info failed: boom in a handler \(details in .*needmap-errors\.log\)$/);
    expect(consoleLines[0]).not.toMatch(STACK);
    expect(fs.readFileSync(ctx.errorLogFile!, 'utf8')).toMatch(/TypeError: boom in a handler\n\s+at /);
  });
});
