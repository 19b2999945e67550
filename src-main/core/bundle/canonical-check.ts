/**
 * Checking that a JSON text is already in RFC 8785 (JCS) canonical form without re-serialising
 * it. `canonicalize(JSON.parse(text)) === text` builds a second copy of a large payload (and
 * most of a verify's time and garbage); this single pass over the text checks the same thing:
 *
 * - no whitespace between tokens;
 * - every string written exactly as JSON.stringify writes it (JCS uses JSON.stringify for
 *   strings): only `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t` and lower-case `\u00xx` for the other
 *   control characters are escaped, nothing else (no `\/`, no `\u` for printable or non-ASCII
 *   characters); lone surrogates are refused, as JCS refuses them;
 * - every number written as ECMAScript's Number-to-string writes it (JCS §3.2.2.3), so no
 *   leading zeros, no `-0`, no `1.0` or `1e2` where `100` is the form;
 * - object members in strictly increasing order of their keys' UTF-16 code units (which is
 *   also what rules out duplicate keys: JSON.parse would keep only the last).
 *
 * The text must already have been accepted by JSON.parse: grammar errors are not looked for.
 * tests/bundle/canonical-check.test.ts checks it agrees with the `canonicalize` library.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Escapes JSON.stringify writes with a single letter; every other escape must be `\u00xx` for a control character. */
const SHORT_ESCAPES = new Set(['"', '\\', 'b', 'f', 'n', 'r', 't']);
const SHORT_ESCAPED_CONTROLS = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);

interface Frame {
  isObject: boolean;
  /** In an object: whether the next string is a member name. */
  expectKey: boolean;
  previousKey: string | null;
}

/** Null when `text` (valid JSON) is in canonical form; otherwise why not, with the character position. */
export function canonicalFormProblem(text: string): string | null {
  const stack: Frame[] = [];
  let top: Frame | undefined;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x7b: // {
        top = { isObject: true, expectKey: true, previousKey: null };
        stack.push(top);
        i++;
        break;
      case 0x5b: // [
        top = { isObject: false, expectKey: false, previousKey: null };
        stack.push(top);
        i++;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        top = stack[stack.length - 1];
        i++;
        break;
      case 0x2c: // ,
        if (top?.isObject) top.expectKey = true;
        i++;
        break;
      case 0x3a: // :
        top!.expectKey = false;
        i++;
        break;
      case QUOTE: {
        const start = i + 1;
        let escaped = false;
        let j = start;
        for (;;) {
          const d = text.charCodeAt(j);
          if (d === QUOTE) break;
          if (d === BACKSLASH) {
            const e = text[j + 1]!;
            if (e === 'u') {
              const hex = text.slice(j + 2, j + 6);
              const code = parseInt(hex, 16);
              if (code >= 0x20 || SHORT_ESCAPED_CONTROLS.has(code) || hex !== hex.toLowerCase()) {
                return `character ${j}: the escape \\u${hex} is not how canonical JSON writes ${code >= 0xd800 && code <= 0xdfff ? 'a surrogate (lone surrogates are not allowed)' : 'this character'}`;
              }
              j += 6;
            } else {
              if (!SHORT_ESCAPES.has(e)) return `character ${j}: the escape \\${e} is not used in canonical JSON`;
              j += 2;
            }
            escaped = true;
            continue;
          }
          if (d >= 0xd800 && d <= 0xdfff) {
            // A surrogate must be a high one followed by a low one.
            const low = text.charCodeAt(j + 1);
            if (d > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return `character ${j}: a lone surrogate is not allowed`;
            j += 2;
            continue;
          }
          j++;
        }
        if (top?.isObject && top.expectKey) {
          const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(start, j);
          if (top.previousKey !== null && !(top.previousKey < key)) {
            return `character ${i}: the key ${JSON.stringify(key)} ${top.previousKey === key ? 'appears twice' : `comes after ${JSON.stringify(top.previousKey)}`} (keys must be in increasing UTF-16 order)`;
          }
          top.previousKey = key;
        }
        i = j + 1;
        break;
      }
      case 0x74: // true
      case 0x6e: // null
        i += 4;
        break;
      case 0x66: // false
        i += 5;
        break;
      default: {
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          let j = i + 1;
          for (; j < n; j++) {
            const d = text.charCodeAt(j);
            // Digits, '.', '+', '-', 'e', 'E': the characters a JSON number may hold.
            if (!((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x2b || d === 0x2d || d === 0x65 || d === 0x45)) break;
          }
          const token = text.slice(i, j);
          if (String(Number(token)) !== token) return `character ${i}: the number ${token} is written ${String(Number(token))} in canonical JSON`;
          i = j;
          break;
        }
        return `character ${i}: whitespace is not allowed`;
      }
    }
  }
  return null;
}
