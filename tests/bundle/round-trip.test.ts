import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packBundle, zipBundle } from '../../src-main/core/bundle/package.ts';
import { readBundleEntries, verifyBundle, verifyEntriesOrThrow, BundleVerifyError } from '../../src-main/core/bundle/verify.ts';
import { callOk, tempDir } from '../helpers.ts';
import { filledContext, PASSPHRASE, PEOPLE, recentMonths } from './fixtures.ts';

beforeEach(() => {
  process.env.NEEDMAP_SIGNING_PASSPHRASE = PASSPHRASE;
});
afterEach(() => {
  delete process.env.NEEDMAP_SIGNING_PASSPHRASE;
});

async function exportedBundle() {
  const ctx = await filledContext();
  const { from, to } = recentMonths();
  const out = await callOk(ctx, 'bundle.export', { from, to });
  return { ctx, from, to, out, file: Buffer.from(out.base64!, 'base64') };
}

function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof BundleVerifyError) return error.reason;
    throw error;
  }
  return 'valid';
}

describe('export → verify', () => {
  it('round-trips: the preview is exactly what is signed, and the log records it', async () => {
    const { ctx, from, to, out, file } = await exportedBundle();
    const result = await verifyBundle(file, { expectedFingerprint: out.groupedFingerprint });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.fingerprint).toBe(out.fingerprint);
    expect(result.payload.sequence).toBe(1);
    expect(result.payload.period).toMatchObject({ from, to });
    expect(crypto.createHash('sha256').update(result.payloadBytes).digest('hex')).toBe(out.payloadSha256);

    const key = await callOk(ctx, 'bundle.keyInfo', {});
    expect(key.current?.fingerprint).toBe(out.fingerprint);
    expect(result.publicKeyPem).toBe(key.current?.publicKeyPem);

    // The preview shows exactly the tables that left (only the timestamp and sequence move on).
    const preview = await callOk(ctx, 'bundle.preview', { from, to });
    expect(preview.keyExists).toBe(true);
    expect(preview.payload.tables).toEqual(result.payload.tables);
    expect(preview.payload.sequence).toBe(2);

    const log = await callOk(ctx, 'bundle.log', {});
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]).toMatchObject({ sequence: 1, fromMonth: from, toMonth: to, payloadSha256: out.payloadSha256, file: null });

    // Sector counts: the unknown-postcode client is counted, visibly, as "unknown".
    const sectors = new Set(result.payload.tables[0]!.universe[0]);
    expect(sectors).toEqual(new Set(['SE13 6', 'SE4 1', 'PR1 2', 'PR1 3', 'unknown']));
  });

  it('contains no name, date of birth, full postcode, phone, email, note or staff name from the database', async () => {
    const { ctx, file } = await exportedBundle();
    const entries = await readBundleEntries(file);
    const haystacks = [file, ...Object.values(entries)];
    const secrets = PEOPLE.flatMap((p) => [p.firstName, p.lastName, p.dateOfBirth, ...(p.postcode ? [p.postcode, p.postcode.replace(' ', '')] : [])]);
    const rows = ctx.caseDb.sqlite.prepare('SELECT first_name, last_name, date_of_birth, postcode, phone, email FROM clients').all() as Record<
      string,
      string | null
    >[];
    expect(rows).toHaveLength(PEOPLE.length);
    for (const row of rows) secrets.push(...(Object.values(row).filter(Boolean) as string[]));
    const notes = ctx.caseDb.sqlite.prepare('SELECT note, staff_name FROM contacts').all() as { note: string; staff_name: string }[];
    for (const n of notes) secrets.push(n.note, n.staff_name);
    for (const secret of secrets) {
      for (const bytes of haystacks) {
        expect(bytes.includes(Buffer.from(secret, 'utf8')), `"${secret}" found in the bundle`).toBe(false);
        expect(bytes.toString('latin1').toLowerCase().includes(secret.toLowerCase()), `"${secret}" found (any case)`).toBe(false);
      }
    }
  });

  it('fails verification for every single-byte change to bundle.json (nothing re-signed)', async () => {
    const { file } = await exportedBundle();
    const entries = await readBundleEntries(file);
    const original = entries['bundle.json'];
    expect(original.length).toBeGreaterThan(5000);
    expect(reasonOf(() => verifyEntriesOrThrow(entries))).toBe('valid');
    const reasons = new Map<string, number>();
    for (let i = 0; i < original.length; i++) {
      // Every byte gets a low-bit change; every seventh also a high-bit one (invalid UTF-8).
      for (const flip of i % 7 === 0 ? [0x01, 0x80] : [0x01]) {
        const altered = Buffer.from(original);
        altered[i] = altered[i]! ^ flip;
        const reason = reasonOf(() => verifyEntriesOrThrow({ ...entries, 'bundle.json': altered }));
        expect(reason, `byte ${i} ^ ${flip}`).not.toBe('valid');
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    expect([...reasons.keys()].sort()).toEqual(['altered-payload', 'bad-signature']);
    // The same holds through the whole ZIP path, for a sample of positions.
    for (let i = 0; i < original.length; i += Math.ceil(original.length / 40)) {
      const altered = Buffer.from(original);
      altered[i] = altered[i]! ^ 0x01;
      const zip = await zipBundle({ payload: altered, signature: entries['bundle.json.sig'], publicKeyPem: entries['signer.pub.pem'].toString() });
      expect((await verifyBundle(zip)).ok).toBe(false);
    }
  });

  it('refuses a bundle signed by another key when the expected fingerprint is given', async () => {
    const { out, file } = await exportedBundle();
    const { payload } = verifyEntriesOrThrow(await readBundleEntries(file));
    const other = crypto.generateKeyPairSync('ed25519');
    const otherPem = other.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const otherFingerprint = crypto
      .createHash('sha256')
      .update(other.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex');
    // A perfectly valid bundle — by someone else.
    const forged = await packBundle(
      { ...payload, signer: { algorithm: 'Ed25519', fingerprint: otherFingerprint } },
      { privateKey: other.privateKey, publicKeyPem: otherPem },
    );
    expect((await verifyBundle(forged.file)).ok).toBe(true);
    const result = await verifyBundle(forged.file, { expectedFingerprint: out.fingerprint });
    expect(result).toMatchObject({ ok: false, reason: 'fingerprint-mismatch' });
    // Swapping in another key without re-signing is caught too.
    const entries = await readBundleEntries(file);
    expect(reasonOf(() => verifyEntriesOrThrow({ ...entries, 'signer.pub.pem': Buffer.from(otherPem) }))).toBe('bad-signature');
    // A signed payload naming another signer is inconsistent.
    const lying = await packBundle(payload, { privateKey: other.privateKey, publicKeyPem: otherPem });
    expect(await verifyBundle(lying.file)).toMatchObject({ ok: false, reason: 'inconsistent-fingerprint' });
    // A future schema version, correctly signed, is refused as unknown.
    const future = await packBundle({ ...payload, schema: 'needmap-bundle/3' } as never, { privateKey: other.privateKey, publicKeyPem: otherPem });
    expect(await verifyBundle(future.file)).toMatchObject({ ok: false, reason: 'unknown-schema-version' });
  });

  it('perturbation is the same in every re-export, so exports cannot be differenced', async () => {
    const { ctx, from, to, file } = await exportedBundle();
    const second = await callOk(ctx, 'bundle.export', { from, to });
    const a = verifyEntriesOrThrow(await readBundleEntries(file)).payload;
    const b = verifyEntriesOrThrow(await readBundleEntries(Buffer.from(second.base64!, 'base64'))).payload;
    expect(b.sequence).toBe(a.sequence + 1);
    expect(b.tables).toEqual(a.tables);
  });

  it('the documented unzip + openssl commands verify a real export, and reject an altered one', async () => {
    const openssl = spawnSync('openssl', ['version']);
    if (openssl.status !== 0) {
      console.warn('SKIPPED: openssl is not installed, so the documented command cannot be checked here.');
      return;
    }
    const { file } = await exportedBundle();
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'x.needmap-bundle'), file);
    execFileSync('unzip', ['-q', 'x.needmap-bundle', '-d', 'x'], { cwd: dir });
    const verify = () =>
      spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'signer.pub.pem', '-rawin', '-in', 'bundle.json', '-sigfile', 'bundle.json.sig'], {
        cwd: path.join(dir, 'x'),
        encoding: 'utf8',
      });
    const good = verify();
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toContain('Signature Verified Successfully');
    const payloadFile = path.join(dir, 'x', 'bundle.json');
    const bytes = fs.readFileSync(payloadFile);
    bytes[10] = bytes[10]! ^ 0x01;
    fs.writeFileSync(payloadFile, bytes);
    expect(verify().status).not.toBe(0);
  });

  it('refuses to export the current month, or before the organisation is set', async () => {
    const ctx = await filledContext();
    const thisMonth = new Date().toISOString().slice(0, 7);
    const { from } = recentMonths();
    const { dispatch } = await import('../helpers.ts');
    const r = await dispatch('bundle.preview', { from, to: thisMonth }, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', fieldErrors: { to: [expect.stringContaining('not over yet')] } } });
    const inBrowser = await dispatch('bundle.export', { from, to: recentMonths().to, path: '/tmp/x.needmap-bundle' }, ctx);
    expect(inBrowser).toMatchObject({ ok: false, error: { fieldErrors: { path: [expect.stringContaining('browser mode')] } } });
    delete process.env.NEEDMAP_SIGNING_PASSPHRASE;
    const noPass = await dispatch('bundle.export', { from, to: recentMonths().to }, ctx);
    expect(noPass).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('NEEDMAP_SIGNING_PASSPHRASE') } });
  });

  it('key rotation keeps old bundles verifiable under their own key', async () => {
    const { ctx, from, to, out, file } = await exportedBundle();
    const rotated = await callOk(ctx, 'bundle.rotateKey', {});
    expect(rotated.fingerprint).not.toBe(out.fingerprint);
    const keys = await callOk(ctx, 'bundle.keyInfo', {});
    expect(keys.previous.map((k) => k.fingerprint)).toEqual([out.fingerprint]);
    const next = await callOk(ctx, 'bundle.export', { from, to });
    expect(next.fingerprint).toBe(rotated.fingerprint);
    expect((await verifyBundle(file, { expectedFingerprint: out.fingerprint })).ok).toBe(true);
    expect((await verifyBundle(Buffer.from(next.base64!, 'base64'), { expectedFingerprint: rotated.fingerprint })).ok).toBe(true);
  });
});

// Keep yauzl imported so a future change to in-memory reading is type-checked against it.
void yauzl;
