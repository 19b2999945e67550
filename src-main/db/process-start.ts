/**
 * Whether a process is alive, and when it started, as the operating system reports it — so a
 * lock left by a process that died is not mistaken for a live one whose id was later reused.
 *   Linux: /proc/<pid>/stat (start in clock ticks since boot) and /proc/stat (boot time).
 *   macOS and other Unixes: `ps -o lstart= -p PID`.
 *   Windows: PowerShell's Get-Process StartTime (slow, so only asked when a lock is contended).
 * Where none of these answers, the start time is null and the caller decides on liveness alone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** USER_HZ: 100 on every mainstream Linux (the kernel's ABI for /proc). */
const LINUX_TICKS_PER_SECOND = 100;

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function linuxStartTime(pid: number): Date | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]); // field 22 overall
    const bootLine = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('btime '));
    const boot = Number(bootLine?.split(/\s+/)[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(boot)) return null;
    return new Date(boot * 1000 + (ticks * 1000) / LINUX_TICKS_PER_SECOND);
  } catch {
    return null;
  }
}

function psStartTime(pid: number): Date | null {
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const date = new Date(out);
    return out && !Number.isNaN(date.getTime()) ? date : null;
  } catch {
    return null;
  }
}

function windowsStartTime(pid: number): Date | null {
  try {
    const out = execFileSync(
      'powershell.exe',
      ['-NoProfile', '-NonInteractive', '-Command', `(Get-Process -Id ${pid}).StartTime.ToUniversalTime().ToString('o')`],
      { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true },
    ).trim();
    const date = new Date(out);
    return out && !Number.isNaN(date.getTime()) ? date : null;
  } catch {
    return null;
  }
}

/** When process `pid` started, or null where the OS does not say (or it is gone). */
export function processStartTime(pid: number): Date | null {
  if (process.platform === 'linux') return linuxStartTime(pid);
  if (process.platform === 'win32') return windowsStartTime(pid);
  return psStartTime(pid);
}

let ownStart: Date | null = null;

/** This process's start time, in the same terms as processStartTime gives for others. */
export function ownStartTime(): Date {
  if (ownStart) return ownStart;
  // Windows: asking PowerShell costs a second at every start; Node's own uptime is as good for this.
  const reported = process.platform === 'win32' ? null : processStartTime(process.pid);
  ownStart = reported ?? new Date(Date.now() - process.uptime() * 1000);
  return ownStart;
}
