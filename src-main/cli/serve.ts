import path from 'node:path';
import { createAppContext, defaultCaseDatabaseFile, defaultUserDataDir, errorLogFileFor } from '../app-context.ts';
import { AddressError, DEFAULT_OFFICE_PORT, formatOfficeAddress, isLoopback, parseOfficeAddress, type OfficeAddress } from '../core/office/address.ts';
import { normaliseFingerprint } from '../core/bundle/package.ts';
import { backupOnClose, startDailyBackups } from '../db/protect/auto-backup.ts';
import { startBrowserHost, type BrowserHost } from '../host/server.ts';
import type { AppContext } from '../ipc/context.ts';
import { offerOfficeConnection } from '../office/client-mode.ts';
import { connectionFor, readConnection, writeConnection, type OfficeConnection } from '../office/connection-file.ts';
import { OfficeForwarder } from '../office/forwarder.ts';
import { OfficeShare } from '../office/share.ts';
import { defaultAppPaths } from '../paths.ts';
import { UsageError, type Command } from './command.ts';
import { caseDbKey, keyFileOption, keySecret } from './db-key.ts';

const usage = `needmap serve [--db FILE] [--port N]
       needmap serve --office --db FILE [--listen ADDRESS:PORT] [--key-file FILE] [--port N]
       needmap serve --connect ADDRESS --fingerprint HEX [--name NAME] [--port N]`;

/** The command that gets a new start link for this database, as shown to a person (with --db when not the default). */
export function openCommandFor(dbFile: string): string {
  return path.resolve(dbFile) === path.resolve(defaultCaseDatabaseFile()) ? 'needmap open' : `needmap open --db ${dbFile}`;
}

function address(text: string, flag: string, options: { allowAnyPort?: boolean } = {}): OfficeAddress {
  try {
    return parseOfficeAddress(text, options);
  } catch (error) {
    if (error instanceof AddressError) throw new UsageError(`--${flag}: ${error.message}`);
    throw error;
  }
}

