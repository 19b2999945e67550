/**
 * The browser host: the built renderer and the same contract handlers, served over HTTP on
 * 127.0.0.1 only.
 *
 * Sessions: the printed start link carries a one-time token. The page exchanges it (POST
 * /api/session) for a session secret of its own, keeps that in the tab's sessionStorage and sends
 * it in the X-NeedMap-Session header with every call. Browsers send nothing automatically that
 * could call the API — there are no cookies at all, so another server on 127.0.0.1 (cookies are
 * shared across ports) receives nothing it could use — and each tab is its own session, with its
 * own login (see ipc/sessions.ts). A used link shows how to get a new one: `needmap open` asks this
 * host through the control file (control-file.ts). Host and Origin checks keep other web pages
 * and DNS-rebinding sites out; malformed requests get a plain 4xx (requests.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AppContext } from '../ipc/handlers.ts';
import { localBackend, type CallBackend } from '../ipc/backend.ts';
import { reportInternalError } from '../error-log.ts';
import { removeControlFile, writeControlFile } from './control-file.ts';
import { checkApiRequest, HttpError, parseTarget, readJsonObject, send, sendJson, sendPage, singleHeader } from './requests.ts';
import { StartLinks } from './start-links.ts';

export interface BrowserHost {
  /** A start link (one-time) to open. */
  url: string;
  origin: string;
  port: number;
  /** A new one-time start link (what `needmap open` gets through the control file). */
  newStartLink(): string;
  /**
   * From now on, calls go to `backend` (this PC became a client of an office server): the tabs keep
   * their sessions, as the new backend takes over the same session store.
   */
  useBackend(backend: CallBackend): void;
  close(): Promise<void>;
}

export const SESSION_HEADER = 'x-needmap-session';
export const CONTROL_HEADER = 'x-needmap-control';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface BrowserHostOptions {
  /** This process's database; or, instead, `backend` with `controlFor`. */
  ctx?: AppContext;
  /** Where calls go when there is no local database (a client PC of an office server). */
  backend?: CallBackend;
  /** The database file the control file is named after (default: ctx's). */
  controlFor?: string;
  rendererDir: string;
  port?: number;
  /** Where to write the control file for `needmap open` (the user's data folder); none when absent. */
  controlDir?: string;
  /** How a person gets a new start link, shown on the used-link page. */
  newLinkCommand?: string;
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  let backend = options.backend ?? (options.ctx ? localBackend(options.ctx) : null);
  const controlFor = options.controlFor ?? options.ctx?.caseDb.file;
  if (!backend || !controlFor) throw new Error('The browser host needs a database (ctx) or a backend with controlFor.');
  const rendererDir = path.resolve(options.rendererDir);
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built (${rendererDir}/index.html is missing). Run "npm run build" first.`);
  }
  const links = new StartLinks();
  const controlSecret = randomBytes(32).toString('base64url');
  const newLinkCommand = options.newLinkCommand ?? 'needmap open';
  let allowedHosts: Set<string> = new Set();
  let origin = '';
  const startLink = () => `${origin}/?token=${links.issue()}`;

  async function api(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> {
    checkApiRequest(req, allowedHosts);
    if (pathname === '/api/call') {
      const secret = singleHeader(req, SESSION_HEADER);
      const caller = secret ? backend!.sessions.find(secret) : null;
      if (!caller) throw new HttpError(401, `This NeedMap tab's session has ended. For a new start link, run ${newLinkCommand} on this computer.`);
      const body = await readJsonObject(req);
      if (typeof body.name !== 'string') throw new HttpError(400, 'The request body must name a call ("name").');
      return sendJson(res, await backend!.dispatch(body.name, body.input, caller));
    }
    if (pathname === '/api/session') {
      const body = await readJsonObject(req);
      if (typeof body.token !== 'string' || !links.consume(body.token)) {
        throw new HttpError(401, `This start link has already been used or is out of date. For a new one, run ${newLinkCommand} on this computer.`);
      }
      return sendJson(res, { secret: backend!.sessions.open('browser').secret });
    }
    if (pathname === '/api/start-link') {
      const presented = singleHeader(req, CONTROL_HEADER);
      if (!presented || !sameSecret(presented, controlSecret)) throw new HttpError(403, 'A new start link needs the control secret (use needmap open).');
      await readJsonObject(req);
      return sendJson(res, { url: startLink() });
    }
    throw new HttpError(404, 'There is no such NeedMap call.');
  }

  function page(res: http.ServerResponse, pathname: string, query: URLSearchParams): void {
    const offered = query.get('token');
    const state = offered === null ? null : links.state(offered);
    if (state !== null && state !== 'valid') {
      const title = { used: 'This NeedMap link has already been used', expired: 'This NeedMap link has expired', unknown: 'This NeedMap link is not valid' }[
        state
      ];
      return sendPage(res, 410, title, [
        'Each NeedMap start link opens NeedMap once, in one browser tab, so that nobody else can use it again.',
        `To get a new link, run \`${newLinkCommand}\` on this computer. It opens NeedMap in a new tab (or prints a new address to open).`,
        'If NeedMap has stopped, start it again: it prints a new address.',
      ]);
    }
    // The renderer itself holds nothing secret: the page and its scripts are served to anyone on 127.0.0.1.
    const relative = pathname.replace(/^\/+/, '');
    let file = path.resolve(rendererDir, relative || 'index.html');
    if (!file.startsWith(rendererDir + path.sep) && file !== rendererDir) return send(res, 404, 'Not found.');
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(rendererDir, 'index.html');
    send(res, 200, fs.readFileSync(file), MIME[path.extname(file)] ?? 'application/octet-stream');
  }

  const server = http.createServer(async (req, res) => {
    try {
      // DNS-rebinding defence: only our own loopback names are served.
      if (!allowedHosts.has(req.headers.host ?? '')) throw new HttpError(421, 'Wrong host.');
      const { pathname, query } = parseTarget(req);
      if (pathname.startsWith('/api/')) return await api(req, res, pathname);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'Method not allowed.');
      page(res, pathname, query);
    } catch (error) {
      if (error instanceof HttpError) {
        res.setHeader('Connection', 'close');
        return send(res, error.status, error.message);
      }
      reportInternalError(`browser host (${req.method} ${String(req.url).slice(0, 100)})`, error, backend!.errorLogFile);
      send(res, 500, 'Something went wrong inside NeedMap. The details are in its error log.');
    }
  });
  // Requests Node cannot even parse (bad header syntax, headers too large): a plain 4xx, nothing logged.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nBad request.\n`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  origin = `http://127.0.0.1:${port}`;

  // Auto-lock, abandoned tabs and the audit journal are seen to every half minute, not only when a call arrives.
  let stopHousekeeping = backend.startHousekeeping();

  const controlFile = options.controlDir
    ? writeControlFile(options.controlDir, {
        format: 'needmap-browser-host',
        pid: process.pid,
        origin,
        dbFile: path.resolve(controlFor),
        controlSecret,
        startedAt: new Date().toISOString(),
      })
    : null;

  return {
    url: startLink(),
    origin,
    port,
    newStartLink: startLink,
    useBackend(next) {
      stopHousekeeping();
      backend = next;
      stopHousekeeping = next.startHousekeeping();
    },
    close: () =>
      new Promise<void>((resolve) => {
        stopHousekeeping();
        if (controlFile) removeControlFile(controlFile);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
