/**
 * `needmap open` — a new one-time start link from the running browser host, asked for through the
 * control file only this user can read (see host/control-file.ts), and opened in the browser.
 */
import { spawn } from 'node:child_process';
import { defaultCaseDatabaseFile, defaultUserDataDir } from '../app-context.ts';
import { processAlive } from '../db/process-start.ts';
import { ControlFileError, readControlFile } from '../host/control-file.ts';
import { CONTROL_HEADER } from '../host/server.ts';
import type { Command } from './command.ts';

const usage = 'needmap open [--db FILE] [--print]';

function openInBrowser(url: string): Promise<boolean> {
  const [command, args] =
    process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : process.platform === 'darwin' ? ['open', [url]] : ['xdg-open', [url]];
  return new Promise((resolve) => {
    try {
      const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true, windowsHide: true });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

export const openCommand: Command = {
  name: 'open',
  summary: 'Open NeedMap (browser mode) in a new browser tab: asks the running NeedMap for a new one-time start link.',
  usage: `${usage}

  --db FILE   the database the running NeedMap has open (default: the app's own, ${defaultCaseDatabaseFile()})
  --print     only print the new link (NEEDMAP_URL=…), do not start a browser`,
  options: { db: { type: 'string' }, print: { type: 'boolean', default: false } },
  async run(values) {
    const dbFile = (values.db as string | undefined) ?? defaultCaseDatabaseFile();
    let control;
    try {
      control = readControlFile(defaultUserDataDir(), dbFile);
    } catch (error) {
      if (error instanceof ControlFileError) throw new Error(error.message, { cause: error });
      throw error;
    }
    if (!control || !processAlive(control.pid)) {
      throw new Error(`NeedMap is not running in browser mode for ${dbFile}. Start it with: needmap serve${values.db ? ` --db ${dbFile}` : ''}`);
    }
    let response: Response;
    try {
      response = await fetch(`${control.origin}/api/start-link`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-NeedMap': '1', [CONTROL_HEADER]: control.controlSecret },
        body: '{}',
      });
    } catch {
      throw new Error(`NeedMap (process ${control.pid}) did not answer at ${control.origin}. Is it still running?`);
    }
    if (!response.ok) throw new Error(`NeedMap refused a new link: ${await response.text()}`);
    const { url } = (await response.json()) as { url: string };
    process.stdout.write(`Open: ${url}\n(It works once, in one tab.)\nNEEDMAP_URL=${url}\n`);
    if (!values.print && !(await openInBrowser(url))) process.stdout.write('No browser could be started from here: open the address above yourself.\n');
    return 0;
  },
};