function waitForStop(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function printStartLink(host: BrowserHost, openCommand: string): void {
  process.stdout.write(`Open: ${host.url}\n(The link works once, in one tab. For another, run: ${openCommand})\n`);
  // The line a script reads to find the address (used by the e2e tests).
  process.stdout.write(`NEEDMAP_URL=${host.url}\n`);
}

function printSharing(ctx: AppContext): void {
  const status = ctx.office!.status();
  const where = ctx.office!.address!;
  process.stdout.write(
    `Sharing with this office at ${formatOfficeAddress(where)}${isLoopback(where.host) ? ' (this computer only: use --listen with its network address for the other PCs)' : ''}.\n` +
      `Certificate fingerprint (staff check it on their PC): ${status.groupedFingerprint}\n` +
      `Pairing code: ${status.pairingCode}\n` +
      `Approve each PC in Settings → Share with this office.\n`,
  );
  process.stdout.write(`NEEDMAP_OFFICE=${formatOfficeAddress(where)}\nNEEDMAP_FINGERPRINT=${status.fingerprint}\n`);
}

/** This PC with its own database (and, with --office or as an admin left it, sharing it with the office). */
async function serveDatabase(values: Record<string, unknown>, port: number): Promise<number> {
  const paths = defaultAppPaths();
  const dbFile = (values.db as string | undefined) ?? defaultCaseDatabaseFile();
  const listen = values.listen === undefined ? null : address(values.listen as string, 'listen', { allowAnyPort: true });
  // Takes the database's lock: a second writer on the same file is refused ("in use by NeedMap (process N, since …)").
  // With --office, a key given (--key-file or NEEDMAP_DB_KEY) opens the database at start, so staff carry on after a restart without logging in again.
  const key = values.office && keySecret(values) !== null ? caseDbKey(values, dbFile) : undefined;
  const ctx = createAppContext({ dbFile, paths, host: 'browser', lockPurpose: 'needmap serve', integrityCheck: 'in-background', ...(key ? { key } : {}) });
  let host: BrowserHost;
  try {
    ctx.office = new OfficeShare(ctx);
    if (values.office) await ctx.office.start(listen ?? { host: '127.0.0.1', port: DEFAULT_OFFICE_PORT });
    else await ctx.office.resume();
    host = await startBrowserHost({ ctx, rendererDir: paths.rendererDir, port, controlDir: defaultUserDataDir(), newLinkCommand: openCommandFor(dbFile) });
  } catch (error) {
    await ctx.office?.close();
    ctx.close();
    throw error;
  }
  const stopDailyBackups = startDailyBackups(ctx);
  // A fresh PC (the app's own database, no accounts yet) may instead become a client of an office server.
  let becameClient: OfficeForwarder | null = null;
  if (values.db === undefined) {
    offerOfficeConnection(ctx, defaultUserDataDir(), (forwarder) => {
      becameClient = forwarder;
      stopDailyBackups();
      host.useBackend(forwarder);
      process.stdout.write(`This PC now connects to the office server at ${forwarder.client.address}; it keeps no database of its own.\n`);
    });
  }
  process.stdout.write(`NeedMap is running in browser mode, on this computer only.\nDatabase: ${dbFile}\n`);
  if (ctx.office.sharing) printSharing(ctx);
  printStartLink(host, openCommandFor(dbFile));
  await waitForStop();
  await host.close();
  stopDailyBackups();
  if (becameClient) {
    (becameClient as OfficeForwarder).close(); // its own database is closed and gone already
    return 0;
  }
  await ctx.office.close();
  backupOnClose(ctx); // skipped (and said so) if the database is locked
  ctx.close();
  return 0;
}

/** This PC as a client of an office server: the screens here, every call forwarded; no database. */
async function serveAsClient(connection: OfficeConnection, port: number): Promise<number> {
  const paths = defaultAppPaths();
  const userDataDir = defaultUserDataDir();
  const forwarder = new OfficeForwarder(connection, { errorLogFile: errorLogFileFor(path.join(userDataDir, 'office-client')) });
  let host: BrowserHost;
  try {
    host = await startBrowserHost({ backend: forwarder, controlFor: defaultCaseDatabaseFile(), rendererDir: paths.rendererDir, port, controlDir: userDataDir });
  } catch (error) {
    forwarder.close();
    throw error;
  }
  const status = await forwarder.status();
  process.stdout.write(
    `NeedMap is running in browser mode, on this computer only, connected to the office server at ${status.server.address}.\n` +
      `Server certificate fingerprint: ${status.server.groupedFingerprint}\n` +
      `This PC: "${status.device.name}", code ${status.device.code} — ` +
      (!status.reachable
        ? `${status.message}\n`
        : status.device.state === 'approved'
          ? 'approved.\n'
          : status.device.state === 'pending'
            ? 'waiting for an admin to approve it on the office server (Settings → Share with this office).\n'
            : `refused: ${status.message ?? 'an admin revoked it'}\n`),
  );
  printStartLink(host, 'needmap open');
  await waitForStop();
  await host.close();
  forwarder.close();
  return 0;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run NeedMap in your web browser (the browser host), on this computer only; share its database with the office, or connect to an office server.',
  usage: `${usage}

  --db FILE             case database (default: the app's own, ${defaultCaseDatabaseFile()})
  --port N              port for the browser on 127.0.0.1 (default: any free port)
  --office              share this database with the office's other PCs (the office server)
  --listen ADDRESS:PORT where the office server listens (default 127.0.0.1:47470, this computer
                        only: give this PC's network address, e.g. 192.168.1.10:47470, for the others)
  --connect ADDRESS     run this PC as a client of the office server at ADDRESS[:PORT]: no database
                        here, every call goes to the server
  --fingerprint HEX     with --connect: the server's certificate fingerprint (64 hex digits; spaces
                        and colons allowed), as shown on the server; any other certificate is refused
  --name NAME           with --connect: this PC's name in the server's device list (default: its host name)
  --key-file FILE       with --office: the database key (else NEEDMAP_DB_KEY), so the database opens at
                        start and staff carry on after a restart without logging in again

  Prints a start link that opens NeedMap once, in one tab; \`needmap open\` gets another.`,
  options: {
    db: { type: 'string' },
    port: { type: 'string' },
    office: { type: 'boolean', default: false },
    listen: { type: 'string' },
    connect: { type: 'string' },
    fingerprint: { type: 'string' },
    name: { type: 'string' },
    ...keyFileOption,
  },
  async run(values) {
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535.`);
    if (values.connect !== undefined) {
      if (values.db !== undefined || values.office || values.listen !== undefined)
        throw new UsageError('--connect runs this PC without a database: leave out --db, --office and --listen.');
      const fingerprint = normaliseFingerprint((values.fingerprint as string | undefined) ?? '');
      if (!fingerprint) throw new UsageError('--connect needs --fingerprint: the 64 hex digits shown on the office server.');
      const server = address(values.connect as string, 'connect');
      const connection = connectionFor(defaultUserDataDir(), server, fingerprint, values.name as string | undefined);
      writeConnection(defaultUserDataDir(), connection);
      return serveAsClient(connection, port);
    }
    if (values.fingerprint !== undefined || values.name !== undefined) throw new UsageError('--fingerprint and --name go with --connect.');
    if ((values.listen !== undefined || values['key-file'] !== undefined) && !values.office) throw new UsageError('--listen and --key-file go with --office.');
    if (values.office && values.db === undefined) throw new UsageError('--office needs --db FILE: the database to share.');
    // A PC set up earlier to connect to an office server keeps doing so (unless another database is named).
    const saved = values.db === undefined && !values.office ? readConnection(defaultUserDataDir()) : null;
    if (saved) return serveAsClient(saved, port);
    return serveDatabase(values, port);
  },
};
