/** A small case database with real postcodes, filled through the handlers as the app does. */
import { lastWholeMonth } from '../../src-main/core/demo.ts';
import { monthFromIndex, monthIndex } from '../../src-main/core/bundle/period.ts';
import type { AppContext } from '../../src-main/ipc/handlers.ts';
import { callOk, testContext } from '../helpers.ts';

export const PASSPHRASE = 'a long test passphrase';

export const PEOPLE = [
  { firstName: 'Wilhelmina', lastName: 'Okonkwo-Barrett', dateOfBirth: '1961-07-23', postcode: 'SE13 6AA' },
  { firstName: 'Bartholomew', lastName: 'Quennell', dateOfBirth: '1990-02-14', postcode: 'SE13 6AB' },
  { firstName: 'Anastasija', lastName: 'Petrauskaite', dateOfBirth: '1978-11-30', postcode: 'SE4 1UN' },
  { firstName: 'Cornelius', lastName: 'Fitzwilliam', dateOfBirth: '2001-05-09', postcode: 'PR1 2HE' },
  { firstName: 'Euphemia', lastName: 'Drummond-Hay', dateOfBirth: '1955-12-01', postcode: 'PR1 3NQ' },
  { firstName: 'Leopoldine', lastName: 'Vasquez-Orr', dateOfBirth: '1983-09-17', postcode: null },
] as const;

/** The three whole months before the current one. */
export function recentMonths(): { from: string; to: string; months: string[] } {
  const to = lastWholeMonth();
  const months = [monthFromIndex(monthIndex(to) - 2), monthFromIndex(monthIndex(to) - 1), to];
  return { from: months[0]!, to, months };
}

export async function filledContext(): Promise<AppContext> {
  const ctx = testContext();
  const { months } = recentMonths();
  const codes = ctx.taxonomy.issues.map((i) => i.code);
  let n = 0;
  for (const person of PEOPLE) {
    const created = await callOk(ctx, 'clients.create', {
      client: {
        ...person,
        consentToRecord: true,
        consentDate: `${months[0]}-01`,
        phone: '07700 900123',
        email: `${person.firstName.toLowerCase()}@example.org`,
      },
      confirmedNotDuplicate: true,
    });
    if (created.kind !== 'created') throw new Error('client not created');
    for (const [m, month] of months.entries()) {
      const recorded = await callOk(ctx, 'contacts.record', {
        clientId: created.id,
        contactDate: `${month}-1${m}`,
        kind: 'appointment',
        staffName: 'Ingrid Staffmember',
        note: `Private note about ${person.firstName} who lives at ${person.postcode ?? 'no fixed address'}`,
        issues: [
          { issueCode: codes[n++ % codes.length]!, withinRemit: true, referredTo: null },
          { issueCode: codes[n++ % codes.length]!, withinRemit: false, referredTo: 'Food bank' },
        ],
      });
      await callOk(ctx, 'issues.changeStatus', {
        clientIssueId: recorded.clientIssueIds[0]!,
        status: 'resolved',
        changedOn: `${month}-2${m}`,
        note: 'done',
      });
    }
  }
  await callOk(ctx, 'bundle.settings', { organisation: { id: '1234567', name: 'Riverside Advice Centre' } });
  return ctx;
}
