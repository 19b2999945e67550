/**
 * An encrypted case database stays closed — its key nowhere in memory — whenever nobody is
 * logged in: at start (unless the OS keychain holds a slot) and after logout, lock or auto-lock.
 * A staff login unwraps the key from that user's slot and opens it (see ipc/handlers/protect.ts).
 */
import { DatabaseOpenError, type CaseDatabase } from './open.ts';

const LOCKED = Symbol('locked');

/** Stands in for the case database while it is locked: knows its file, refuses everything else. */
export function lockedCaseDatabase(file: string): CaseDatabase {
  const refuse = (): never => {
    throw new DatabaseOpenError(`${file} is locked: log in to open it.`, 'wrong-key');
  };
  return {
    file,
    get sqlite() {
      return refuse();
    },
    get db() {
      return refuse();
    },
    close: () => {},
    [LOCKED]: true,
  } as CaseDatabase;
}

export function isLocked(caseDb: CaseDatabase): boolean {
  return (caseDb as unknown as Record<symbol, unknown>)[LOCKED] === true;
}
