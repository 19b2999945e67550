/**
 * UK postcode parsing and the areas derived from it, using the `postcode` library.
 * Lower case, missing or extra spaces are accepted; anything else gets a specific message.
 */
import { parse, validOutcode } from 'postcode';

export interface ParsedPostcode {
  /** Normalised unit postcode, e.g. "PR1 2AB" */
  postcode: string;
  /** Postcode sector, e.g. "PR1 2" */
  sector: string;
  /** Postcode district (outcode), e.g. "PR1" */
  district: string;
  /** Postcode area, e.g. "PR" */
  area: string;
}

export type PostcodeResult = ({ ok: true } & ParsedPostcode) | { ok: false; error: string };

export function parsePostcode(input: string): PostcodeResult {
  const compact = input.replace(/\s+/g, '').toUpperCase();
  const shown = input.trim().replace(/\s+/g, ' ').toUpperCase();
  if (compact.length === 0) return { ok: false, error: 'Enter a postcode.' };
  if (/[^A-Z0-9]/.test(compact)) {
    return { ok: false, error: `${shown} contains characters a postcode cannot have.` };
  }
  // Girobank's non-geographic postcode: valid, but the library's pattern does not cover it.
  if (compact === 'GIR0AA') return { ok: true, postcode: 'GIR 0AA', sector: 'GIR 0', district: 'GIR', area: 'GIR' };
  // British Forces Post Office numbers look like postcodes on letters but are not ones.
  if (/^BFPO\d{1,4}$/.test(compact)) {
    return {
      ok: false,
      error: `${shown} is a British Forces Post Office number, not a postcode; use the BF1 postcode from the address if it has one.`,
    };
  }
  const parsed = parse(compact);
  if (parsed.valid) {
    const misplaced = misplacedLetter(parsed.outcode!, parsed.incode!);
    if (misplaced) return { ok: false, error: `${shown} is not a valid UK postcode (${misplaced}).` };
    return {
      ok: true,
      postcode: parsed.postcode,
      sector: parsed.sector,
      district: parsed.outcode,
      area: parsed.area,
    };
  }
  // Say what is wrong: a sector alone, a district alone, or something else.
  const spaced = /^([A-Z0-9]{2,4}) (\d[A-Z]?)$/.exec(shown);
  if (spaced && validOutcode(spaced[1]!)) return { ok: false, error: `${shown} is not a complete postcode.` };
  if (validOutcode(compact)) return { ok: false, error: `${shown} is only the first half of a postcode.` };
  const sectorMatch = /^([A-Z0-9]{2,4})(\d)([A-Z]?)$/.exec(compact);
  if (sectorMatch && validOutcode(sectorMatch[1]!)) {
    return { ok: false, error: `${shown} is not a complete postcode.` };
  }
  return { ok: false, error: `${shown} is not a valid UK postcode.` };
}

/**
 * Royal Mail's rules on which letters may stand where; the library checks only the shape
 * (letter or digit), so "QQ1 2AB" or "PR1 2CI" would otherwise pass.
 */
function misplacedLetter(outcode: string, incode: string): string | null {
  const first = outcode[0]!;
  if ('QVX'.includes(first)) return `no postcode starts with ${first}`;
  const second = outcode[1]!;
  if (/[A-Z]/.test(second) && 'IJZ'.includes(second)) return `${second} cannot be the second letter`;
  // A9A: the third character; AA9A: the fourth.
  if (/^[A-Z]\d[A-Z]$/.test(outcode) && !'ABCDEFGHJKPSTUW'.includes(outcode[2]!)) return `${outcode[2]} cannot follow ${outcode.slice(0, 2)}`;
  if (/^[A-Z]{2}\d[A-Z]$/.test(outcode) && !'ABEHMNPRVWXY'.includes(outcode[3]!)) return `${outcode[3]} cannot follow ${outcode.slice(0, 3)}`;
  const bad = [...incode.slice(1)].find((c) => 'CIKMOV'.includes(c));
  if (bad) return `the last two letters cannot include ${bad}`;
  return null;
}
