/**
 * A client PC's backend: every call from its screens goes to the office server, in that screen's
 * own session there. Each local session (a browser tab, an Electron window) gets its own session
 * on the server the first time it calls, so each person logs in with their own account and the
 * server's roles, auto-lock and audit apply to them as on the server PC itself. This PC keeps
 * no case data: the answers pass through memory to the screen and nowhere else.
 *
 * When the server cannot be reached the call fails with code 'unavailable' and a plain message;
 * the screen keeps what was typed, and the next call tries again.
 */
import { z } from 'zod';
import { groupedFingerprint } from '../core/bundle/package.ts';
import { formatOfficeAddress } from '../core/office/address.ts';
import type { CallBackend } from '../ipc/backend.ts';
import { CallError, type CallResult } from '../ipc/contract.ts';
import { HOUSEKEEPING_INTERVAL_MS } from '../ipc/housekeeping.ts';
import { SessionStore, type CallerSession } from '../ipc/sessions.ts';
import { OfficeClient, OfficeUnreachable, type OfficeReply } from './client.ts';
import type { OfficeConnection } from './connection-file.ts';
import { deviceCode } from './devices.ts';
import { DEVICE_HEADER, OFFICE_PATHS, PairReply, Refusal, SESSION_HEADER, SessionReply, deviceHeader } from './protocol.ts';

const CallResultShape = z.union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: CallError })]);

/** What `office.connection` answers on a client PC. */
export interface ClientConnectionStatus {
  mode: 'client';
  server: { address: string; groupedFingerprint: string };
  device: { name: string; code: string; state: 'pending' | 'approved' | 'revoked' | 'unknown' };
  reachable: boolean;
  message: string | null;
  canConnect: false;
}

function failure(error: CallError): CallResult<never> {
  return { ok: false, error };
}

export class OfficeForwarder implements CallBackend {
  readonly sessions: SessionStore;
  readonly client: OfficeClient;
  readonly errorLogFile: string | undefined;
  /** Each local session's secret on the server (in memory only), as a promise so that calls made at once share one. */
  private readonly remote = new WeakMap<CallerSession, Promise<string>>();
  private deviceState: PairReply['state'] | 'unknown' = 'unknown';

  constructor(
    readonly connection: OfficeConnection,
    options: { sessions?: SessionStore; errorLogFile?: string; client?: OfficeClient } = {},
  ) {
    this.sessions = options.sessions ?? new SessionStore();
    this.client = options.client ?? new OfficeClient(connection.server, connection.fingerprint);
    this.errorLogFile = options.errorLogFile;
  }

  private get deviceHeaders(): Record<string, string> {
    return { [DEVICE_HEADER]: deviceHeader(this.connection.device.id, this.connection.device.secret) };
  }

  get code(): string {
    return deviceCode(this.connection.device.id);
  }

  /** Asks the server to pair this PC, or how its request stands (the same request, answered from the register). */
  async pair(): Promise<PairReply> {
    const { device } = this.connection;
    const reply = await this.client.post(OFFICE_PATHS.pair, { deviceId: device.id, deviceSecret: device.secret, deviceName: device.name });
    const answer = PairReply.safeParse(reply.body);
    if (reply.status === 200 && answer.success) {
      this.deviceState = answer.data.state;
      return answer.data;
    }
    throw new RefusedByServer(refusalOf(reply));
  }

  async dispatch(name: unknown, input: unknown, caller: CallerSession): Promise<CallResult<unknown>> {
    if (name === 'office.connection') return { ok: true, value: await this.status() };
    if (name === 'office.connect') {
      return failure({
        code: 'conflict',
        message: `This PC already connects to the office server at ${this.client.address}.`,
        fieldErrors: {},
      });
    }
    try {
      if (this.deviceState !== 'approved') {
        const paired = await this.pair();
        if (paired.state !== 'approved') return failure(this.deviceRefusal(paired.state));
      }
      const secret = await this.remoteSessionOf(caller);
      const reply = await this.client.post(OFFICE_PATHS.call, { name, input }, { ...this.deviceHeaders, [SESSION_HEADER]: secret });
      if (reply.status === 200) {
        const result = CallResultShape.safeParse(reply.body);
        if (result.success) return result.data as CallResult<unknown>;
        return failure({
          code: 'internal',
          message: 'The office server sent an answer this NeedMap does not understand: are both the same version?',
          fieldErrors: {},
        });
      }
      return failure(this.refused(refusalOf(reply), caller));
    } catch (error) {
      if (error instanceof OfficeUnreachable) return failure({ code: 'unavailable', message: error.message, fieldErrors: {}, reason: error.reason });
      if (error instanceof RefusedByServer) return failure(this.refused(error.refusal, caller));
      throw error;
    }
  }

