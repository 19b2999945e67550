/**
 * THE staff account record: who may use NeedMap on this PC, under which name and role. Stored in
 * the drizzle table `users` (db/schema.ts; the password only as an Argon2id hash). Roles are
 * declared here once: caseworker records; manager also reports and exports; admin also accounts,
 * settings and data protection (enforced in ipc/permissions.ts).
 */
import { z } from 'zod';
import { name } from './fields.ts';
import { defineRecord, field } from './record.ts';

export const ROLE_VALUES = ['caseworker', 'manager', 'admin'] as const;
export type Role = (typeof ROLE_VALUES)[number];

const RANK: Record<Role, number> = { caseworker: 1, manager: 2, admin: 3 };

/** Whether someone with `role` may do what needs `needed` (each role can do all the lower ones can). */
export function roleAllows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export const staffAccountRecord = defineRecord({
  username: field(
    z.string(),
    z
      .string()
      .trim()
      .toLowerCase()
      .min(2, { message: 'The username must be at least 2 characters.' })
      .max(40, { message: 'The username is too long (40 characters at most).' })
      .regex(/^[a-z0-9._-]+$/, { message: 'Use only letters, digits, dots, dashes and underscores in the username.' }),
  ),
  displayName: field(z.string(), name('display name')),
  role: field(z.enum(ROLE_VALUES), z.enum(ROLE_VALUES, { message: 'Choose a role: caseworker, manager or admin.' })),
});
