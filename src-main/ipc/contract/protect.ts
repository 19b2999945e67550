/**
 * Protecting the people in the records: log in and accounts (auth.*, users.*), erasure,
 * retention, subject access, backups and the audit log (protect.*). Who may call what is in
 * ../permissions.ts. Imports only zod and pure core, so the renderer can import it.
 */
import { z } from 'zod';
import { isoDate, name } from '../../core/records/fields.ts';
import { MIN_PASSWORD_LENGTH } from '../../core/protect/password-rules.ts';
import { staffAccountRecord } from '../../core/records/staff-account.ts';
import { id } from './recording.ts';

/** Only the length is checked here; the full rules (core/protect/keys.ts passwordProblem) run in the handler. */
const newPassword = z
  .string({ message: 'Enter a password.' })
  .min(MIN_PASSWORD_LENGTH, { message: `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.` })
  .max(200, { message: 'The password is too long (200 characters at most).' });

const { username, displayName, role } = staffAccountRecord.fields;

export const Session = z.object({ userId: z.number().int(), username: username.stored, role: role.stored });

const User = staffAccountRecord.stored.extend({
  id: z.number().int(),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
});

const ProtectSettingsOut = z.object({
  autoLockMinutes: z.number().int(),
  retentionYears: z.number().int(),
  backupDir: z.string().nullable(),
  backupKeep: z.number().int(),
});

const BackupFile = z.object({ file: z.string(), name: z.string(), bytes: z.number().int(), createdAt: z.string() });

const BackupPreview = z.object({
  file: z.string(),
  clients: z.number().int(),
  erasedClients: z.number().int(),
  contacts: z.number().int(),
  issues: z.number().int(),
  users: z.number().int(),
  firstContact: z.string().nullable(),
  lastContact: z.string().nullable(),
  latestActivity: z.string().nullable(),
  schemaVersion: z.string().nullable(),
  encrypted: z.boolean(),
  /** How many erasures from this database's erasure register restoring it would re-apply. */
  erasuresToReapply: z.number().int().nullable(),
  retentionRunsToRestore: z.number().int().nullable(),
});

const RestorePreview = BackupPreview.extend({
  /** The newest record in the database now; newer than the backup's means those records are set aside by a restore. */
  currentLatestActivity: z.string().nullable(),
  newerRecordsSetAside: z.boolean(),
  /** Other people logged in now (a restore waits for them to log out). */
  othersLoggedIn: z.array(z.string()),
});

const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  userId: z.number().int().nullable(),
  username: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.string(),
  prevHash: z.string(),
  hash: z.string(),
});

const ok = z.object({ ok: z.literal(true) });

