/**
 * Plain words for change estimates (core/area/change.ts). The rules: say what was compared with
 * what, give the numbers, say "coincided with" and never "caused", and say "too little data to say"
 * when that is the truth. No statistics library here, so the screens can use it too.
 */
import type { ChangeEstimate } from './change.ts';

export type BaselineKind = 'year-earlier' | 'comparison-sectors' | 'rest-of-area';

export const FDR_LEVEL_TEXT = '5%';

export function formatP(p: number): string {
  if (p < 0.001) return '<0.001';
  if (p < 0.01) return p.toFixed(3);
  return p.toFixed(2);
}

/** "+38%", "−12%", "no change"; "new" when there was nothing before. */
export function percentChange(before: number, after: number): string {
  if (before === 0) return after === 0 ? 'none either side' : 'new';
  const change = Math.round((after / before - 1) * 100);
  if (change === 0) return 'no change';
  return `${change > 0 ? '+' : '−'}${Math.abs(change)}%`;
}

/** 1.76 → "1.76"; ratios near 1 keep two decimals, large ones fewer. */
export function formatRatio(r: number): string {
  if (r >= 10) return r.toFixed(0);
  if (r >= 3) return r.toFixed(1);
  return r.toFixed(2);
}

export function intervalText(e: Pick<ChangeEstimate, 'lower' | 'upper'>): string {
  return e.lower === null || e.upper === null ? '' : `95% interval ${formatRatio(e.lower)} to ${formatRatio(e.upper)}`;
}

export function baselineWords(kind: BaselineKind): string {
  switch (kind) {
    case 'year-earlier':
      return 'the same months a year earlier';
    case 'comparison-sectors':
      return 'the comparison sectors';
    case 'rest-of-area':
      return 'the rest of the area';
  }
}

/** What the reading of an estimate is, in one short phrase (for tables). */
export function readingOf(e: Pick<ChangeEstimate, 'ratio' | 'tooLittle'> & { qValue: number | null }, fdr = 0.05): string {
  if (e.ratio === null || e.qValue === null) return 'too little data to say';
  if (e.qValue >= fdr) return 'within chance variation';
  return e.ratio > 1 ? 'rose more than the baseline' : 'fell more than the baseline';
}

export interface DescribeChange {
  /** "Money & debt presentations". */
  subject: string;
  /** "in PR1 2, PR1 3". */
  where: string;
  /** "the 3 months after the event", "the 2 quarters after it opened". */
  afterWords: string;
  /** "Large employer closed (2025-11-14)". */
  occasion: string;
  baseline: BaselineKind;
  tested: number;
}

/**
 * "Money & debt presentations in PR1 2 went from 120 to 217 (+81%) in the 3 months after, while in
 * the same months a year earlier they went from 118 to 121 (+3%): a change 1.76 times the
 * baseline's (95% interval 1.30 to 2.38). That is more than chance variation would usually give,
 * even allowing for the 15 comparisons tested (q=0.002). It coincided with Large employer closed;
 * these figures alone do not show it was the cause."
 */
export function describeChange(d: DescribeChange, e: ChangeEstimate & { qValue: number | null }): string {
  const study = `${d.subject} ${d.where} went from ${e.studyBefore} to ${e.studyAfter} (${percentChange(e.studyBefore, e.studyAfter)}) in ${d.afterWords}`;
  const base = `in ${baselineWords(d.baseline)} they went from ${e.baselineBefore} to ${e.baselineAfter} (${percentChange(e.baselineBefore, e.baselineAfter)})`;
  if (e.ratio === null || e.qValue === null) return `${study}, while ${base}: ${e.tooLittle ?? 'too little data to say'}.`;
  const size = `a change ${formatRatio(e.ratio)} times the baseline's (${intervalText(e)})`;
  const tests = d.tested === 1 ? 'the one comparison tested' : `the ${d.tested} comparisons tested`;
  if (e.qValue >= 0.05) {
    return `${study}, while ${base}: ${size}. Chance variation could easily give a difference like this (q=${formatP(e.qValue)}, allowing for ${tests}), so no change is shown to have coincided with ${d.occasion}.`;
  }
  return `${study}, while ${base}: ${size}. That is more than chance variation would usually give, even allowing for ${tests} (q=${formatP(e.qValue)}). It coincided with ${d.occasion}; these figures alone do not show it was the cause.`;
}

/**
 * How far a new service reaches its catchment: its own presentations from the catchment and from
 * the comparison sectors since it opened, each set against the presentations of its issues those
 * sectors brought to other organisations before it opened.
 */
export function describeReach(service: string, after: string, e: ChangeEstimate): string {
  const counts = `${service} recorded ${e.studyAfter} presentations from its catchment and ${e.baselineAfter} from the comparison sectors in ${after}`;
  const need = `against ${e.studyBefore} and ${e.baselineBefore} presentations of its issues at other organisations before it opened`;
  if (e.ratio === null) return `${counts}, ${need}: ${e.tooLittle ?? 'too little data to say'}.`;
  const text = `${counts}, ${need}: ${formatRatio(e.ratio)} times as many from its catchment, for the need seen there before (${intervalText(e)}).`;
  if (e.lower !== null && e.lower > 1) return `${text} It reaches its catchment more than elsewhere.`;
  return `${text} That is within what chance variation could give: it is not shown to reach its catchment more than elsewhere.`;
}
