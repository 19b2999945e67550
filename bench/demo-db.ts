/** The shared benchmark database: built once with `needmap demo` and reused by every suite. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BenchContext } from './run.ts';

export function benchDatabase(ctx: BenchContext, seed = 1): string {
  const file = path.join(ctx.outDir, `demo-${ctx.clients}-s${seed}.db`);
  if (!fs.existsSync(file)) {
    const cli = path.join(path.dirname(ctx.outDir), '..', 'src-main', 'cli', 'needmap.mjs');
    console.log(`building ${file} with needmap demo (${ctx.clients} clients)…`);
    execFileSync(process.execPath, [cli, 'demo', '--db', file, '--clients', String(ctx.clients), '--seed', String(seed), '--end', '2026-10'], {
      stdio: 'inherit',
    });
  }
  return file;
}

/** Median of `runs` timings of fn, in milliseconds, after one warm-up call. */
export function timeMedian(fn: () => unknown, runs = 7): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
