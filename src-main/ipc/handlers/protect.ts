/**
 * Log in, accounts, erasure, retention, subject access, backups and the audit log. Permission
 * checks and audit entries for these calls are made by `dispatch` (../permissions.ts, ../audit.ts);
 * the handlers here only do the work.
 */
import fs from 'node:fs';
import { ERASED_FIELDS, KEPT_FIELDS } from '../../core/protect/erasure.ts';
import { generateDataKey, passphraseWrapper } from '../../core/protect/keys.ts';
import { currentPlatformWrapper, putKeySlot, removeKeySlot, unlockWithSecret } from '../../db/key-slots.ts';
import { RecordError } from '../../db/records.ts';
import { auditCsv, listAudit, verifyAuditLog } from '../../db/protect/audit.ts';
import { maybeDailyBackup } from '../../db/protect/auto-backup.ts';
import { backupNow, defaultBackupDir, listBackups, previewBackup } from '../../db/protect/backup.ts';
import { encryptInPlace, isEncryptedFile } from '../../db/protect/encrypt.ts';
import { eraseClient, retentionApply, retentionLog, retentionPreview } from '../../db/protect/erase.ts';
import { ProtectSettings, readProtectSettings, readSettingText, writeProtectSettings, writeSettingText } from '../../db/protect/settings.ts';
import { subjectAccess } from '../../db/protect/subject-access.ts';
import { authenticate, createUser, disableUser, listUsers, resetPassword, setRole, userCount } from '../../db/protect/users.ts';
import type { protectCalls } from '../contract/protect.ts';
import { isLocked } from '../../db/locked.ts';
import type { AppContext, HandlersFor, Session } from '../context.ts';

export const ORGANISATION_NAME_SETTING = 'protect.organisationName';

function isEncrypted(ctx: AppContext): boolean {
  const fd = fs.openSync(ctx.caseDb.file, 'r');
  try {
    const header = Buffer.alloc(16);
    const read = fs.readSync(fd, header, 0, 16, 0);
    return read === 16 && isEncryptedFile(header);
  } finally {
    fs.closeSync(fd);
  }
}

function clientCount(ctx: AppContext): number {
  return (ctx.caseDb.sqlite.prepare('SELECT count(*) AS n FROM clients').get() as { n: number }).n;
}

function plainReason(ctx: AppContext): string | null {
  if (isEncrypted(ctx)) return null;
  return userCount(ctx.caseDb.db) === 0 && clientCount(ctx) === 0
    ? 'Not encrypted yet: setting up the first admin encrypts it.'
    : 'This database was created without encryption (for example by needmap demo without NEEDMAP_DB_KEY) and stays plain.';
}

function startSession(ctx: AppContext, user: { id: number; username: string; role: Session['role'] }): Session {
  ctx.session = { userId: user.id, username: user.username, role: user.role };
  ctx.lastActivity = Date.now();
  return ctx.session;
}

