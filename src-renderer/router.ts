/** Hash routes (#/clients/12): work identically from file:// in Electron and over the browser host. */
import { useEffect, useState } from 'react';
import { parseAreaView, type AreaView } from './screens/area/views.ts';

export type Route =
  | { name: 'clients' }
  | { name: 'new-client' }
  | { name: 'client'; id: number }
  | { name: 'edit-client'; id: number }
  | { name: 'record-contact'; id: number }
  | { name: 'subject-access'; id: number }
  | { name: 'export' }
  | { name: 'import' }
  | { name: 'settings' }
  | { name: 'protection' }
  | { name: 'restore' }
  | { name: 'about' }
  | { name: 'reports'; view: ReportView }
  | { name: 'area'; view: AreaView }
  | { name: 'not-found'; path: string };

/** The Reports area's sub-views: #/reports/need, #/reports/where… */
export const REPORT_VIEWS = ['need', 'where', 'deciles', 'impact', 'map', 'frameworks'] as const;
export type ReportView = (typeof REPORT_VIEWS)[number];

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/clients';
  const parts = path.split('/').filter(Boolean);
  const id = Number(parts[1]);
  if (parts[0] === 'clients') {
    if (parts.length === 1) return { name: 'clients' };
    if (parts[1] === 'new') return { name: 'new-client' };
    if (Number.isInteger(id) && id > 0) {
      if (parts.length === 2) return { name: 'client', id };
      if (parts[2] === 'edit') return { name: 'edit-client', id };
      if (parts[2] === 'contact') return { name: 'record-contact', id };
      if (parts[2] === 'subject-access') return { name: 'subject-access', id };
    }
  }
  if (parts[0] === 'about') return { name: 'about' };
  if (parts[0] === 'protection' && parts[1] === 'restore' && parts.length === 2) return { name: 'restore' };
  if (parts[0] === 'protection') return { name: 'protection' };
  if (parts[0] === 'reports' && parts.length <= 2) {
    const view = (parts[1] ?? 'need') as ReportView;
    if (REPORT_VIEWS.includes(view)) return { name: 'reports', view };
  }
  if (parts[0] === 'area' && parts.length <= 2 && parseAreaView(parts[1])) return { name: 'area', view: parseAreaView(parts[1])! };
  if (parts[0] === 'export') return { name: 'export' };
  if (parts[0] === 'import' && parts.length === 1) return { name: 'import' };
  if (parts[0] === 'settings') return { name: 'settings' };
  return { name: 'not-found', path };
}

export function navigate(path: string): void {
  window.location.hash = path;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
