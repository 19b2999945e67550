/**
 * The single-pass canonical-form check against its definition: a text is canonical exactly when
 * the `canonicalize` library (RFC 8785) re-serialises its parsed value to the same text. Checked
 * on hand-picked cases (unicode keys, escapes, numbers) and on thousands of random values and
 * random alterations of their canonical texts.
 */
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { canonicalFormProblem } from '../../src-main/core/bundle/canonical-check.ts';
import { signBytes, zipBundle } from '../../src-main/core/bundle/package.ts';
import { verifyBundle } from '../../src-main/core/bundle/verify.ts';

/** The definition: parses, and re-serialises to itself (canonicalize throws on lone surrogates: not canonical). */
function canonicalByDefinition(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  try {
    return canonicalize(value) === text;
  } catch {
    return false;
  }
}

function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function expectAgreement(text: string): void {
  if (!isValidJson(text)) return; // the checker's precondition
  expect({ text, canonical: canonicalFormProblem(text) === null }).toEqual({ text, canonical: canonicalByDefinition(text) });
}

describe('canonical-form check', () => {
  it('accepts canonical texts, including unicode and escapes, and sorts keys by UTF-16 code units', () => {
    const values: unknown[] = [
      { b: 1, a: [1, 2, { d: 'x', c: 'y' }], '': 0 },
      { é: 1, e: 2, z: 3, Z: 4, '10': 5, '9': 6, '😀': 7, '\uffff': 8, ﬀ: 9 },
      { s: 'quote " backslash \\ slash / tab \t newline \n cr \r bs \b ff \f nul \u0000 us \u001f del \u007f' },
      { s: 'non-ASCII: £ é ü 中文 😀 \u2028 \u2029 \ufeff' },
      { 'key with "quotes"': 1, 'key\\with\\backslashes': 2, 'key\nnewline': 3, 'key\u0001': 4 },
      { n: [0, -1, 1, 9007199254740991, -9007199254740991, 1e21, 1.5, -0.25, 1e-7, 123456789012345680000] },
      { t: true, f: false, z: null },
      [],
      {},
      [[[]], {}, [{}]],
      'just a string',
      42,
    ];
    for (const value of values) {
      const text = canonicalize(value)!;
      expect(canonicalFormProblem(text), text).toBeNull();
      expectAgreement(text);
    }
  });

  it('refuses whitespace, unsorted or duplicate keys, needless escapes, non-canonical numbers and lone surrogates', () => {
    const refused = [
      '{"a": 1}',
      ' {"a":1}',
      '{"a":1}\n',
      '[1, 2]',
      '{"b":1,"a":2}',
      '{"a":1,"a":1}',
      '{"9":1,"10":2}', // numeric order, not UTF-16 order
      '{"\uffff":1,"😀":2}', // code point order, not UTF-16 order
      '{"a\\u0062":1,"ab":2}', // duplicate once unescaped
      '["\\/"]',
      '["\\u0041"]',
      '["\\u00e9"]',
      '["\\u001F"]',
      '["\\u000a"]',
      '["\\ud83d\\ude00"]',
      '["\\ud800"]',
      '["\\udfff"]',
      '[-0]',
      '[1.0]',
      '[1e2]',
      '[1E2]',
      '[1e+2]',
      '[0.10]',
      '[9007199254740993]',
      '[1e21]', // canonical is 1e+21
    ];
    for (const text of refused) {
      expect(isValidJson(text), text).toBe(true);
      expect(canonicalFormProblem(text), text).not.toBeNull();
      expectAgreement(text);
    }
    expect(canonicalFormProblem('{"b":1,"a":2}')).toMatch(/"a" comes after "b"/);
    expect(canonicalFormProblem('{"a":1,"a":1}')).toMatch(/appears twice/);
    expect(canonicalFormProblem('[1, 2]')).toMatch(/character 3: whitespace/);
    expect(canonicalFormProblem('["\\ud800"]')).toMatch(/lone surrogates are not allowed/);
  });

  it('refuses a raw lone surrogate in a string (only possible in a string that did not come from UTF-8)', () => {
    expect(canonicalFormProblem('["\ud800"]')).toMatch(/lone surrogate/);
    expect(canonicalFormProblem('["\udc00\ud800"]')).toMatch(/lone surrogate/);
    expect(canonicalFormProblem('["\ud83d\ude00"]')).toBeNull();
  });

  it('agrees with canonicalize on random values and random alterations of their canonical text', () => {
    let seed = 12345;
    const random = () => {
      // mulberry32: reproducible, so a failure can be replayed.
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const alphabet = ['a', 'b', 'A', 'z', '0', '9', '1', '"', '\\', '/', '\n', '\u0001', '\u001f', ' ', 'é', '£', '\u2028', '😀', '\uffff', 'ﬀ', '中'];
    const randomString = () => Array.from({ length: Math.floor(random() * 4) }, () => pick(alphabet)).join('');
    const numbers = [0, 1, -1, 7, 10, 100, 12345, -98765, 9007199254740991, 0.5, -2.25, 1e21, 1e-7, 3.14159];
    const randomValue = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.35) return random() < 0.5 ? pick(numbers) : r < 0.05 ? pick([true, false, null]) : randomString();
      if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(depth + 1));
      const object: Record<string, unknown> = {};
      for (let k = Math.floor(random() * 5); k > 0; k--) object[randomString()] = randomValue(depth + 1);
      return object;
    };
    const alterations: ((text: string) => string)[] = [
      (t) => insertAt(t, ' '),
      (t) => insertAt(t, '\n'),
      (t) => t.replace(/,"/, ',"a":0,"'),
      (t) => t.replace('\\"', '\\u0022'),
      (t) => t.replace('/', '\\/'),
      (t) => t.replace('é', '\\u00e9'),
      (t) => t.replace('😀', '\\ud83d\\ude00'),
      (t) => t.replace('\\u001f', '\\u001F'),
      (t) => t.replace('\\n', '\\u000a'),
      (t) => t.replace(/(\d+)/, '0$1'),
      (t) => t.replace(/(\d+)/, '$1.0'),
      (t) => t.replace(/(\d+)/, '$1e0'),
      (t) => t.replace(':0', ':-0'),
      (t) => JSON.stringify(JSON.parse(t)), // insertion order, not sorted
      (t) => JSON.stringify(JSON.parse(t), null, 1),
      (t) => swapFirstTwoMembers(t),
    ];
    function insertAt(t: string, s: string): string {
      const at = Math.floor(random() * (t.length + 1));
      return t.slice(0, at) + s + t.slice(at);
    }
    function swapFirstTwoMembers(t: string): string {
      const m = /^\{("(?:[^"\\]|\\.)*":(?:-?\d+|"(?:[^"\\]|\\.)*")),("(?:[^"\\]|\\.)*":(?:-?\d+|"(?:[^"\\]|\\.)*"))([,}])/.exec(t);
      return m ? `{${m[2]},${m[1]}${m[3]}${t.slice(m[0].length)}` : t;
    }
    let canonicalSeen = 0;
    let refusedSeen = 0;
    for (let round = 0; round < 3000; round++) {
      const value = randomValue(0);
      const text = canonicalize(value)!;
      expect(canonicalFormProblem(text), text).toBeNull();
      for (const alter of alterations) {
        const altered = alter(text);
        expectAgreement(altered);
        if (isValidJson(altered)) {
          if (canonicalFormProblem(altered) === null) canonicalSeen++;
          else refusedSeen++;
        }
      }
    }
    // Both verdicts were exercised many times.
    expect(canonicalSeen).toBeGreaterThan(1000);
    expect(refusedSeen).toBeGreaterThan(1000);
  });
});

describe('verify', () => {
  it('refuses a correctly signed bundle.json that is not canonical, saying where', async () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const signed = async (text: string) => {
      const payload = Buffer.from(text, 'utf8');
      return verifyBundle(await zipBundle({ payload, signature: signBytes(payload, privateKey), publicKeyPem }));
    };
    const notCanonical = await signed('{"schema": "needmap-bundle/2"}');
    expect(notCanonical).toMatchObject({ ok: false, reason: 'invalid-payload' });
    expect(!notCanonical.ok && notCanonical.message).toBe(
      'bundle.json is signed but it is not in canonical (RFC 8785) form (character 10: whitespace is not allowed).',
    );
    const unsorted = await signed('{"schema":"needmap-bundle/2","organisation":{}}');
    expect(!unsorted.ok && unsorted.message).toMatch(/not in canonical .*"organisation" comes after "schema"/);
    // The same content written canonically gets past the canonical check, to the schema.
    const canonical = await signed('{"organisation":{},"schema":"needmap-bundle/2"}');
    expect(canonical).toMatchObject({ ok: false, reason: 'invalid-payload' });
    expect(!canonical.ok && canonical.message).toMatch(/does not match needmap-bundle\/2/);
  });
});
