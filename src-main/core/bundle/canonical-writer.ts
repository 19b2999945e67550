/**
 * Writing a bundle payload as RFC 8785 (JCS) canonical JSON, fast. The general-purpose
 * `canonicalize` library walks any value with an explicit stack, a cycle-detection Set and a
 * sort of every object's keys, and builds the whole text as one string: 4+ s for the 57 MiB
 * payload of a ~1M-record export. A payload holds only strings, safe integers, arrays and plain
 * objects (schema.ts), and almost all of it is table cells of one shape, so this writer:
 *
 * - walks the value recursively (a payload is a few levels deep: no cycles are possible in
 *   values built from rows, and a cycle would be caught by the depth limit);
 * - writes an object's keys as they are when already in order (cells, totals and the payload's
 *   own objects are built in order), sorting only the others;
 * - escapes each distinct string once (universe values recur in every cell) with
 *   JSON.stringify, which is JCS's escaping for well-formed strings;
 * - streams the text into 1 MiB UTF-8 chunks instead of one 57 MiB string.
 *
 * Anything outside that shape — a float, a boolean, null, undefined inside an array, a lone
 * surrogate, an object with a prototype, more than 32 levels — makes it give up, and the caller
 * falls back to the general path (`assertIntegersAndStrings` + `canonicalize`), which then throws
 * its own error or writes the value: so the bytes, and the errors, are always those of the
 * general path. tests/bundle/canonical-writer.test.ts checks byte identity on real, hand-made and
 * random payloads.
 */

/** Thrown inside the writer when the value is not of the shape it handles; never escapes it. */
class NotInShape extends Error {}

const MAX_DEPTH = 32;
const CHUNK_CHARS = 1 << 20;
/** Distinct strings remembered escaped: a payload's universes and titles, not its match keys (each different). */
const MAX_CACHED_STRING_LENGTH = 40;

class ChunkedText {
  private readonly chunks: Buffer[] = [];
  private text = '';
  private bytes = 0;

  add(s: string): void {
    this.text += s;
    if (this.text.length >= CHUNK_CHARS) this.flush();
  }

  private flush(): void {
    if (this.text.length === 0) return;
    const chunk = Buffer.from(this.text, 'utf8');
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.text = '';
  }

  toBuffer(): Buffer {
    this.flush();
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
  }
}

/** String.prototype.isWellFormed (Node 20; not yet in TypeScript's ES2023 library): no lone surrogates. */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Keys in UTF-16 code-unit order (what `sort()` without a comparator gives), sorting only when they are not already. */
function orderedKeys(object: object): string[] {
  const keys = Object.keys(object);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! >= keys[i]!) return keys.sort();
  }
  return keys;
}

class CanonicalWriter {
  private readonly out = new ChunkedText();
  private readonly escaped = new Map<string, string>();

  private string(s: string): string {
    if (s.length <= MAX_CACHED_STRING_LENGTH) {
      const known = this.escaped.get(s);
      if (known !== undefined) return known;
    }
    // JCS refuses lone surrogates (canonicalize throws); the general path will say so.
    if (!isWellFormed(s)) throw new NotInShape();
    const written = JSON.stringify(s);
    if (s.length <= MAX_CACHED_STRING_LENGTH) this.escaped.set(s, written);
    return written;
  }

  private scalar(value: unknown): string {
    if (typeof value === 'string') return this.string(value);
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    throw new NotInShape();
  }

  value(value: unknown, depth: number): void {
    if (typeof value !== 'object') {
      this.out.add(this.scalar(value));
      return;
    }
    if (value === null || depth > MAX_DEPTH) throw new NotInShape();
    if (Array.isArray(value)) {
      this.array(value, depth);
      return;
    }
    if (!isPlainObject(value)) throw new NotInShape();
    const keys = orderedKeys(value);
    const record = value as Record<string, unknown>;
    let text = '{';
    let first = true;
    for (const key of keys) {
      const member = record[key];
      // JSON (and canonicalize) leave out members whose value is undefined; so does the integer check.
      if (member === undefined) continue;
      text += (first ? '' : ',') + this.string(key) + ':';
      first = false;
      if (typeof member !== 'object') text += this.scalar(member);
      else {
        this.out.add(text);
        text = '';
        this.value(member, depth + 1);
      }
    }
    this.out.add(text + '}');
  }

  private array(values: readonly unknown[], depth: number): void {
    let text = '[';
    for (let i = 0; i < values.length; i++) {
      const element = values[i];
      if (i > 0) text += ',';
      if (typeof element !== 'object') text += this.scalar(element);
      else {
        this.out.add(text);
        text = '';
        this.value(element, depth + 1);
      }
      if (text.length > 4096) {
        this.out.add(text);
        text = '';
      }
    }
    this.out.add(text + ']');
  }

  bytes(): Buffer {
    return this.out.toBuffer();
  }
}

/**
 * The canonical UTF-8 bytes of a value made only of strings, safe integers, arrays and plain
 * objects; null when the value is of any other shape (the caller then takes the general path).
 */
export function fastCanonicalBytes(value: unknown): Buffer | null {
  const writer = new CanonicalWriter();
  try {
    writer.value(value, 0);
  } catch (error) {
    if (error instanceof NotInShape || error instanceof RangeError) return null;
    throw error;
  }
  return writer.bytes();
}
