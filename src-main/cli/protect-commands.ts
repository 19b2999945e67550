/** The issue 7 commands (erase, backup, restore, audit verify, audit export), registered together in main.ts. */
import type { Command } from './command.ts';
import { auditExportCommand, auditVerifyCommand } from './audit.ts';
import { backupCommand, restoreCommand } from './backup.ts';
import { eraseCommand } from './erase.ts';

export const protectCommands: Command[] = [eraseCommand, backupCommand, restoreCommand, auditVerifyCommand, auditExportCommand];
