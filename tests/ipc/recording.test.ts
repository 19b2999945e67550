import { describe, expect, it } from 'vitest';
import { dispatch } from '../helpers.ts';
import { aClient, callOk, testContext } from '../helpers.ts';

describe('recording through the contract', () => {
  it('refuses bad input with messages keyed by field, and saves nothing', async () => {
    const ctx = testContext();
    const result = await dispatch(
      'clients.create',
      { client: { ...aClient, firstName: '  ', postcode: 'PR1 2A', dateOfBirth: '1984-02-30', externalIdType: 'nhs', externalId: '9434765918' } },
      ctx,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.fieldErrors['client.firstName']).toEqual(['Enter the first name.']);
    expect(result.error.fieldErrors['client.postcode']).toEqual(['PR1 2A is not a complete postcode.']);
    expect(result.error.fieldErrors['client.dateOfBirth']).toEqual(['Enter a date as YYYY-MM-DD.']);
    expect(result.error.fieldErrors['client.externalId']?.[0]).toMatch(/not a valid NHS number/);
    const search = await callOk(ctx, 'clients.search', {});
    expect(search.total).toBe(0);
  });

  it('refuses unknown calls and non-object input', async () => {
    const ctx = testContext();
    expect(await dispatch('clients.drop', {}, ctx)).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(await dispatch('clients.get', 'nope', ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await dispatch('clients.get', { id: 999 }, ctx)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('creates a client, warns about a probable duplicate, and creates it anyway once confirmed', async () => {
    const ctx = testContext();
    const first = await callOk(ctx, 'clients.create', { client: aClient });
    expect(first.kind).toBe('created');
    const again = await callOk(ctx, 'clients.create', { client: { ...aClient, firstName: 'Nowak', lastName: 'Marai' } });
    expect(again.kind).toBe('possible-duplicates');
    if (again.kind !== 'possible-duplicates' || first.kind !== 'created') return;
    expect(again.matches.map((m) => m.client.id)).toEqual([first.id]);
    expect((await callOk(ctx, 'clients.search', {})).total).toBe(1);
    const forced = await callOk(ctx, 'clients.create', { client: { ...aClient, firstName: 'Nowak', lastName: 'Marai' }, confirmedNotDuplicate: true });
    expect(forced.kind).toBe('created');
    expect((await callOk(ctx, 'clients.search', {})).total).toBe(2);
  });

  it('searches by name in any order, by ID and by postcode with or without its space', async () => {
    const ctx = testContext();
    await callOk(ctx, 'clients.create', { client: { ...aClient, externalIdType: 'nhs', externalId: '943 476 5919' } });
    await callOk(ctx, 'clients.create', { client: { ...aClient, firstName: 'Kwame', lastName: 'Mensah', dateOfBirth: '1990-05-05', postcode: 'DT1 1AA' } });
    const names = async (query: string) => (await callOk(ctx, 'clients.search', { query })).items.map((c) => c.lastName);
    expect(await names('maria nowak')).toEqual(['Nowak']);
    expect(await names('nowak maria')).toEqual(['Nowak']);
    expect(await names('9434765919')).toEqual(['Nowak']);
    expect(await names('dt11aa')).toEqual(['Mensah']);
    expect(await names('DT1 1AA')).toEqual(['Mensah']);
    expect(await names('50%')).toEqual([]);
  });

  it('records a contact with issues in and out of remit, then follows a status over time', async () => {
    const ctx = testContext();
    const created = await callOk(ctx, 'clients.create', { client: aClient });
    if (created.kind !== 'created') throw new Error('not created');
    const [inRemit, outside] = ctx.taxonomy.issues;
    const contact = await callOk(ctx, 'contacts.record', {
      clientId: created.id,
      contactDate: '2026-10-01',
      kind: 'drop_in',
      staffName: 'Sam Reid',
      note: 'First visit',
      issues: [
        { issueCode: inRemit!.code, withinRemit: true, referredTo: '' },
        { issueCode: outside!.code, withinRemit: false, referredTo: 'GP surgery' },
      ],
    });
    expect(contact.clientIssueIds).toHaveLength(2);
    await callOk(ctx, 'issues.changeStatus', { clientIssueId: contact.clientIssueIds[0]!, status: 'in_progress', changedOn: '2026-10-05' });
    await callOk(ctx, 'issues.changeStatus', { clientIssueId: contact.clientIssueIds[0]!, status: 'resolved', changedOn: '2026-11-01' });

    const detail = await callOk(ctx, 'clients.get', { id: created.id });
    const [a, b] = [detail.issues.find((i) => i.issueCode === inRemit!.code)!, detail.issues.find((i) => i.issueCode === outside!.code)!];
    expect(a.status).toBe('resolved');
    expect(a.events.map((e) => [e.status, e.changedOn])).toEqual([
      ['identified', '2026-10-01'],
      ['in_progress', '2026-10-05'],
      ['resolved', '2026-11-01'],
    ]);
    expect(b).toMatchObject({ status: 'referred', withinRemit: false, referredTo: 'GP surgery' });
    expect(detail.contacts[0]).toMatchObject({ note: 'First visit', issueIds: contact.clientIssueIds });
    expect((await callOk(ctx, 'clients.search', {})).items[0]!.openIssues).toBe(1);

    // A change dated before the last one would rewrite history: refused at the date field.
    const backdated = await dispatch('issues.changeStatus', { clientIssueId: a.id, status: 'in_progress', changedOn: '2026-10-20' }, ctx);
    expect(backdated).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (!backdated.ok) expect(Object.keys(backdated.error.fieldErrors)).toEqual(['changedOn']);
    // Reopening after resolution is allowed and dated.
    await callOk(ctx, 'issues.changeStatus', { clientIssueId: a.id, status: 'in_progress', changedOn: '2026-11-10' });
    expect((await callOk(ctx, 'clients.get', { id: created.id })).issues.find((i) => i.id === a.id)!.status).toBe('in_progress');
  });

  it('an issue outside remit must say where the client was referred; an unknown code saves nothing', async () => {
    const ctx = testContext();
    const created = await callOk(ctx, 'clients.create', { client: aClient });
    if (created.kind !== 'created') throw new Error('not created');
    const code = ctx.taxonomy.issues[0]!.code;
    const base = { clientId: created.id, contactDate: '2026-10-01', kind: 'appointment', staffName: 'Jo' } as const;
    const missingReferral = await dispatch('contacts.record', { ...base, issues: [{ issueCode: code, withinRemit: false, referredTo: '' }] }, ctx);
    expect(missingReferral).toMatchObject({ ok: false, error: { fieldErrors: { 'issues.0.referredTo': [expect.stringMatching(/referred/)] } } });
    const unknown = await dispatch(
      'contacts.record',
      {
        ...base,
        issues: [
          { issueCode: code, withinRemit: true },
          { issueCode: 'XXX-NOPE', withinRemit: true },
        ],
      },
      ctx,
    );
    expect(unknown).toMatchObject({ ok: false, error: { fieldErrors: { 'issues.1.issueCode': [expect.stringMatching(/not in the issue taxonomy/)] } } });
    const detail = await callOk(ctx, 'clients.get', { id: created.id });
    expect(detail.contacts).toEqual([]);
    expect(detail.issues).toEqual([]);
  });
});
