/**
 * Area picture: three organisations' signed bundles made with the CLI; in the browser, trust two
 * (one by the fingerprint read out, one by its public key file), import all three (picker and drag
 * and drop), see the untrusted one refused naming its fingerprint, check the dashboard against the
 * calls themselves, add an event and see its marker and verdict, and download the open data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import yauzl from 'yauzl';
import { apiCall } from './helpers.ts';
import { completeFirstRun, runCli, screenshot, screenshotOf, startHost, tempDatabase, type RunningHost } from './host.ts';

const PASSPHRASE = 'correct horse battery staple';
const LINKAGE_KEY = 'area-partnership-linkage-key-for-the-e2e-test-0123456789';

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.stop();
  host = null;
});

interface Org {
  id: string;
  name: string;
  bundle: string;
  fingerprint: string;
}

function makeOrganisation(dir: string, n: number, withMatchKeys: boolean): Org {
  const db = path.join(dir, `org${n}.db`);
  const bundle = path.join(dir, `org${n}.needmap-bundle`);
  runCli(['demo', '--db', db, '--clients', '1000', '--issues-per-client', '6', '--seed', String(n), '--end', '2026-10']);
  // From 2025-01, so events in 2026 have the same months a year earlier to allow for the season.
  const args = ['export', '--db', db, '--from', '2025-01', '--to', '2026-10', '--out', bundle, '--org-id', `ORG${n}`, '--org-name', `Org ${n}`];
  if (withMatchKeys) args.push('--linkage-key-file', path.join(dir, 'linkage.key'));
  process.env.NEEDMAP_SIGNING_PASSPHRASE = PASSPHRASE;
  const out = runCli(args);
  const fingerprint = /Signer fingerprint: ([0-9A-F ]+)/.exec(out)?.[1]?.trim();
  if (!fingerprint) throw new Error(`No fingerprint in:\n${out}`);
  return { id: `ORG${n}`, name: `Org ${n}`, bundle, fingerprint };
}

/** signer.pub.pem out of a bundle (a zip), as the organisation would send it. */
function publicKeyOf(bundle: string): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.open(bundle, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('no zip'));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== 'signer.pub.pem') return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks).toString('utf8'));
          });
        });
      });
      zip.on('end', () => reject(new Error('signer.pub.pem not in the bundle')));
      zip.readEntry();
    });
  });
}

const digits = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

