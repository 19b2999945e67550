#!/usr/bin/env node
// `npm test`: the typecheck, Prettier and ESLint, then every suite — vitest (core, database, IPC,
// CLI) then Playwright (browser e2e, and the Electron variant where its binary exists) — and one
// closing line with the totals:
// "N passed, N failed, N skipped". Exits non-zero if anything failed or a runner broke.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, '.test-output');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function run(label, command, args) {
  console.log(`\n=== ${label} ===\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  return result.status ?? 1;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

// TypeScript, strict, over the whole project: one check, counted like a test.
const typecheckStatus = run('TypeScript (strict, whole project)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
if (typecheckStatus === 0) totals.passed += 1;
else totals.failed += 1;

// Formatting (Prettier, .prettierrc.json): `npm run format` fixes what this finds.
const formatStatus = run('Prettier (formatting)', bin('prettier'), ['--check', '.']);
if (formatStatus === 0) totals.passed += 1;
else totals.failed += 1;

// ESLint (eslint.config.js): typescript-eslint, no import cycles, no file over 600 lines, and what
// the renderer and core may import. One check, counted like the typecheck.
const lintStatus = run('ESLint (rules, import cycles, file size, layering)', bin('eslint'), ['--max-warnings', '0', '.']);
if (lintStatus === 0) totals.passed += 1;
else totals.failed += 1;

// Built before vitest too: tests that start `needmap serve` as a separate process (tests/office/)
// need the renderer it serves, and a clean checkout has none.
const buildStatus = run('build the renderer (served by needmap serve in vitest and Playwright)', process.execPath, [
  path.join(root, 'src-main', 'launcher', 'build.mjs'),
  '--renderer',
]);

const vitestJson = path.join(out, 'vitest.json');
const vitestStatus = run('vitest: core, database, IPC, CLI', bin('vitest'), [
  'run',
  '--config',
  'tests/vitest.config.ts',
  '--reporter=default',
  '--reporter=json',
  `--outputFile=${vitestJson}`,
]);
const vitest = readJson(vitestJson);
if (!vitest) problems.push('vitest wrote no results');
else {
  totals.passed += vitest.numPassedTests;
  totals.failed += vitest.numFailedTests;
  totals.skipped += vitest.numPendingTests + (vitest.numTodoTests ?? 0);
  // A suite that fails to load counts no test but must still fail the run.
  if (vitest.numFailedTestSuites > 0 && vitest.numFailedTests === 0) problems.push(`${vitest.numFailedTestSuites} vitest file(s) failed to load`);
}
if (vitestStatus !== 0 && vitest && vitest.numFailedTests === 0 && problems.length === 0) problems.push(`vitest exited with ${vitestStatus}`);

if (buildStatus !== 0) problems.push('the renderer build failed');
else {
  const pwJson = path.join(out, 'playwright.json');
  const pwStatus = run('Playwright: end to end in Chromium', bin('playwright'), ['test', '--config', 'tests/e2e/playwright.config.ts']);
  const pw = readJson(pwJson);
  if (!pw) problems.push('Playwright wrote no results');
  else {
    totals.passed += pw.stats.expected + (pw.stats.flaky ?? 0);
    totals.failed += pw.stats.unexpected;
    totals.skipped += pw.stats.skipped;
    if (pw.errors?.length) problems.push(`Playwright reported ${pw.errors.length} error(s) outside tests`);
  }
  if (pwStatus !== 0 && pw && pw.stats.unexpected === 0 && !pw.errors?.length) problems.push(`Playwright exited with ${pwStatus}`);
}

for (const p of problems) console.log(`\nProblem: ${p}`);
const failed = totals.failed + (problems.length > 0 && totals.failed === 0 ? 1 : 0);
const line = `${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped`;
fs.writeFileSync(path.join(out, 'summary.txt'), line + '\n');
console.log(`\n${line}`);
process.exit(failed > 0 ? 1 : 0);
