import path from 'node:path';
import { createAppContext, defaultCaseDatabaseFile, defaultUserDataDir } from '../app-context.ts';
import { backupOnClose, startDailyBackups } from '../db/protect/auto-backup.ts';
import { startBrowserHost } from '../host/server.ts';
import { defaultAppPaths } from '../paths.ts';
import { UsageError, type Command } from './command.ts';

const usage = 'needmap serve [--db FILE] [--port N]';

/** The command that gets a new start link for this database, as shown to a person (with --db when not the default). */
export function openCommandFor(dbFile: string): string {
  return path.resolve(dbFile) === path.resolve(defaultCaseDatabaseFile()) ? 'needmap open' : `needmap open --db ${dbFile}`;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run NeedMap in your web browser (the browser host), on this computer only.',
  usage: `${usage}

  --db FILE   case database (default: the app's own, ${defaultCaseDatabaseFile()})
  --port N    port on 127.0.0.1 (default: any free port)

  Prints a start link that opens NeedMap once, in one tab; \`needmap open\` gets another.`,
  options: { db: { type: 'string' }, port: { type: 'string' } },
  async run(values) {
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535.`);
    const paths = defaultAppPaths();
    const dbFile = (values.db as string | undefined) ?? defaultCaseDatabaseFile();
    // Takes the database's lock: a second writer on the same file is refused ("in use by NeedMap (process N, since …)").
    const ctx = createAppContext({ dbFile, paths, host: 'browser', lockPurpose: 'needmap serve' });
    let host;
    try {
      host = await startBrowserHost({ ctx, rendererDir: paths.rendererDir, port, controlDir: defaultUserDataDir(), newLinkCommand: openCommandFor(dbFile) });
    } catch (error) {
      ctx.close();
      throw error;
    }
    const stopDailyBackups = startDailyBackups(ctx);
    process.stdout.write(
      `NeedMap is running in browser mode, on this computer only.\nDatabase: ${dbFile}\nOpen: ${host.url}\n` +
        `(The link works once, in one tab. For another, run: ${openCommandFor(dbFile)})\n`,
    );
    // The first line a script reads to find the address (used by the e2e tests).
    process.stdout.write(`NEEDMAP_URL=${host.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await host.close();
    stopDailyBackups();
    backupOnClose(ctx); // skipped (and said so) if the database is locked
    ctx.close();
    return 0;
  },
};
