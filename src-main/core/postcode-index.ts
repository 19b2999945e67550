/**
 * The in-memory postcode index: every postcode as a number (order-preserving base-37 of its
 * letters and digits), sorted, with parallel typed arrays for its neighbourhoods and flags.
 * Loading is a copy of a few typed arrays and a lookup is a binary search, so it loads in
 * milliseconds and serves millions of lookups a second, even for all 2.7M UK postcodes.
 */

/** Where a postcode is, as the ONS `ctry` column says (stored in the low 3 bits of its flags). */
export const COUNTRIES = ['unknown', 'England', 'Wales', 'Scotland', 'Northern Ireland', 'Channel Islands', 'Isle of Man'] as const;
export type Country = (typeof COUNTRIES)[number];
export const COUNTRY_MASK = 0b0111;
export const TERMINATED_FLAG = 0b1000;
/** From an official lookup (ONS NSPL/ONSPD, or a published postcode → LSOA lookup); clear = derived from the postcode's centre point. */
export const OFFICIAL_FLAG = 0b10000;
/** No LSOA recorded for this postcode. */
export const NO_LSOA = 0xffffffff;

const BASE = 37;
const KEY_LENGTH = 7;

function digitOf(code: number): number {
  if (code >= 48 && code <= 57) return code - 47; // 0-9 → 1..10
  if (code >= 65 && code <= 90) return code - 54; // A-Z → 11..36
  if (code >= 97 && code <= 122) return code - 86; // a-z as A-Z
  return -1;
}

/**
 * The index key of a postcode in any spacing or case ("pr12ab", "PR1 2AB"), or -1 if it cannot be
 * one (wrong characters, too long). Pure arithmetic: no strings are built on the lookup path.
 */
export function postcodeKey(postcode: string): number {
  let key = 0;
  let length = 0;
  for (let i = 0; i < postcode.length; i++) {
    const code = postcode.charCodeAt(i);
    if (code === 32) continue;
    const digit = digitOf(code);
    if (digit < 0 || length === KEY_LENGTH) return -1;
    key = key * BASE + digit;
    length++;
  }
  if (length < 5) return -1;
  for (; length < KEY_LENGTH; length++) key *= BASE;
  return key;
}

const ALPHABET = ' 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Keys that share their first three characters: one bucket of the lookup table. */
const BUCKET_SIZE = BASE ** (KEY_LENGTH - 3);
const BUCKETS = BASE ** 3;
const FIRST_LETTER = 11; // digitOf('A')

/** Base-37 value of the letters and digits of `text`, padded to a full key; -1 if it cannot be part of one. */
function paddedValue(text: string): number {
  let key = 0;
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 32) continue;
    const digit = digitOf(code);
    if (digit < 0 || length === KEY_LENGTH) return -1;
    key = key * BASE + digit;
    length++;
  }
  for (; length < KEY_LENGTH; length++) key *= BASE;
  return key;
}

/**
 * The keys a sector's postcodes take: [from, to). A sector's units are its compact form plus two
 * letters, and no other postcode shares that prefix with a letter next, so the range is exact
 * ("M1 4" holds "M1 4AB" but not "M14 4PX", whose next character is a digit).
 */
export function sectorKeyRange(sector: string): [number, number] | null {
  const compact = sector.replace(/\s+/g, '');
  if (compact.length < 3 || compact.length > KEY_LENGTH - 2) return null;
  const base = paddedValue(compact);
  if (base < 0) return null;
  const scale = BASE ** (KEY_LENGTH - compact.length - 2); // the value of the last unit letter
  return [base + FIRST_LETTER * scale * BASE, base + BASE * BASE * scale];
}

/** "M14 4PX" → the key of its sector with the two unit letters cleared (one number per sector). */
export function sectorKeyOf(key: number): number {
  let scale = 1;
  for (let pad = 0; pad < KEY_LENGTH - 5 && (key / scale) % BASE === 0; pad++) scale *= BASE;
  const unit = scale * BASE * BASE;
  return Math.floor(key / unit) * unit;
}

/** The sector ("M14 4") a sectorKeyOf value stands for. */
export function sectorFromKey(sectorKey: number): string {
  let compact = '';
  let rest = sectorKey;
  for (let i = 0; i < KEY_LENGTH; i++) {
    compact = ALPHABET[rest % BASE]! + compact;
    rest = Math.floor(rest / BASE);
  }
  compact = compact.trim();
  return `${compact.slice(0, -1)} ${compact.slice(-1)}`;
}

