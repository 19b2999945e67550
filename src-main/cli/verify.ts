import fs from 'node:fs';
import { normaliseFingerprint } from '../core/bundle/package.ts';
import { VERIFY_LIMITS, verifiedSummary, verifyBundle } from '../core/bundle/verify.ts';
import { UsageError, type Command } from './command.ts';

const usage = 'needmap verify FILE [--fingerprint HEX]';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Check a .needmap-bundle: signature, format, and (optionally) who signed it.',
  usage: `${usage}

  FILE               the .needmap-bundle to check (read into memory; nothing is extracted)
  --fingerprint HEX  the signer's fingerprint you expect (64 hex digits; spaces and colons allowed)

  Exit 0 when valid (a short summary is printed, text from the bundle with control characters
  escaped); 1 with the reason otherwise: bad-signature, altered-payload, fingerprint-mismatch,
  unknown-schema-version, retired-schema-version, malformed-zip, oversized-entry, unexpected-entry,
  unsafe-path, duplicate-entry, missing-entry, unknown-field, wrong-dimensions, outside-period,
  partial-quarter, duplicate-cell, duplicate-table, incomplete-table, count-out-of-range,
  invalid-timestamp, … (all in docs/bundle-format.md)`,
  options: { fingerprint: { type: 'string' } },
  allowPositionals: true,
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError(`Give exactly one bundle file.\nUsage: ${usage}`);
    const file = positionals[0]!;
    const expected = values.fingerprint as string | undefined;
    if (expected !== undefined && normaliseFingerprint(expected) === null) {
      throw new UsageError(`--fingerprint must be 64 hex digits (got "${expected}").`);
    }
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      throw new UsageError(`No file at ${file}.`);
    }
    if (size > VERIFY_LIMITS.fileBytes) {
      process.stderr.write(`needmap verify: oversized-file: ${file} is ${size} bytes; a bundle is at most ${VERIFY_LIMITS.fileBytes}.\n`);
      return 1;
    }
    const result = await verifyBundle(fs.readFileSync(file), expected === undefined ? {} : { expectedFingerprint: expected });
    if (!result.ok) {
      process.stderr.write(`needmap verify: ${result.reason}: ${result.message}\n`);
      return 1;
    }
    process.stdout.write(`${verifiedSummary(result)}\n`);
    return 0;
  },
};
