import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src-main/app-context.ts';
import type { AppContext } from '../../src-main/ipc/handlers.ts';
import { dispatch, sessionOf, tempDir } from '../helpers.ts';
import { bundleOf, constructedRows, lastMonths, newKey, paths } from './fixtures.ts';

const contexts: AppContext[] = [];
afterEach(() => {
  for (const ctx of contexts.splice(0)) {
    ctx.close();
  }
});

function context(host: AppContext['host'] = 'browser'): AppContext {
  const dir = tempDir();
  const ctx = createAppContext({ dbFile: path.join(dir, 'case.db'), areaDbFile: path.join(dir, 'area.db'), paths, host });
  // Role checks are not what this test is about.
  sessionOf(ctx).logIn({ userId: 1, username: 'analyst', role: 'manager' });
  contexts.push(ctx);
  return ctx;
}

describe('area.* calls', () => {
  it('trust, import bytes, refuse paths in the browser, add an event and export open data as text', async () => {
    const ctx = context();
    const key = newKey();
    const months = lastMonths(3);
    const b = await bundleOf({
      org: { id: 'org-a', name: 'Riverside' },
      key,
      from: months[0]!,
      to: months[2]!,
      sequence: 1,
      rows: { presentations: constructedRows('PR1 2', 'money-debt', 'X', months, [20, 22, 30]), outcomes: [] },
    });
    const call = (name: string, input: unknown) => dispatch(name, input, ctx);

    expect(await call('area.trust', { fingerprint: 'not hex' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', fieldErrors: { fingerprint: [expect.stringMatching(/64 hex digits/)] } },
    });
    expect(await call('area.trust', { publicKeyPem: key.publicKeyPem, name: 'Riverside' })).toMatchObject({ ok: true, value: { alreadyTrusted: false } });
    const imported = await call('area.import', { files: [{ name: 'a.needmap-bundle', base64: b.file.toString('base64') }] });
    expect(imported).toMatchObject({ ok: true, value: [{ outcome: 'accepted', organisationId: 'org-a' }] });
    expect(await call('area.import', { paths: ['/etc'] })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/only possible in the desktop app/) },
    });
    expect(await call('area.status', {})).toMatchObject({ ok: true, value: { available: true, activeBundles: 1, organisations: 1, trustedKeys: 1 } });

    const event = await call('area.events.add', { date: `${months[1]}-10`, title: 'Food bank opened', sectors: ['PR1 2'] });
    expect(event.ok).toBe(true);
    const compared = await call('area.events.compare', { id: (event as { value: { id: number } }).value.id, months: 1 });
    expect(compared).toMatchObject({
      ok: true,
      value: {
        monthsBefore: [months[0]],
        monthsAfter: [months[2]],
        // Three months of one sector: no season to allow for and nothing like it to compare with, and it says so.
        baselines: [
          { kind: 'year-earlier', tested: 0, note: expect.stringMatching(/no data for some of the same months a year earlier/) },
          { kind: 'comparison-sectors', tested: 0, note: expect.stringMatching(/^No comparison sectors could be chosen: no other sector is like/) },
        ],
      },
    });

    // A new service: issues must be in the taxonomy; then it is listed and compared.
    expect(await call('area.services.add', { name: 'Hub', openedOn: `${months[1]}-01`, sectors: ['PR1 2'], issues: ['NOT-AN-ISSUE'] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', fieldErrors: { issues: [expect.stringMatching(/Not in the issue taxonomy: NOT-AN-ISSUE/)] } },
    });
    expect(await call('area.services.add', { name: 'Hub', openedOn: `${months[1]}-01`, sectors: [], issues: ['MON-PRIORITY-DEBT'] })).toMatchObject({
      ok: false,
      error: { fieldErrors: { sectors: ['Give at least one catchment sector.'] } },
    });
    const service = await call('area.services.add', { name: 'Hub', openedOn: `${months[1]}-01`, sectors: ['PR1 2'], issues: ['MON-PRIORITY-DEBT'] });
    expect(service).toMatchObject({ ok: true, value: { name: 'Hub', organisationId: null } });
    const serviceReport = await call('area.services.compare', { id: (service as { value: { id: number } }).value.id });
    expect(serviceReport).toMatchObject({ ok: true, value: { note: expect.stringMatching(/no data yet for a whole quarter after/) } });

    const open = await call('area.exportOpenData', { threshold: 10 });
    expect(open.ok).toBe(true);
    const files = (open as { value: { outDir: string | null; files: { name: string; text: string }[] } }).value;
    expect(files.outDir).toBeNull();
    expect(files.files.map((f) => f.name)).toContain('area-open-data.csv-metadata.json');
  });

  it('serves need by outcome framework to the reports and the area picture, checking the filter', async () => {
    const ctx = context();
    const filter = { from: '2026-01-01', to: '2026-12-31', category: null, issueCode: null, remit: 'all', sector: null };
    expect(await dispatch('reports.frameworks', { filter }, ctx)).toMatchObject({ ok: true, value: { totalPresentations: 0, unlinked: { presentations: 0 } } });
    expect(await dispatch('reports.frameworks', { filter: { ...filter, category: 'nonsense' } }, ctx)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/not a category/) },
    });
    const key = newKey();
    const months = lastMonths(2);
    const b = await bundleOf({
      org: { id: 'org-a', name: 'Riverside' },
      key,
      from: months[0]!,
      to: months[1]!,
      sequence: 1,
      rows: { presentations: constructedRows('PR1 2', 'housing', 'HOU-HOMELESS', months, [20, 22]), outcomes: [] },
    });
    await dispatch('area.trust', { publicKeyPem: key.publicKeyPem, name: 'Riverside' }, ctx);
    await dispatch('area.import', { files: [{ name: 'a.needmap-bundle', base64: b.file.toString('base64') }] }, ctx);
    const area = await dispatch('area.frameworks', {}, ctx);
    expect(area.ok).toBe(true);
    const sfof = (area as { value: { frameworks: { framework: string; rows: { id: string; presentations: number; peopleAtLeast: number | null }[] }[] } }).value
      .frameworks[0]!;
    const housing = sfof.rows.find((r) => r.id === 'SFOF-9')!;
    expect(Math.abs(housing.presentations - 42)).toBeLessThanOrEqual(4);
    expect(housing.peopleAtLeast).toBeNull();
  });

  it('refuses clearly where no area database is configured', async () => {
    const ctx = context();
    ctx.areaDb?.close();
    delete ctx.areaDb;
    expect(await dispatch('area.status', {}, ctx)).toMatchObject({ ok: true, value: { available: false } });
    expect(await dispatch('area.trusted', {}, ctx)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not available here/) } });
  });
});

