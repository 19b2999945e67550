/**
 * Log in, accounts, erasure, retention, subject access, backups and the audit log. Permission
 * checks and audit entries for these calls are made by `dispatch` (../permissions.ts, ../audit.ts);
 * the handlers here only do the work.
 */
import fs from 'node:fs';
import { generateDataKey, passphraseWrapper } from '../../core/protect/keys.ts';
import { currentPlatformWrapper, putKeySlot, removeKeySlot } from '../../db/key-slots.ts';
import { RecordError } from '../../core/errors.ts';
import { auditCsv, listAudit, verifyAuditLog } from '../../db/protect/audit.ts';
import { backupNow, defaultBackupDir, latestActivity, listBackups, previewBackup, restoreDatabase, RestoreRefused } from '../../db/protect/backup.ts';
import { describeReapply } from '../../db/protect/reconcile.ts';
import { ErasureRegisterError } from '../../db/protect/erasure-register.ts';
import { encryptInPlace, isEncryptedFile } from '../../db/protect/encrypt.ts';
import { integrityCheckSettled, integrityStatus } from '../../db/integrity.ts';
import { eraseClient, retentionApply, retentionLog, retentionPreview } from '../../db/protect/erase.ts';
import { erasureSummary } from '../../db/protect/personal-data.ts';
import { ProtectSettings, readProtectSettings, readSettingText, writeProtectSettings, writeSettingText } from '../../db/protect/settings.ts';
import { subjectAccess } from '../../db/protect/subject-access.ts';
import { createUser, disableUser, listUsers, resetPassword, setRole, userCount } from '../../db/protect/users.ts';
import { passwordProblem } from '../../core/protect/keys.ts';
import type { protectCalls } from '../contract/protect.ts';
import { isLocked, lockedCaseDatabase } from '../../db/locked.ts';
import type { AppContext, HandlersFor } from '../context.ts';
import { logIn } from '../login.ts';

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

/** An erasure whose register line cannot be written is not made: said plainly, not as an internal error. */
function registerRefusal<T>(erase: () => T): T {
  try {
    return erase();
  } catch (error) {
    if (error instanceof ErasureRegisterError) throw new RecordError('conflict', error.message);
    throw error;
  }
}

