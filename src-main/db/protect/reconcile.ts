/**
 * What every open of the case database for writing does first, before anyone uses it: re-apply the
 * erasure register (so a restored backup does not bring erased people back), give the database
 * its id, and chain the audit journal's waiting entries (failed logins while it was locked…) into
 * the audit log. The app, `needmap serve` and the writing CLI commands all come through here.
 */
import type { CaseDatabase } from '../open.ts';
import { appendAudit } from './audit.ts';
import { drainAuditJournal } from './audit-journal.ts';
import { reapplyErasures } from './erase.ts';
import { ensureDatabaseId, type ReapplyResult } from './erasure-register.ts';

export interface OpenReport {
  erasures: ReapplyResult;
  journalChained: number;
}

const SYSTEM = { userId: null, username: null };

export function reconcileOnOpen(caseDb: CaseDatabase): OpenReport {
  // Before the id is made: a restored backup from before ids existed adopts the register's id.
  const erasures = reapplyErasures(caseDb);
  ensureDatabaseId(caseDb.db);
  if (erasures.reapplied.length > 0 || erasures.retentionRunsRestored > 0) {
    appendAudit(caseDb.db, SYSTEM, 'erasure.reapplied', null, {
      clientIds: erasures.reapplied,
      alreadyErased: erasures.alreadyErased,
      notInDatabase: erasures.notInDatabase,
      retentionRunsRestored: erasures.retentionRunsRestored,
    });
  }
  if (erasures.setAsideAs) appendAudit(caseDb.db, SYSTEM, 'erasure.registerSetAside', null, { file: erasures.setAsideAs });
  return { erasures, journalChained: drainAuditJournal(caseDb) };
}

/** One line for a log or a CLI: what re-applying the register did (null when there was nothing to say). */
export function describeReapply(result: ReapplyResult): string | null {
  if (result.status === 'other-database') {
    return `The erasure register beside this database belongs to another database; it was moved to ${result.setAsideAs} and not applied.`;
  }
  if (result.status === 'none') return null;
  if (result.linesChecked === 0) return 'Erasure register: every erasure in it was already applied to this database.';
  const n = result.reapplied.length;
  const parts = [
    n === 0 ? 'no erasure needed re-applying' : `re-applied ${n} erasure${n === 1 ? '' : 's'} (client${n === 1 ? '' : 's'} ${result.reapplied.join(', ')})`,
    `${result.alreadyErased} already erased`,
    `${result.notInDatabase} not in this database`,
  ];
  if (result.retentionRunsRestored)
    parts.push(`${result.retentionRunsRestored} retention run${result.retentionRunsRestored === 1 ? '' : 's'} put back in the log`);
  return `Erasure register: ${parts.join('; ')}.`;
}
