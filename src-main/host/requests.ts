/**
 * Reading and answering the browser host's HTTP requests safely: every malformed request (a body
 * that is not a JSON object, a bad URL escape, a wrong or missing header, a wrong content type,
 * too much data) becomes an HttpError — a 4xx with a plain message — and never a stack trace.
 */
import type http from 'node:http';
import { CONTENT_SECURITY_POLICY } from '../security.ts';

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** A request refused on purpose: its status and the plain message the caller sees. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export function send(res: http.ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': type, ...SECURITY_HEADERS });
  res.end(body);
}

export function sendJson(res: http.ServerResponse, value: unknown): void {
  send(res, 200, JSON.stringify(value), 'application/json; charset=utf-8');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A plain page (no script) for a person who opened an address in the browser. */
export function sendPage(res: http.ServerResponse, status: number, title: string, paragraphs: string[]): void {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`).join('\n');
  send(
    res,
    status,
    `<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body><main><h1>${escapeHtml(title)}</h1>\n${body}\n</main></body></html>\n`,
    'text/html; charset=utf-8',
  );
}

/** The request's path and query, or a 400 for an address that cannot be parsed or decoded. */
export function parseTarget(req: http.IncomingMessage): { pathname: string; query: URLSearchParams } {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    throw new HttpError(400, 'That address is not valid.');
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    throw new HttpError(400, 'That address has a malformed %-escape.');
  }
  if (pathname.includes('\0')) throw new HttpError(400, 'That address is not valid.');
  return { pathname, query: url.searchParams };
}

/**
 * The checks every /api request passes before its body is read: same origin (or none, for
 * `needmap open`), our marker header, and a JSON body of acceptable size.
 */
export function checkApiRequest(req: http.IncomingMessage, allowedHosts: ReadonlySet<string>): void {
  if (req.method !== 'POST') throw new HttpError(405, 'POST only.');
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//, ''))) throw new HttpError(403, 'Cross-origin calls are refused.');
  if (req.headers['x-needmap'] !== '1') throw new HttpError(400, 'Not a NeedMap call (the X-NeedMap header is missing).');
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'Send the call as JSON (Content-Type: application/json).');
  const length = req.headers['content-length'];
  if (length !== undefined && !(Number(length) <= MAX_BODY_BYTES)) throw new HttpError(413, 'The request is too large.');
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'The request is too large.'));
        req.pause();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => reject(new HttpError(400, 'The request was cut off.')));
    req.on('aborted', () => reject(new HttpError(400, 'The request was cut off.')));
  });
}

/** The body as a JSON object (never null, an array or a bare value), or a 400 saying what is wrong. */
export async function readJsonObject(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const bytes = await readBody(req);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** A header's single value: a repeated header (an array) or an over-long one is refused. */
export function singleHeader(req: http.IncomingMessage, name: string, maxLength = 200): string | null {
  const value = req.headers[name];
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length > maxLength) throw new HttpError(400, `The ${name} header is not valid.`);
  return value;
}
