/** The office server's calls on the PC that keeps the database (see contract/office.ts and src-main/office/). */
import { AddressError, describeListenError, formatOfficeAddress, parseOfficeAddress, parsePairingCode } from '../../core/office/address.ts';
import { normaliseFingerprint } from '../../core/bundle/package.ts';
import { isLocked } from '../../db/locked.ts';
import { RecordError } from '../../core/errors.ts';
import { userCount } from '../../db/protect/users.ts';
import type { OfficeShare } from '../../office/share.ts';
import type { officeCalls } from '../contract/office.ts';
import type { AppContext, HandlersFor } from '../context.ts';

function share(ctx: AppContext): OfficeShare {
  if (!ctx.office) throw new RecordError('invalid_input', 'Sharing with the office is possible only in the running app (the desktop app or needmap serve).');
  return ctx.office;
}

function fieldError(field: string, message: string): RecordError {
  return new RecordError('invalid_input', message, { [field]: [message] });
}

export const officeHandlers: HandlersFor<typeof officeCalls> = {
  'office.connection': (_input, ctx) => {
    const address = ctx.office?.address ?? null;
    const status = address ? ctx.office!.status() : null;
    return {
      mode: address ? 'server' : 'standalone',
      server: address && status?.groupedFingerprint ? { address: status.listen!, groupedFingerprint: status.groupedFingerprint } : null,
      device: null,
      reachable: null,
      message: null,
      canConnect: Boolean(ctx.connectToOffice) && !address && !isLocked(ctx.caseDb) && userCount(ctx.caseDb.db) === 0,
    };
  },

  'office.connect': async (input, ctx) => {
    // Only a fresh PC: one with accounts (so perhaps records) keeps its own database.
    if (!ctx.connectToOffice || isLocked(ctx.caseDb) || userCount(ctx.caseDb.db) > 0 || ctx.office?.sharing) {
      throw new RecordError('conflict', 'Only a new NeedMap, before its first administrator is created, can be set up to connect to an office server.');
    }
    let server;
    let fingerprint: string | null;
    try {
      if (input.pairingCode) ({ address: server, fingerprint } = parsePairingCode(input.pairingCode));
      else {
        server = parseOfficeAddress(input.address ?? '');
        fingerprint = normaliseFingerprint(input.fingerprint ?? '');
        if (!fingerprint) throw fieldError('fingerprint', 'The fingerprint is 64 hex digits (0–9, A–F), as shown on the office server.');
      }
    } catch (error) {
      if (error instanceof AddressError) throw fieldError(input.pairingCode ? 'pairingCode' : 'address', error.message);
      throw error;
    }
    return ctx.connectToOffice({ server, fingerprint: fingerprint!, deviceName: input.deviceName });
  },

  'office.status': (_input, ctx) => share(ctx).status(),

  'office.share': async (input, ctx) => {
    const office = share(ctx);
    if (!input.sharing) {
      await office.stop();
      return office.status();
    }
    let listen;
    try {
      listen = parseOfficeAddress(input.listen ?? office.status().listen ?? '127.0.0.1');
    } catch (error) {
      if (error instanceof AddressError) throw fieldError('listen', error.message);
      throw error;
    }
    try {
      await office.start(listen);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL') {
        const message = describeListenError(error, formatOfficeAddress(listen));
        throw fieldError('listen', message[0]!.toUpperCase() + message.slice(1));
      }
      throw error;
    }
    return office.status();
  },

  'office.approveDevice': (input, ctx, caller) => {
    const office = share(ctx);
    if (!office.decide(input.deviceId, 'approved', caller.user!.username)) throw new RecordError('not_found', 'There is no such PC.');
    return office.status();
  },

  'office.revokeDevice': (input, ctx, caller) => {
    const office = share(ctx);
    if (!office.decide(input.deviceId, 'revoked', caller.user!.username)) throw new RecordError('not_found', 'There is no such PC.');
    return office.status();
  },
};
