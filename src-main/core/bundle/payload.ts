/** Assembling the payload from plain rows and the organisation's details (pure). */
import type { DisclosurePolicy } from './disclosure.ts';
import { monthsBetween, quartersOf } from './period.ts';
import { BUNDLE_SCHEMA_ID, type BundlePayload, type MatchKeySection } from './schema.ts';
import { buildTables, type OutcomeRow, type PresentationRow } from './tables.ts';
import { isoSeconds } from '../timestamps.ts';

export interface PayloadInput {
  organisation: { id: string; name: string };
  fingerprint: string;
  taxonomyVersion: string;
  /** The taxonomy's category and issue codes: the tables range over all of them. */
  categories: readonly string[];
  issues: readonly string[];
  from: string;
  to: string;
  sequence: number;
  createdAt: Date;
  softwareVersion: string;
  policy: DisclosurePolicy;
  presentations: readonly PresentationRow[];
  outcomes: readonly OutcomeRow[];
  matchKeys?: MatchKeySection;
}

export function buildPayload(input: PayloadInput): BundlePayload {
  const months = monthsBetween(input.from, input.to);
  return {
    schema: BUNDLE_SCHEMA_ID,
    organisation: { id: input.organisation.id, name: input.organisation.name },
    signer: { algorithm: 'Ed25519', fingerprint: input.fingerprint },
    taxonomyVersion: input.taxonomyVersion,
    period: { from: input.from, to: input.to, months, quarters: quartersOf(months) },
    sequence: input.sequence,
    createdAt: isoSeconds(input.createdAt),
    software: { name: 'NeedMap', version: input.softwareVersion },
    disclosure: input.policy.description,
    tables: buildTables(input.presentations, input.outcomes, input.policy, { months, categories: input.categories, issues: input.issues }),
    ...(input.matchKeys ? { matchKeys: input.matchKeys } : {}),
  };
}
