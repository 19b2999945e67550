/** The tabs across a screen with several views (#/reports/need, #/area/dashboard…): links, the current one marked. */
export function ViewTabs<V extends string>({
  label,
  basePath,
  views,
  current,
}: {
  /** The navigation landmark's name ("Report views"). */
  label: string;
  /** The hash route the views sit under ("reports" for #/reports/need). */
  basePath: string;
  views: readonly { view: V; label: string }[];
  current: V;
}) {
  return (
    <nav aria-label={label} className="report-tabs">
      <ul>
        {views.map((v) => (
          <li key={v.view}>
            <a href={`#/${basePath}/${v.view}`} aria-current={v.view === current ? 'page' : undefined}>
              {v.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
