/** `needmap export` and `needmap verify` as administrators script them: flags, exit codes, reasons. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { lastWholeMonth } from '../../src-main/core/demo.ts';
import { monthFromIndex, monthIndex } from '../../src-main/core/bundle/period.ts';
import { tempDir, NEEDMAP_CLI } from '../helpers.ts';
import { PASSPHRASE } from './fixtures.ts';

const cli = NEEDMAP_CLI;

function needmap(args: string[], env: Record<string, string> = {}) {
  const { NEEDMAP_SIGNING_PASSPHRASE: _drop, ...base } = process.env;
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...base, ...env } });
}

it('exports, verifies, and reports the exact reason a bundle is refused', () => {
  const dir = tempDir();
  const db = path.join(dir, 'demo.db');
  const end = lastWholeMonth();
  expect(needmap(['demo', '--db', db, '--clients', '300', '--seed', '5', '--end', end]).status).toBe(0);
  const from = monthFromIndex(monthIndex(end) - 11);
  const out = path.join(dir, 'a.needmap-bundle');
  const org = ['--org-id', 'CH-1234567', '--org-name', 'Riverside Advice'];

  const noPass = needmap(['export', '--db', db, '--from', from, '--to', end, '--out', out, ...org]);
  expect(noPass.status).toBe(1);
  expect(noPass.stderr).toContain('NEEDMAP_SIGNING_PASSPHRASE');
  expect(fs.existsSync(out)).toBe(false);

  const current = new Date().toISOString().slice(0, 7);
  const open = needmap(['export', '--db', db, '--from', from, '--to', current, '--out', out, ...org], { NEEDMAP_SIGNING_PASSPHRASE: PASSPHRASE });
  expect(open.status).toBe(2);
  expect(open.stderr).toContain('not over yet');

  const ok = needmap(['export', '--db', db, '--from', from, '--to', end, '--out', out, ...org], { NEEDMAP_SIGNING_PASSPHRASE: PASSPHRASE });
  expect(ok.status, ok.stderr).toBe(0);
  expect(ok.stdout).toMatch(/^Exported .*bundle #1/);
  const fingerprint = /Signer fingerprint: ([0-9A-F ]+)/.exec(ok.stdout)![1]!;

  const wrongPass = needmap(['export', '--db', db, '--from', from, '--to', end, '--out', path.join(dir, 'b.needmap-bundle')], {
    NEEDMAP_SIGNING_PASSPHRASE: 'not the passphrase',
  });
  expect(wrongPass.status).toBe(1);
  expect(wrongPass.stderr).toContain('does not unlock');

  const verified = needmap(['verify', out, '--fingerprint', fingerprint]);
  expect(verified.status, verified.stderr).toBe(0);
  expect(verified.stdout).toContain('Riverside Advice (CH-1234567), bundle #1');

  const mismatch = needmap(['verify', out, '--fingerprint', 'ab'.repeat(32)]);
  expect(mismatch.status).toBe(1);
  expect(mismatch.stderr).toMatch(/^needmap verify: fingerprint-mismatch: /);

  const junk = path.join(dir, 'junk.needmap-bundle');
  fs.writeFileSync(junk, 'not a zip');
  expect(needmap(['verify', junk]).stderr).toMatch(/^needmap verify: malformed-zip: /);
  expect(needmap(['verify', path.join(dir, 'missing.needmap-bundle')]).status).toBe(2);
});

it('adds match keys with --linkage-key-file, and refuses a short or missing key file', () => {
  const dir = tempDir();
  const db = path.join(dir, 'demo.db');
  const end = lastWholeMonth();
  expect(needmap(['demo', '--db', db, '--clients', '100', '--seed', '6', '--end', end]).status).toBe(0);
  const from = monthFromIndex(monthIndex(end) - 2);
  const env = { NEEDMAP_SIGNING_PASSPHRASE: PASSPHRASE };
  const org = ['--org-id', 'CH-1', '--org-name', 'Riverside Advice'];
  const keyFile = path.join(dir, 'linkage.key');

  fs.writeFileSync(keyFile, 'short\n');
  const short = needmap(
    ['export', '--db', db, '--from', from, '--to', end, '--out', path.join(dir, 'x.needmap-bundle'), ...org, '--linkage-key-file', keyFile],
    env,
  );
  expect(short.status).toBe(2);
  expect(short.stderr).toContain('at least 32 characters');
  const missing = needmap(
    ['export', '--db', db, '--from', from, '--to', end, '--out', path.join(dir, 'x.needmap-bundle'), ...org, '--linkage-key-file', path.join(dir, 'none')],
    env,
  );
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain('No linkage key file');

  const key = 'k3Yb0f8Qm2Zs9Lx4Vt7Rw1Np6Hc5Jd0Ue8Ga3Sy2Fo=';
  fs.writeFileSync(keyFile, `${key}\n`);
  const out = path.join(dir, 'mk.needmap-bundle');
  const ok = needmap(['export', '--db', db, '--from', from, '--to', end, '--out', out, ...org, '--linkage-key-file', keyFile], env);
  expect(ok.status, ok.stderr).toBe(0);
  expect(ok.stdout).toMatch(/\nMatch keys: \d+ rows, linkage key id [0-9a-f]{16} \(pseudonymised personal data\)\.\n$/);
  expect(fs.readFileSync(out).includes(Buffer.from(key))).toBe(false);
  const verified = needmap(['verify', out]);
  expect(verified.status, verified.stderr).toBe(0);
  expect(verified.stdout).toMatch(/match-key rows/);

  // Without the flag and with nothing stored, no match keys.
  const plain = needmap(['export', '--db', db, '--from', from, '--to', end, '--out', path.join(dir, 'plain.needmap-bundle')], env);
  expect(plain.status, plain.stderr).toBe(0);
  expect(plain.stdout).not.toContain('Match keys');
});
