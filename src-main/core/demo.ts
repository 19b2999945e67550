/**
 * Realistic synthetic case records for demos, tests and benchmarks. Pure and deterministic: the
 * same seed, size, months and postcode list always give the same records.
 */
import type { IssueStatus } from './issue-status.ts';
import { clientRecord, type ClientFields } from './records/client.ts';
import { emptyFields } from './records/record.ts';
import type { RecordedIssue } from './records/client-issue.ts';
import type { ContactFields } from './records/contact.ts';

/** mulberry32: a small, fast, well-distributed seeded PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST_NAMES = [
  'Olivia',
  'Amelia',
  'Isla',
  'Ava',
  'Mia',
  'Grace',
  'Sophia',
  'Lily',
  'Freya',
  'Emily',
  'Aisha',
  'Fatima',
  'Zara',
  'Priya',
  'Chloe',
  'Megan',
  'Sarah',
  'Joanne',
  'Karen',
  'Susan',
  'Margaret',
  'Patricia',
  'Agnieszka',
  'Oliver',
  'George',
  'Noah',
  'Arthur',
  'Harry',
  'Leo',
  'Jack',
  'Charlie',
  'Mohammed',
  'Ali',
  'Omar',
  'Ravi',
  'James',
  'David',
  'Michael',
  'Paul',
  'Mark',
  'Steven',
  'Darren',
  'Wayne',
  'Kevin',
  'Tomasz',
  'Kwame',
  'Tariq',
  'Daniel',
  'Ryan',
  'Liam',
  'Connor',
  'Jamal',
  'Andrei',
  'Peter',
  'John',
  'Ahmed',
  'Kofi',
  'Elena',
  'Maria',
];
const LAST_NAMES = [
  'Smith',
  'Jones',
  'Williams',
  'Taylor',
  'Brown',
  'Davies',
  'Evans',
  'Wilson',
  'Thomas',
  'Johnson',
  'Roberts',
  'Walker',
  'Wright',
  'Robinson',
  'Thompson',
  'White',
  'Hughes',
  'Edwards',
  'Green',
  'Hall',
  'Wood',
  'Harris',
  'Lewis',
  'Martin',
  'Jackson',
  'Clarke',
  'Clark',
  'Turner',
  'Hill',
  'Scott',
  'Cooper',
  'Morris',
  'Ward',
  'Moore',
  'King',
  'Watson',
  'Baker',
  'Harrison',
  'Morgan',
  'Patel',
  'Khan',
  'Ahmed',
  'Ali',
  'Begum',
  'Hussain',
  'Shah',
  'Singh',
  'Kaur',
  'Nowak',
  'Kowalski',
  'Mensah',
  'Okafor',
  'Osei',
  'Campbell',
  'Kelly',
  "O'Brien",
  'Murphy',
  'Popescu',
  'Ionescu',
  'Nguyen',
];
const STAFF = ['Sam Reid', 'Jo Patel', 'Alex Green', 'Chris Mensah', 'Pat Kowalski', 'Robin Hall'];
const REFERRAL_DESTINATIONS = [
  'GP surgery',
  'NHS Talking Therapies',
  'Citizens Advice',
  'Local authority housing options',
  'Food bank',
  'Independent domestic violence adviser (IDVA)',
  'Drug and alcohol service',
  'StepChange debt charity',
  'Jobcentre Plus',
  'Adult social care',
  'Carers centre',
  'Immigration adviser (OISC registered)',
];
const CONTACT_NOTES = ['Initial assessment.', 'Follow-up call.', 'Helped complete forms.', 'Client brought letters to review.', 'Checked on progress.', ''];

export interface DemoIssueDefinition {
  code: string;
  category: string;
}

export interface DemoPostcode {
  postcode: string;
  /** IMD decile, when known: demo clients come more often from deprived neighbourhoods. */
  imdDecile: number | null;
}

export interface DemoOptions {
  seed: number;
  clients: number;
  /** Last month covered, "YYYY-MM"; 24 months ending here are filled. */
  endMonth: string;
  issues: DemoIssueDefinition[];
  postcodes: DemoPostcode[];
  /** Categories the demo organisation works on itself; other issues are referred on. */
  remitCategories: string[];
  /**
   * Average issue records per client over the 24 months. Absent: today's realistic caseload
   * (about 1.8, mostly at the first contact; the records are exactly those of earlier versions).
   * Given (at least 1): clients come back more often and present more issues, some of them again
   * at a later contact, e.g. 10 for a benchmark with a million records from 100k clients.
   */
  issuesPerClient?: number;
}

