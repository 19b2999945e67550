/**
 * The Electron shell — deliberately thin: one window with a sandboxed renderer, a preload that
 * exposes only the contract's `call`, and IPC routed to the same `dispatch` the browser host uses.
 * All behaviour lives in src-main/core, src-main/db and src-main/ipc, tested under plain Node.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session, type WebContents } from 'electron';
import { createAppContext, errorLogFileFor } from '../app-context.ts';
import { backupOnClose, startDailyBackups } from '../db/protect/auto-backup.ts';
import { usePlatformKeyWrapper } from '../db/key-slots.ts';
import { usePlatformKeyProtector } from '../db/bundle/signing-keys.ts';
import { platformProtectionAvailable, safeStorageKeyProtector, safeStorageKeyWrapper } from './safe-storage.ts';
import type { AppContext } from '../ipc/handlers.ts';
import { localBackend, type CallBackend } from '../ipc/backend.ts';
import type { CallerSession } from '../ipc/sessions.ts';
import { offerOfficeConnection } from '../office/client-mode.ts';
import { readConnection } from '../office/connection-file.ts';
import { OfficeForwarder } from '../office/forwarder.ts';
import { OfficeShare } from '../office/share.ts';
import type { AppPaths } from '../paths.ts';

function appPaths(): AppPaths {
  // Not importing paths.ts's helpers keeps import.meta (ESM only) out of this CommonJS bundle.
  if (!app.isPackaged) {
    const root = app.getAppPath();
    return { resourcesDir: path.join(root, 'resources'), migrationsDir: path.join(root, 'drizzle'), rendererDir: path.join(root, 'dist', 'renderer') };
  }
  // Packaged: data files are extraResources beside the asar; the renderer is inside it.
  return {
    resourcesDir: path.join(process.resourcesPath, 'resources'),
    migrationsDir: path.join(process.resourcesPath, 'drizzle'),
    rendererDir: path.join(app.getAppPath(), 'dist', 'renderer'),
  };
}

/** This PC's own database; null on a PC that connects to an office server (or once it has become one). */
let ctx: AppContext | null = null;
/** Where calls go: this PC's database, or the office server (src-main/office/forwarder.ts). */
let backend: CallBackend | null = null;
let forwarder: OfficeForwarder | null = null;
let stopHousekeeping: (() => void) | null = null;
let stopDailyBackups: (() => void) | null = null;

function useBackend(next: CallBackend): void {
  stopHousekeeping?.();
  backend = next;
  // Auto-lock is enforced on every call and, for windows left idle, every half minute.
  stopHousekeeping = next.startHousekeeping();
}

/** Each window is its own session (its own login), ended when the window goes. */
const windowSessions = new Map<number, CallerSession>();

function sessionOf(contents: WebContents): CallerSession {
  const existing = windowSessions.get(contents.id);
  if (existing) return existing;
  const created = backend!.sessions.attach('electron');
  windowSessions.set(contents.id, created);
  contents.once('destroyed', () => {
    windowSessions.delete(contents.id);
    backend?.ended(created);
  });
  return created;
}

function createWindow(paths: AppPaths): void {
  const indexUrl = pathToFileURL(path.join(paths.rendererDir, 'index.html')).href;
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'NeedMap',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      spellcheck: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  // Nothing may navigate away from the app or open new windows.
  win.webContents.on('will-navigate', (event, url) => {
    if (url.split('#')[0] !== indexUrl) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void win.loadURL(indexUrl);
}

async function start(): Promise<void> {
  // One app per user: a second start focuses the first window (the database lock below also refuses a second writer).
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  await app.whenReady();
  const paths = appPaths();
  // Camera, microphone, notifications, geolocation…: NeedMap needs none of them.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  // The OS keychain protects the database key and the signing key where it really can.
  if (platformProtectionAvailable()) {
    usePlatformKeyWrapper(safeStorageKeyWrapper);
    usePlatformKeyProtector(safeStorageKeyProtector);
  }
  const userData = app.getPath('userData');
  try {
    // A PC set up to connect to the office server keeps no database: every call goes to the server.
    const connection = readConnection(userData);
    if (connection) {
      forwarder = new OfficeForwarder(connection, { errorLogFile: errorLogFileFor(path.join(userData, 'office-client')) });
      useBackend(forwarder);
    } else {
      ctx = createAppContext({
        dbFile: path.join(userData, 'needmap.db'),
        paths,
        host: 'electron',
        integrityCheck: 'in-background',
        ...(process.env.NEEDMAP_NATIVE_BINDING ? { nativeBinding: process.env.NEEDMAP_NATIVE_BINDING } : {}),
      });
      // "Share with this office" (Settings), if an admin turned it on: the other PCs connect here.
      ctx.office = new OfficeShare(ctx);
      await ctx.office.resume();
      stopDailyBackups = startDailyBackups(ctx);
      useBackend(localBackend(ctx));
      // A fresh PC may instead be set up, from the first-run screen, to connect to the office server.
      const local = ctx;
      offerOfficeConnection(local, userData, (next) => {
        stopDailyBackups?.();
        stopDailyBackups = null;
        ctx = null;
        forwarder = next;
        useBackend(next);
      });
    }
  } catch (error) {
    dialog.showErrorBox('NeedMap cannot open its database', (error as Error).message);
    app.exit(1);
    return;
  }
  const rendererUrlPrefix = pathToFileURL(paths.rendererDir).href;
  ipcMain.handle('needmap:call', (event, name: unknown, input: unknown) => {
    // Only our own renderer page may call in.
    if (!event.senderFrame || !event.senderFrame.url.startsWith(rendererUrlPrefix)) {
      return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted from NeedMap only.', fieldErrors: {} } };
    }
    return backend!.dispatch(name, input, sessionOf(event.sender));
  });
  ipcMain.handle('needmap:save-pdf', async (event, suggestedName: unknown) => {
    if (!event.senderFrame || !event.senderFrame.url.startsWith(rendererUrlPrefix)) return;
    const win = BrowserWindow.fromWebContents(event.sender);
    if (!win) return;
    const name = typeof suggestedName === 'string' && /^[\w .-]{1,80}\.pdf$/.test(suggestedName) ? suggestedName : 'needmap.pdf';
    const { canceled, filePath } = await dialog.showSaveDialog(win, {
      defaultPath: path.join(app.getPath('documents'), name),
      filters: [{ name: 'PDF', extensions: ['pdf'] }],
    });
    if (canceled || !filePath) return;
    const pdf = await event.sender.printToPDF({ printBackground: true, pageSize: 'A4' });
    await fs.promises.writeFile(filePath, pdf);
  });
  createWindow(paths);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(paths);
  });
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('before-quit', () => ctx && backupOnClose(ctx));
app.on('will-quit', () => {
  forwarder?.close();
  // Stops sharing; the other PCs' sessions are kept for the next start.
  void ctx?.office?.close();
  ctx?.close();
});

void start();
