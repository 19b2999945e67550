/** The shared benchmark database: built once with `needmap demo` and reused by every suite. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BenchContext } from './run.ts';

/**
 * Issue 4's benchmark size is 100k clients with about a million issue records, so bench clients
 * come back more often than the demo's default caseload (BENCH_ISSUES_PER_CLIENT overrides).
 */
const ISSUES_PER_CLIENT = process.env.BENCH_ISSUES_PER_CLIENT ?? '10';

export function benchDatabase(ctx: BenchContext, seed = 1): string {
  const file = path.join(ctx.outDir, `demo-${ctx.clients}-i${ISSUES_PER_CLIENT}-s${seed}.db`);
  if (!fs.existsSync(file)) {
    const cli = path.join(path.dirname(ctx.outDir), '..', 'src-main', 'cli', 'needmap.mjs');
    console.log(`building ${file} with needmap demo (${ctx.clients} clients, ${ISSUES_PER_CLIENT} issues per client)…`);
    const args = ['demo', '--db', file, '--clients', String(ctx.clients), '--seed', String(seed), '--end', '2026-10'];
    execFileSync(process.execPath, [cli, ...args, '--issues-per-client', ISSUES_PER_CLIENT], { stdio: 'inherit' });
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

/** Median wall-clock and median CPU (user + system) milliseconds of `runs` calls after one warm-up. */
export async function timeWallAndCpu(fn: () => Promise<unknown>, runs = 5): Promise<{ wall: number; cpu: number }> {
  await fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const t = process.hrtime.bigint();
    await fn();
    walls.push(Number(process.hrtime.bigint() - t) / 1e6);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { wall: median(walls), cpu: median(cpus) };
}
