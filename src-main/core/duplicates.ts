/**
 * Duplicate detection within one organisation: before a new client is saved, find existing
 * clients who are probably the same person (same external ID, or same date of birth and a
 * similar name — typos and swapped first/last names included).
 */
import { distance } from 'fastest-levenshtein';

export interface PersonForMatching {
  id: number;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  externalId: string | null;
}

export interface DuplicateCandidate {
  id: number;
  reason: 'same-external-id' | 'same-dob-similar-name';
  /** 0..1, 1 = identical names */
  nameSimilarity: number;
}

/** Lower case, accents removed, only letters kept: "  O'Brien-Smith " → "obriensmith". */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

export function normaliseExternalId(id: string): string {
  return id.replace(/[\s-]/g, '').toUpperCase();
}

/** Levenshtein similarity in 0..1 of two already-normalised strings. */
export function similarity(a: string, b: string): number {
  if (a.length === 0 && b.length === 0) return 1;
  return 1 - distance(a, b) / Math.max(a.length, b.length);
}

/** Name similarity that forgives first/last names entered the wrong way round. */
export function nameSimilarity(a: { firstName: string; lastName: string }, b: { firstName: string; lastName: string }): number {
  const [af, al, bf, bl] = [a.firstName, a.lastName, b.firstName, b.lastName].map(normaliseName) as [string, string, string, string];
  const straight = similarity(af + ' ' + al, bf + ' ' + bl);
  const swapped = similarity(af + ' ' + al, bl + ' ' + bf);
  return Math.max(straight, swapped);
}

/** Names at least this similar, with the same date of birth, are offered as a probable duplicate. */
export const NAME_SIMILARITY_THRESHOLD = 0.75;

export function findProbableDuplicates(candidate: Omit<PersonForMatching, 'id'>, existing: Iterable<PersonForMatching>): DuplicateCandidate[] {
  const externalId = candidate.externalId ? normaliseExternalId(candidate.externalId) : null;
  const found: DuplicateCandidate[] = [];
  for (const person of existing) {
    const sim = nameSimilarity(candidate, person);
    if (externalId && person.externalId && normaliseExternalId(person.externalId) === externalId) {
      found.push({ id: person.id, reason: 'same-external-id', nameSimilarity: sim });
    } else if (person.dateOfBirth === candidate.dateOfBirth && sim >= NAME_SIMILARITY_THRESHOLD) {
      found.push({ id: person.id, reason: 'same-dob-similar-name', nameSimilarity: sim });
    }
  }
  return found.sort((x, y) => y.nameSimilarity - x.nameSimilarity);
}
