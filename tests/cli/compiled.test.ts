/**
 * The compiled command line (launcher/compiled.mjs, build-node.mjs): `needmap` runs the build in
 * dist/node when every source it was made from is unchanged, and its overview — printed from the
 * command index without loading any command — is exactly what main.ts would print; every command
 * in the index loads and has the name it is listed under.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandIndex, overviewText } from '../../src-main/cli/main.ts';
import { compiledFile, isFresh, outDir } from '../../src-main/launcher/compiled.mjs';
import { ensureCompiled } from '../../src-main/launcher/build-node.mjs';
import { NEEDMAP_CLI, tempDir } from '../helpers.ts';

const needmap = (...args: string[]) => spawnSync(process.execPath, [NEEDMAP_CLI, ...args], { encoding: 'utf8' });

describe('the compiled command line', () => {
  it('is built and fresh, and its overview is the one main.ts makes, with the same exit codes', async () => {
    expect(await ensureCompiled('cli')).toBe(path.join(outDir, 'cli.mjs'));
    expect(compiledFile('cli')).not.toBeNull();
    const expected = overviewText(await commandIndex());
    for (const [args, code] of [
      [['--help'], 0],
      [['-h'], 0],
      [['help'], 0],
      [[], 2],
    ] as const) {
      const r = needmap(...args);
      expect(r.status).toBe(code);
      expect(r.stdout).toBe(expected);
    }
    // An unknown command loads the compiled CLI itself: the same overview, on stderr.
    const unknown = needmap('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(`needmap: unknown command "frobnicate".\n\n${expected}`);
  });

  it('lists every command under its own name', async () => {
    for (const entry of COMMANDS) expect((await entry.load()).name).toBe(entry.name);
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });

  it('counts a build as stale when a source it was made from has changed', async () => {
    await ensureCompiled('cli');
    const copy = path.join(tempDir(), 'node');
    fs.cpSync(outDir, copy, { recursive: true });
    expect(isFresh(copy)).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(copy, 'manifest.json'), 'utf8')) as { inputs: [string, number, number][] };
    const main = manifest.inputs.find(([file]) => file === path.join('src-main', 'cli', 'main.ts'))!;
    expect(main).toBeDefined();
    main[2] -= 1000; // as if main.ts had been edited since the build
    fs.writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify(manifest));
    expect(isFresh(copy)).toBe(false);
    main[2] += 1000;
    main[1] += 1; // or its size had changed
    fs.writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify(manifest));
    expect(isFresh(copy)).toBe(false);
    fs.rmSync(path.join(copy, 'manifest.json'));
    expect(isFresh(copy)).toBe(false);
  });
});
