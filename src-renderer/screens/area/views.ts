/** The Area picture's sub-views (#/area/dashboard, #/area/organisations…), kept import-free so the router can use them. */
export const AREA_VIEWS = ['dashboard', 'organisations', 'import', 'events', 'services', 'national', 'frameworks', 'open-data'] as const;
export type AreaView = (typeof AREA_VIEWS)[number];

export function parseAreaView(part: string | undefined): AreaView | null {
  const view = (part ?? 'dashboard') as AreaView;
  return AREA_VIEWS.includes(view) ? view : null;
}
