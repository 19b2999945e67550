/**
 * `needmap` — the administrators' and scripts' interface to the same core the app uses.
 * Each subcommand lives in its own file in this folder; this file only routes to them.
 */
import { DatabaseOpenError } from '../db/open.ts';
import { UsageError, runCommand, type Command } from './command.ts';
import { demoCommand } from './demo.ts';
import { exportCommand } from './export.ts';
import { verifyCommand } from './verify.ts';
import { serveCommand } from './serve.ts';
import { openCommand } from './open.ts';
import { geoImportCommand, lookupCommand } from './geo.ts';
import { areaCommands } from './area.ts';
import { protectCommands } from './protect-commands.ts';
import { importCommand } from './import.ts';
import { exportRecordsCommand } from './export-records.ts';

export const commands: Command[] = [
  demoCommand,
  serveCommand,
  openCommand,
  exportCommand,
  verifyCommand,
  geoImportCommand,
  lookupCommand,
  ...areaCommands,
  ...protectCommands,
  importCommand,
  exportRecordsCommand,
];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'needmap — record, locate and share local need.',
    '',
    'Usage: needmap <command> [options]   (needmap <command> --help for each)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview());
    return name ? 0 : 2;
  }
  // Two-word commands ("geo import", "area trust") are matched before one-word ones.
  const command = commands.find((c) => c.name === `${name} ${rest[0] ?? ''}`) ?? commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`needmap: unknown command "${name}".\n\n${overview()}`);
    return 2;
  }
  const args = command.name.includes(' ') ? rest.slice(1) : rest;
  try {
    return await runCommand(command, args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`needmap ${command.name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof DatabaseOpenError) {
      process.stderr.write(`needmap ${command.name}: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`needmap ${command.name}: ${(error as Error).message}\n`);
    return 1;
  }
}