/** An issue as recorded (core/records/client-issue.ts), with its status history after "identified", oldest first. */
export type DemoIssue = RecordedIssue & { events: { status: IssueStatus; changedOn: string }[] };

/** A contact as recorded (core/records/contact.ts), with the issues presented at it. */
export type DemoContact = ContactFields & { issues: DemoIssue[] };

/** A client's recorded fields (core/records/client.ts), their record key and their contacts. */
export type DemoClient = ClientFields & { recordKey: number; contacts: DemoContact[] };

const DAY = 86_400_000;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A valid NHS number (modulus 11) made from random digits. */
function nhsNumber(rand: () => number): string {
  for (;;) {
    const digits = Array.from({ length: 9 }, () => Math.floor(rand() * 10));
    const sum = digits.reduce((s, d, i) => s + d * (10 - i), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    return digits.join('') + String(check === 11 ? 0 : check);
  }
}

export function* generateDemoClients(options: DemoOptions): Generator<DemoClient> {
  const rand = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const [endYear, endMonth] = options.endMonth.split('-').map(Number) as [number, number];
  const periodEnd = Date.UTC(endYear, endMonth, 1) - DAY; // last day of the end month
  const periodStart = Date.UTC(endYear, endMonth - 24, 1);
  const span = periodEnd - periodStart;
  const remit = new Set(options.remitCategories);

  // Clients come more often from deprived neighbourhoods, as at most voluntary services.
  const weights = options.postcodes.map((p) => (p.imdDecile === null ? 3 : 11 - p.imdDecile));
  const cumulative: number[] = [];
  weights.reduce((sum, w, i) => (cumulative[i] = sum + w), 0);
  const totalWeight = cumulative[cumulative.length - 1] ?? 0;
  const pickPostcode = (): string | null => {
    if (totalWeight === 0 || rand() < 0.03) return null; // some clients give no postcode
    const target = rand() * totalWeight;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return options.postcodes[lo]!.postcode;
  };

  // A few issues dominate, as in real caseloads: weight by a Zipf-like rank.
  const issueWeights = options.issues.map((_, i) => 1 / (1 + (i % 37)));
  const issueCumulative: number[] = [];
  issueWeights.reduce((sum, w, i) => (issueCumulative[i] = sum + w), 0);
  const issueTotal = issueCumulative[issueCumulative.length - 1] ?? 0;
  const pickIssue = (): DemoIssueDefinition => {
    const target = rand() * issueTotal;
    const index = issueCumulative.findIndex((c) => c > target);
    return options.issues[index < 0 ? 0 : index]!;
  };

  /** One issue presented at contact `at`, with its status history (referred on when outside the remit). */
  const presentIssue = (definition: DemoIssueDefinition, contactDays: number[], at: number): DemoIssue => {
    const withinRemit = remit.has(definition.category);
    const referredTo = withinRemit ? null : rand() < 0.8 ? pick(REFERRAL_DESTINATIONS) : 'Not referred (signposted)';
    const events: DemoIssue['events'] = [];
    let day = contactDays[at]!;
    if (withinRemit) {
      const later = contactDays.slice(at + 1);
      if (later.length > 0 || rand() < 0.5) {
        day += (1 + Math.floor(rand() * 14)) * DAY;
        if (day <= periodEnd) events.push({ status: 'in_progress', changedOn: isoDay(day) });
      }
      const roll = rand();
      const outcome: IssueStatus | null = roll < 0.35 ? 'resolved' : roll < 0.55 ? 'improved' : roll < 0.65 ? 'closed_unresolved' : null;
      if (outcome && events.length) {
        day += (7 + Math.floor(rand() * 120)) * DAY;
        if (day <= periodEnd) events.push({ status: outcome, changedOn: isoDay(day) });
        // Now and then an issue comes back after being resolved.
        if (outcome === 'resolved' && rand() < 0.05) {
          day += (14 + Math.floor(rand() * 90)) * DAY;
          if (day <= periodEnd) events.push({ status: 'in_progress', changedOn: isoDay(day) });
        }
      }
    } else if (referredTo && !referredTo.startsWith('Not referred')) {
      events.push({ status: 'referred', changedOn: isoDay(day) });
    }
    return { issueCode: definition.code, withinRemit, referredTo, events };
  };

  const heavy = options.issuesPerClient;
  // Capped so one contact never needs more distinct issues than a taxonomy offers.
  if (heavy !== undefined && !(heavy >= 1 && heavy <= 20)) {
    throw new Error(`issuesPerClient must be a number from 1 to 20 (got ${heavy}).`);
  }

  for (let n = 0; n < options.clients; n++) {
    const firstContact = periodStart + Math.floor(rand() * span * 0.95);
    const age = 16 + Math.floor(rand() * 70);
    const dob = isoDay(firstContact - age * 365.25 * DAY - Math.floor(rand() * 365) * DAY);
    // Skewed like a real caseload: most clients bring few issues, a few bring many. The product of
    // two uniforms has mean 1/4, so 1 + round(r·r·4·(m−1)) averages about m.
    const heavyIssueCount = heavy === undefined ? 0 : 1 + Math.round(rand() * rand() * 4 * (heavy - 1));
    const contactCount = heavy === undefined ? 1 + Math.floor(rand() * rand() * 6) : Math.max(1, Math.round(heavyIssueCount * (0.4 + rand() * 0.4)));
    const contactDays: number[] = [firstContact];
    for (let c = 1; c < contactCount; c++) {
      const next = contactDays[c - 1]! + (3 + Math.floor(rand() * 60)) * DAY;
      if (next > periodEnd) break;
      contactDays.push(next);
    }
    const contacts: DemoContact[] = contactDays.map((day, c) => ({
      contactDate: isoDay(day),
      kind: c === 0 ? pick(['appointment', 'drop_in', 'phone_call'] as const) : pick(['phone_call', 'appointment', 'online', 'home_visit'] as const),
      staffName: pick(STAFF),
      note: pick(CONTACT_NOTES),
      issues: [],
    }));
    if (heavy === undefined) {
      // Issues are mostly presented at the first contact; some emerge later.
      const issueCount = 1 + Math.floor(rand() * rand() * 5);
      const seen = new Set<string>();
      for (let k = 0; k < issueCount; k++) {
        const definition = pickIssue();
        if (seen.has(definition.code)) continue;
        seen.add(definition.code);
        const at = k > 0 && contacts.length > 1 && rand() < 0.25 ? 1 + Math.floor(rand() * (contacts.length - 1)) : 0;
        contacts[at]!.issues.push(presentIssue(definition, contactDays, at));
      }
    } else {
      // Every issue counts (the average holds even when the period's end cuts contacts short): the
      // first at the first contact, the rest at any contact; an issue may come back at a later
      // contact (a second presentation), never twice at one contact.
      const seenAt = contacts.map(() => new Set<string>());
      for (let k = 0; k < heavyIssueCount; k++) {
        const at = k === 0 ? 0 : Math.floor(rand() * contacts.length);
        let definition = pickIssue();
        while (seenAt[at]!.has(definition.code)) definition = pickIssue();
        seenAt[at]!.add(definition.code);
        contacts[at]!.issues.push(presentIssue(definition, contactDays, at));
      }
    }
    const firstName = pick(FIRST_NAMES);
    const lastName = pick(LAST_NAMES);
    const hasNhs = rand() < 0.3;
    const preferred = pick(['none', 'phone', 'text', 'email', 'post'] as const);
    yield {
      ...emptyFields(clientRecord),
      firstName,
      lastName,
      dateOfBirth: dob,
      postcode: pickPostcode(),
      externalIdType: hasNhs ? 'nhs' : null,
      externalId: hasNhs ? nhsNumber(rand) : null,
      phone: rand() < 0.7 ? '07' + String(Math.floor(rand() * 1e9)).padStart(9, '0') : null,
      email: rand() < 0.4 ? `${firstName}.${lastName}${n}@example.org`.toLowerCase().replace(/'/g, '') : null,
      preferredContact: preferred,
      consentToRecord: true,
      consentDate: contacts[0]!.contactDate,
      recordKey: Math.floor(rand() * 2 ** 31),
      contacts,
    };
  }
}

/** The month before the one containing `now`, as "YYYY-MM": the last whole month. */
export function lastWholeMonth(now: Date = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}
