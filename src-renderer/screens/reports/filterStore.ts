/**
 * The report filter, shared by every Reports view and kept while the app is open (in
 * sessionStorage, so a reload keeps it too, and closing the app forgets it).
 */
import { useSyncExternalStore } from 'react';
import type { ReportFilterInput } from '../../../src-main/ipc/contract/reports.ts';

export interface ReportFilterState {
  from: string;
  to: string;
  category: string | null;
  issueCode: string | null;
  remit: 'all' | 'within';
  sector: string | null;
}

const KEY = 'needmap.reportFilter';
const listeners = new Set<() => void>();
let current: ReportFilterState | null = read();

function read(): ReportFilterState | null {
  try {
    const text = sessionStorage.getItem(KEY);
    return text ? (JSON.parse(text) as ReportFilterState) : null;
  } catch {
    return null;
  }
}

export function setReportFilter(next: ReportFilterState): void {
  current = next;
  try {
    sessionStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Storage can be unavailable; the filter then lasts until the page reloads.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The applied filter, or null before the first one is set (the screen then picks a default). */
export function useReportFilter(): ReportFilterState | null {
  return useSyncExternalStore(subscribe, () => current);
}

export function asCallFilter(f: ReportFilterState): ReportFilterInput {
  return { from: f.from, to: f.to, category: f.category, issueCode: f.issueCode, remit: f.remit, sector: f.sector };
}

/** Field errors the last report call returned for the filter ("filter.from" → messages), shown by the filter form. */
let errors: Record<string, string[]> = {};
const errorListeners = new Set<() => void>();

export function setFilterErrors(next: Record<string, string[]>): void {
  if (JSON.stringify(next) === JSON.stringify(errors)) return;
  errors = next;
  for (const listener of errorListeners) listener();
}

export function useFilterErrors(): Record<string, string[]> {
  return useSyncExternalStore(
    (l) => {
      errorListeners.add(l);
      return () => errorListeners.delete(l);
    },
    () => errors,
  );
}
