/**
 * Staff accounts: Argon2id password hashes, roles, disabling (never deleting, so "who recorded"
 * stays resolvable) and, once nothing identifiable refers to a former account, removing its name.
 */
import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import { RecordError } from '../../core/errors.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, passwordProblem, verifyPassword } from '../../core/protect/keys.ts';
import type { Role } from '../../core/records/staff-account.ts';
import type { CaseDb } from '../open.ts';
import { clients, users } from '../schema.ts';
import { classingOf } from '../classing.ts';
import { clientTables, erasedValue, identifyingColumns, type DrizzleTableClassing } from './personal-data.ts';

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

/**
 * Account removal: the account is disabled and its password hash emptied (it can never log in
 * again, and nothing needs the hash any more). Its name stays while identifiable client records
 * say it recorded them (see anonymiseFormerStaff); an account that recorded nothing loses it now.
 */
export function disableUser(db: CaseDb, id: number): UserRow {
  return db.transaction((tx) => {
    const user = getUser(tx as unknown as CaseDb, id);
    keepOneAdmin(tx as unknown as CaseDb, user);
    tx.update(users).set({ disabledAt: new Date().toISOString(), passwordHash: '' }).where(eq(users.id, id)).run();
    anonymiseFormerStaff(tx as unknown as CaseDb);
    return user;
  });
}

/** The client id a row of a client table belongs to, as SQL (following `via` to its parent table). */
function clientIdOf(t: DrizzleTableClassing): ReturnType<typeof sql> {
  const column = (table: DrizzleTableClassing, key: string) => table.columns.find((c) => c.key === key)!.column;
  const whose = t.whose;
  if (whose.about !== 'client') throw new Error(`${t.name} does not hold clients' rows.`);
  if ('clientId' in whose) return sql`${column(t, whose.clientId)}`;
  const parent = clientTables().find((p) => p.name === whose.via.table)!;
  return sql`(SELECT ${clientIdOf(parent)} FROM ${parent.table} WHERE ${column(parent, 'id')} = ${column(t, whose.via.column)})`;
}

/** Whether any client not yet erased has a row that names staff account `userId` as who recorded or changed it. */
function namedByIdentifiableRecord(db: CaseDb, userId: number): boolean {
  for (const t of clientTables()) {
    for (const c of t.columns.filter((c) => c.classing.staff)) {
      const found = db.get<{ one: number } | undefined>(
        sql`SELECT 1 AS one FROM ${t.table} WHERE ${c.column} = ${userId}
            AND (SELECT ${clients.erasedAt} FROM ${clients} WHERE ${clients.id} = ${clientIdOf(t)}) IS NULL LIMIT 1`,
      );
      if (found) return true;
    }
  }
  return false;
}

/**
 * Former staff (disabled accounts) keep their name while an identifiable client record names them
 * as who recorded or changed it — clients' subject access, complaints and safeguarding reviews
 * need to know who did what — and lose it once none does: every column of `users` classed
 * identifying (db/schema.ts) takes its erased value ("Former staff member", "former-<id>").
 * Run after every erasure, retention run and account removal. The audit log keeps usernames for
 * its own life: it is append-only and hash-chained (docs/data-protection.md). Returns the ids done.
 */
export function anonymiseFormerStaff(db: CaseDb): number[] {
  const table = classingOf(users) as DrizzleTableClassing;
  const values = Object.fromEntries(identifyingColumns(table).map((c) => [c.key, erasedValue(c)]));
  const former = db
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(and(isNotNull(users.disabledAt)))
    .all()
    .filter((u) => u.username !== `former-${u.id}`);
  const done = former.filter((u) => !namedByIdentifiableRecord(db, u.id)).map((u) => u.id);
  for (const id of done) db.update(users).set(values).where(eq(users.id, id)).run();
  return done;
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
