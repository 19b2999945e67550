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
