/**
 * The same flow through the real Electron app, where Electron's binary is installed. On machines
 * where it cannot be downloaded this reports itself as skipped (never passes silently).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';
import { completeFirstRun, tempDatabase } from './host.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function electronBinary(): string | null {
  try {
    const binary = createRequire(path.join(root, 'package.json'))('electron') as unknown;
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const nativeBinding = process.env.NEEDMAP_NATIVE_BINDING;

test('Electron: the app opens sandboxed and records a client', async () => {
  test.skip(!binary, 'Electron binary is not installed on this machine (its download needs internet)');
  test.skip(!nativeBinding, 'No better-sqlite3 build for Electron (run `npm start` once online to make one)');
  const userData = path.dirname(tempDatabase());
  const app = await electron.launch({
    executablePath: binary!,
    args: [root, `--user-data-dir=${userData}`],
    env: { ...process.env, NEEDMAP_NATIVE_BINDING: nativeBinding! },
  });
  const page = await app.firstWindow();
  await completeFirstRun(page);
  await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible();
  const exposed = await page.evaluate(() => ({
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (window as unknown as { process?: unknown }).process,
    api: Object.keys(window.needmap ?? {}),
  }));
  expect(exposed).toEqual({ require: 'undefined', process: 'undefined', api: ['call', 'savePdf'] });
  await app.close();
});
