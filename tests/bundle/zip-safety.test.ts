/** Hostile ZIPs are refused from memory: nothing is ever extracted or written. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { describe, expect, it } from 'vitest';
import { packBundle } from '../../src-main/core/bundle/package.ts';
import { buildPayload } from '../../src-main/core/bundle/payload.ts';
import { cellKeyPolicy } from '../../src-main/core/bundle/disclosure.ts';
import { verifyBundle } from '../../src-main/core/bundle/verify.ts';

function zipOf(entries: [string, Buffer][]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(data, name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** yazl refuses unsafe names, so write a safe one of the same length and patch it in every header. */
function renameInZip(zip: Buffer, from: string, to: string): Buffer {
  expect(from.length).toBe(to.length);
  const out = Buffer.from(zip);
  const needle = Buffer.from(from);
  let at = out.indexOf(needle);
  let patched = 0;
  while (at !== -1) {
    Buffer.from(to).copy(out, at);
    patched++;
    at = out.indexOf(needle, at + 1);
  }
  expect(patched).toBe(2); // local header and central directory
  return out;
}

async function validEntries(): Promise<[string, Buffer][]> {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const fingerprint = crypto
    .createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  const payload = buildPayload({
    organisation: { id: 'org', name: 'Org' },
    fingerprint,
    taxonomyVersion: '2026.1',
    categories: ['housing'],
    issues: ['HOU-ARREARS'],
    from: '2026-01',
    to: '2026-01',
    sequence: 1,
    createdAt: new Date('2026-02-01T00:00:00Z'),
    softwareVersion: 'test',
    policy: cellKeyPolicy,
    presentations: [],
    outcomes: [],
  });
  const packed = await packBundle(payload, { privateKey, publicKeyPem });
  return [
    ['bundle.json', packed.payloadBytes],
    ['bundle.json.sig', packed.signature],
    ['signer.pub.pem', Buffer.from(publicKeyPem)],
  ];
}

function listing(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

describe('verifying hostile ZIPs', () => {
  it('accepts the well-formed bundle these cases start from', async () => {
    expect((await verifyBundle(await zipOf(await validEntries()))).ok).toBe(true);
  });

  it.each([
    ['an extra entry', async (e: [string, Buffer][]) => zipOf([...e, ['readme.txt', Buffer.from('hi')]]), 'unexpected-entry'],
    ['a renamed entry', async (e: [string, Buffer][]) => zipOf([e[0]!, e[1]!, ['signer.key.pem', e[2]![1]]]), 'unexpected-entry'],
    ['a missing entry', async (e: [string, Buffer][]) => zipOf(e.slice(0, 2)), 'missing-entry'],
    ['a duplicate entry', async (e: [string, Buffer][]) => zipOf([e[0]!, e[0]!, e[1]!]), 'duplicate-entry'],
    ['an oversized signature', async (e: [string, Buffer][]) => zipOf([e[0]!, ['bundle.json.sig', Buffer.alloc(65)], e[2]!]), 'oversized-entry'],
    [
      'a path-traversing entry',
      async (e: [string, Buffer][]) => renameInZip(await zipOf([e[0]!, e[1]!, ['aa/signer.pub.pem', e[2]![1]]]), 'aa/signer.pub.pem', '../signer.pub.pem'),
      'unsafe-path',
    ],
    [
      'an absolute path',
      async (e: [string, Buffer][]) => renameInZip(await zipOf([['xbundle.json', e[0]![1]], e[1]!, e[2]!]), 'xbundle.json', '/bundle.json'),
      'unsafe-path',
    ],
    ['not a ZIP at all', async () => Buffer.from('{"schema":"needmap-bundle/1"}'), 'malformed-zip'],
    ['a truncated ZIP', async (e: [string, Buffer][]) => (await zipOf(e)).subarray(0, 200), 'malformed-zip'],
  ])('refuses %s', async (_what, make, reason) => {
    const zip = await make(await validEntries());
    const watched = [process.cwd(), path.dirname(process.cwd()), os.tmpdir()];
    const before = watched.map(listing);
    const result = await verifyBundle(zip);
    expect(result).toMatchObject({ ok: false, reason });
    expect(watched.map(listing)).toEqual(before);
  });

  it('refuses a huge (zip-bomb) bundle.json from its declared size, before inflating it', async () => {
    const [payload, sig, pem] = await validEntries();
    const bomb = await zipOf([[payload![0], Buffer.alloc(100 * 1024 * 1024)], sig!, pem!]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const result = await verifyBundle(bomb);
    expect(result).toMatchObject({ ok: false, reason: 'oversized-entry' });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50 * 1024 * 1024);
  });
});
