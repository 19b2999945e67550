/**
 * Each record is defined once (src-main/core/records) and everything else derives from it. Most of
 * these checks are types, checked by `tsc` in `npm test`: a drizzle table that stores a field with
 * another type, or a layer that keeps its own copy of a record's fields and drifts, fails to
 * compile. The runtime assertions make vitest run them and check the same at run time.
 */
import { getTableColumns } from 'drizzle-orm';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { DemoClient, DemoContact, DemoIssue } from '../../src-main/core/demo.ts';
import { ClientGeography } from '../../src-main/core/geography.ts';
import { clientRecord, type ClientFields, type ClientInput } from '../../src-main/core/records/client.ts';
import { clientIssueRecord, statusEventRecord, type RecordedIssue } from '../../src-main/core/records/client-issue.ts';
import { contactRecord, type ContactFields } from '../../src-main/core/records/contact.ts';
import { ROLE_VALUES, staffAccountRecord, type Role } from '../../src-main/core/records/staff-account.ts';
import type { insertClient, updateClient } from '../../src-main/db/recording.ts';
import { clientIssues, clients, contacts, issueStatusEvents, users } from '../../src-main/db/schema.ts';
import type { CallInput, CallOutput } from '../../src-main/ipc/contract.ts';
import type { Session } from '../../src-main/ipc/context.ts';
import type { ClientFormValues } from '../../src-renderer/screens/ClientForm.tsx';

type Stored<R extends { stored: z.ZodType }> = z.output<R['stored']>;
/** The columns of a drizzle table's rows that a record defines. */
type Columns<Row, R extends { stored: z.ZodType }> = Pick<Row, keyof Stored<R> & keyof Row>;

describe('one definition per record', () => {
  it('each drizzle table stores exactly its record’s fields, with the same types', () => {
    expectTypeOf<Columns<typeof clients.$inferSelect, typeof clientRecord>>().toEqualTypeOf<Stored<typeof clientRecord>>();
    expectTypeOf<Pick<typeof clients.$inferSelect, keyof ClientGeography>>().toEqualTypeOf<ClientGeography>();
    expectTypeOf<Columns<typeof contacts.$inferSelect, typeof contactRecord>>().toEqualTypeOf<Stored<typeof contactRecord>>();
    expectTypeOf<Columns<typeof clientIssues.$inferSelect, typeof clientIssueRecord>>().toEqualTypeOf<Stored<typeof clientIssueRecord>>();
    expectTypeOf<Columns<typeof issueStatusEvents.$inferSelect, typeof statusEventRecord>>().toEqualTypeOf<Stored<typeof statusEventRecord>>();
    expectTypeOf<Columns<typeof users.$inferSelect, typeof staffAccountRecord>>().toEqualTypeOf<Stored<typeof staffAccountRecord>>();

    const pairs = [
      [clientRecord.keys, clients],
      [ClientGeography.keyof().options, clients],
      [contactRecord.keys, contacts],
      [clientIssueRecord.keys, clientIssues],
      [statusEventRecord.keys, issueStatusEvents],
      [staffAccountRecord.keys, users],
    ] as const;
    for (const [keys, table] of pairs) expect(Object.keys(getTableColumns(table))).toEqual(expect.arrayContaining([...keys]));
  });

  it('the contract, handlers, db layer, demo generator and form take the client’s fields from its record', () => {
    // Contract: the input is the record's input; the output holds every stored field.
    expectTypeOf<CallInput<'clients.create'>['client']>().toEqualTypeOf<ClientInput>();
    expectTypeOf<CallInput<'clients.update'>['client']>().toEqualTypeOf<ClientInput>();
    expectTypeOf<Pick<CallOutput<'clients.get'>['client'], keyof ClientFields>>().toEqualTypeOf<ClientFields>();
    expectTypeOf<CallOutput<'clients.get'>['client']['geography']>().toEqualTypeOf<ClientGeography>();
    expectTypeOf<Pick<CallOutput<'clients.get'>['contacts'][number], keyof ContactFields>>().toEqualTypeOf<ContactFields>();
    // Database layer: what the handler's parsed input gives it.
    expectTypeOf<Parameters<typeof insertClient>[1]>().toEqualTypeOf<ClientFields>();
    expectTypeOf<Parameters<typeof updateClient>[2]>().toEqualTypeOf<ClientFields>();
    expectTypeOf<z.output<typeof clientRecord.input>>().toEqualTypeOf<ClientFields>();
    // Demo generator: a recorded client, contact and issue plus what the demo adds.
    expectTypeOf<Omit<DemoClient, 'recordKey' | 'contacts'>>().toEqualTypeOf<ClientFields>();
    expectTypeOf<Omit<DemoContact, 'issues'>>().toEqualTypeOf<ContactFields>();
    expectTypeOf<Omit<DemoIssue, 'events'>>().toEqualTypeOf<RecordedIssue>();
    // The client form holds one value per field, no more, no fewer.
    expectTypeOf<keyof ClientFormValues>().toEqualTypeOf<keyof ClientFields>();
    expect(clientRecord.keys).toContain('consentDate');
  });

  it('declares the staff roles once', () => {
    expectTypeOf<(typeof users.$inferSelect)['role']>().toEqualTypeOf<Role>();
    expectTypeOf<Session['role']>().toEqualTypeOf<Role>();
    expectTypeOf<CallOutput<'users.list'>['users'][number]['role']>().toEqualTypeOf<Role>();
    expect(getTableColumns(users).role.enumValues).toEqual([...ROLE_VALUES]);
  });
});
