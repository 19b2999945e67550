/**
 * The lint rules that guard the architecture (eslint.config.js) really fire: code placed, as text,
 * where a rule applies is refused for the reason the rule gives, and allowed code passes. (`npm test`
 * also lints the whole tree, so a rule that stopped firing would otherwise go unnoticed.)
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

/** The messages ESLint gives `code` as if it were the file at `file` (relative to the repository). */
async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('what a renderer file may import', () => {
  it('refuses Node modules, Electron, the database and the main process beyond the contract', async () => {
    const file = 'src-renderer/screens/Example.tsx';
    expect(await problems(file, "import fs from 'node:fs';\nexport const x = fs;\n")).toEqual([expect.stringContaining('no Node modules')]);
    expect(await problems(file, "import path from 'path';\nexport const x = path;\n")).toEqual([expect.stringContaining('no Node modules')]);
    expect(await problems(file, "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n")).toEqual([
      expect.stringContaining('only through the contract'),
    ]);
    expect(await problems(file, "import { openCaseDatabase } from '../../src-main/db/open.ts';\nexport const x = openCaseDatabase;\n")).toEqual([
      expect.stringContaining('only the contract'),
    ]);
    expect(await problems(file, "import { handlers } from '../../src-main/ipc/handlers.ts';\nexport const x = handlers;\n")).toEqual([
      expect.stringContaining('only the contract'),
    ]);
  });

  it('allows the contract, pure core modules and React', async () => {
    const code = [
      "import { useState } from 'react';",
      "import type { CallOutput } from '../../src-main/ipc/contract.ts';",
      "import { ReportFilterInput } from '../../src-main/ipc/contract/reports.ts';",
      "import { parsePostcode } from '../../src-main/core/postcode.ts';",
      'export type T = CallOutput<"taxonomy.get">;',
      'export const x = [useState, ReportFilterInput, parsePostcode];',
    ].join('\n');
    expect(await problems('src-renderer/screens/Example.tsx', code)).toEqual([]);
  });

  it("keeps a screen folder out of another screen's files", async () => {
    expect(await problems('src-renderer/screens/area/Example.tsx', "import { shown } from '../reports/useReport.ts';\nexport const x = shown;\n")).toEqual([
      expect.stringContaining('src-renderer/components'),
    ]);
    expect(await problems('src-renderer/screens/area/Example.tsx', "import { shown } from '../../use-call.ts';\nexport const x = shown;\n")).toEqual([]);
  });
});

describe('what core may import', () => {
  it('refuses the file system, the database, Electron and the layers above it', async () => {
    const file = 'src-main/core/example.ts';
    expect(await problems(file, "import fs from 'node:fs';\nexport const x = fs;\n")).toEqual([expect.stringContaining('Core does no I/O')]);
    expect(await problems(file, "import Database from 'better-sqlite3';\nexport const x = Database;\n")).toEqual([expect.stringContaining('no database')]);
    expect(await problems(file, "import { openCaseDatabase } from '../db/open.ts';\nexport const x = openCaseDatabase;\n")).toEqual([
      expect.stringContaining('only other core modules'),
    ]);
    expect(await problems(file, "import crypto from 'node:crypto';\nimport { z } from 'zod';\nexport const x = [crypto, z];\n")).toEqual([]);
  });
});

describe('size and cycles', () => {
  it('refuses a source file over 600 lines', async () => {
    const long = Array.from({ length: 601 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
    expect(await problems('src-main/core/example.ts', long)).toEqual([expect.stringContaining('max-lines')]);
  });

  it('finds an import cycle through existing files', async () => {
    // App.tsx imports every screen; a screen importing App.tsx back closes a cycle.
    expect(await problems('src-renderer/screens/Example.tsx', "import { App } from '../App.tsx';\nexport const x = App;\n")).toEqual([]);
    const cycle = await problems('src-renderer/router.ts', "import { App } from './App.tsx';\nexport const x = App;\n");
    expect(cycle).toEqual([expect.stringContaining('import-x/no-cycle')]);
  });
});