  private remoteSessionOf(caller: CallerSession): Promise<string> {
    let secret = this.remote.get(caller);
    if (!secret) {
      secret = this.openRemoteSession();
      this.remote.set(caller, secret);
      // A failed attempt is not kept: the next call tries again.
      secret.catch(() => this.remote.get(caller) === secret && this.remote.delete(caller));
    }
    return secret;
  }

  private async openRemoteSession(): Promise<string> {
    const reply = await this.client.post(OFFICE_PATHS.session, {}, this.deviceHeaders);
    const answer = SessionReply.safeParse(reply.body);
    if (reply.status === 200 && answer.success) return answer.data.secret;
    throw new RefusedByServer(refusalOf(reply));
  }

  private deviceRefusal(state: 'pending' | 'revoked'): CallError {
    if (state === 'pending') {
      return {
        code: 'forbidden',
        reason: 'device-pending',
        fieldErrors: {},
        message: `This PC ("${this.connection.device.name}") is waiting for an admin to approve it on the office server. Its code is ${this.code}: the admin checks that the same code shows there.`,
      };
    }
    return {
      code: 'forbidden',
      reason: 'device-refused',
      fieldErrors: {},
      message: `The office server no longer accepts this PC ("${this.connection.device.name}"): an admin revoked it. Ask your NeedMap administrator.`,
    };
  }

  private refused(refusal: Refusal, caller: CallerSession): CallError {
    switch (refusal.refused) {
      case 'device-pending':
        this.deviceState = 'pending';
        return this.deviceRefusal('pending');
      case 'device-revoked':
        this.deviceState = 'revoked';
        return this.deviceRefusal('revoked');
      case 'device-unknown':
      case 'device-conflict':
        this.deviceState = 'unknown';
        return { code: 'forbidden', reason: 'device-refused', fieldErrors: {}, message: refusal.message };
      case 'session-ended':
        // A new session is opened with the next call: this person logs in again.
        this.remote.delete(caller);
        return { code: 'forbidden', reason: 'login-required', fieldErrors: {}, message: 'The office server ended this session: please log in again.' };
      case 'too-many':
        return {
          code: 'forbidden',
          fieldErrors: {},
          message: refusal.message,
          ...(refusal.retryAfterSeconds ? { retryAfterSeconds: refusal.retryAfterSeconds } : {}),
        };
      default:
        return { code: 'internal', fieldErrors: {}, message: refusal.message };
    }
  }

  /** What this PC is connected to, and whether the server answers now. */
  async status(): Promise<ClientConnectionStatus> {
    let reachable = true;
    let message: string | null = null;
    try {
      await this.pair();
    } catch (error) {
      reachable = false;
      message = (error as Error).message;
      if (error instanceof RefusedByServer) reachable = true;
    }
    return {
      mode: 'client',
      server: { address: formatOfficeAddress(this.connection.server), groupedFingerprint: groupedFingerprint(this.connection.fingerprint) },
      device: { name: this.connection.device.name, code: this.code, state: this.deviceState },
      reachable,
      message,
      canConnect: false,
    };
  }

  ended(caller: CallerSession): void {
    const secret = this.remote.get(caller);
    this.sessions.end(caller);
    if (!secret) return;
    this.remote.delete(caller);
    // Tell the server the window has gone, so that person's login ends there too; nothing waits for it.
    secret.then((s) => this.client.post(OFFICE_PATHS.end, {}, { ...this.deviceHeaders, [SESSION_HEADER]: s })).catch(() => {});
  }

  startHousekeeping(): () => void {
    const timer = setInterval(() => this.sessions.dropAbandoned(), HOUSEKEEPING_INTERVAL_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  close(): void {
    this.client.close();
  }
}

class RefusedByServer extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

function refusalOf(reply: OfficeReply): Refusal {
  const parsed = Refusal.safeParse(reply.body);
  if (parsed.success) return parsed.data;
  return { refused: 'internal', message: `The office server refused the request (HTTP ${reply.status}).` };
}
