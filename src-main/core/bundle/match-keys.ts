/**
 * Match keys for de-duplicating people across organisations without identities leaving (the
 * optional `matchKeys` section of a bundle; docs/bundle-format.md §5). For each person seen in a
 * quarter: one HMAC-SHA256 per identifier type, keyed by a per-quarter key derived with HKDF from
 * the shared area linkage key, so the same person gets the same value at every organisation in
 * that quarter, and unrelated values in any other quarter. Pure: node:crypto only.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { isValidNhsNumber } from '../nhs-number.ts';
import { addToCellKey, type DisclosurePolicy } from './disclosure.ts';
import { SUPPRESSED, type MatchKeySection } from './schema.ts';

export const MATCH_KEY_ALGORITHM = 'HMAC-SHA256/HKDF-SHA256' as const;

/** The identifier types, in the order every row's `keys` follows. Every organisation must use the same names. */
export const MATCH_KEY_TYPES = ['name-dob', 'surname-soundex-initial-dob', 'nhs-number'] as const;
export type MatchKeyType = (typeof MATCH_KEY_TYPES)[number];

export const MATCH_KEY_NOTICE =
  'Pseudonymised personal data (UK GDPR): keyed hashes of names, dates of birth and NHS numbers. ' +
  'Share only under a data-sharing agreement between the contributing organisations and the receiver; ' +
  'the receiver must never hold the area linkage key.';

export const LINKAGE_KEY_MIN_LENGTH = 32;
export const LINKAGE_KEY_MAX_LENGTH = 1024;

/** HKDF "info" strings: one per quarter for the HMAC keys, one for the public key id. */
export const QUARTER_KEY_INFO_PREFIX = 'needmap match key ';
export const KEY_ID_INFO = 'needmap linkage key id';

/**
 * The area linkage key as typed or read from a file: surrounding whitespace dropped, Unicode NFC.
 * At least 32 characters, so it cannot be a guessable word (e.g. `openssl rand -base64 32`).
 */
export const LinkageKey = z
  .string({ message: 'Enter the area linkage key.' })
  .transform((s) => s.trim().normalize('NFC'))
  .pipe(
    z
      .string()
      .min(LINKAGE_KEY_MIN_LENGTH, {
        message: `The area linkage key must be at least ${LINKAGE_KEY_MIN_LENGTH} characters (make one with: openssl rand -base64 32, and share it with the other organisations only).`,
      })
      .max(LINKAGE_KEY_MAX_LENGTH, { message: `The area linkage key is at most ${LINKAGE_KEY_MAX_LENGTH} characters.` })
      .regex(/^[^\p{Cc}]+$/u, { message: 'The area linkage key must be on one line, without control characters.' }),
  );

function hkdf(linkageKey: string, info: string): Buffer {
  // RFC 5869 with an empty salt (= 32 zero bytes): the linkage key is already high-entropy.
  return Buffer.from(crypto.hkdfSync('sha256', Buffer.from(linkageKey, 'utf8'), Buffer.alloc(0), info, 32));
}

/** Names which linkage key was used without revealing it: first 16 hex digits of SHA-256(HKDF(key, "needmap linkage key id")). */
export function linkageKeyId(linkageKey: string): string {
  return crypto.createHash('sha256').update(hkdf(linkageKey, KEY_ID_INFO)).digest('hex').slice(0, 16);
}

/** The HMAC key for one quarter ("2026-Q1"): keys of different quarters are unrelated. */
export function quarterKey(linkageKey: string, quarter: string): Buffer {
  return hkdf(linkageKey, QUARTER_KEY_INFO_PREFIX + quarter);
}

/** Letters that Unicode decomposition leaves alone, spelt as people type them without the accent. */
const UNDECOMPOSABLE: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
};

/**
 * A name as compared: accents removed (NFKD, combining marks dropped), lower case, and only
 * letters and digits kept — so "O'Brien", "o brien", "OBRIEN" and "Ó Briain"-style typing variants
 * of the same spelling agree. Letters of every script are kept, so non-Latin names do not collapse to "".
 */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþıħŧ]/g, (c) => UNDECOMPOSABLE[c]!)
    .replace(/[^\p{L}\p{N}]/gu, '');
}

