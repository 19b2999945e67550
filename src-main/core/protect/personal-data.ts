/**
 * The classes of personal data every column of the case database is given where it is defined
 * (db/schema.ts). Erasure, retention, subject access and the "nothing personal leaves" checks read
 * them (db/protect/personal-data.ts); docs/data-protection.md explains the choices. Pure.
 */
export const PERSONAL_DATA_CLASSES = {
  identifying:
    'Identifying: names or reaches a person, or is personal to them (names, date of birth, full postcode, small-area codes, phone, email, ' +
    'ID numbers, free text, credentials). Removed when the person is erased or anonymised.',
  special:
    'Special category (UK GDPR Article 9): what a person presented with (health, domestic abuse, immigration…). ' +
    'Kept after erasure, when nothing identifying is left beside it; only ever counted, with disclosure control, in bundles.',
  'not-personal':
    'Not personal on its own: coarse places, dates, kinds and statuses, record numbers and bookkeeping. ' +
    'Kept after erasure, so past reports and bundles stay consistent.',
} as const;

export type PersonalDataClass = keyof typeof PERSONAL_DATA_CLASSES;
