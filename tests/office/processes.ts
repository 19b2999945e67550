/**
 * Real processes for the office server tests (vitest and Playwright): `needmap serve --office` on
 * a loopback address and `needmap serve --connect` client PCs, each with its own data folder
 * (XDG_CONFIG_HOME), and their browser hosts' API as a tab would use it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(root, 'src-main', 'cli', 'needmap.mjs');

export interface Running {
  process: ChildProcess;
  /** The browser host's one-time start link (NEEDMAP_URL). */
  url: string;
  origin: string;
  output(): string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL (a crash, a power cut) and wait. */
  kill(): Promise<void>;
}

export interface RunningServer extends Running {
  address: string;
  fingerprint: string;
}

export function tempFolder(prefix = 'needmap-office-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A port free on `host` now (for a server that must come back on the same address after a restart). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, host, () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

function start(
  args: string[],
  home: string,
  waitFor: RegExp[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; output: () => string; matches: string[] }> {
  fs.mkdirSync(home, { recursive: true });
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: home, ...env },
  });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`needmap serve ${args.join(' ')} did not start:\n${text}`)), 60_000);
    const check = () => {
      const found = waitFor.map((re) => re.exec(text)?.[1]);
      if (found.every((m) => m !== undefined)) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve({ child, output: () => text, matches: found as string[] });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`needmap serve ${args.join(' ')} exited (${code}):\n${text}`));
    });
  });
}

function running(child: ChildProcess, url: string, output: () => string): Running {
  child.removeAllListeners('exit');
  const ended = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    process: child,
    url,
    origin: new URL(url).origin,
    output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await ended;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await ended;
    },
  };
}

/** `needmap serve --office --db DB --listen LISTEN`: the office server (and its own browser host for the admin at the server PC). */
export async function startOfficeServer(dbFile: string, listen: string, home: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const { child, output, matches } = await start(
    ['--office', '--db', dbFile, '--listen', listen],
    home,
    [/NEEDMAP_OFFICE=(\S+)/, /NEEDMAP_FINGERPRINT=(\S+)/, /NEEDMAP_URL=(\S+)/],
    env,
  );
  return { ...running(child, matches[2]!, output), address: matches[0]!, fingerprint: matches[1]! };
}

/** `needmap serve --connect ADDRESS --fingerprint HEX --name NAME`: a client PC with data folder `home`. */
export async function startClientPc(address: string, fingerprint: string, name: string, home: string): Promise<Running> {
  const { child, output, matches } = await start(['--connect', address, '--fingerprint', fingerprint, '--name', name], home, [/NEEDMAP_URL=(\S+)/]);
  return running(child, matches[0]!, output);
}

export interface CallFailure {
  code: string;
  message: string;
  reason?: string;
  fieldErrors: Record<string, string[]>;
}
export type Result<T = unknown> = { ok: true; value: T } | { ok: false; error: CallFailure };

/** One browser tab's session on a running host, through its HTTP API exactly as the page calls it. */
export class Tab {
  private constructor(
    readonly origin: string,
    private readonly secret: string,
  ) {}

  static async open(host: Running): Promise<Tab> {
    const token = new URL(host.url).searchParams.get('token')!;
    const response = await fetch(`${host.origin}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-needmap': '1' },
      body: JSON.stringify({ token }),
    });
    if (!response.ok) throw new Error(`No session: ${response.status} ${await response.text()}`);
    return new Tab(host.origin, ((await response.json()) as { secret: string }).secret);
  }

  async call<T = unknown>(name: string, input: unknown = {}): Promise<Result<T>> {
    const response = await fetch(`${this.origin}/api/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-needmap': '1', 'x-needmap-session': this.secret },
      body: JSON.stringify({ name, input }),
    });
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as Result<T>;
  }

  async ok<T = unknown>(name: string, input: unknown = {}): Promise<T> {
    const result = await this.call<T>(name, input);
    if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
    return result.value;
  }
}

/** Every file under `dir` (relative paths), for checking what a client PC keeps. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

/** Any `needmap serve …` with data folder `home`, once its start link is printed. */
export async function startServe(args: string[], home: string): Promise<Running> {
  const { child, output, matches } = await start(args, home, [/NEEDMAP_URL=(\S+)/]);
  return running(child, matches[0]!, output);
}
