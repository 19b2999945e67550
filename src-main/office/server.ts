/**
 * The office server: the same `dispatch` as the desktop app and the browser host, for the other
 * PCs of the office, over HTTPS (TLS 1.2 or later, the certificate from ./certificate.ts) on
 * exactly the address the admin chose — nothing else is bound. Every request is a POST of a JSON
 * object validated with zod (./protocol.ts). A PC must be paired and approved by an admin
 * (./devices.ts) before anything but asking to be paired; pairing requests and failed device
 * checks are rate-limited per address; each person's calls run in their own session, tied to
 * the PC that opened it. Refusals are plain JSON; internal errors go to the error log beside the
 * database, never to the client.
 */
import https from 'node:https';
import type http from 'node:http';
import type tls from 'node:tls';
import { AttemptLimiter, OVERALL_PAIRING, PER_ADDRESS_PAIRING } from '../core/office/attempt-limit.ts';
import { formatOfficeAddress, type OfficeAddress } from '../core/office/address.ts';
import { reportInternalError } from '../error-log.ts';
import { checkApiRequest, HttpError, parseTarget, readJsonObject, singleHeader } from '../host/requests.ts';
import type { AppContext } from '../ipc/context.ts';
import { dispatch } from '../ipc/handlers.ts';
import { closeIfNobodyLoggedIn } from '../ipc/permissions.ts';
import type { CallerSession } from '../ipc/sessions.ts';
import type { CallResult } from '../ipc/contract.ts';
import type { OfficeCertificate } from './certificate.ts';
import { DeviceConflict, deviceCode, type DeviceRecord, type DeviceRegister } from './devices.ts';
import {
  CallRequest,
  DEVICE_HEADER,
  EmptyRequest,
  OFFICE_PATHS,
  PairRequest,
  REQUEST_ID_HEADER,
  SESSION_HEADER,
  parseDeviceHeader,
  type PairReply,
  type Refusal,
  type RefusalKind,
} from './protocol.ts';

const ANSWERS_KEPT_MS = 5 * 60_000;
const MAX_ANSWERS_KEPT = 2000;

export interface OfficeServerOptions {
  ctx: AppContext;
  listen: OfficeAddress;
  certificate: OfficeCertificate;
  devices: DeviceRegister;
  /** Called when a session's login changed or a session was opened or ended (to save them). */
  onSessionsChanged?: () => void;
  /** Pairing limits (tests use tighter or looser ones). */
  pairingLimiter?: AttemptLimiter;
}

export interface OfficeServer {
  /** The address it really listens on (the port filled in when 0 was asked for). */
  address: OfficeAddress;
  close(): Promise<void>;
}

