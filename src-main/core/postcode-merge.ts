/**
 * Merging postcode rows into the index, postcode by postcode, with the precedence NeedMap
 * promises: a row from an official lookup (ONS NSPL/ONSPD) always beats a derived one (placed
 * from the postcode's centre point), whatever order they arrive in; otherwise the later row wins.
 * A row that lacks one of its LSOAs (the 2021 one in an older NSPL, the 2011 one in a newer)
 * takes it from the row it meets when the two agree, else from the ONS 2011 → 2021 lookup when
 * that gives exactly one. Rows live in growable typed arrays, not objects, so a national file
 * (2.7M rows) costs tens of megabytes, not hundreds.
 */
import { NO_LSOA, OFFICIAL_FLAG, PostcodeIndex } from './postcode-index.ts';

/** The ONS 2011 → 2021 LSOA lookup by id (both directions). */
export interface LsoaLookup {
  successors(lsoa11: number): readonly number[];
  predecessors(lsoa21: number): readonly number[];
}

export interface PostcodeRowValues {
  lsoa11: number;
  lsoa21: number;
  flags: number;
  terminatedMonth: number;
}

/** Fills `row`'s missing LSOA from `other` (the row it meets) or the lookup; changes `row`. */
export function fillMissingLsoa(row: PostcodeRowValues, other: PostcodeRowValues | null, lookup: LsoaLookup): void {
  if (row.lsoa21 === NO_LSOA && row.lsoa11 !== NO_LSOA) {
    const successors = lookup.successors(row.lsoa11);
    if (other && other.lsoa21 !== NO_LSOA && (other.lsoa11 === row.lsoa11 || successors.includes(other.lsoa21))) row.lsoa21 = other.lsoa21;
    else if (successors.length === 1) row.lsoa21 = successors[0]!;
  } else if (row.lsoa11 === NO_LSOA && row.lsoa21 !== NO_LSOA) {
    const predecessors = lookup.predecessors(row.lsoa21);
    if (other && other.lsoa11 !== NO_LSOA && (other.lsoa21 === row.lsoa21 || predecessors.includes(other.lsoa11))) row.lsoa11 = other.lsoa11;
    else if (predecessors.length === 1) row.lsoa11 = predecessors[0]!;
  }
}

/** Which of two rows for the same postcode stands (filled from the other); `incoming` arrived later. */
export function mergeRows(existing: PostcodeRowValues, incoming: PostcodeRowValues, lookup: LsoaLookup): { row: PostcodeRowValues; replaced: boolean } {
  const keepExisting = (existing.flags & OFFICIAL_FLAG) !== 0 && (incoming.flags & OFFICIAL_FLAG) === 0;
  const row = { ...(keepExisting ? existing : incoming) };
  fillMissingLsoa(row, keepExisting ? incoming : existing, lookup);
  return { row, replaced: !keepExisting };
}

/** Rows as they are read, in arrival order (keys unsorted, repeats allowed). */
export class PostcodeRows {
  keys = new Float64Array(1024);
  lsoa11 = new Uint32Array(1024);
  lsoa21 = new Uint32Array(1024);
  flags = new Uint8Array(1024);
  terminatedMonth = new Uint16Array(1024);
  length = 0;

  push(key: number, row: PostcodeRowValues): void {
    if (this.length === this.keys.length) this.grow();
    const i = this.length++;
    this.keys[i] = key;
    this.lsoa11[i] = row.lsoa11;
    this.lsoa21[i] = row.lsoa21;
    this.flags[i] = row.flags;
    this.terminatedMonth[i] = row.terminatedMonth;
  }

  private grow(): void {
    const size = this.keys.length * 2;
    const grown = <T extends Float64Array | Uint32Array | Uint8Array | Uint16Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(size);
      b.set(a);
      return b;
    };
    this.keys = grown(this.keys, Float64Array);
    this.lsoa11 = grown(this.lsoa11, Uint32Array);
    this.lsoa21 = grown(this.lsoa21, Uint32Array);
    this.flags = grown(this.flags, Uint8Array);
    this.terminatedMonth = grown(this.terminatedMonth, Uint16Array);
  }

  row(i: number): PostcodeRowValues {
    return { lsoa11: this.lsoa11[i]!, lsoa21: this.lsoa21[i]!, flags: this.flags[i]!, terminatedMonth: this.terminatedMonth[i]! };
  }
}

export interface MergeCounts {
  /** Postcodes the index did not have. */
  added: number;
  /** Postcodes the index had, now replaced by a later or official row. */
  updated: number;
  /** Times an official row and a derived row met for the same postcode (the official one stands). */
  officialOverDerived: number;
}

/** The index with `rows` merged in (a new index; `base` is not changed). */
export function mergeIntoIndex(base: PostcodeIndex, rows: PostcodeRows, lookup: LsoaLookup): { index: PostcodeIndex; counts: MergeCounts } {
  const counts: MergeCounts = { added: 0, updated: 0, officialOverDerived: 0 };
  const m = rows.length;
  const order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  const keys = rows.keys;
  // Arrival order breaks ties, so the fold below meets each postcode's rows in the order they came.
  order.sort((a, b) => keys[a]! - keys[b]! || a - b);

  const n = base.size;
  const out = new PostcodeIndex(new Float64Array(n + m), new Uint32Array(n + m), new Uint32Array(n + m), new Uint8Array(n + m), new Uint16Array(n + m));
  let size = 0;
  const emit = (key: number, row: PostcodeRowValues) => {
    out.keys[size] = key;
    out.lsoa11[size] = row.lsoa11;
    out.lsoa21[size] = row.lsoa21;
    out.flags[size] = row.flags;
    out.terminatedMonth[size] = row.terminatedMonth;
    size++;
  };
  const emitBase = (i: number) => emit(base.keys[i]!, base.entry(i));

  let b = 0;
  for (let k = 0; k < m;) {
    const key = keys[order[k]!]!;
    while (b < n && base.keys[b]! < key) emitBase(b++);
    const had = b < n && base.keys[b] === key;
    let row: PostcodeRowValues | null = had ? base.entry(b) : null;
    let replaced = false;
    for (; k < m && keys[order[k]!] === key; k++) {
      const incoming = rows.row(order[k]!);
      if (row === null) {
        row = incoming;
        fillMissingLsoa(row, null, lookup);
        continue;
      }
      const merged = mergeRows(row, incoming, lookup);
      if ((row.flags & OFFICIAL_FLAG) !== (incoming.flags & OFFICIAL_FLAG)) counts.officialOverDerived++;
      replaced ||= merged.replaced;
      row = merged.row;
    }
    if (had) {
      b++;
      if (replaced) counts.updated++;
    } else counts.added++;
    emit(key, row!);
  }
  while (b < n) emitBase(b++);
  const index = new PostcodeIndex(
    out.keys.slice(0, size),
    out.lsoa11.slice(0, size),
    out.lsoa21.slice(0, size),
    out.flags.slice(0, size),
    out.terminatedMonth.slice(0, size),
  );
  return { index, counts };
}
