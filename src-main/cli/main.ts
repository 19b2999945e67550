/**
 * `needmap` — the administrators' and scripts' interface to the same core the app uses.
 * Each subcommand lives in its own file in this folder; this file only routes to them. A
 * command's file (and what it imports: the database, the host…) is loaded only when that command
 * runs, so `needmap verify` never loads the browser host and `needmap --help` loads nothing: its
 * overview comes from the command index written at build time (launcher/compiled.mjs).
 */
import { UsageError, runCommand, type Command } from './command.ts';

interface CommandEntry {
  name: string;
  load: () => Promise<Command>;
}

/** Every command, in the order the overview lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'demo', load: async () => (await import('./demo.ts')).demoCommand },
  { name: 'serve', load: async () => (await import('./serve.ts')).serveCommand },
  { name: 'open', load: async () => (await import('./open.ts')).openCommand },
  { name: 'export', load: async () => (await import('./export.ts')).exportCommand },
  { name: 'verify', load: async () => (await import('./verify.ts')).verifyCommand },
  { name: 'geo import', load: async () => (await import('./geo.ts')).geoImportCommand },
  { name: 'lookup', load: async () => (await import('./geo.ts')).lookupCommand },
  { name: 'area trust', load: async () => (await import('./area.ts')).areaTrustCommand },
  { name: 'area revoke', load: async () => (await import('./area.ts')).areaRevokeCommand },
  { name: 'area import', load: async () => (await import('./area.ts')).areaImportCommand },
  { name: 'area export', load: async () => (await import('./area.ts')).areaExportCommand },
  { name: 'erase', load: async () => (await import('./erase.ts')).eraseCommand },
  { name: 'backup', load: async () => (await import('./backup.ts')).backupCommand },
  { name: 'restore', load: async () => (await import('./backup.ts')).restoreCommand },
  { name: 'audit verify', load: async () => (await import('./audit.ts')).auditVerifyCommand },
  { name: 'audit export', load: async () => (await import('./audit.ts')).auditExportCommand },
  { name: 'import', load: async () => (await import('./import.ts')).importCommand },
  { name: 'export-records', load: async () => (await import('./export-records.ts')).exportRecordsCommand },
];

/** Each command's name and summary (loads every command): what the build writes into the command index. */
export async function commandIndex(): Promise<{ name: string; summary: string }[]> {
  return Promise.all(COMMANDS.map(async (entry) => ({ name: entry.name, summary: (await entry.load()).summary })));
}

/** The text `needmap --help` prints. */
export function overviewText(index: readonly { name: string; summary: string }[]): string {
  const width = Math.max(...index.map((c) => c.name.length));
  return [
    'needmap — record, locate and share local need.',
    '',
    'Usage: needmap <command> [options]   (needmap <command> --help for each)',
    '',
    'Commands:',
    ...index.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

/** Whether these arguments ask for the overview, and the exit code it ends with (2 when no command was given). */
export function overviewRequest(argv: readonly string[]): { exitCode: number } | null {
  const [name] = argv;
  if (!name) return { exitCode: 2 };
  return name === '--help' || name === '-h' || name === 'help' ? { exitCode: 0 } : null;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const overview = overviewRequest(argv);
  if (overview) {
    process.stdout.write(overviewText(await commandIndex()));
    return overview.exitCode;
  }
  // Two-word commands ("geo import", "area trust") are matched before one-word ones.
  const entry = COMMANDS.find((c) => c.name === `${name} ${rest[0] ?? ''}`) ?? COMMANDS.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`needmap: unknown command "${name}".\n\n${overviewText(await commandIndex())}`);
    return 2;
  }
  const command = await entry.load();
  const args = command.name.includes(' ') ? rest.slice(1) : rest;
  try {
    return await runCommand(command, args);
  } catch (error) {
    // Bad flags exit 2; anything else (a database that cannot be opened, a refused file…) exits 1. Messages go to stderr.
    process.stderr.write(`needmap ${command.name}: ${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
