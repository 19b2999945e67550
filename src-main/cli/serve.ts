import { createAppContext, defaultCaseDatabaseFile } from '../app-context.ts';
import { backupOnClose, startDailyBackups } from '../db/protect/auto-backup.ts';
import { startBrowserHost } from '../host/server.ts';
import { defaultAppPaths } from '../paths.ts';
import { UsageError, type Command } from './command.ts';

const usage = 'needmap serve [--db FILE] [--port N]';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run NeedMap in your web browser (the browser host), on this computer only.',
  usage: `${usage}

  --db FILE   case database (default: the app's own, ${defaultCaseDatabaseFile()})
  --port N    port on 127.0.0.1 (default: any free port)`,
  options: { db: { type: 'string' }, port: { type: 'string' } },
  async run(values) {
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535.`);
    const paths = defaultAppPaths();
    const dbFile = (values.db as string | undefined) ?? defaultCaseDatabaseFile();
    const ctx = createAppContext({ dbFile, paths, host: 'browser' });
    const host = await startBrowserHost({ ctx, rendererDir: paths.rendererDir, port });
    const stopDailyBackups = startDailyBackups(ctx);
    process.stdout.write(`NeedMap is running in browser mode, on this computer only.\nDatabase: ${dbFile}\nOpen: ${host.url}\n`);
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
    ctx.caseDb.close();
    return 0;
  },
};
