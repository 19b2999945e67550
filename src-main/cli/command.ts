/** A tiny command framework over node:util parseArgs: every command has --help and strict flags. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number> | number;
}

export function helpText(command: Command): string {
  return `${command.summary}\n\nUsage: ${command.usage}\n`;
}

export async function runCommand(command: Command, argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText(command));
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: command.options, allowPositionals: command.allowPositionals ?? false, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\.$/, '')}.\nUsage: ${command.usage}`);
  }
  return command.run(parsed.values as Record<string, string | boolean | string[] | undefined>, parsed.positionals);
}

export function requireString(values: Record<string, unknown>, flag: string, usage: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`--${flag} is required.\nUsage: ${usage}`);
  return value;
}

export function positiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${flag} must be a whole number of at least 1 (got "${value}").`);
  return Number(value);
}
