/**
 * How the postcode index's columns are packed before compression (see db/geo/reference-file.ts):
 * sorted keys as the gaps between neighbours, LSOA ids as the difference from a base column.
 * Both become LEB128 variable-length integers, mostly one byte each, which a general-purpose
 * compressor then squeezes further (2.4M keys: 19 MB of Float64 → 2.6 MB of gaps → 0.35 MB).
 * Pure arithmetic on numbers (keys exceed 32 bits, so no bitwise operators on them).
 */

/** A growable byte buffer for variable-length integers. */
class ByteWriter {
  private bytes = new Uint8Array(1 << 16);
  length = 0;

  push(value: number): void {
    // Unsigned LEB128: 7 bits per byte, the high bit set on every byte but the last.
    while (value >= 128) {
      this.byte((value % 128) + 128);
      value = Math.floor(value / 128);
    }
    this.byte(value);
  }

  private byte(b: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = b;
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** Sorted, distinct, non-negative integer keys → their gaps as variable-length integers. */
export function packSortedKeys(keys: Float64Array): Uint8Array {
  const out = new ByteWriter();
  let previous = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key < previous || (i > 0 && key === previous)) throw new RangeError(`Key ${i} is not above the one before it.`);
    out.push(key - previous);
    previous = key;
  }
  return out.result();
}

/** Reads one multi-byte number at `at` (its first byte already seen to be ≥ 128): [value, next position]. */
function readLong(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = bytes[at++];
    if (b === undefined) throw new RangeError('The packed column ends early.');
    value += (b & 127) * scale;
    if (b < 128) return [value, at];
    scale *= 128;
  }
}

export function unpackSortedKeys(bytes: Uint8Array, count: number): Float64Array {
  const keys = new Float64Array(count);
  let at = 0;
  let key = 0;
  // Written for speed: it runs 2.4M times on every start-up, and most gaps fit one byte.
  for (let i = 0; i < count; i++) {
    const b = bytes[at]!;
    if (b < 128) {
      key += b;
      at++;
    } else {
      const [gap, next] = readLong(bytes, at);
      key += gap;
      at = next;
    }
    keys[i] = key;
  }
  if (at !== bytes.length) throw new RangeError('The packed keys do not match their count.');
  return keys;
}

/** Zig-zag: small negative and positive differences both become small unsigned numbers. */
function zigzag(d: number): number {
  return d >= 0 ? 2 * d : -2 * d - 1;
}

/**
 * Uint32 ids (0xFFFFFFFF = none) as the zig-zag difference from `base` at the same position
 * (or from the previous id when there is no base): LSOAs unchanged in 2021 keep their 2011
 * code, so the 2021 column is almost all zeros against the 2011 one.
 */
export function packIds(ids: Uint32Array, base?: Uint32Array): Uint8Array {
  const out = new ByteWriter();
  let previous = 0;
  for (let i = 0; i < ids.length; i++) {
    // Shift by one so "none" (0xFFFFFFFF) becomes 0 and stays a small number.
    const v = (ids[i]! + 1) % 0x100000000;
    const against = base ? (base[i]! + 1) % 0x100000000 : previous;
    out.push(zigzag(v - against));
    previous = v;
  }
  return out.result();
}

export function unpackIds(bytes: Uint8Array, count: number, base?: Uint32Array): Uint32Array {
  const ids = new Uint32Array(count);
  let at = 0;
  let previous = 0;
  for (let i = 0; i < count; i++) {
    // Ids are shifted by one (none = 0); `>>> 0` keeps the sums in unsigned 32 bits, as the ids are.
    const against = base ? (base[i]! + 1) >>> 0 : previous;
    let z = bytes[at]!;
    let v: number;
    if (z < 128) {
      at++;
      v = (against + ((z >>> 1) ^ -(z & 1))) >>> 0;
    } else {
      [z, at] = readLong(bytes, at);
      v = against + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
    }
    ids[i] = v - 1; // 0 - 1 wraps to 0xFFFFFFFF ("none") in the Uint32Array
    previous = v;
  }
  if (at !== bytes.length) throw new RangeError('The packed ids do not match their count.');
  return ids;
}
