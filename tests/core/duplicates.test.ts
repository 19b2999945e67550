import { describe, expect, it } from 'vitest';
import { findProbableDuplicates, nameSimilarity, normaliseName } from '../../src-main/core/duplicates.ts';
import { isValidNhsNumber } from '../../src-main/core/nhs-number.ts';

const existing = [
  { id: 1, firstName: 'Maria', lastName: 'Nowak', dateOfBirth: '1984-03-12', externalId: null },
  { id: 2, firstName: 'John', lastName: 'Smith', dateOfBirth: '1990-01-01', externalId: '9434765919' },
  { id: 3, firstName: 'Maria', lastName: 'Nowak', dateOfBirth: '1984-03-13', externalId: null },
];

describe('duplicate detection', () => {
  it('normalises accents, case and punctuation', () => {
    expect(normaliseName("  O'Brién-Smith ")).toBe('obriensmith');
  });

  it('finds the same date of birth with a typo in the name', () => {
    const found = findProbableDuplicates({ firstName: 'Marai', lastName: 'Nowak', dateOfBirth: '1984-03-12', externalId: null }, existing);
    expect(found.map((f) => f.id)).toEqual([1]);
    expect(found[0]!.reason).toBe('same-dob-similar-name');
  });

  it('forgives first and last names swapped', () => {
    expect(nameSimilarity({ firstName: 'Nowak', lastName: 'Maria' }, { firstName: 'Maria', lastName: 'Nowak' })).toBe(1);
    const found = findProbableDuplicates({ firstName: 'Nowak', lastName: 'Maria', dateOfBirth: '1984-03-12', externalId: null }, existing);
    expect(found.map((f) => f.id)).toEqual([1]);
  });

  it('does not match a different person born the same day', () => {
    const found = findProbableDuplicates({ firstName: 'Peter', lastName: 'Okafor', dateOfBirth: '1984-03-12', externalId: null }, existing);
    expect(found).toEqual([]);
  });

  it('does not match the same name with another date of birth unless an ID agrees', () => {
    expect(findProbableDuplicates({ firstName: 'John', lastName: 'Smith', dateOfBirth: '1991-01-01', externalId: null }, existing)).toEqual([]);
    const byId = findProbableDuplicates({ firstName: 'Jon', lastName: 'Smyth', dateOfBirth: '1991-01-01', externalId: '943 476 5919' }, existing);
    expect(byId).toHaveLength(1);
    expect(byId[0]).toMatchObject({ id: 2, reason: 'same-external-id' });
  });
});

describe('NHS numbers', () => {
  it('accepts valid check digits with or without spaces', () => {
    expect(isValidNhsNumber('943 476 5919')).toBe(true);
    expect(isValidNhsNumber('9434765919')).toBe(true);
  });
  it('refuses a wrong check digit, wrong length or letters', () => {
    expect(isValidNhsNumber('9434765918')).toBe(false);
    expect(isValidNhsNumber('943476591')).toBe(false);
    expect(isValidNhsNumber('94347659AB')).toBe(false);
  });
});
