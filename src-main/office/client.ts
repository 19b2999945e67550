/**
 * The client PC's side of the wire: HTTPS requests to the office server with its certificate
 * PINNED — each new connection's certificate must have exactly the SHA-256 fingerprint this PC
 * was set up with, checked after the TLS handshake and before a single byte of the request (so
 * a device secret or a session never reaches another server). No certificate authority, no
 * host name checks: the fingerprint is the whole trust. TLS 1.2 or later only.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { groupedFingerprint } from '../core/bundle/package.ts';
import { formatOfficeAddress, type OfficeAddress } from '../core/office/address.ts';
import { REQUEST_ID_HEADER } from './protocol.ts';

/** Why the server could not answer: not reached at all, reached but cut off before answering, or not the server this PC trusts. */
export type UnreachableReason = 'unreachable' | 'interrupted' | 'wrong-certificate';

export class OfficeUnreachable extends Error {
  override name = 'OfficeUnreachable';
  constructor(
    readonly reason: UnreachableReason,
    message: string,
  ) {
    super(message);
  }
}

export interface OfficeReply {
  status: number;
  body: unknown;
}

export interface OfficeClientOptions {
  /** Giving up on connecting (a PC switched off on the network may never say no). Default 5 s. */
  connectTimeoutMs?: number;
  /** Giving up on an answer (a bundle export can take a while). Default 2 minutes. */
  requestTimeoutMs?: number;
  /** Connect from this address of this PC (tests and the bench give each simulated PC its own loopback address). */
  localAddress?: string;
}

const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** An agent whose every new connection is checked against the pinned fingerprint before it is used. */
class PinnedAgent extends https.Agent {
  constructor(
    private readonly server: OfficeAddress,
    private readonly fingerprint: string,
    private readonly connectTimeoutMs: number,
    private readonly localAddress: string | undefined,
  ) {
    // Idle connections are dropped after 30 s, well before the server's keep-alive ends (65 s).
    super({ keepAlive: true, maxSockets: 16, timeout: 30_000 });
  }

  override createConnection(_options: unknown, callback?: (error: Error | null, socket: Duplex) => void): Duplex | null | undefined {
    const socket = tls.connect({
      host: this.server.host,
      port: this.server.port,
      // Trust comes from the fingerprint below, not from a certificate authority.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      ...(this.localAddress ? { localAddress: this.localAddress } : {}),
    });
    let settled = false;
    const fail = (error: Error) => {
      socket.destroy();
      if (settled) return;
      settled = true;
      // No socket with the error: the request then fails with exactly this error.
      (callback as ((error: Error) => void) | undefined)?.(error);
    };
    socket.setTimeout(this.connectTimeoutMs, () => fail(new OfficeUnreachable('unreachable', 'timed out')));
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      socket.off('error', fail);
      const presented = (socket.getPeerCertificate().fingerprint256 ?? '').replace(/:/g, '').toLowerCase();
      if (presented !== this.fingerprint) return fail(wrongCertificate(this.server, this.fingerprint, presented));
      settled = true;
      callback?.(null, socket);
    });
    // The socket is handed over through the callback, once checked (Node's Agent waits for it).
    return undefined;
  }
}

function wrongCertificate(server: OfficeAddress, expected: string, presented: string): OfficeUnreachable {
  return new OfficeUnreachable(
    'wrong-certificate',
    `The computer at ${formatOfficeAddress(server)} is not the office server this PC was set up with: its certificate's fingerprint is ` +
      `${presented ? groupedFingerprint(presented) : 'missing'}, not ${groupedFingerprint(expected)}. NeedMap did not connect and sent nothing. ` +
      `Ask your NeedMap administrator: if the office server was replaced on purpose, set this PC up again with its new pairing code.`,
  );
}

class StaleConnection extends Error {
  constructor(readonly unreachable: OfficeUnreachable) {
    super(unreachable.message);
  }
}

export class OfficeClient {
  private readonly agent: PinnedAgent;
  private readonly requestTimeoutMs: number;

  constructor(
    readonly server: OfficeAddress,
    readonly fingerprint: string,
    options: OfficeClientOptions = {},
  ) {
    this.agent = new PinnedAgent(server, fingerprint, options.connectTimeoutMs ?? 5_000, options.localAddress);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
  }

  get address(): string {
    return formatOfficeAddress(this.server);
  }

  /**
   * POSTs a JSON object; the reply's status and parsed JSON body. Throws OfficeUnreachable when
   * there is no reply. A kept-alive connection the server had already closed (it restarted, or
   * dropped it as idle) fails before the server reads anything: that is tried once more on a new
   * connection, carrying the same request id so the server never runs one call twice.
   */
  async post(pathname: string, body: unknown, headers: Record<string, string> = {}): Promise<OfficeReply> {
    const withId = { ...headers, [REQUEST_ID_HEADER]: randomUUID() };
    try {
      return await this.postOnce(pathname, body, withId);
    } catch (error) {
      if (!(error instanceof StaleConnection)) throw error;
      for (const sockets of Object.values(this.agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
      try {
        return await this.postOnce(pathname, body, withId);
      } catch (again) {
        // Still no answer: the first try may have reached the server after all, so say what is true of it.
        throw again instanceof StaleConnection || (again instanceof OfficeUnreachable && again.reason === 'unreachable') ? error.unreachable : again;
      }
    }
  }

  private postOnce(pathname: string, body: unknown, headers: Record<string, string>): Promise<OfficeReply> {
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    return new Promise<OfficeReply>((resolve, reject) => {
      let sent = false;
      let answered = false;
      const req = https.request(
        {
          agent: this.agent,
          host: this.server.host,
          port: this.server.port,
          method: 'POST',
          path: pathname,
          headers: { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length), 'x-needmap': '1' },
        },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_REPLY_BYTES) req.destroy(new Error('reply too large'));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = { refused: 'internal', message: text.slice(0, 300) };
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', (error) => reject(this.unreachable(error, true)));
        },
      );
      req.setTimeout(this.requestTimeoutMs, () => req.destroy(new Error('no answer in time')));
      req.on('socket', () => (sent = true));
      req.on('error', (error) => {
        const unreachable = this.unreachable(error, sent);
        // A reused connection that broke before any answer: the server closed it, most likely before reading this request.
        const stale = req.reusedSocket && !answered && ['ECONNRESET', 'EPIPE'].includes((error as NodeJS.ErrnoException).code ?? '');
        reject(stale ? new StaleConnection(unreachable) : unreachable);
      });
      req.end(payload);
    });
  }

  private unreachable(error: Error, sent: boolean): OfficeUnreachable {
    if (error instanceof OfficeUnreachable) {
      if (error.reason !== 'unreachable') return error;
    } else if (sent) {
      return new OfficeUnreachable(
        'interrupted',
        `The connection to the office server (${this.address}) broke before it answered. What you were doing may or may not have been saved: ` +
          `when the server is back, check (for example, open the client's page) before saving again. What you typed is still on screen.`,
      );
    }
    return new OfficeUnreachable(
      'unreachable',
      `The office server (${this.address}) cannot be reached. Check that the server PC is switched on and NeedMap is running on it, and that this PC ` +
        `is on the office network; then try again. Nothing was sent, and what you typed is still on screen.`,
    );
  }

  close(): void {
    this.agent.destroy();
  }
}
