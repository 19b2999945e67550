/**
 * Internal errors (bugs, never the user's input): one plain line on the console — people see
 * consoles, so no stack trace there — and the details, stack included, appended to a log file
 * beside the database that only this user can read, for whoever fixes it.
 */
import fs from 'node:fs';
import path from 'node:path';

export function reportInternalError(where: string, error: unknown, logFile?: string): void {
  const err = error instanceof Error ? error : new Error(String(error));
  let logged = false;
  if (logFile) {
    try {
      fs.mkdirSync(path.dirname(logFile), { recursive: true });
      fs.appendFileSync(logFile, `${new Date().toISOString()} ${where}\n${err.stack ?? err.message}\n\n`, { mode: 0o600 });
      logged = true;
    } catch {
      // The console line below still says what happened.
    }
  }
  const message = err.message.split('\n')[0]!.slice(0, 300);
  console.error(`[needmap] ${where} failed: ${message}${logged ? ` (details in ${logFile})` : ''}`);
}
