#!/usr/bin/env node
// `npm start`: build, then run the real Electron app. Where Electron's binary is missing (it is
// downloaded by Electron's own install script, which offline machines cannot run) it tries that
// script once; if the binary still cannot be had, it starts the browser host instead and says
// where to open it. Never a stack trace: every failure ends in a plain message.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'package.json'));

function say(message) {
  process.stdout.write(`\n[NeedMap] ${message}\n`);
}

function electronBinary() {
  try {
    delete require.cache[require.resolve('electron')];
    const binary = require('electron');
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

function tryElectronInstall() {
  say("Electron's program files are not installed yet; trying to download them once…");
  const script = path.join(root, 'node_modules', 'electron', 'install.js');
  if (!fs.existsSync(script)) return;
  // Its output is kept back: offline it is a stack trace, which tells a user nothing.
  const result = spawnSync(process.execPath, [script], { cwd: path.dirname(script), encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0) {
    const firstLine = `${result.stderr ?? ''}`.split('\n').find((l) => l.trim()) ?? 'no answer';
    say(`The download did not succeed (this computer may be offline): ${firstLine.trim()}`);
  }
}

/**
 * better-sqlite3 is built for Node (tests, CLI). Electron needs a build for its own ABI: make one
 * once, in a copy under .electron-native/, and point the app at it — the Node build stays intact.
 */
async function electronNativeBinding(electronVersion) {
  const outDir = path.join(root, '.electron-native', electronVersion);
  const binding = path.join(outDir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (fs.existsSync(binding)) return binding;
  say(`Building the database module for Electron ${electronVersion} (once; needs internet for Electron's headers)…`);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, 'node_modules'), { recursive: true });
  fs.cpSync(path.join(root, 'node_modules', 'better-sqlite3'), path.join(outDir, 'node_modules', 'better-sqlite3'), { recursive: true });
  fs.writeFileSync(
    path.join(outDir, 'package.json'),
    JSON.stringify({ name: 'needmap-electron-native', version: '0.0.0', dependencies: { 'better-sqlite3': '*' } }),
  );
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({ buildPath: outDir, electronVersion, onlyModules: ['better-sqlite3'], force: true });
  return fs.existsSync(binding) ? binding : null;
}

function startBrowserHost(reason) {
  say(
    `${reason}\n[NeedMap] Starting NeedMap in browser mode instead: the same app, served on this computer only.\n[NeedMap] Open the address printed below in your web browser. Press Ctrl+C to stop.`,
  );
  const child = spawn(process.execPath, [path.join(root, 'src-main', 'cli', 'needmap.mjs'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}

const built = spawnSync(process.execPath, [path.join(root, 'src-main', 'launcher', 'build.mjs')], { stdio: 'inherit' });
if (built.status !== 0) {
  say('The app could not be built; see the messages above.');
  process.exit(1);
}

let binary = electronBinary();
if (!binary) {
  tryElectronInstall();
  binary = electronBinary();
}
if (!binary) {
  startBrowserHost("Electron's program files could not be installed on this computer.");
} else {
  const electronVersion = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  let binding;
  try {
    binding = await electronNativeBinding(electronVersion);
  } catch (error) {
    binding = null;
    say(`Could not build the database module for Electron: ${error?.message ?? error}`);
  }
  if (!binding) {
    startBrowserHost('The desktop window cannot open its database on this computer yet.');
  } else {
    const child = spawn(binary, [root], { stdio: 'inherit', env: { ...process.env, NEEDMAP_NATIVE_BINDING: binding } });
    child.on('exit', (code) => process.exit(code ?? 0));
  }
}
