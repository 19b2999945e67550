/**
 * A PC set up to "connect to our office server": how the running app (the desktop shell or
 * `needmap serve`) becomes one — at start, from the saved connection, or from the first-run
 * screen's office.connect — with no database of its own. Used the same way by both, so the
 * Electron shell stays thin and everything here runs under plain Node.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatOfficeAddress } from '../core/office/address.ts';
import { RecordError } from '../core/errors.ts';
import { userCount } from '../db/protect/users.ts';
import type { AppContext } from '../ipc/context.ts';
import type { SessionStore } from '../ipc/sessions.ts';
import { OfficeUnreachable } from './client.ts';
import { connectionFileIn, connectionFor, writeConnection, type OfficeConnection } from './connection-file.ts';
import { OfficeForwarder } from './forwarder.ts';

/**
 * Sets this PC up to connect to `server`: asks it to pair this PC (its certificate must have the
 * fingerprint given, or nothing is sent), then saves the connection. Throws a RecordError with a
 * plain message (for the form) when the server cannot be reached or is not the one expected.
 */
export async function connectThisPc(
  userDataDir: string,
  request: { server: OfficeConnection['server']; fingerprint: string; deviceName: string },
  options: { sessions?: SessionStore } = {},
): Promise<{ forwarder: OfficeForwarder; state: string; code: string }> {
  const connection = connectionFor(userDataDir, request.server, request.fingerprint, request.deviceName);
  const forwarder = new OfficeForwarder(connection, options.sessions ? { sessions: options.sessions } : {});
  try {
    const reply = await forwarder.pair();
    writeConnection(userDataDir, connection);
    return { forwarder, state: reply.state, code: reply.code };
  } catch (error) {
    forwarder.close();
    const message =
      error instanceof OfficeUnreachable && error.reason !== 'wrong-certificate'
        ? `The office server (${formatOfficeAddress(request.server)}) cannot be reached: check the address, that NeedMap is sharing on that PC, and that this PC is on the office network.`
        : (error as Error).message;
    throw new RecordError('invalid_input', message, { pairingCode: [message] });
  }
}

/** The files a fresh, unused case database leaves beside it (removed when a fresh PC becomes a client). */
function freshDatabaseFiles(dbFile: string): string[] {
  return ['', '-wal', '-shm', '-journal', '.keys.json', '.erasures.jsonl', '.audit-journal', '.office'].map((suffix) => `${dbFile}${suffix}`);
}

/**
 * `ctx.connectToOffice` for a running app on a fresh PC: after pairing, `switchTo` hands the
 * transport to the forwarder (the open tabs and windows keep their sessions), then this process
 * closes its own — still empty — database and removes it, so the PC keeps no database at all.
 */
export function offerOfficeConnection(ctx: AppContext, userDataDir: string, switchTo: (forwarder: OfficeForwarder) => void): void {
  ctx.connectToOffice = async (request) => {
    const { forwarder, state, code } = await connectThisPc(userDataDir, request, { sessions: ctx.sessions });
    // Checked again after the wait: nobody may have created an account meanwhile (another tab).
    if (userCount(ctx.caseDb.db) > 0) {
      forwarder.close();
      fs.rmSync(connectionFileIn(userDataDir), { force: true });
      throw new RecordError('conflict', 'An administrator was created on this PC meanwhile: it keeps its own database.');
    }
    switchTo(forwarder);
    // After this call's answer has gone back through the old context.
    setImmediate(() => {
      const dbFile = path.resolve(ctx.caseDb.file);
      void ctx.office?.close();
      ctx.close();
      for (const file of freshDatabaseFiles(dbFile)) fs.rmSync(file, { recursive: true, force: true });
    });
    return { state, code };
  };
}
