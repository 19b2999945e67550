/** The organisation's "area of deprivation" threshold: a setting admins change and everyone's badges follow. */
import { describe, expect, it } from 'vitest';
import { dispatch, sessionOf } from '../helpers.ts';
import { callOk, testContext } from '../helpers.ts';

describe('deprivation threshold setting', () => {
  it('defaults to deciles 1–2, is changed by an admin, and lookups follow it', async () => {
    const ctx = testContext();
    expect(await callOk(ctx, 'geo.settings', {})).toEqual({ deprivationThreshold: 2, defaultThreshold: 2, iodEdition: 'IoD2025', defaultEdition: 'IoD2025' });
    // M13 9AS is in a decile-2 neighbourhood by IoD2025 (E01034119, rank 4962).
    expect((await callOk(ctx, 'geo.lookup', { postcode: 'M13 9AS' })).deprivation).toMatchObject({ imdDecile: 2, deprived: true });

    await callOk(ctx, 'settings.deprivationThreshold', { deprivationThreshold: 1 });
    expect((await callOk(ctx, 'geo.settings', {})).deprivationThreshold).toBe(1);
    expect((await callOk(ctx, 'geo.lookup', { postcode: 'M13 9AS' })).deprivation).toMatchObject({ deprived: false, badge: null });
    // An explicit threshold in the call still wins.
    expect((await callOk(ctx, 'geo.lookup', { postcode: 'M13 9AS', threshold: 3 })).deprivation).toMatchObject({ deprived: true });

    const bad = await dispatch('settings.deprivationThreshold', { deprivationThreshold: 11 }, ctx);
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', fieldErrors: { deprivationThreshold: ['Choose a decile from 1 to 10.'] } } });
  });

  it('a caseworker reads the threshold and edition but cannot change them', async () => {
    const ctx = testContext();
    sessionOf(ctx).user = { ...sessionOf(ctx).user!, role: 'caseworker' };
    expect((await callOk(ctx, 'geo.settings', {})).deprivationThreshold).toBe(2);
    expect(await dispatch('settings.deprivationThreshold', { deprivationThreshold: 1 }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'forbidden', reason: 'role' },
    });
    expect(await dispatch('settings.iodEdition', { iodEdition: 'IoD2019' }, ctx)).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'role' } });
  });
});