describe('our area', () => {
  it('is chosen from the lookup, kept in the area database, and gives the sectors most of whose residents live there', async () => {
    const ctx = context();
    const call = (name: string, input: unknown) => dispatch(name, input, ctx);
    expect(await call('area.ourArea', {})).toMatchObject({ ok: true, value: { authorities: [], sectors: [] } });

    // Preston (E07000123) and Manchester (E08000003).
    const set = await call('area.setOurArea', { codes: ['e07000123', 'E08000003'] });
    expect(set).toMatchObject({
      ok: true,
      value: {
        authorities: [
          { code: 'E08000003', name: 'Manchester' },
          { code: 'E07000123', name: 'Preston' },
        ],
      },
    });
    const sectors = set.ok ? (set.value as { sectors: string[]; rule: string }).sectors : [];
    expect(sectors).toContain('PR1 2');
    expect(sectors).toContain('M14 4');
    expect(sectors).not.toContain('NE1 4');
    expect(set.ok && (set.value as { rule: string }).rule).toMatch(/at least half of its residents \(mid-2020 ONS estimates/);

    // Kept: a new context on the same area database reads it back.
    const files = { dbFile: ctx.caseDb.file, areaDbFile: ctx.areaDb!.file };
    ctx.close(); // gives up the case database's lock for the next context
    const again = createAppContext({ ...files, paths, host: 'browser' });
    sessionOf(again).logIn({ userId: 1, username: 'analyst', role: 'manager' });
    contexts.push(again);
    expect(await dispatch('area.ourArea', {}, again)).toMatchObject({ ok: true, value: { authorities: [{ name: 'Manchester' }, { name: 'Preston' }] } });

    expect(await dispatch('area.setOurArea', { codes: ['E08000003', 'E99999999'] }, again)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: 'E99999999 is not a local authority in the reference data (2022 codes).' },
    });
    expect(await dispatch('area.setOurArea', { codes: ['Manchester'] }, again)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await dispatch('area.setOurArea', { codes: [] }, again)).toMatchObject({ ok: true, value: { authorities: [], sectors: [] } });
  });

  it('lists local authorities and sector residents for anyone logged in', async () => {
    const ctx = context();
    sessionOf(ctx).logIn({ userId: 1, username: 'cw', role: 'caseworker' });
    const authorities = await dispatch('geo.localAuthorities', {}, ctx);
    expect(authorities.ok && (authorities.value as { authorities: unknown[] }).authorities).toHaveLength(331);
    expect(authorities).toMatchObject({ ok: true, value: { populationYear: 'mid-2020' } });
    const population = await dispatch('geo.sectorPopulation', { sectors: ['M14 4', 'EH1 1', 'unknown'] }, ctx);
    expect(population).toMatchObject({
      ok: true,
      value: {
        year: 'mid-2020',
        sectors: [
          { sector: 'M14 4', mainAuthority: { code: 'E08000003', name: 'Manchester' }, mainShare: 1 },
          { sector: 'EH1 1', residents: null, mainAuthority: null },
          { sector: 'unknown', residents: null },
        ],
      },
    });
    expect(await dispatch('area.setOurArea', { codes: ['E08000003'] }, ctx)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('imports files by path and uploads as one batch, working out distinct people once at its end', async () => {
    const ctx = context('electron');
    const months = lastMonths(3);
    const bundle = async (id: string, key: ReturnType<typeof newKey>) =>
      bundleOf({
        org: { id, name: id },
        key,
        from: months[0]!,
        to: months[2]!,
        sequence: 1,
        rows: { presentations: constructedRows('PR1 2', 'money-debt', 'X', months, [20, 22, 30]), outcomes: [] },
      });
    const [keyA, keyB] = [newKey(), newKey()];
    for (const key of [keyA, keyB]) await dispatch('area.trust', { publicKeyPem: key.publicKeyPem, name: 'x' }, ctx);
    const file = path.join(tempDir(), 'a.needmap-bundle');
    fs.writeFileSync(file, (await bundle('org-a', keyA)).file);
    const upload = { name: 'b.needmap-bundle', base64: (await bundle('org-b', keyB)).file.toString('base64') };
    // Count the refreshes: each one stamps derived_versions.
    const sqlite = ctx.areaDb!.get().sqlite;
    sqlite.exec(`CREATE TEMP TABLE refreshes (n INTEGER);
      CREATE TEMP TRIGGER count_insert AFTER INSERT ON main.derived_versions BEGIN INSERT INTO refreshes VALUES (1); END;
      CREATE TEMP TRIGGER count_update AFTER UPDATE ON main.derived_versions BEGIN INSERT INTO refreshes VALUES (1); END;`);
    const imported = await dispatch('area.import', { paths: [file], files: [upload] }, ctx);
    expect(imported).toMatchObject({
      ok: true,
      value: [
        { outcome: 'accepted', organisationId: 'org-a' },
        { outcome: 'accepted', organisationId: 'org-b' },
      ],
    });
    expect(sqlite.prepare('SELECT COUNT(*) FROM refreshes').pluck().get()).toBe(1);
    expect(sqlite.prepare("SELECT as_of_bundle_id FROM derived_versions WHERE name = 'distinct-people'").pluck().get()).toBe(
      sqlite.prepare('SELECT MAX(id) FROM imported_bundles').pluck().get(),
    );
  });
});
