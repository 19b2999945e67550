/** The client form's values, derived from the client record: blank, loaded, and sent back through the contract's own schema. */
import { describe, expect, it } from 'vitest';
import { ClientInput, clientRecord } from '../../src-main/core/records/client.ts';
import { contactRecord } from '../../src-main/core/records/contact.ts';
import { blankForm, formFromRecord, inputFromForm } from '../../src-renderer/record-form.ts';

describe('record forms', () => {
  it('a blank client form has every field: defaults from the record, empty text, consent unanswered', () => {
    const form = blankForm(clientRecord, { consentDate: '2026-03-01' });
    expect(Object.keys(form)).toEqual([...clientRecord.keys]);
    expect(form).toMatchObject({ firstName: '', postcode: '', externalIdType: '', preferredContact: 'none', consentToRecord: null, consentDate: '2026-03-01' });
    expect(blankForm(contactRecord).note).toBe('');
  });

  it('sent as it is, a blank form gets the contract’s messages — including the one asking for consent', () => {
    const result = ClientInput.safeParse(inputFromForm(clientRecord, blankForm(clientRecord, { consentDate: '2026-03-01' })));
    expect(result.success).toBe(false);
    const messages = Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]));
    expect(messages).toMatchObject({
      firstName: 'Enter the first name.',
      consentToRecord: 'Say whether the client consents to their data being recorded.',
    });
    expect(messages).not.toHaveProperty('postcode');
    expect(messages).not.toHaveProperty('externalIdType');
  });

  it('a stored client comes back unchanged through the form', () => {
    const stored = ClientInput.parse({
      firstName: 'Maria',
      lastName: 'Nowak',
      dateOfBirth: '1984-03-12',
      postcode: 'se136aa',
      externalIdType: 'nhs',
      externalId: '9434765919',
      phone: null,
      email: '',
      preferredContact: 'text',
      consentToRecord: false,
      consentDate: '2026-01-10',
    });
    const form = formFromRecord(clientRecord, { ...stored, id: 7, geography: {} } as typeof stored);
    expect(form).toMatchObject({ postcode: 'SE13 6AA', phone: '', email: '', consentToRecord: false });
    expect(Object.keys(form)).toEqual([...clientRecord.keys]);
    expect(ClientInput.parse(inputFromForm(clientRecord, form))).toEqual(stored);
  });
});