/** A refusal on purpose: the HTTP status, its kind and the plain message the client shows. */
class Refused extends Error {
  constructor(
    readonly status: number,
    readonly kind: RefusalKind,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(JSON.stringify(value));
}

function refusalBody(error: Refused): Refusal {
  return { refused: error.kind, message: error.message, ...(error.retryAfterSeconds ? { retryAfterSeconds: error.retryAfterSeconds } : {}) };
}

export async function startOfficeServer(options: OfficeServerOptions): Promise<OfficeServer> {
  const { ctx, devices } = options;
  const pairing = options.pairingLimiter ?? new AttemptLimiter(PER_ADDRESS_PAIRING, OVERALL_PAIRING);
  // Failed device checks: per address only, so nobody elsewhere on the network can lock every PC out.
  const deviceChecks = new AttemptLimiter({ limit: 10, windowMs: 10 * 60_000 }, { limit: Number.MAX_SAFE_INTEGER, windowMs: 1 });
  const changed = () => options.onSessionsChanged?.();
  // Calls answered lately, by request id: a call repeated on a new connection (the first one broke) is not run twice.
  const answered = new Map<string, { deviceId: string; at: number; result: Promise<CallResult<unknown>> }>();
  function remembered(requestId: string | null, deviceId: string, run: () => Promise<CallResult<unknown>>): Promise<CallResult<unknown>> {
    if (!requestId || !/^[0-9a-f-]{36}$/.test(requestId)) return run();
    const now = Date.now();
    const seen = answered.get(requestId);
    if (seen && seen.deviceId === deviceId) return seen.result;
    for (const [id, entry] of answered) if (now - entry.at > ANSWERS_KEPT_MS || answered.size > MAX_ANSWERS_KEPT) answered.delete(id);
    const result = run();
    answered.set(requestId, { deviceId, at: now, result });
    return result;
  }

  function tooMany(wait: number): Refused {
    return new Refused(429, 'too-many', `Too many attempts from this PC: try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}.`, wait);
  }

  function pair(body: Record<string, unknown>, from: string): PairReply {
    const request = PairRequest.safeParse(body);
    if (!request.success) throw new Refused(400, 'bad-request', request.error.issues[0]?.message ?? 'That is not a pairing request.');
    const { deviceId: id, deviceSecret: secret, deviceName: name } = request.data;
    // A PC already known asking again how its request stands costs nothing; anything new counts.
    let device = devices.authenticate(id, secret, from);
    if (!device) {
      const wait = pairing.retryAfterSeconds(from);
      if (wait > 0) throw tooMany(wait);
      pairing.note(from);
      try {
        device = devices.requestPairing({ id, name, secret, from });
      } catch (error) {
        if (error instanceof DeviceConflict) throw new Refused(409, 'device-conflict', 'This PC cannot be paired with that identity: set it up again.');
        throw error;
      }
    }
    return { state: device.state, code: deviceCode(device.id), name: device.name };
  }

  /** The approved PC the request comes from, or a refusal saying why not. */
  function deviceOf(req: http.IncomingMessage, from: string): DeviceRecord {
    const wait = deviceChecks.retryAfterSeconds(from);
    if (wait > 0) throw tooMany(wait);
    const header = singleHeader(req, DEVICE_HEADER);
    const claimed = header ? parseDeviceHeader(header) : null;
    const device = claimed ? devices.authenticate(claimed.id, claimed.secret, from) : null;
    if (!device) {
      deviceChecks.note(from);
      throw new Refused(403, 'device-unknown', 'This PC is not paired with this office server. Set it up again with the pairing code from the server.');
    }
    if (device.state === 'pending') {
      throw new Refused(403, 'device-pending', `This PC is waiting for an admin to approve it on the office server (code ${deviceCode(device.id)}).`);
    }
    if (device.state === 'revoked') throw new Refused(403, 'device-revoked', 'The office server no longer accepts this PC: an admin revoked it.');
    return device;
  }

  /** The caller's session on this server: one this PC opened, else a refusal (a new one is opened and the person logs in again). */
  function sessionOf(req: http.IncomingMessage, device: DeviceRecord): CallerSession {
    const secret = singleHeader(req, SESSION_HEADER);
    const session = secret ? ctx.sessions.find(secret) : null;
    if (!session || session.via !== 'office' || session.device?.id !== device.id) {
      throw new Refused(401, 'session-ended', 'This session has ended on the office server: log in again.');
    }
    return session;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const from = req.socket.remoteAddress ?? 'unknown';
    try {
      // No Origin is allowed at all: browsers have no business here.
      checkApiRequest(req, new Set());
      const { pathname } = parseTarget(req);
      const body = await readJsonObject(req);
      if (pathname === OFFICE_PATHS.pair) return sendJson(res, 200, pair(body, from));
      const device = deviceOf(req, from);
      if (pathname === OFFICE_PATHS.session) {
        if (!EmptyRequest.safeParse(body).success) throw new Refused(400, 'bad-request', 'A session request has no body.');
        const { secret } = ctx.sessions.open('office', Date.now(), { id: device.id, name: device.name });
        changed();
        return sendJson(res, 200, { secret });
      }
      if (pathname === OFFICE_PATHS.call) {
        const request = CallRequest.safeParse(body);
        if (!request.success) throw new Refused(400, 'bad-request', 'The request must name a call ("name") and give its input.');
        const session = sessionOf(req, device);
        const before = session.user;
        const result = await remembered(singleHeader(req, REQUEST_ID_HEADER), device.id, () => dispatch(request.data.name, request.data.input, ctx, session));
        if (session.user !== before) changed();
        return sendJson(res, 200, result);
      }
      if (pathname === OFFICE_PATHS.end) {
        const session = sessionOf(req, device);
        ctx.sessions.end(session);
        closeIfNobodyLoggedIn(ctx);
        changed();
        return sendJson(res, 200, { ended: true });
      }
      throw new Refused(404, 'not-found', 'There is no such office server request.');
    } catch (error) {
      if (error instanceof Refused) return sendJson(res, error.status, refusalBody(error));
      if (error instanceof HttpError) return sendJson(res, error.status, { refused: 'bad-request', message: error.message } satisfies Refusal);
      reportInternalError(`office server (${String(req.url).slice(0, 100)} from ${from})`, error, ctx.errorLogFile);
      sendJson(res, 500, {
        refused: 'internal',
        message: 'Something went wrong inside the office server. The details are in its error log.',
      } satisfies Refusal);
    }
  }

  const server = https.createServer(
    {
      key: options.certificate.keyPem,
      cert: options.certificate.certPem,
      minVersion: 'TLSv1.2',
    },
    (req, res) => void handle(req, res),
  );
  // Client PCs keep connections open between calls; they drop idle ones after 30 s, before this.
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (_error, socket) => socket.destroy());
  // A failed handshake (an old TLS version, a browser refusing the certificate) is not this server's error.
  server.on('tlsClientError', (_error: Error, socket: tls.TLSSocket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as { address: string; port: number };
  const address = { host: bound.address, port: bound.port };
  server.on('error', (error) => reportInternalError(`office server on ${formatOfficeAddress(address)}`, error, ctx.errorLogFile));
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
