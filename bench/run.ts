/**
 * `npm run bench`: runs every `bench/*.bench.ts` in name order. Each suite exports
 * `run(ctx)` and prints its own table of timings with ratios against a baseline measured in
 * the same run. The shared demo database is built once (100k clients unless BENCH_CLIENTS says).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchContext {
  /** A folder for the suites' files, kept between runs (bench/out, git-ignored). */
  outDir: string;
  clients: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const suites = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const ctx: BenchContext = {
  outDir: path.join(here, 'out'),
  clients: Number(process.env.BENCH_CLIENTS ?? 100_000),
};
fs.mkdirSync(ctx.outDir, { recursive: true });
console.log(`NeedMap benchmarks — ${new Date().toISOString()} — node ${process.version}, ${process.platform}/${process.arch}`);
for (const file of suites) {
  console.log(`\n## ${file.replace('.bench.ts', '')}\n`);
  const suite = (await import(pathToFileURL(path.join(here, file)).href)) as { run(ctx: BenchContext): Promise<void> };
  await suite.run(ctx);
}
