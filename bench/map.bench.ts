/**
 * The sector map (resources/reference/sector-map/): shipped size, load time and draw time for the
 * largest postcode area (by vertices), each against a baseline measured in the same run:
 *  - load (read + brotli + JSON + SVG paths, cold, as the first map.sectorShapes of an area
 *    does) against the smallest area's load;
 *  - draw in Chromium (/usr/bin/chromium via Playwright: the area's paths put into an SVG as
 *    SectorMapSvg draws them, until two animation frames have passed, i.e. laid out and painted)
 *    against the same number of one-square paths.
 * BENCH_SECTOR_BUILD=1 also times the national build (about a minute; needs ../shared).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { forgetSectorMaps, loadAreaShapes } from '../src-main/db/map.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import { timeMedian } from './demo-db.ts';
import type { BenchContext } from './run.ts';

export async function run(_bench: BenchContext): Promise<void> {
  const dir = path.join(defaultAppPaths().resourcesDir, 'reference', 'sector-map');
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as {
    meta: { sectors: number };
    areas: Record<string, { sectors: number; bytes: number; vertices: number }>;
  };
  const areas = Object.entries(index.areas).sort((a, b) => b[1].vertices - a[1].vertices);
  const [largest, big] = areas[0]!;
  const [smallest, small] = areas[areas.length - 1]!;
  const total = fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  const vertices = areas.reduce((n, [, a]) => n + a.vertices, 0);
  console.log(
    `shipped: ${fs.readdirSync(dir).length} files, ${total.toLocaleString('en-GB')} bytes, ${index.meta.sectors} sectors, ${vertices.toLocaleString('en-GB')} vertices`,
  );
  console.log(
    `largest area ${largest}: ${big.bytes.toLocaleString('en-GB')} bytes, ${big.sectors} sectors, ${big.vertices.toLocaleString('en-GB')} vertices; smallest ${smallest}: ${small.bytes} bytes, ${small.vertices} vertices`,
  );

  const cold = (area: string) =>
    timeMedian(() => {
      forgetSectorMaps();
      return loadAreaShapes(dir, area);
    }, 9);
  const loadBase = cold(smallest);
  const loadBig = cold(largest);
  const warm = timeMedian(() => loadAreaShapes(dir, largest), 9);
  console.log(`\n| load (cold) | ms | ratio |\n|---|---:|---:|`);
  console.log(`| baseline: smallest area ${smallest} | ${loadBase.toFixed(2)} | 1.0 |`);
  console.log(`| largest area ${largest} | ${loadBig.toFixed(2)} | ${(loadBig / loadBase).toFixed(1)} |`);
  console.log(`| largest area again (in memory) | ${warm.toFixed(3)} | ${(warm / loadBase).toFixed(2)} |`);

  const shapes = loadAreaShapes(dir, largest);
  const pathText = shapes.reduce((n, s) => n + s.d.length, 0);
  const box = shapes.reduce(
    (b, s) => [Math.min(b[0]!, s.bbox[0]), Math.min(b[1]!, s.bbox[1]), Math.max(b[2]!, s.bbox[2]), Math.max(b[3]!, s.bbox[3])],
    [Infinity, Infinity, -Infinity, -Infinity],
  );
  const svgOf = (ds: string[]) =>
    `<svg xmlns="http://www.w3.org/2000/svg" style="width:800px" viewBox="${box[0]} ${box[1]} ${box[2]! - box[0]!} ${box[3]! - box[1]!}">` +
    ds
      .map((d, i) => `<path d="${d}" fill-rule="evenodd" fill="hsl(${(i * 47) % 360} 60% 70%)" stroke="#1b1f24" stroke-width="10"><title>s${i}</title></path>`)
      .join('') +
    '</svg>';
  const real = svgOf(shapes.map((s) => s.d));
  const squares = svgOf(shapes.map((s) => `M${s.bbox[0]} ${s.bbox[1]}l100 0 0 100-100 0z`));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.setContent('<!doctype html><body><div id="map"></div></body>');
    const draw = (svg: string) =>
      page.evaluate(async (markup) => {
        const times: number[] = [];
        for (let i = 0; i < 8; i++) {
          const host = document.getElementById('map')!;
          host.innerHTML = '';
          await new Promise(requestAnimationFrame);
          const t = performance.now();
          host.innerHTML = markup;
          await new Promise(requestAnimationFrame);
          await new Promise(requestAnimationFrame);
          times.push(performance.now() - t);
        }
        times.sort((a, b) => a - b);
        return times[Math.floor(times.length / 2)]!;
      }, svg);
    const base = await draw(squares);
    const drawn = await draw(real);
    console.log(`\n| draw in Chromium (${shapes.length} paths) | ms | ratio |\n|---|---:|---:|`);
    console.log(`| baseline: ${shapes.length} one-square paths | ${base.toFixed(1)} | 1.0 |`);
    console.log(`| largest area ${largest}: ${(pathText / 1024).toFixed(0)} KB of path data | ${drawn.toFixed(1)} | ${(drawn / base).toFixed(1)} |`);
  } finally {
    await browser.close();
  }

  if (process.env.BENCH_SECTOR_BUILD === '1') {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'needmap-sectors-'));
    const t = performance.now();
    const report = JSON.parse(execFileSync('npx', ['tsx', 'src-main/reference/build-sector-geometry.ts', '--out', out], { encoding: 'utf8' })) as {
      seconds: object;
    };
    console.log(`\nnational build: ${((performance.now() - t) / 1000).toFixed(1)} s wall (${JSON.stringify(report.seconds)})`);
    fs.rmSync(out, { recursive: true, force: true });
  }
}