/** New or changed password: its key slot follows, so that user's login keeps unlocking the database. */
function putUserSlot(ctx: AppContext, username: string, password: string): void {
  if (ctx.dataKey) putKeySlot(ctx.caseDb.file, ctx.dataKey, passphraseWrapper(password), 'user', username);
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function backupDir(ctx: AppContext): string {
  return readProtectSettings(ctx.caseDb.db).backupDir ?? defaultBackupDir(ctx.caseDb.file);
}

export const protectHandlers: HandlersFor<typeof protectCalls> = {
  'auth.status': (_input, ctx) => {
    if (isLocked(ctx.caseDb)) {
      return {
        needsSetup: false,
        session: null,
        autoLockMinutes: ProtectSettings.parse({}).autoLockMinutes,
        encrypted: true,
        plainReason: null,
        organisationName: null,
      };
    }
    const reason = plainReason(ctx);
    return {
      needsSetup: userCount(ctx.caseDb.db) === 0,
      session: ctx.session ?? null,
      autoLockMinutes: readProtectSettings(ctx.caseDb.db).autoLockMinutes,
      encrypted: reason === null,
      plainReason: reason,
      organisationName: readSettingText(ctx.caseDb.db, ORGANISATION_NAME_SETTING),
    };
  },

  'auth.setupAdmin': (input, ctx) => {
    if (userCount(ctx.caseDb.db) > 0) throw new RecordError('conflict', 'NeedMap is already set up; log in instead.');
    // A brand-new database is encrypted now; one that already holds records (a plain demo) stays as it is.
    if (!isEncrypted(ctx) && clientCount(ctx) === 0) {
      const key = generateDataKey();
      encryptInPlace(ctx.caseDb, key);
      ctx.dataKey = key;
    }
    const userId = ctx.caseDb.db.transaction((tx) => {
      const id = createUser(tx as unknown as typeof ctx.caseDb.db, {
        username: input.username,
        displayName: input.displayName,
        role: 'admin',
        password: input.password,
      });
      writeSettingText(tx as unknown as typeof ctx.caseDb.db, ORGANISATION_NAME_SETTING, input.organisationName);
      return id;
    });
    if (ctx.dataKey) {
      putUserSlot(ctx, input.username, input.password);
      const platform = currentPlatformWrapper();
      if (platform) putKeySlot(ctx.caseDb.file, ctx.dataKey, platform, 'platform', platform.kind);
    }
    return { session: startSession(ctx, { id: userId, username: input.username, role: 'admin' }), encrypted: isEncrypted(ctx) };
  },

  'auth.login': (input, ctx) => {
    if (isLocked(ctx.caseDb) && ctx.openCaseDb) {
      // The user's own key slot unlocks the encrypted database; a wrong password opens nothing.
      const key = unlockWithSecret(ctx.caseDb.file, input.password, input.username);
      if (!key) {
        const message = 'That username and password do not match an active account.';
        throw new RecordError('invalid_input', message, { password: [message] });
      }
      ctx.caseDb = ctx.openCaseDb(key);
      ctx.dataKey = key;
    }
    const user = authenticate(ctx.caseDb.db, input.username, input.password);
    if (!user) {
      const message = 'That username and password do not match an active account.';
      throw new RecordError('invalid_input', message, { password: [message] });
    }
    const session = startSession(ctx, user);
    // A login is when an encrypted database can be read again: the moment to catch up on the daily backup.
    maybeDailyBackup(ctx);
    return { session };
  },

  'auth.logout': (_input, ctx) => {
    ctx.session = null;
    return { ok: true };
  },

  'auth.lock': (_input, ctx) => {
    ctx.session = null;
    return { ok: true };
  },

  'users.list': (_input, ctx) => ({ users: listUsers(ctx.caseDb.db) }),

  'users.create': (input, ctx) => {
    const id = createUser(ctx.caseDb.db, input);
    putUserSlot(ctx, input.username, input.password);
    return { id };
  },

  'users.setRole': (input, ctx) => {
    setRole(ctx.caseDb.db, input.id, input.role);
    if (ctx.session?.userId === input.id) ctx.session = { ...ctx.session, role: input.role };
    return { ok: true };
  },

  'users.disable': (input, ctx) => {
    const user = disableUser(ctx.caseDb.db, input.id);
    // A disabled user's password must no longer unlock the database either.
    removeKeySlot(ctx.caseDb.file, 'user', user.username);
    if (ctx.session?.userId === input.id) ctx.session = null;
    return { ok: true };
  },

  'users.resetPassword': (input, ctx) => {
    const user = resetPassword(ctx.caseDb.db, input.id, input.password);
    if (!user.disabledAt) putUserSlot(ctx, user.username, input.password);
    return { ok: true };
  },

  'protect.settings': (input, ctx) => {
    const patch = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    return Object.keys(patch).length ? writeProtectSettings(ctx.caseDb.db, patch) : readProtectSettings(ctx.caseDb.db);
  },

  'protect.eraseClient': (input, ctx) => {
    const result = eraseClient(ctx.caseDb, input.clientId, ctx.session?.userId ?? null);
    return { clientId: result.clientId, erasedAt: result.erasedAt, removed: [...ERASED_FIELDS], kept: [...KEPT_FIELDS], walTruncated: result.walTruncated };
  },

  'protect.retentionPreview': (input, ctx) => {
    const day = input.today ?? today();
    return { today: day, ...retentionPreview(ctx.caseDb.db, day, readProtectSettings(ctx.caseDb.db).retentionYears) };
  },

  'protect.retentionApply': (input, ctx) => {
    const result = retentionApply(
      ctx.caseDb,
      { today: input.today ?? today(), years: readProtectSettings(ctx.caseDb.db).retentionYears, confirmedClientIds: input.clientIds },
      ctx.session?.userId ?? null,
    );
    return { runId: result.runId, anonymised: result.anonymised, cutoffDate: result.cutoffDate };
  },

  'protect.retentionLog': (_input, ctx) => ({ runs: retentionLog(ctx.caseDb.db) }),

  'protect.subjectAccess': (input, ctx) => ({ report: subjectAccess(ctx.caseDb.db, input.clientId) }),

  'protect.backupNow': (_input, ctx) => {
    const settings = readProtectSettings(ctx.caseDb.db);
    return backupNow(ctx.caseDb, backupDir(ctx), settings.backupKeep);
  },

  'protect.backupList': (_input, ctx) => {
    const dir = backupDir(ctx);
    return { dir, backups: listBackups(dir) };
  },

  'protect.restorePreview': (input, ctx) => {
    if (!fs.existsSync(input.file)) throw new RecordError('not_found', `No backup at ${input.file}.`, { file: [`No backup at ${input.file}.`] });
    try {
      return previewBackup(input.file, { migrationsDir: ctx.paths.migrationsDir, key: ctx.dataKey ?? undefined });
    } catch (error) {
      const message = `${input.file} cannot be read as a NeedMap backup: ${(error as Error).message}`;
      throw new RecordError('invalid_input', message, { file: [message] });
    }
  },

  'protect.auditList': (input, ctx) => listAudit(ctx.caseDb.db, input),

  'protect.auditExport': (_input, ctx) => ({ ...auditCsv(ctx.caseDb), fileName: `needmap-audit-log-${today()}.csv` }),

  'protect.auditVerify': (_input, ctx) => {
    const check = verifyAuditLog(ctx.caseDb);
    return check.ok
      ? { ok: true, entries: check.entries, firstBadId: null, reason: null }
      : { ok: false, entries: check.entries, firstBadId: check.firstBadId, reason: check.reason };
  },
};