test('trust, import (one refused), dashboard against the calls, an event with marker and verdict, open data', async ({ page }) => {
  test.setTimeout(180_000);
  const caseDb = tempDatabase();
  const dir = path.dirname(caseDb);
  fs.writeFileSync(path.join(dir, 'linkage.key'), LINKAGE_KEY);
  const [one, two, three] = [makeOrganisation(dir, 1, true), makeOrganisation(dir, 2, true), makeOrganisation(dir, 3, false)] as [Org, Org, Org];
  const keyFile = path.join(dir, 'signer.pub.pem');
  fs.writeFileSync(keyFile, await publicKeyOf(two.bundle));

  runCli(['demo', '--db', caseDb, '--clients', '50', '--seed', '9', '--end', '2026-10']);
  // The area database lives in the user data folder: keep it in this test's own folder.
  host = await startHost(caseDb, { XDG_CONFIG_HOME: path.join(dir, 'config') });
  await page.goto(host.url);
  await completeFirstRun(page);

  await page.getByRole('link', { name: 'Area picture' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Area picture: Dashboard');
  await expect(page.getByText('No bundle has been imported yet.')).toBeVisible();

  // ---- Trusted organisations: by the fingerprint read out, then by the key file.
  await page.getByRole('link', { name: 'Trusted organisations' }).click();
  await page.getByLabel('Organisation name').fill(one.name);
  // Bound to its organisation id: the key speaks for that organisation only.
  await page.getByLabel('Organisation id').fill(one.id);
  await page.getByLabel('Fingerprint', { exact: true }).fill(one.fingerprint.toLowerCase());
  await page.getByRole('button', { name: 'Trust this key' }).click();
  await expect(page.locator('.success')).toContainText(`Trusted ${one.name}`);
  await expect(page.locator('.success')).toContainText(`for ${one.id} only`);

  await page.getByLabel('From its public key file').check();
  await page.getByLabel('Organisation name').fill(two.name);
  await page.getByLabel('Public key file', { exact: true }).setInputFiles(keyFile);
  // The fingerprint is shown (computed in the page) so it can be checked before trusting.
  await expect(page.getByTestId('key-preview')).toContainText(two.fingerprint);
  await page.getByRole('button', { name: 'Trust this key' }).click();
  await expect(page.locator('.success')).toContainText(`Trusted ${two.name}`);
  const trusted = page.locator('.trusted-table tbody tr');
  await expect(trusted).toHaveCount(2);
  await expect(trusted.filter({ hasText: one.name })).toContainText(one.fingerprint);
  await expect(trusted.filter({ hasText: one.name })).toContainText(`(${one.id})`);
  await expect(trusted.filter({ hasText: two.name })).toContainText(two.fingerprint);
  await expect(page.getByTestId('area-summary')).toContainText('2 trusted keys');
  await screenshot(page, '20-area-trusted');

  // ---- Import: two bundles with the picker, the untrusted one dropped on the drop zone.
  await page.getByRole('link', { name: 'Import bundles' }).click();
  await page.getByLabel('Choose bundle files').setInputFiles([one.bundle, two.bundle]);
  await expect(page.getByTestId('import-result')).toHaveCount(2);
  await expect(page.getByTestId('import-result').filter({ hasText: 'Accepted' })).toHaveCount(2);

  const dropped = { name: path.basename(three.bundle), base64: fs.readFileSync(three.bundle).toString('base64') };
  await page.evaluate(({ name, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name));
    const zone = document.querySelector('[data-testid="drop-zone"]')!;
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, dropped);
  const refused = page.getByTestId('import-result');
  await expect(refused).toHaveCount(1);
  await expect(refused).toContainText(`${dropped.name}: Refused`);
  await expect(refused).toContainText(`untrusted key with fingerprint ${three.fingerprint}`);
  await expect(refused.getByRole('link', { name: /Trusted organisations/ })).toBeVisible();
  // The log has all three, newest first, with the reason.
  const log = page.getByTestId('import-log').locator('tbody tr');
  await expect(log).toHaveCount(3);
  await expect(log.first()).toContainText('Refused (untrusted-key)');
  await expect(log.filter({ hasText: path.basename(one.bundle) })).toContainText('Accepted');
  await expect(page.getByTestId('bundles-table').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('area-summary')).toContainText('2 active bundles from 2 organisations');
  await screenshot(page, '21-area-import');

  // ---- Dashboard: its figures are the calls' figures.
  await page.getByRole('link', { name: 'Dashboard' }).click();
  const distinct = await apiCall<{ records: number; distinctPeople: number; sharedPeople: number }[]>(page, 'area.distinctPeople', {});
  expect(distinct.length).toBeGreaterThan(0);
  const sum = (key: 'records' | 'distinctPeople' | 'sharedPeople') => distinct.reduce((s, r) => s + r[key], 0);
  await expect(page.getByTestId('figure-records')).toHaveText(sum('records').toLocaleString('en-GB'));
  await expect(page.getByTestId('figure-distinct')).toHaveText(sum('distinctPeople').toLocaleString('en-GB'));
  await expect(page.getByTestId('figure-shared')).toHaveText(sum('sharedPeople').toLocaleString('en-GB'));

  const need = await apiCall<{ sector: string; month: string; presentations: number }[]>(page, 'area.needBySectorMonth', {});
  const heat = page.getByTestId('area-heat-table');
  const sectors = [...new Set(need.map((r) => r.sector))];
  await expect(heat.locator('tbody tr')).toHaveCount(sectors.length);
  const cellTexts = await heat.locator('tbody td.heat').allTextContents();
  expect(cellTexts.reduce((s, t) => s + digits(t), 0)).toBe(need.reduce((s, r) => s + r.presentations, 0));
  // Choosing sectors asks for just those.
  await page.getByText(/^Sectors shown: all/).click();
  await page.getByRole('button', { name: 'None' }).click();
  await page.getByRole('checkbox', { name: sectors[0]!, exact: true }).check();
  await expect(heat.locator('tbody tr')).toHaveCount(1);
  const oneSector = need.filter((r) => r.sector === sectors[0]).reduce((s, r) => s + r.presentations, 0);
  expect((await heat.locator('tbody td.heat').allTextContents()).reduce((s, t) => s + digits(t), 0)).toBe(oneSector);
  await page.getByRole('button', { name: 'All sectors' }).click();
  await expect(heat.locator('tbody tr')).toHaveCount(sectors.length);

  const coverage = await apiCall<{ organisations: number }[]>(page, 'area.coverage', {});
  await expect(page.getByTestId('panel-area-coverage')).toContainText(`of ${coverage.length} sectors are covered by one organisation only`);

  // The map's month slider moves with the keyboard.
  const slider = page.getByRole('slider', { name: /Month:/ });
  const months = [...new Set(need.map((r) => r.month))].sort();
  await expect(page.getByTestId('area-sector-map')).toHaveAttribute('data-month', months.at(-1)!);
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('area-sector-map')).toHaveAttribute('data-month', months[0]!);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('area-sector-map')).toHaveAttribute('data-month', months[1]!);
  await screenshot(page, '22-area-dashboard');

  // Rates per 1,000 residents beside the counts, with the population year.
  await page.getByLabel('Show as').selectOption('rate');
  await expect(heat.locator('caption')).toContainText('per 1,000 residents (mid-2020)');
  const population = await apiCall<{
    year: string;
    sectors: { sector: string; residents: number | null; mainAuthority: { code: string; name: string } | null }[];
  }>(page, 'geo.sectorPopulation', { sectors });
  expect(population.year).toBe('mid-2020');
  const placed = population.sectors.find((s) => s.residents && s.mainAuthority)!;
  const placedRow = heat.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: placed.sector, exact: true }) });
  const placedTotal = need.filter((r) => r.sector === placed.sector).reduce((t, r) => t + r.presentations, 0);
  await expect(placedRow.locator('td').nth(0)).toHaveText(placed.residents!.toLocaleString('en-GB'));
  await expect(placedRow.locator('td').nth(1)).toHaveText(placedTotal.toLocaleString('en-GB'));
  await expect(placedRow.locator('td').nth(2)).toHaveText(((1000 * placedTotal) / placed.residents!).toFixed(1));
  await screenshotOf(page.getByTestId('panel-area-sector-month'), '22b-area-sector-rates');

  // "Our area": limited to one local authority, kept across a reload.
  await page.getByRole('button', { name: 'Choose our area' }).click();
  await page.getByLabel('Add a local authority').selectOption(placed.mainAuthority!.code);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('button', { name: 'Save our area' }).click();
  await expect(page.getByTestId('our-area')).toContainText(`Limited to ${placed.mainAuthority!.name}`);
  const ours = await apiCall<{ sectors: string[] }>(page, 'area.ourArea', {});
  const oursInData = sectors.filter((s) => ours.sectors.includes(s));
  expect(oursInData).toContain(placed.sector);
  expect(oursInData.length).toBeLessThan(sectors.length);
  await expect(heat.locator('tbody tr')).toHaveCount(oursInData.length);
  await page.reload();
  await expect(page.getByTestId('our-area')).toContainText(`Limited to ${placed.mainAuthority!.name}`);
  await expect(page.getByTestId('area-heat-table').locator('tbody tr')).toHaveCount(oursInData.length);
  await screenshotOf(page.getByTestId('our-area'), '22c-area-our-area');
  await page.getByRole('button', { name: 'Show the whole area' }).click();
  await expect(page.getByTestId('area-heat-table').locator('tbody tr')).toHaveCount(sectors.length);

  // ---- An event: added, compared before/after with a verdict, marked on the trend.
  await page.getByRole('link', { name: 'Local events' }).click();
  await page.getByLabel('What happened').fill('Large employer closed');
  await page.getByLabel('Date').fill('2026-06-15');
  await page.getByRole('button', { name: 'Add event' }).click();
  await expect(page.locator('.success')).toContainText('Added “Large employer closed” on 2026-06-15');
  const eventItem = page.getByTestId('area-event');
  await expect(eventItem).toHaveCount(1);
  const events = await apiCall<{ id: number }[]>(page, 'area.events.list', {});
  type Compared = { baselines: { kind: string; tested: number; note: string | null; comparisons: { verdict: string; ratio: number | null }[] }[] };
  const compared = await apiCall<Compared>(page, 'area.events.compare', { id: events[0]!.id, months: 3 });
  // A whole-area event: the same months a year earlier are the baseline; there are no sectors outside it to compare with.
  const [seasonal, againstSectors] = compared.baselines;
  expect(seasonal!.kind).toBe('year-earlier');
  expect(seasonal!.comparisons.length).toBeGreaterThan(0);
  const panel = eventItem.getByTestId('baseline-year-earlier');
  const verdicts = panel.getByTestId('event-verdicts').locator('li');
  await expect(verdicts).toHaveCount(seasonal!.comparisons.length);
  await expect(verdicts.first()).toHaveText(seasonal!.comparisons[0]!.verdict);
  expect(seasonal!.comparisons[0]!.verdict).toMatch(/presentations across the area went from \d+ to \d+ .* in the same months a year earlier/);
  await expect(panel.getByTestId('baseline-summary')).toContainText(`${seasonal!.tested} categor`);
  expect(againstSectors!.note).toMatch(/whole area/);
  await expect(eventItem.getByTestId('baseline-comparison-sectors')).toContainText('no sectors outside it to compare with');
  // The figures behind the verdicts, with the interval.
  await panel.locator('summary').click();
  if (seasonal!.comparisons[0]!.ratio !== null) await expect(panel.locator('tbody tr').first()).toContainText(/\d\.\d+ \(\d/);
  // A sector that is not a sector is refused next to its field.
  await page.getByLabel('What happened').fill('New food bank opened');
  await page.getByLabel('Date').fill('2026-07-01');
  await page.getByLabel('Postcode sectors affected (optional)').fill('nonsense');
  await page.getByRole('button', { name: 'Add event' }).click();
  await expect(page.locator('.field-error')).toContainText('A postcode sector looks like "PR1 2".');
  await expect(eventItem).toHaveCount(1);
  const changes = await apiCall<{ tested: number; changes: unknown[] }>(page, 'area.changes', { window: 3, limit: 20 });
  await expect(page.getByTestId('scan-summary')).toContainText(`${changes.tested} sector × category series tested`);
  if (changes.changes.length > 0)
    await expect(page.locator('table').filter({ hasText: 'Largest changes' }).locator('tbody tr')).toHaveCount(changes.changes.length);
  await screenshot(page, '23-area-events');

  // ---- A new service for the five commonest issues in the two busiest sectors: its catchment against comparison sectors, with the figures behind the verdicts.
  const totals = new Map<string, number>();
  for (const r of need) if (r.sector !== 'unknown') totals.set(r.sector, (totals.get(r.sector) ?? 0) + r.presentations);
  const busiest = [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([sector]) => sector);
  const top = await apiCall<{ issue: string; presentations: number }[]>(page, 'area.topIssues', { limit: 50 });
  const byIssue = new Map<string, number>();
  for (const t of top) byIssue.set(t.issue, (byIssue.get(t.issue) ?? 0) + t.presentations);
  const commonest = [...byIssue]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([issue]) => issue);
  await page.getByRole('link', { name: 'New services' }).click();
  await page.getByLabel('Service name').fill('Northside debt advice hub');
  await page.getByLabel('Opened on').fill('2026-01-12');
  await page.getByLabel('Catchment postcode sectors').fill(busiest.join(', '));
  await page.getByRole('button', { name: 'Record service' }).click();
  await expect(page.locator('.field-error')).toContainText('Choose at least one issue the service addresses.');
  for (const code of commonest) {
    await page.getByLabel('Add an issue').fill(code);
    await page.getByLabel('Add an issue').press('Enter');
  }
  await expect(page.getByTestId('service-issues').locator('li')).toHaveCount(5);
  await page.getByRole('button', { name: 'Record service' }).click();
  await expect(page.locator('.success')).toContainText('Recorded “Northside debt advice hub”, opened 2026-01-12.');
  const services = await apiCall<{ id: number }[]>(page, 'area.services.list', {});
  type ServiceCompared = { quartersBefore: string[]; quartersAfter: string[]; presentations: { note: string | null; comparisons: { verdict: string }[] } };
  const serviceReport = await apiCall<ServiceCompared>(page, 'area.services.compare', { id: services[0]!.id, quarters: 2 });
  expect(serviceReport.quartersBefore).toEqual(['2025-Q3', '2025-Q4']);
  expect(serviceReport.quartersAfter).toEqual(['2026-Q2', '2026-Q3']);
  const serviceItem = page.getByTestId('area-service');
  if (serviceReport.presentations.comparisons.length > 0) {
    await expect(serviceItem.getByTestId('event-verdicts').locator('li').first()).toHaveText(serviceReport.presentations.comparisons[0]!.verdict);
    await serviceItem.locator('summary').click();
  } else {
    await expect(serviceItem).toContainText(serviceReport.presentations.note!);
  }
  await expect(serviceItem).toContainText('Referrals to the service cannot be counted from the bundles');
  await screenshot(page, '23b-area-services');

  await page.getByRole('link', { name: 'Dashboard' }).click();
  const markers = page.getByTestId('event-markers');
  await expect(markers).toContainText('1');
  await expect(markers).toContainText('2026-06-15 Large employer closed');
  const trendTable = page.getByTestId('panel-area-issue-trend').locator('tbody tr').filter({ hasText: '2026-06' });
  await expect(trendTable).toContainText('1. Large employer closed (2026-06-15)');
  // The marker is drawn: the event colour appears on the trend canvas.
  const drawn = await page
    .getByTestId('panel-area-issue-trend')
    .locator('canvas')
    .evaluate((canvas: HTMLCanvasElement) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === 0x7a && data[i + 1] === 0x1f && data[i + 2] === 0x0b) count++;
      return count;
    });
  expect(drawn).toBeGreaterThan(50);
  await page.getByTestId('panel-area-issue-trend').scrollIntoViewIfNeeded();
  await screenshot(page, '24-area-trend-event');

  // ---- Local vs national: need per 1,000 residents against what deprivation predicts, as ratios with intervals.
  await page.getByRole('link', { name: 'Local vs national' }).click();
  await expect(page.getByLabel('Only sectors with at least')).toHaveValue('1000');
  type Assumptions = { note: string | null; report: { rows: { summary: string; lower: number; upper: number }[]; populationYear: string } | null };
  const assumptions = await apiCall<Assumptions>(page, 'area.needVsAssumptions', { limit: 20, minResidents: 1000 });
  // The shipped reference data carries residents per sector: the ratios are shown, furthest from the assumption first.
  expect(assumptions.note).toBeNull();
  expect(assumptions.report!.rows.length).toBeGreaterThan(0);
  await expect(page.getByTestId('national-summaries').locator('li').first()).toHaveText(`${assumptions.report!.rows[0]!.summary}.`);
  await expect(page.getByTestId('national-basis')).toContainText(`residents ${assumptions.report!.populationYear}`);
  await expect(page.getByTestId('panel-area-need-vs-assumptions').getByRole('table').locator('tbody tr')).toHaveCount(assumptions.report!.rows.length);
  await screenshot(page, '25-area-national');

  // ---- Need by outcome framework across the area.
  await page.getByRole('link', { name: 'Outcome frameworks' }).click();
  const areaFrameworks = await apiCall<{ totalPresentations: number }>(page, 'area.frameworks', {});
  await expect(page.getByTestId('framework-note')).toContainText(`${areaFrameworks.totalPresentations.toLocaleString('en-GB')} presentations`);
  await expect(page.getByTestId('panel-area-frameworks-sfof').getByRole('table').locator('tbody tr').first()).toBeVisible();
  await screenshot(page, '25b-area-frameworks');

  // ---- Open data: each file downloads; the CSV headers are the CSVW columns.
  await page.getByRole('link', { name: 'Open data' }).click();
  await page.getByRole('button', { name: 'Prepare open data' }).click();
  const buttons = page.getByRole('button', { name: /^Download / });
  // 22 months of three organisations' tables: preparing them takes a few seconds on a loaded machine.
  await expect(buttons.first()).toBeVisible({ timeout: 30_000 });
  const files = new Map<string, string>();
  for (const button of await buttons.all()) {
    const downloading = page.waitForEvent('download');
    await button.click();
    const download = await downloading;
    const file = path.join(dir, 'open-data', download.suggestedFilename());
    await download.saveAs(file);
    files.set(download.suggestedFilename(), fs.readFileSync(file, 'utf8'));
  }
  const metadata = JSON.parse(files.get('area-open-data.csv-metadata.json') ?? 'null') as {
    'dc:license': { '@id': string };
    tables: { url: string; tableSchema: { columns: { name: string }[] } }[];
  };
  expect(metadata['dc:license']['@id']).toMatch(/open-government-licence/);
  expect(metadata.tables.length).toBeGreaterThan(0);
  for (const table of metadata.tables) {
    const csv = files.get(table.url);
    expect(csv, table.url).toBeDefined();
    expect(csv!.replace(/^\uFEFF/, '').split(/\r?\n/)[0]).toBe(table.tableSchema.columns.map((c) => c.name).join(','));
  }
  expect(files.get('sector-month-category.csv')!.split(/\r?\n/)[0]).toBe(
    'postcode_sector,month,category,people,people_status,presentations,presentations_status,organisations',
  );
  // No match key or linkage key id leaves in open data.
  for (const text of files.values()) expect(text).not.toMatch(/match.?key|linkage/i);
  await screenshot(page, '26-area-open-data');
});
