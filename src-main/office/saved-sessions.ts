/**
 * The office server keeps its client PCs' sessions across a restart (a crash, a power cut, an
 * update), so that staff who were working carry on where they were once it is back — the form
 * they were typing into is still theirs to save. Saved beside the database
 * (`needmap.db.office/sessions.json`, this user only): each session's secret as a SHA-256 digest
 * (the secrets themselves are never written), its PC, who was logged in and when last active.
 * On start, a session comes back only for a PC still approved and a staff account still active,
 * with the account's current role; and auto-lock counts from the saved last activity. While an
 * encrypted database is locked, nobody's login can come back (the sessions return logged out).
 */
import path from 'node:path';
import { z } from 'zod';
import { isLocked } from '../db/locked.ts';
import { getUser } from '../db/protect/users.ts';
import type { AppContext } from '../ipc/context.ts';
import { CallerSession } from '../ipc/sessions.ts';
import type { DeviceRegister } from './devices.ts';
import { readPrivateFile, writePrivateFile } from '../private-files.ts';

const SavedSessions = z.object({
  format: z.literal('needmap-office-sessions'),
  sessions: z.array(
    z.object({
      digest: z.string().regex(/^[0-9a-f]{64}$/),
      deviceId: z.string(),
      userId: z.number().int().nullable(),
      username: z.string().nullable(),
      lastActivity: z.number(),
      lastSeen: z.number(),
    }),
  ),
});

export function sessionsFileIn(officeFolder: string): string {
  return path.join(officeFolder, 'sessions.json');
}

/** Writes the office sessions now (after a login or logout, and every half minute for activity times). */
export function saveOfficeSessions(file: string, ctx: AppContext): void {
  const sessions = ctx.sessions
    .keyed()
    .filter(([, s]) => s.via === 'office' && s.device)
    .map(([digest, s]) => ({
      digest,
      deviceId: s.device!.id,
      userId: s.user?.userId ?? s.resumeAs?.userId ?? null,
      username: s.user?.username ?? s.resumeAs?.username ?? null,
      lastActivity: s.lastActivity,
      lastSeen: s.lastSeen,
    }));
  writePrivateFile(file, JSON.stringify({ format: 'needmap-office-sessions', sessions }) + '\n');
}

/** Puts the saved office sessions back into ctx.sessions; returns how many came back logged in. */
export function restoreOfficeSessions(file: string, ctx: AppContext, devices: DeviceRegister): number {
  const text = readPrivateFile(file);
  if (text === null) return 0;
  let saved: z.infer<typeof SavedSessions>;
  try {
    saved = SavedSessions.parse(JSON.parse(text));
  } catch {
    // Not worth refusing to start over: those people log in again.
    return 0;
  }
  let loggedIn = 0;
  for (const entry of saved.sessions) {
    const device = devices.get(entry.deviceId);
    if (!device || device.state !== 'approved') continue;
    const session = new CallerSession('office', entry.lastSeen, { id: device.id, name: device.name });
    if (entry.userId !== null && entry.username !== null) {
      if (isLocked(ctx.caseDb)) session.resumeAs = { userId: entry.userId, username: entry.username };
      else {
        try {
          const user = getUser(ctx.caseDb.db, entry.userId);
          if (!user.disabledAt) {
            session.logIn({ userId: user.id, username: user.username, role: user.role }, entry.lastActivity);
            loggedIn += 1;
          }
        } catch {
          // The account is gone (a restored backup without it): that session starts logged out.
        }
      }
    }
    ctx.sessions.restore(entry.digest, session);
  }
  return loggedIn;
}
