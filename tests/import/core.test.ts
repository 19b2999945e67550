/** The import's pure core: dates as people type them, headers proposed, issue phrases matched through the taxonomy. */
import { describe, expect, it } from 'vitest';
import { loadTaxonomy } from '../../src-main/app-context.ts';
import { fromExcelSerial, readDate } from '../../src-main/core/import/dates.ts';
import { matchPhrases, splitPhrases } from '../../src-main/core/import/issue-phrases.ts';
import { IGNORE_COLUMN, ImportMapping, columnsFor, proposeColumns } from '../../src-main/core/import/mapping.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';

const taxonomy = loadTaxonomy(defaultAppPaths());
const today = new Date('2026-06-01T00:00:00Z');

describe('readDate', () => {
  it.each([
    ['04/03/1980', '1980-03-04'],
    ['4-3-80', '1980-03-04'],
    ['4.3.1980', '1980-03-04'],
    ['1980-03-04', '1980-03-04'],
    ['1980-03-04T00:00:00Z', '1980-03-04'],
    ['4 March 1980', '1980-03-04'],
    ['March 4, 1980', '1980-03-04'],
    ['29284', '1980-03-04'],
    [29284, '1980-03-04'],
    ['4/3/25', '2025-03-04'],
  ])('reads %s day-first as %s', (text, iso) => {
    const read = readDate(text, 'day-first', { today });
    expect(read).toMatchObject({ ok: true, iso });
  });

  it('reads month-first when asked, and lists the other reading of an ambiguous date', () => {
    expect(readDate('04/03/1980', 'month-first')).toMatchObject({ ok: true, iso: '1980-04-03', alternative: '1980-03-04' });
    expect(readDate('04/03/1980')).toMatchObject({ ok: true, alternative: '1980-04-03', settlesOrder: false });
    expect(readDate('25/03/1980')).toMatchObject({ ok: true, iso: '1980-03-25', alternative: null, settlesOrder: true });
  });

  it('refuses what is not a real date, saying why', () => {
    expect(readDate('31/02/1990')).toEqual({ ok: false, reason: '31/02/1990 is not a real date.' });
    const us = readDate('03/25/1980');
    expect(us.ok).toBe(false);
    expect(!us.ok && us.reason).toContain('1980-03-25 the other way round');
    expect(readDate('last Tuesday')).toMatchObject({ ok: false });
    expect(readDate('')).toMatchObject({ ok: false, reason: 'The date is empty.' });
  });

  it('counts Excel serials from 1900 (and 1904 for old Mac workbooks)', () => {
    expect(fromExcelSerial(1)).toBe('1900-01-01');
    expect(fromExcelSerial(61)).toBe('1900-03-01');
    expect(fromExcelSerial(1, true)).toBe('1904-01-02');
  });
});

describe('column proposals', () => {
  it('proposes targets from common header wordings, each target once', () => {
    const proposed = proposeColumns([
      'Forename',
      'SURNAME',
      'D.O.B.',
      'Post Code',
      'Tel',
      'E-mail',
      'NHS No',
      'Date seen',
      'Presenting issues',
      'Outcome',
      'Referred to',
      'Shoe size',
      'Surname',
    ]);
    expect(proposed).toEqual({
      Forename: 'client.firstName',
      SURNAME: 'client.lastName',
      'D.O.B.': 'client.dateOfBirth',
      'Post Code': 'client.postcode',
      Tel: 'client.phone',
      'E-mail': 'client.email',
      'NHS No': 'client.nhsNumber',
      'Date seen': 'contact.contactDate',
      'Presenting issues': 'issue.issueCode',
      Outcome: 'status.status',
      'Referred to': 'issue.referredTo',
      'Shoe size': IGNORE_COLUMN,
      Surname: IGNORE_COLUMN,
    });
    expect(proposeColumns(['Full name', 'DOB'])).toEqual({ 'Full name': 'client.fullName', DOB: 'client.dateOfBirth' });
  });

  it('keeps what the mapping says and what was chosen before', () => {
    const mapping = ImportMapping.parse({ columns: { Name: 'client.lastName' } });
    expect(columnsFor(['Name', 'Given'], mapping, { columns: { given: 'client.firstName' }, issues: {} })).toEqual({
      Name: 'client.lastName',
      Given: 'client.firstName',
    });
    expect(ImportMapping.safeParse({ columns: { Name: 'client.shoeSize' } }).success).toBe(false);
    expect(ImportMapping.safeParse({ issues: { debt: 'lots' } }).success).toBe(false);
  });
});

describe('issue phrases', () => {
  it('matches each distinct phrase once, through codes, names and synonyms; leaves the unknown unmatched', () => {
    const phrases = matchPhrases(['Debt', 'debt; loneliness', 'pets', 'MON-PROBLEM-DEBT'], taxonomy);
    const byPhrase = Object.fromEntries(phrases.map((p) => [p.phrase.toLowerCase(), p]));
    expect(byPhrase['debt']).toMatchObject({ proposed: 'MON-PROBLEM-DEBT', confidence: 'exact', rows: 2 });
    expect(byPhrase['loneliness']).toMatchObject({ proposed: 'ISO-LONELINESS', confidence: 'exact' });
    expect(byPhrase['pets']).toMatchObject({ proposed: null, confidence: 'none', chosen: null });
    expect(byPhrase['mon-problem-debt']).toMatchObject({ proposed: 'MON-PROBLEM-DEBT', confidence: 'exact' });
    // The user's answer wins over the proposal.
    const answered = matchPhrases(['pets'], taxonomy, { pets: 'not-an-issue' });
    expect(answered[0]).toMatchObject({ chosen: 'not-an-issue' });
  });

  it('splits "debt & loneliness" into two issues only when each piece is one', () => {
    expect(splitPhrases('debt & loneliness', taxonomy)).toEqual(['debt', 'loneliness']);
    expect(splitPhrases('food and fuel poverty zzz', taxonomy)).toHaveLength(1);
  });
});
