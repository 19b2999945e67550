/**
 * Whether an imported bundle's period makes sense now, beyond what its schema, signature and
 * payload checks say (pure). The period's own consistency (its months and quarters, every cell
 * inside it) is checked by the verifier (core/bundle/payload-checks.ts); what is left depends on
 * the day it is imported: the months must be over, and the bundle made after them.
 */
import { currentMonth, monthIndex } from '../bundle/period.ts';
import type { BundlePayload } from '../bundle/schema.ts';

/** Why the period is not plausible today, or null. `now` decides which months are over. */
export function bundlePeriodProblem(payload: Pick<BundlePayload, 'period' | 'createdAt'>, now: Date): string | null {
  const { to } = payload.period;
  if (monthIndex(to) >= monthIndex(currentMonth(now))) return `it covers ${to}, which is not over yet`;
  const created = Date.parse(payload.createdAt);
  const periodEnd = Date.parse(`${nextMonthStart(to)}T00:00:00Z`);
  if (!(created >= periodEnd)) return `it was created (${payload.createdAt}) before its last month ${to} had ended`;
  if (created > now.getTime() + 24 * 3600 * 1000) return `it claims to be created in the future (${payload.createdAt})`;
  return null;
}

function nextMonthStart(month: string): string {
  const next = monthIndex(month) + 1;
  return `${String(Math.floor(next / 12)).padStart(4, '0')}-${String((next % 12) + 1).padStart(2, '0')}-01`;
}