const SOUNDEX_CODES: Readonly<Record<string, string>> = {
  b: '1',
  f: '1',
  p: '1',
  v: '1',
  c: '2',
  g: '2',
  j: '2',
  k: '2',
  q: '2',
  s: '2',
  x: '2',
  z: '2',
  d: '3',
  t: '3',
  l: '4',
  m: '5',
  n: '5',
  r: '6',
  a: '0',
  e: '0',
  i: '0',
  o: '0',
  u: '0',
  y: '0',
  h: '',
  w: '',
};

/**
 * American Soundex as specified by the US National Archives (NARA, "The Soundex Indexing
 * System", 2007): first letter kept; b f p v → 1, c g j k q s x z → 2, d t → 3, l → 4, m n → 5,
 * r → 6; adjacent letters with the same code (including the first letter's) count once, also
 * when separated by h or w; vowels and y separate; padded or cut to four characters.
 * Written here because no phonetic-algorithm library is installed; Soundex is fully specified,
 * short, and checked against NARA's published examples in tests/bundle/match-keys.test.ts.
 * Only the letters a–z count; a name with none gets "".
 */
export function soundex(name: string): string {
  const letters = name.toLowerCase().replace(/[^a-z]/g, '');
  if (letters.length === 0) return '';
  let code = letters[0]!.toUpperCase();
  let previous = SOUNDEX_CODES[letters[0]!]!;
  for (const letter of letters.slice(1)) {
    const digit = SOUNDEX_CODES[letter]!;
    if (digit === '') continue; // h and w do not separate letters with the same code
    if (digit !== '0' && digit !== previous) code += digit;
    previous = digit;
    if (code.length === 4) break;
  }
  return code.padEnd(4, '0');
}

