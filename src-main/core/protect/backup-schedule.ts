/** When an automatic daily backup is due. Pure: the files and the clock are passed in. */

export const DAY_MS = 24 * 60 * 60_000;

/** The local calendar day, so "daily" follows the office's clock rather than UTC. */
function localDay(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

/**
 * Due when there is no backup yet, the newest is older than 24 hours, or the app has been
 * running or used across a day boundary since it was made (yesterday's 23:00 backup is not
 * today's).
 */
export function dailyBackupDue(newestBackupAt: Date | null, now: Date): boolean {
  if (!newestBackupAt) return true;
  return now.getTime() - newestBackupAt.getTime() >= DAY_MS || localDay(newestBackupAt) !== localDay(now);
}