export const protectCalls = {
  'auth.status': {
    input: z.object({}),
    output: z.object({
      /** No users yet: only auth.setupAdmin (the first-run wizard) works. */
      needsSetup: z.boolean(),
      session: Session.nullable(),
      autoLockMinutes: z.number().int(),
      encrypted: z.boolean(),
      /** Why a database is not encrypted, e.g. an existing plain demo database; null when encrypted. */
      plainReason: z.string().nullable(),
      /** The name given in the first-run wizard (prefills Settings); null while locked or before setup. */
      organisationName: z.string().nullable(),
      /** The background check of the database file (db/integrity.ts): the screen says so if it is damaged. */
      integrity: z.object({ state: z.enum(['not-checked', 'checking', 'ok', 'damaged']), message: z.string().nullable() }),
    }),
  },
  'auth.setupAdmin': {
    input: z.object({
      organisationName: name('organisation name'),
      username: username.input,
      displayName: displayName.input,
      password: newPassword,
    }),
    output: z.object({ session: Session, encrypted: z.boolean() }),
  },
  'auth.login': {
    input: z.object({
      username: z.string().trim().toLowerCase().min(1, { message: 'Enter your username.' }).max(40),
      password: z.string().min(1, { message: 'Enter your password.' }).max(200),
    }),
    output: z.object({ session: Session }),
  },
  'auth.logout': { input: z.object({}), output: ok },
  /** Locks now (as auto-lock does): the session ends and the next call needs a login. */
  'auth.lock': { input: z.object({}), output: ok },

  'users.list': { input: z.object({}), output: z.object({ users: z.array(User) }) },
  'users.create': {
    input: staffAccountRecord.input.extend({ password: newPassword }),
    output: z.object({ id: z.number().int() }),
  },
  'users.setRole': { input: z.object({ id, role: role.input }), output: ok },
  'users.disable': { input: z.object({ id }), output: ok },
  'users.resetPassword': { input: z.object({ id, password: newPassword }), output: ok },

  'protect.settings': {
    input: z.object({
      autoLockMinutes: z
        .number()
        .int()
        .min(1, { message: 'Auto-lock must be at least 1 minute.' })
        .max(240, { message: 'Auto-lock can be at most 240 minutes.' })
        .optional(),
      retentionYears: z.number().int().min(1, { message: 'Keep records at least 1 year.' }).max(100).optional(),
      backupDir: z.string().trim().min(1, { message: 'Choose a backup folder.' }).max(1000).nullable().optional(),
      backupKeep: z.number().int().min(1, { message: 'Keep at least 1 backup.' }).max(365).optional(),
    }),
    output: ProtectSettingsOut,
  },
  'protect.eraseClient': {
    input: z.object({ clientId: id }),
    output: z.object({
      clientId: z.number().int(),
      erasedAt: z.string(),
      removed: z.array(z.string()),
      kept: z.array(z.string()),
      walTruncated: z.boolean(),
    }),
  },
  'protect.retentionPreview': {
    input: z.object({ today: isoDate.optional() }),
    output: z.object({
      today: z.string(),
      cutoffDate: z.string(),
      policyYears: z.number().int(),
      clients: z.array(z.object({ id: z.number().int(), lastContactDate: z.string() })),
    }),
  },
  'protect.retentionApply': {
    input: z.object({
      today: isoDate.optional(),
      /** Exactly the ids the preview showed and the admin confirmed. */
      clientIds: z.array(id).max(1_000_000),
    }),
    output: z.object({ runId: z.number().int(), anonymised: z.number().int(), cutoffDate: z.string() }),
  },
  'protect.retentionLog': {
    input: z.object({}),
    output: z.object({
      runs: z.array(
        z.object({
          id: z.number().int(),
          ranAt: z.string(),
          userId: z.number().int().nullable(),
          policyYears: z.number().int(),
          cutoffDate: z.string(),
          anonymised: z.number().int(),
          clientIds: z.array(z.number().int()),
        }),
      ),
    }),
  },
  /** Everything held about one client as JSON (the printable page renders this). */
  'protect.subjectAccess': { input: z.object({ clientId: id }), output: z.object({ report: z.record(z.string(), z.unknown()) }) },
  'protect.backupNow': { input: z.object({}), output: z.object({ backup: BackupFile, removed: z.array(z.string()) }) },
  'protect.backupList': { input: z.object({}), output: z.object({ dir: z.string(), backups: z.array(BackupFile) }) },
  'protect.restorePreview': { input: z.object({ file: z.string().trim().min(1, { message: 'Choose a backup file.' }).max(4000) }), output: RestorePreview },
  /** Replaces the database by a backup (see the handler); afterwards everyone logs in again. */
  'protect.restore': {
    input: z.object({
      file: z.string().trim().min(1, { message: 'Choose a backup file.' }).max(4000),
      /** The admin saw that the database holds newer records than the backup and confirmed (they are kept aside). */
      replaceNewer: z.boolean().default(false),
    }),
    output: z.object({
      restoredFrom: z.string(),
      replacedFile: z.string().nullable(),
      preview: BackupPreview,
      erasures: z.object({
        status: z.enum(['applies', 'none', 'other-database']),
        reapplied: z.array(z.number().int()),
        alreadyErased: z.number().int(),
        notInDatabase: z.number().int(),
        retentionRunsRestored: z.number().int(),
        summary: z.string(),
      }),
    }),
  },
  'protect.auditList': {
    input: z.object({
      limit: z.number().int().min(1).max(1000).default(100),
      offset: z.number().int().min(0).default(0),
      target: z.string().trim().max(100).optional(),
    }),
    output: z.object({ total: z.number().int(), entries: z.array(AuditEntry) }),
  },
  /** The whole audit log as CSV (hashes included), for the admin to keep or hand to an auditor. */
  'protect.auditExport': {
    input: z.object({}),
    output: z.object({ csv: z.string(), entries: z.number().int(), fileName: z.string() }),
  },
  'protect.auditVerify': {
    input: z.object({}),
    output: z.object({ ok: z.boolean(), entries: z.number().int(), firstBadId: z.number().int().nullable(), reason: z.string().nullable() }),
  },
} as const;
