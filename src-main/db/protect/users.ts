/** Staff accounts: Argon2id password hashes, roles, disabling (never deleting, so "who recorded" stays resolvable). */
import { asc, eq, sql } from 'drizzle-orm';
import { DUMMY_PASSWORD_HASH, hashPassword, passwordProblem, verifyPassword } from '../../core/protect/keys.ts';
import type { CaseDb } from '../open.ts';
import { RecordError } from '../../core/errors.ts';
import { users } from '../schema.ts';

export type Role = (typeof users.$inferSelect)['role'];
export type UserRow = typeof users.$inferSelect;

export function userCount(db: CaseDb): number {
  return (
    db
      .select({ n: sql<number>`count(*)` })
      .from(users)
      .get()?.n ?? 0
  );
}

export function listUsers(db: CaseDb) {
  return db
    .select({
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      role: users.role,
      createdAt: users.createdAt,
      disabledAt: users.disabledAt,
    })
    .from(users)
    .orderBy(asc(users.username))
    .all();
}

export function findUser(db: CaseDb, username: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.username, username)).get();
}

export function getUser(db: CaseDb, id: number): UserRow {
  const row = db.select().from(users).where(eq(users.id, id)).get();
  if (!row) throw new RecordError('not_found', `There is no user ${id}.`);
  return row;
}

function checkPassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new RecordError('invalid_input', problem, { password: [problem] });
}

export function createUser(db: CaseDb, input: { username: string; displayName: string; role: Role; password: string }): number {
  checkPassword(input.password, input.username);
  if (findUser(db, input.username)) {
    const message = `There is already a user called ${input.username}.`;
    throw new RecordError('conflict', message, { username: [message] });
  }
  return db
    .insert(users)
    .values({ username: input.username, displayName: input.displayName, role: input.role, passwordHash: hashPassword(input.password) })
    .returning({ id: users.id })
    .get().id;
}

/**
 * The user when the password is right and the account is enabled; null otherwise (one message for
 * both, on purpose). An unknown or disabled username is checked against a dummy hash, so every
 * failure costs the same Argon2id work and time.
 */
export function authenticate(db: CaseDb, username: string, password: string): UserRow | null {
  const user = findUser(db, username);
  const usable = user && !user.disabledAt ? user : null;
  const matches = verifyPassword(usable?.passwordHash ?? DUMMY_PASSWORD_HASH, password);
  return usable && matches ? usable : null;
}

/** Whether a username names an enabled account (failed logins record the username only then: a mistyped password is never logged). */
export function isActiveUsername(db: CaseDb, username: string): boolean {
  const user = findUser(db, username);
  return !!user && !user.disabledAt;
}

function activeAdminCount(db: CaseDb): number {
  return (
    db
      .select({ n: sql<number>`count(*)` })
      .from(users)
      .where(sql`${users.role} = 'admin' AND ${users.disabledAt} IS NULL`)
      .get()?.n ?? 0
  );
}

/** Never leave the organisation without an enabled admin. */
function keepOneAdmin(db: CaseDb, user: UserRow): void {
  if (user.role === 'admin' && !user.disabledAt && activeAdminCount(db) <= 1) {
    throw new RecordError('conflict', `${user.username} is the only admin; make someone else admin first.`);
  }
}

export function setRole(db: CaseDb, id: number, role: Role): void {
  db.transaction((tx) => {
    const user = getUser(tx as unknown as CaseDb, id);
    if (role !== 'admin') keepOneAdmin(tx as unknown as CaseDb, user);
    tx.update(users).set({ role }).where(eq(users.id, id)).run();
  });
}

export function disableUser(db: CaseDb, id: number): UserRow {
  return db.transaction((tx) => {
    const user = getUser(tx as unknown as CaseDb, id);
    keepOneAdmin(tx as unknown as CaseDb, user);
    tx.update(users).set({ disabledAt: new Date().toISOString() }).where(eq(users.id, id)).run();
    return user;
  });
}

export function resetPassword(db: CaseDb, id: number, password: string): UserRow {
  const user = getUser(db, id);
  checkPassword(password, user.username);
  db.update(users)
    .set({ passwordHash: hashPassword(password) })
    .where(eq(users.id, id))
    .run();
  return user;
}
