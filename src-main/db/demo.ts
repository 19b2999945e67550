/**
 * Writes generated demo clients into a case database quickly (prepared statements, one
 * transaction per batch), deriving each client's geography the same way the app does.
 */
import type { DemoClient } from '../core/demo.ts';
import type { ClientGeography } from '../core/geography.ts';
import type { CaseDatabase } from './open.ts';

export function writeDemoClients(
  caseDb: CaseDatabase,
  clients: Iterable<DemoClient>,
  geographyOf: (postcode: string | null) => ClientGeography,
  onProgress?: (written: number) => void,
): { clients: number; contacts: number; issues: number; events: number } {
  const { sqlite } = caseDb;
  const insertClient = sqlite.prepare(`INSERT INTO clients
    (first_name, last_name, date_of_birth, postcode, postcode_sector, postcode_district, lsoa, imd_decile, imd_rank,
     imd_edition, geo_reason, lsoa21, local_authority_code, local_authority_name, geo_source, external_id_type,
     external_id, phone, email, preferred_contact, consent_to_record, consent_date, record_key)
    VALUES (@firstName, @lastName, @dateOfBirth, @postcode, @postcodeSector, @postcodeDistrict, @lsoa, @imdDecile,
     @imdRank, @imdEdition, @geoReason, @lsoa21, @localAuthorityCode, @localAuthorityName, @geoSource, @externalIdType,
     @externalId, @phone, @email, @preferredContact, @consent, @consentDate, @recordKey)`);
  const insertContact = sqlite.prepare('INSERT INTO contacts (client_id, contact_date, kind, staff_name, note) VALUES (?, ?, ?, ?, ?)');
  const insertIssue = sqlite.prepare(`INSERT INTO client_issues
    (client_id, contact_id, issue_code, within_remit, referred_to, status, identified_on, status_changed_on)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertEvent = sqlite.prepare('INSERT INTO issue_status_events (client_issue_id, status, changed_on, note) VALUES (?, ?, ?, ?)');
  const totals = { clients: 0, contacts: 0, issues: 0, events: 0 };

  const writeBatch = sqlite.transaction((batch: DemoClient[]) => {
    for (const client of batch) {
      const { contacts, consentToRecord, ...fields } = client;
      const clientId = Number(insertClient.run({ ...fields, ...geographyOf(client.postcode), consent: consentToRecord ? 1 : 0 }).lastInsertRowid);
      totals.clients++;
      for (const contact of contacts) {
        const contactId = Number(insertContact.run(clientId, contact.contactDate, contact.kind, contact.staffName, contact.note).lastInsertRowid);
        totals.contacts++;
        for (const issue of contact.issues) {
          const last = issue.events[issue.events.length - 1];
          const issueId = Number(
            insertIssue.run(
              clientId,
              contactId,
              issue.issueCode,
              issue.withinRemit ? 1 : 0,
              issue.referredTo,
              last?.status ?? 'identified',
              contact.contactDate,
              last?.changedOn ?? contact.contactDate,
            ).lastInsertRowid,
          );
          totals.issues++;
          insertEvent.run(issueId, 'identified', contact.contactDate, '');
          for (const event of issue.events) insertEvent.run(issueId, event.status, event.changedOn, '');
          totals.events += 1 + issue.events.length;
        }
      }
    }
  });

  let batch: DemoClient[] = [];
  for (const client of clients) {
    batch.push(client);
    if (batch.length === 2000) {
      writeBatch(batch);
      batch = [];
      onProgress?.(totals.clients);
    }
  }
  if (batch.length) writeBatch(batch);
  onProgress?.(totals.clients);
  return totals;
}