export const protectHandlers: HandlersFor<typeof protectCalls> = {
  'auth.status': (_input, ctx, caller) => {
    if (isLocked(ctx.caseDb)) {
      return {
        needsSetup: false,
        session: null,
        autoLockMinutes: ProtectSettings.parse({}).autoLockMinutes,
        encrypted: true,
        plainReason: null,
        organisationName: null,
        integrity: integrityStatus(ctx.caseDb.file),
      };
    }
    const reason = plainReason(ctx);
    return {
      needsSetup: userCount(ctx.caseDb.db) === 0,
      session: caller.user,
      autoLockMinutes: readProtectSettings(ctx.caseDb.db).autoLockMinutes,
      encrypted: reason === null,
      plainReason: reason,
      organisationName: readSettingText(ctx.caseDb.db, ORGANISATION_NAME_SETTING),
      integrity: integrityStatus(ctx.caseDb.file),
    };
  },

  'auth.setupAdmin': async (input, ctx, caller) => {
    if (userCount(ctx.caseDb.db) > 0) throw new RecordError('conflict', 'NeedMap is already set up; log in instead.');
    // Checked before encrypting: a refusal after it would leave an encrypted database no slot opens.
    const problem = passwordProblem(input.password, input.username);
    if (problem) throw new RecordError('invalid_input', problem, { password: [problem] });
    // A brand-new database is encrypted now; one that already holds records (a plain demo) stays as it is.
    if (!isEncrypted(ctx) && clientCount(ctx) === 0) {
      await integrityCheckSettled(ctx.caseDb.file);
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
    caller.logIn({ userId, username: input.username, role: 'admin' });
    return { session: caller.user!, encrypted: isEncrypted(ctx) };
  },

  'auth.login': (input, ctx, caller) => ({ session: logIn(ctx, caller, input.username, input.password) }),

  /** Ends this session's login only; other tabs and windows stay as they are. */
  'auth.logout': (_input, _ctx, caller) => {
    caller.logOut();
    return { ok: true };
  },

  'auth.lock': (_input, _ctx, caller) => {
    caller.logOut();
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
    // Every session of that user follows at once (other tabs, other windows).
    for (const session of ctx.sessions.forUser(input.id)) session.user = { ...session.user!, role: input.role };
    return { ok: true };
  },

  'users.disable': (input, ctx) => {
    const user = disableUser(ctx.caseDb.db, input.id);
    // A disabled user's password must no longer unlock the database either.
    removeKeySlot(ctx.caseDb.file, 'user', user.username);
    for (const session of ctx.sessions.forUser(input.id)) session.logOut();
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

  'protect.eraseClient': (input, ctx, caller) => {
    const result = registerRefusal(() => eraseClient(ctx.caseDb, input.clientId, caller.user?.userId ?? null));
    return { clientId: result.clientId, erasedAt: result.erasedAt, ...erasureSummary(), walTruncated: result.walTruncated };
  },

  'protect.retentionPreview': (input, ctx) => {
    const day = input.today ?? today();
    return { today: day, ...retentionPreview(ctx.caseDb.db, day, readProtectSettings(ctx.caseDb.db).retentionYears) };
  },

  'protect.retentionApply': (input, ctx, caller) => {
    const result = registerRefusal(() =>
      retentionApply(
        ctx.caseDb,
        { today: input.today ?? today(), years: readProtectSettings(ctx.caseDb.db).retentionYears, confirmedClientIds: input.clientIds },
        caller.user?.userId ?? null,
      ),
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

  'protect.restorePreview': (input, ctx, caller) => {
    if (!fs.existsSync(input.file)) throw new RecordError('not_found', `No backup at ${input.file}.`, { file: [`No backup at ${input.file}.`] });
    let preview;
    try {
      preview = previewBackup(input.file, { migrationsDir: ctx.paths.migrationsDir, key: ctx.dataKey ?? undefined, registerOf: ctx.caseDb.file });
    } catch (error) {
      const message = `${input.file} cannot be read as a NeedMap backup: ${(error as Error).message}`;
      throw new RecordError('invalid_input', message, { file: [message] });
    }
    const currentLatest = latestActivity(ctx.caseDb.sqlite);
    return {
      ...preview,
      currentLatestActivity: currentLatest,
      newerRecordsSetAside: currentLatest !== null && preview.latestActivity !== null && currentLatest > preview.latestActivity,
      othersLoggedIn: ctx.sessions.othersLoggedIn(caller).map((s) => s.user!.username),
    };
  },

  /**
   * Replaces the database by a backup, in this process (which holds the database lock, so no other
   * NeedMap has it open): refused while anyone else is logged in; the replaced file is kept aside;
   * the database is reopened — re-applying the erasure register before anything reads it — and
   * every session, this one too, must log in again (the accounts are the backup's now).
   */
  'protect.restore': async (input, ctx, caller) => {
    // The background check's own connection must be closed before the file is swapped.
    await integrityCheckSettled(ctx.caseDb.file);
    const others = ctx.sessions.othersLoggedIn(caller);
    if (others.length > 0) {
      const names = [...new Set(others.map((s) => s.user!.username))].join(', ');
      throw new RecordError('conflict', `Someone else is using NeedMap (${names}). They must log out before a restore replaces the database under them.`);
    }
    if (!fs.existsSync(input.file)) throw new RecordError('not_found', `No backup at ${input.file}.`, { file: [`No backup at ${input.file}.`] });
    const dbFile = ctx.caseDb.file;
    const key = ctx.dataKey ? Buffer.from(ctx.dataKey) : undefined;
    const reopen = () => ctx.openCaseDb!(key);
    ctx.caseDb.close();
    ctx.caseDb = lockedCaseDatabase(dbFile); // nothing can read it while the files are swapped
    let result;
    try {
      result = restoreDatabase(dbFile, input.file, { migrationsDir: ctx.paths.migrationsDir, key, force: input.replaceNewer });
    } catch (error) {
      ctx.caseDb = reopen();
      const message =
        error instanceof RestoreRefused ? error.message.replace(/add --force.*$/, 'tick "Replace newer records" to restore anyway.') : (error as Error).message;
      throw new RecordError('conflict', message, { file: [message] });
    }
    ctx.caseDb = reopen();
    const erasures = ctx.lastOpenReport!.erasures;
    ctx.sessions.logOutAll();
    return {
      restoredFrom: input.file,
      replacedFile: result.replacedFile,
      preview: result.preview,
      erasures: {
        status: erasures.status,
        reapplied: erasures.reapplied,
        alreadyErased: erasures.alreadyErased,
        notInDatabase: erasures.notInDatabase,
        retentionRunsRestored: erasures.retentionRunsRestored,
        summary: describeReapply(erasures) ?? 'There is no erasure register yet: nobody has been erased.',
      },
    };
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
