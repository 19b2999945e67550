/** Vocabulary of the recording core shared by the database, the contract and the screens. */
export const CONTACT_KIND_LABELS = {
  appointment: 'Appointment',
  phone_call: 'Phone call',
  drop_in: 'Drop-in visit',
  home_visit: 'Home visit',
  online: 'Online / video',
} as const;
export type ContactKind = keyof typeof CONTACT_KIND_LABELS;
export const CONTACT_KIND_VALUES = Object.keys(CONTACT_KIND_LABELS) as [ContactKind, ...ContactKind[]];

export const PREFERRED_CONTACT_LABELS = {
  none: 'No preference',
  phone: 'Phone',
  text: 'Text message',
  email: 'Email',
  post: 'Post',
} as const;
export type PreferredContact = keyof typeof PREFERRED_CONTACT_LABELS;
export const PREFERRED_CONTACT_VALUES = Object.keys(PREFERRED_CONTACT_LABELS) as [PreferredContact, ...PreferredContact[]];

/** Is `value` a real calendar date written YYYY-MM-DD? */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(value + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function todayIso(now: Date = new Date()): string {
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}
