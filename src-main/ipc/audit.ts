/**
 * Which calls are written to the audit log, and as what: `dispatch` asks `auditEntryFor` after
 * every call, so nothing else needs to remember to log. Entries name records by id only.
 */
import { appendAudit } from '../db/protect/audit.ts';
import { isLocked } from '../db/locked.ts';
import type { AppContext } from './context.ts';

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
  'protect.auditList': () => ({ action: 'audit.view', target: null }),
  'protect.auditExport': ({ output }) => ({ action: 'audit.export', target: null, detail: { entries: output.entries } }),
};

/** The audit entry for a finished call, or null when it is not one we log. */
export function auditEntryFor(name: string, input: unknown, outcome: { ok: true; value: unknown } | { ok: false }): Entry | null {
  if (!outcome.ok) return name === 'auth.login' ? { action: 'auth.loginFailed', target: null } : null;
  const make = ON_SUCCESS[name];
  return make ? make({ input: (input ?? {}) as Record<string, unknown>, output: (outcome.value ?? {}) as Record<string, unknown> }) : null;
}

export function recordAudit(ctx: AppContext, name: string, input: unknown, outcome: { ok: true; value: unknown } | { ok: false }): void {
  const entry = auditEntryFor(name, input, outcome);
  // A failed login while the database is locked cannot be written into it (it stays closed).
  if (!entry || isLocked(ctx.caseDb)) return;
  const attempted = name === 'auth.login' && !outcome.ok ? String((input as { username?: unknown })?.username ?? '') : null;
  appendAudit(
    ctx.caseDb.db,
    { userId: ctx.session?.userId ?? null, username: ctx.session?.username ?? attempted },
    entry.action,
    entry.target,
    entry.detail ?? {},
  );
}
