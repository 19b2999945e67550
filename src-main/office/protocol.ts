/**
 * What travels between a client PC and the office server, over TLS with the server's certificate
 * pinned: every request is a POST of a JSON object, checked here with zod on the server (and the
 * answers on the client). A PC names itself in a header with every request (its id and secret);
 * a person's session is a second header, as in the browser host. Refusals carry a kind the
 * client turns into a plain message; never a stack trace.
 */
import { z } from 'zod';

export const DEVICE_HEADER = 'x-needmap-device';
export const SESSION_HEADER = 'x-needmap-session';
/** A random id per request: a request repeated on a new connection is answered from what the server did the first time. */
export const REQUEST_ID_HEADER = 'x-needmap-request';

export const OFFICE_PATHS = { pair: '/office/pair', session: '/office/session', call: '/office/call', end: '/office/end' } as const;

export const DeviceId = z.string().uuid();
/** 32 random bytes, base64url. */
export const DeviceSecret = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
export const DeviceName = z
  .string()
  .trim()
  .min(1, { message: 'Give this PC a name, e.g. "Reception PC".' })
  .max(60, { message: 'A PC name is at most 60 characters.' })
  .regex(/^[^\p{Cc}]+$/u, { message: 'A PC name cannot hold control characters.' });

/** The device header: "<id>.<secret>". */
export function deviceHeader(id: string, secret: string): string {
  return `${id}.${secret}`;
}

export function parseDeviceHeader(value: string): { id: string; secret: string } | null {
  const dot = value.indexOf('.');
  if (dot < 0) return null;
  const id = DeviceId.safeParse(value.slice(0, dot));
  const secret = DeviceSecret.safeParse(value.slice(dot + 1));
  return id.success && secret.success ? { id: id.data, secret: secret.data } : null;
}

export const PairRequest = z.object({ deviceId: DeviceId, deviceSecret: DeviceSecret, deviceName: DeviceName }).strict();
export const PairReply = z.object({ state: z.enum(['pending', 'approved', 'revoked']), code: z.string(), name: z.string() });
export type PairReply = z.infer<typeof PairReply>;

export const EmptyRequest = z.object({}).strict();
export const SessionReply = z.object({ secret: z.string().min(32).max(200) });

export const CallRequest = z.object({ name: z.string().min(1).max(100), input: z.unknown() }).strict();

export const RefusalKind = z.enum([
  'bad-request',
  'device-unknown',
  'device-pending',
  'device-revoked',
  'device-conflict',
  'session-ended',
  'too-many',
  'not-found',
  'internal',
]);
export type RefusalKind = z.infer<typeof RefusalKind>;
export const Refusal = z.object({ refused: RefusalKind, message: z.string(), retryAfterSeconds: z.number().int().nonnegative().optional() });
export type Refusal = z.infer<typeof Refusal>;
