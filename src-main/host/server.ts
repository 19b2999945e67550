/**
 * The browser host: the built renderer and the same contract handlers, served over HTTP on
 * 127.0.0.1 only. A random token per start (exchanged once for an HttpOnly, SameSite=Strict
 * cookie) plus Host and Origin checks mean no other web page or site can call it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { dispatch, type AppContext } from '../ipc/handlers.ts';
import { CONTENT_SECURITY_POLICY } from '../security.ts';

export interface BrowserHost {
  /** The address to open, with the start token in it. */
  url: string;
  origin: string;
  port: number;
  close(): Promise<void>;
}

const COOKIE = 'needmap_session';
const MAX_BODY_BYTES = 5 * 1024 * 1024;

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

function cookieToken(req: http.IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return null;
}

function send(res: http.ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('Request too large.'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startBrowserHost(options: { ctx: AppContext; rendererDir: string; port?: number; token?: string }): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const rendererDir = path.resolve(options.rendererDir);
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built (${rendererDir}/index.html is missing). Run "npm run build" first.`);
  }
  let allowedHosts: Set<string> = new Set();

  const server = http.createServer(async (req, res) => {
    try {
      // DNS-rebinding defence: only our own loopback names are served.
      if (!allowedHosts.has(req.headers.host ?? '')) return send(res, 421, 'Wrong host.');
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);

      if (url.pathname === '/api/call') {
        if (req.method !== 'POST') return send(res, 405, 'POST only.');
        const origin = req.headers.origin;
        if (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//, ''))) {
          return send(res, 403, 'Cross-origin calls are refused.');
        }
        if (req.headers['x-needmap'] !== '1' || !(req.headers['content-type'] ?? '').startsWith('application/json')) {
          return send(res, 400, 'Not a NeedMap call.');
        }
        const presented = cookieToken(req);
        if (!presented || !sameSecret(presented, token)) return send(res, 401, 'Open NeedMap from the address it printed.');
        let body: { name?: unknown; input?: unknown };
        try {
          body = JSON.parse(await readBody(req)) as typeof body;
        } catch {
          return send(res, 400, 'The request body is not JSON.');
        }
        const result = await dispatch(body.name, body.input, options.ctx);
        return send(res, 200, JSON.stringify(result), 'application/json');
      }

      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed.');

      // The start link carries the token once; swap it for a cookie and drop it from the address bar.
      const offered = url.searchParams.get('token');
      if (offered !== null) {
        if (!sameSecret(offered, token)) return send(res, 403, 'This NeedMap link is out of date: use the address printed at start.');
        res.writeHead(302, {
          Location: '/',
          'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          'Cache-Control': 'no-store',
        });
        return res.end();
      }
      const presented = cookieToken(req);
      if (!presented || !sameSecret(presented, token)) {
        return send(res, 401, 'Open NeedMap from the full address it printed when it started (it includes a one-time token).');
      }

      const relative = decodeURIComponent(url.pathname).replace(/^\/+/, '');
      let file = path.resolve(rendererDir, relative || 'index.html');
      if (!file.startsWith(rendererDir + path.sep) && file !== rendererDir) return send(res, 404, 'Not found.');
      if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(rendererDir, 'index.html');
      send(res, 200, fs.readFileSync(file), MIME[path.extname(file)] ?? 'application/octet-stream');
    } catch (error) {
      console.error('[needmap] browser host error:', error);
      if (!res.headersSent) send(res, 500, 'Internal error.');
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