/** The normalised postcode ("PR1 2AB") a key was made from. */
export function postcodeFromKey(key: number): string {
  let compact = '';
  let rest = key;
  for (let i = 0; i < KEY_LENGTH; i++) {
    compact = ALPHABET[rest % BASE]! + compact;
    rest = Math.floor(rest / BASE);
  }
  compact = compact.trim();
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/** Months since 1900 (plus one, so 0 means "not terminated") from the ONS yyyymm form. */
export function monthNumber(yyyymm: string): number {
  const year = Number(yyyymm.slice(0, 4));
  const month = Number(yyyymm.slice(4, 6));
  return (year - 1900) * 12 + month;
}

export function monthText(monthNo: number): string {
  const year = 1900 + Math.floor((monthNo - 1) / 12);
  const month = ((monthNo - 1) % 12) + 1;
  return new Date(Date.UTC(year, month - 1, 1)).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

export interface PostcodeEntry {
  key: number;
  /** Index into the LSOA code list, or NO_LSOA. */
  lsoa11: number;
  lsoa21: number;
  /** Country (low 3 bits) and TERMINATED_FLAG. */
  flags: number;
  /** monthNumber(doterm), 0 when live. */
  terminatedMonth: number;
}

export class PostcodeIndex {
  constructor(
    readonly keys: Float64Array,
    readonly lsoa11: Uint32Array,
    readonly lsoa21: Uint32Array,
    readonly flags: Uint8Array,
    readonly terminatedMonth: Uint16Array,
  ) {
    const n = keys.length;
    if (lsoa11.length !== n || lsoa21.length !== n || flags.length !== n || terminatedMonth.length !== n) {
      throw new Error('The postcode index is damaged: its arrays differ in length.');
    }
  }

  get size(): number {
    return this.keys.length;
  }

  /** The first position whose key is at least `key`. */
  lowerBound(key: number): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Positions [from, to) of a sector's postcodes ("PR1 2"); empty when none. */
  sectorRange(sector: string): [number, number] {
    const range = sectorKeyRange(sector);
    if (!range) return [0, 0];
    return [this.lowerBound(range[0]), this.lowerBound(range[1])];
  }

  /** True when the data has a postcode in the district ("TD15") for which `test(position)` holds. */
  districtHas(district: string, test: (at: number) => boolean): boolean {
    for (let digit = 0; digit <= 9; digit++) {
      const [from, to] = this.sectorRange(`${district} ${digit}`);
      for (let i = from; i < to; i++) if (test(i)) return true;
    }
    return false;
  }

  /**
   * Where each postcode's first three characters start in `keys` (37³ buckets): a lookup then
   * searches a few hundred neighbouring keys instead of all 2.4M, which keeps it in the CPU cache.
   * Made on the first lookup (about 10 ms), not at load.
   */
  private buckets: Uint32Array | null = null;

  private bucketStarts(): Uint32Array {
    if (this.buckets) return this.buckets;
    const starts = new Uint32Array(BUCKETS + 1);
    const keys = this.keys;
    let at = 0;
    for (let b = 0; b <= BUCKETS; b++) {
      while (at < keys.length && Math.floor(keys[at]! / BUCKET_SIZE) < b) at++;
      starts[b] = at;
    }
    return (this.buckets = starts);
  }

  /** Position of the postcode in the index, or -1. */
  find(postcode: string): number {
    const key = postcodeKey(postcode);
    if (key < 0) return -1;
    const keys = this.keys;
    const starts = this.buckets ?? this.bucketStarts();
    const bucket = Math.floor(key / BUCKET_SIZE);
    let lo = starts[bucket]!;
    let hi = starts[bucket + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid]!;
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  entry(at: number): PostcodeEntry {
    return {
      key: this.keys[at]!,
      lsoa11: this.lsoa11[at]!,
      lsoa21: this.lsoa21[at]!,
      flags: this.flags[at]!,
      terminatedMonth: this.terminatedMonth[at]!,
    };
  }

  /** Builds an index from entries in any order; a later entry for the same key replaces an earlier one. */
  static fromEntries(entries: Iterable<PostcodeEntry>): PostcodeIndex {
    const byKey = new Map<number, PostcodeEntry>();
    for (const e of entries) byKey.set(e.key, e);
    const sorted = [...byKey.values()].sort((a, b) => a.key - b.key);
    const n = sorted.length;
    const index = new PostcodeIndex(new Float64Array(n), new Uint32Array(n), new Uint32Array(n), new Uint8Array(n), new Uint16Array(n));
    sorted.forEach((e, i) => {
      index.keys[i] = e.key;
      index.lsoa11[i] = e.lsoa11;
      index.lsoa21[i] = e.lsoa21;
      index.flags[i] = e.flags;
      index.terminatedMonth[i] = e.terminatedMonth;
    });
    return index;
  }

  *entries(): IterableIterator<PostcodeEntry> {
    for (let i = 0; i < this.keys.length; i++) yield this.entry(i);
  }
}