/** The identifiers of one person seen in one quarter, straight from the case record. */
export interface MatchKeyPerson {
  quarter: string;
  district: string | null;
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
  externalIdType: string | null;
  externalId: string | null;
  /** Erased clients keep a row (they were seen) but no identifier is keyed. */
  erased: boolean;
  /** The client's random record key (never exported): the rows of a district × quarter get their cell key from it. */
  recordKey: number;
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** Separates the fields inside an HMAC message, so ("ab", "c") and ("a", "bc") differ. */
const FIELD_SEPARATOR = '\u001f';

/** The normalised fields each key type hashes, or null where that identifier is not recorded. */
export function matchKeyFields(person: MatchKeyPerson): Record<MatchKeyType, string[] | null> {
  if (person.erased) return { 'name-dob': null, 'surname-soundex-initial-dob': null, 'nhs-number': null };
  const first = normaliseName(person.firstName);
  const last = normaliseName(person.lastName);
  const dob = ISO_DATE.test(person.dateOfBirth) ? person.dateOfBirth : null;
  const surnameCode = soundex(last);
  const nhs = person.externalIdType === 'nhs' && person.externalId && isValidNhsNumber(person.externalId) ? person.externalId.replace(/\D/g, '') : null;
  return {
    'name-dob': first && last && dob ? [first, last, dob] : null,
    // The clients table records no sex, so this key is surname code + first initial + date of birth only.
    'surname-soundex-initial-dob': surnameCode && first && dob ? [surnameCode, String.fromCodePoint(first.codePointAt(0)!), dob] : null,
    'nhs-number': nhs ? [nhs] : null,
  };
}

/** One base64url HMAC-SHA256 per key type, in MATCH_KEY_TYPES order; "" where not recorded. */
export function matchKeysFor(person: MatchKeyPerson, hmacKey: Buffer): string[] {
  const fields = matchKeyFields(person);
  return MATCH_KEY_TYPES.map((type) => {
    const values = fields[type];
    if (!values) return '';
    // The type is part of the message, so values of one type can never equal another type's.
    const message = [type, ...values].join(FIELD_SEPARATOR);
    return crypto.createHmac('sha256', hmacKey).update(message, 'utf8').digest('base64url');
  });
}

export interface MatchKeyOptions {
  /** The bundle's disclosure policy: each district × quarter gets as many rows as the policy publishes for its people. */
  policy: DisclosurePolicy;
  /** Padding rows are derived from it, so two organisations' padding never agrees. */
  organisationId: string;
  /** Quarters wholly inside the export: the only ones with rows (a part-quarter would count people per month). */
  wholeQuarters: readonly string[];
}

/** Padding rows' keys: HMACs under the quarter key of a message no person's identifiers can produce. */
const PADDING_LABEL = 'needmap padding row';

function paddingKeys(hmacKey: Buffer, organisationId: string, district: string, index: number): string[] {
  const mac = (label: string) =>
    crypto
      .createHmac('sha256', hmacKey)
      .update([PADDING_LABEL, organisationId, district, String(index), label].join(FIELD_SEPARATOR), 'utf8')
      .digest();
  // Like people's rows, not every padding row has an NHS number.
  const hasNhsNumber = (mac('nhs-number?')[0]! & 1) === 1;
  return MATCH_KEY_TYPES.map((type) => (type === 'nhs-number' && !hasNhsNumber ? '' : mac(type).toString('base64url')));
}

type Row = MatchKeySection['rows'][number];
const sortId = (r: Row) => `${r.quarter}\u0000${r.district}\u0000${r.keys.join('\u0000')}`;

function sortRows(rows: Row[]): Row[] {
  const ids = new Map(rows.map((r) => [r, sortId(r)]));
  return rows.sort((a, b) => (ids.get(a)! < ids.get(b)! ? -1 : ids.get(a)! > ids.get(b)! ? 1 : 0));
}

/**
 * The bundle's `matchKeys` section: rows for the people seen in each whole quarter, carrying only
 * the postcode district and quarter. The number of rows per district × quarter is a count of
 * people like any other, so it is protected like any other: it is the count the bundle's policy
 * publishes for those people, with their own cell key (cell-key: true count plus the ptable's
 * noise; nhs-england: none when 1–7, else rounded to 5). Where that is fewer than the people,
 * the rows last in key order are left out; where more, padding rows are added whose keys are
 * HMACs under the same quarter key, unrelated to any person and to other organisations'. The same
 * people always give the same rows, so re-exports cannot be differenced. Rows are sorted by
 * quarter, district and the keys themselves, so their order reveals nothing about the records.
 */
export function buildMatchKeySection(linkageKey: string, people: readonly MatchKeyPerson[], options: MatchKeyOptions): MatchKeySection {
  const whole = new Set(options.wholeQuarters);
  const keyOfQuarter = new Map<string, Buffer>();
  const groups = new Map<string, { quarter: string; district: string; hmacKey: Buffer; rows: Row[]; seen: Set<string>; cellKey: number }>();
  for (const person of people) {
    if (!whole.has(person.quarter)) continue;
    let hmacKey = keyOfQuarter.get(person.quarter);
    if (!hmacKey) keyOfQuarter.set(person.quarter, (hmacKey = quarterKey(linkageKey, person.quarter)));
    const district = person.district ?? 'unknown';
    const id = `${person.quarter}\u0000${district}`;
    const group = groups.get(id) ?? groups.set(id, { quarter: person.quarter, district, hmacKey, rows: [], seen: new Set(), cellKey: 0 }).get(id)!;
    const keys = matchKeysFor(person, hmacKey);
    // Two records with every identifier equal are one person (a duplicate record): one row.
    const identity = keys.join('\u0000');
    if (keys.some((k) => k !== '')) {
      if (group.seen.has(identity)) continue;
      group.seen.add(identity);
    }
    group.rows.push({ quarter: person.quarter, district, keys });
    group.cellKey = addToCellKey(group.cellKey, person.recordKey);
  }
  const rows: Row[] = [];
  for (const group of groups.values()) {
    const published = options.policy.protect({ value: group.rows.length, cellKey: group.cellKey });
    const target = published === SUPPRESSED ? 0 : published;
    const kept = sortRows(group.rows).slice(0, target);
    for (let i = 0; kept.length < target; i++) {
      kept.push({ quarter: group.quarter, district: group.district, keys: paddingKeys(group.hmacKey, options.organisationId, group.district, i) });
    }
    rows.push(...kept);
  }
  return {
    notice: MATCH_KEY_NOTICE,
    algorithm: MATCH_KEY_ALGORITHM,
    linkageKeyId: linkageKeyId(linkageKey),
    keyTypes: [...MATCH_KEY_TYPES],
    rows: sortRows(rows),
  };
}
