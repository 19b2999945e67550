/** Shared helpers for the protection tests: a client with distinctive personal details, file bytes. */
import fs from 'node:fs';
import type { AppContext } from '../../src-main/ipc/handlers.ts';
import { callOk } from '../helpers.ts';

/** Values that appear nowhere else in a test database, so finding their bytes means they survived. */
export const distinctive = {
  firstName: 'Zbigniewa',
  lastName: 'Quarterfield',
  dateOfBirth: '1931-02-17',
  postcode: 'PR1 2AB',
  externalIdType: 'other' as const,
  externalId: 'XQ77341ZZ',
  phone: '07700 913 442',
  email: 'zq.private@example.org',
  consentToRecord: true,
  consentDate: '2026-01-10',
};
export const distinctiveNote = 'Fled flat at Jubilee Terrace after threats';

export function bytesOf(...files: string[]): Buffer {
  return Buffer.concat(files.filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

export function contains(haystack: Buffer, text: string): boolean {
  return haystack.includes(Buffer.from(text, 'utf8'));
}

/** A client with a contact (with a note) and two issues, one moved on to a new status with a note. */
export async function clientWithHistory(ctx: AppContext, client: Record<string, unknown>, note: string, contactDate = '2026-02-03') {
  const created = await callOk(ctx, 'clients.create', { client: client as never, confirmedNotDuplicate: true });
  if (created.kind !== 'created') throw new Error('not created');
  const codes = ctx.taxonomy.issues.slice(0, 2).map((i) => i.code);
  const recorded = await callOk(ctx, 'contacts.record', {
    clientId: created.id,
    contactDate,
    kind: 'appointment',
    staffName: 'Sam Staff',
    note,
    issues: codes.map((issueCode) => ({ issueCode, withinRemit: true, referredTo: null })),
  });
  await callOk(ctx, 'issues.changeStatus', {
    clientIssueId: recorded.clientIssueIds[0]!,
    status: 'in_progress',
    changedOn: contactDate,
    note: `${note} (status)`,
  });
  return { id: created.id, ...recorded };
}
