/**
 * Which calls are written to the audit log, and as what: `dispatch` asks `auditEntryFor` after
 * every call, so nothing else needs to remember to log. Entries name records by id only.
 */
import { appendAudit, type AuditActor } from '../db/protect/audit.ts';
import { journalAudit } from '../db/protect/audit-journal.ts';
import { isLocked } from '../db/locked.ts';
import type { AppContext, Session } from './context.ts';
import type { SessionDevice } from './sessions.ts';

interface Entry {
  action: string;
  target: string | null;
  detail?: Record<string, unknown>;
}

type Io = { input: Record<string, unknown>; output: Record<string, unknown> };
const num = (v: unknown) => (typeof v === 'number' ? v : null);

/** Successful calls worth recording: viewing a client, changes, exports, erasures, accounts, settings. */
const ON_SUCCESS: Record<string, (io: Io) => Entry | null> = {
  'clients.get': ({ input }) => ({ action: 'client.view', target: `client:${num(input.id)}` }),
  'clients.create': ({ output }) => (output.kind === 'created' ? { action: 'client.create', target: `client:${num(output.id)}` } : null),
  'clients.update': ({ input }) => ({ action: 'client.update', target: `client:${num(input.id)}` }),
  'contacts.record': ({ input, output }) => ({
    action: 'contact.record',
    target: `client:${num(input.clientId)}`,
    detail: { contactId: output.contactId, issues: Array.isArray(input.issues) ? input.issues.length : 0 },
  }),
  'issues.changeStatus': ({ input }) => ({ action: 'issue.status', target: `issue:${num(input.clientIssueId)}`, detail: { status: input.status } }),
  'bundle.export': ({ input }) => ({ action: 'bundle.export', target: null, detail: { from: input.from, to: input.to } }),
  'bundle.rotateKey': () => ({ action: 'bundle.rotateKey', target: null }),
  'bundle.settings': () => ({ action: 'bundle.settings', target: null }),
  'geo.import': () => ({ action: 'geo.import', target: null }),
  'records.export': ({ input, output }) => ({
    action: 'records.export',
    target: null,
    detail: { format: input.format, via: 'app', ...(output.counts as object) },
  }),
  'auth.setupAdmin': () => ({ action: 'auth.setup', target: null }),
  'auth.login': () => ({ action: 'auth.login', target: null }),
  'auth.logout': () => ({ action: 'auth.logout', target: null }),
  'auth.lock': () => ({ action: 'auth.lock', target: null }),
  'users.create': ({ input, output }) => ({ action: 'user.create', target: `user:${num(output.id)}`, detail: { role: input.role } }),
  'users.setRole': ({ input }) => ({ action: 'user.setRole', target: `user:${num(input.id)}`, detail: { role: input.role } }),
  'users.disable': ({ input }) => ({ action: 'user.disable', target: `user:${num(input.id)}` }),
  'users.resetPassword': ({ input }) => ({ action: 'user.resetPassword', target: `user:${num(input.id)}` }),
  'protect.settings': ({ input }) => (Object.keys(input).length ? { action: 'settings.protect', target: null, detail: { changed: Object.keys(input) } } : null),
  'protect.eraseClient': ({ input }) => ({ action: 'client.erase', target: `client:${num(input.clientId)}` }),
  'protect.retentionApply': ({ output }) => ({ action: 'retention.apply', target: null, detail: { runId: output.runId, anonymised: output.anonymised } }),
  'protect.subjectAccess': ({ input }) => ({ action: 'client.subjectAccess', target: `client:${num(input.clientId)}` }),
  'protect.backupNow': () => ({ action: 'backup', target: null }),
  'protect.restore': ({ input, output }) => ({
    action: 'restore',
    target: null,
    detail: {
      from: input.file,
      replaced: output.replacedFile,
      erasuresReapplied: (output.erasures as { reapplied?: unknown[] } | undefined)?.reapplied?.length ?? 0,
    },
  }),
  'protect.auditList': () => ({ action: 'audit.view', target: null }),
  'office.share': ({ input, output }) => ({ action: input.sharing ? 'office.shareOn' : 'office.shareOff', target: null, detail: { listen: output.listen } }),
  'office.approveDevice': ({ input }) => ({ action: 'office.approveDevice', target: `device:${String(input.deviceId)}` }),
  'office.revokeDevice': ({ input }) => ({ action: 'office.revokeDevice', target: `device:${String(input.deviceId)}` }),
  'protect.auditExport': ({ output }) => ({ action: 'audit.export', target: null, detail: { entries: output.entries } }),
};

/** The audit entry for a successful call, or null when it is not one we log. (Failed logins: see ./login.ts.) */
export function auditEntryFor(name: string, input: unknown, output: unknown): Entry | null {
  const make = ON_SUCCESS[name];
  return make ? make({ input: (input ?? {}) as Record<string, unknown>, output: (output ?? {}) as Record<string, unknown> }) : null;
}

/**
 * Writes one audit entry: into the hash-chained log when the database is open, else (an encrypted
 * database locked with nobody logged in) into the journal beside it, chained in at the next unlock.
 */
export function writeAudit(ctx: AppContext, actor: AuditActor, action: string, target: string | null = null, detail: Record<string, unknown> = {}): void {
  if (isLocked(ctx.caseDb)) journalAudit(ctx.caseDb.file, { ...actor, action, target, detail });
  else appendAudit(ctx.caseDb.db, actor, action, target, detail);
}

/** Which client PC a call came from, for an entry's detail (office sessions); nothing for calls made on this PC. */
export function deviceDetail(device: SessionDevice | null): { device?: SessionDevice } {
  return device ? { device: { id: device.id, name: device.name } } : {};
}

/**
 * After a successful call: its entry, in the name of `actor` (the user before the call, or after it
 * for a login), and of the client PC it came from when it came through the office server.
 */
export function recordAudit(ctx: AppContext, name: string, input: unknown, output: unknown, actor: Session | null, device: SessionDevice | null = null): void {
  const entry = auditEntryFor(name, input, output);
  if (!entry) return;
  writeAudit(ctx, { userId: actor?.userId ?? null, username: actor?.username ?? null }, entry.action, entry.target, {
    ...(entry.detail ?? {}),
    ...deviceDetail(device),
  });
}
