/**
 * Open data from the area database: one CSV per combined table (area-level disclosure control
 * applied again, see core/area/open-data.ts) and a CSV on the Web (CSVW, W3C 2015) metadata file
 * describing every column, the taxonomy version, the disclosure rule and the licence (Open
 * Government Licence v3.0). Only the active bundles' published cells and universes are read:
 * match keys never reach an export. Bundles of the retired format needmap-bundle/1 (tables not
 * complete) are left out and named.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TABLE_IDS, TABLE_SPECS, type TableId } from '../../core/bundle/schema.ts';
import {
  describeRule,
  protectOpenData,
  DEFAULT_OPEN_DATA_THRESHOLD,
  TOTAL_KEY,
  type CubeCell,
  type CubeTable,
  type OpenCell,
} from '../../core/area/open-data.ts';
import { toCsv } from '../../core/csv.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import type { AreaDatabase } from './open.ts';
import { splitDecileBand } from './queries.ts';
import { isoSeconds } from '../../core/timestamps.ts';

export const OGL_V3 = 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/';
export const METADATA_FILE = 'area-open-data.csv-metadata.json';

/** The dimensions of each bundle table (docs/bundle-format.md), as CSV columns. */
const DIMENSIONS: Record<
  TableId,
  { name: string; title: string; datatype: string | { base: string; format: string }; description: string; required?: boolean }[]
> = {
  'sector-month-category': [
    {
      name: 'postcode_sector',
      title: 'Postcode sector',
      datatype: 'string',
      description: 'Postcode sector where people live, e.g. "PR1 2"; "unknown" where not recorded.',
    },
    { name: 'month', title: 'Month', datatype: 'gYearMonth', description: 'Calendar month the issue was identified.' },
    { name: 'category', title: 'Issue category', datatype: 'string', description: 'Issue category code of the common issue taxonomy.' },
  ],
  'district-month-issue': [
    { name: 'postcode_district', title: 'Postcode district', datatype: 'string', description: 'Postcode district (outward code), e.g. "PR1".' },
    { name: 'month', title: 'Month', datatype: 'gYearMonth', description: 'Calendar month the issue was identified.' },
    { name: 'issue', title: 'Issue', datatype: 'string', description: 'Issue code of the common issue taxonomy.' },
  ],
  'sector-quarter-issue': [
    { name: 'postcode_sector', title: 'Postcode sector', datatype: 'string', description: 'Postcode sector where people live.' },
    { name: 'quarter', title: 'Quarter', datatype: { base: 'string', format: '^\\d{4}-Q[1-4]$' }, description: 'Calendar quarter, e.g. 2026-Q1.' },
    { name: 'issue', title: 'Issue', datatype: 'string', description: 'Issue code of the common issue taxonomy.' },
  ],
  'area-month-decile-category': [
    { name: 'month', title: 'Month', datatype: 'gYearMonth', description: 'Calendar month the issue was identified.' },
    {
      name: 'imd_edition',
      title: 'Indices of Deprivation edition',
      datatype: 'string',
      description:
        'The edition the decile band comes from: iod2019 or iod2025 (bands of different editions rank neighbourhoods differently and are never added); empty when the band is unknown.',
      required: false,
    },
    {
      name: 'imd_decile_band',
      title: 'IMD decile band',
      datatype: 'string',
      description: 'English Indices of Deprivation decile band of where people live (1-2 = most deprived 20%), or "unknown".',
    },
    { name: 'category', title: 'Issue category', datatype: 'string', description: 'Issue category code of the common issue taxonomy.' },
  ],
  'remit-outcome-category-quarter': [
    { name: 'category', title: 'Issue category', datatype: 'string', description: 'Issue category code.' },
    { name: 'quarter', title: 'Quarter', datatype: { base: 'string', format: '^\\d{4}-Q[1-4]$' }, description: 'Calendar quarter.' },
    { name: 'outcome', title: 'Outcome', datatype: 'string', description: 'improved, resolved or unresolved (within-remit issues).' },
  ],
};

const MEASURES = [
  {
    name: 'people',
    title: 'People',
    datatype: 'nonNegativeInteger',
    description: 'People, summed over organisations (someone seen by two organisations counts twice). Empty when suppressed.',
  },
  {
    name: 'people_status',
    title: 'People status',
    datatype: 'string',
    description:
      'published or suppressed (too small, incomplete at source, or to protect another figure: the reason is not given, as it would itself disclose).',
  },
  {
    name: 'presentations',
    title: 'Presentations',
    datatype: 'nonNegativeInteger',
    description: 'Issue presentations, summed over organisations. Empty when suppressed.',
  },
  {
    name: 'presentations_status',
    title: 'Presentations status',
    datatype: 'string',
    description: 'published or suppressed (as people_status).',
  },
  {
    name: 'organisations',
    title: 'Organisations reporting',
    datatype: 'nonNegativeInteger',
    description: 'Organisations whose bundles cover this row’s month or quarter: the same for every row of the period, whatever each contributed.',
  },
];

/** CSV columns of a table's key: the decile band is written as its edition and its band. */
function csvKey(id: TableId, key: readonly string[]): (string | number)[] {
  if (id !== 'area-month-decile-category') return [...key];
  const { edition, decileBand } = splitDecileBand(key[1]!);
  return [key[0]!, edition ?? '', decileBand, key[2]!];
}

interface ActiveBundle {
  id: number;
  organisation_id: string;
  organisation_name: string;
  sequence: number;
  from_month: string;
  to_month: string;
  universe: string | null;
}

/** The active bundles: those in the current format (with a universe) make the open data; retired-format ones are left out and named. */
function activeBundles(area: AreaDatabase): { current: ActiveBundle[]; retired: ActiveBundle[] } {
  const all = area.sqlite
    .prepare(
      'SELECT id, organisation_id, organisation_name, sequence, from_month, to_month, universe FROM imported_bundles WHERE superseded_by IS NULL ORDER BY id',
    )
    .all() as ActiveBundle[];
  return { current: all.filter((b) => b.universe !== null), retired: all.filter((b) => b.universe === null) };
}

/** The combined cube of the current-format active bundles, one CubeTable per table id. */
export function readCubeTables(area: AreaDatabase): { tables: CubeTable[]; retired: ActiveBundle[] } {
  const { current, retired } = activeBundles(area);
  const universes = new Map<TableId, Set<string>[]>(TABLE_IDS.map((id) => [id, [new Set(), new Set(), new Set()]]));
  const coverage = new Map<TableId, Map<string, Set<string>>>(TABLE_IDS.map((id) => [id, new Map()]));
  for (const bundle of current) {
    const universe = JSON.parse(bundle.universe!) as Partial<Record<TableId, string[][]>>;
    for (const id of TABLE_IDS) {
      const values = universe[id];
      if (!values) continue;
      values.forEach((vs, d) => vs.forEach((v) => universes.get(id)![d]!.add(v)));
      const byPeriod = coverage.get(id)!;
      for (const p of values[TABLE_SPECS[id].period] ?? []) (byPeriod.get(p) ?? byPeriod.set(p, new Set()).get(p)!).add(bundle.organisation_id);
    }
  }
  const cells = new Map<TableId, CubeCell[]>(TABLE_IDS.map((id) => [id, []]));
  if (current.length > 0) {
    const rows = area.sqlite
      .prepare(
        `SELECT c.table_id, c.k1, c.k2, c.k3, SUM(coalesce(c.people, 0)), SUM(c.people_suppressed), SUM(coalesce(c.presentations, 0)),
                SUM(c.presentations_suppressed), COUNT(*)
         FROM bundle_cells c JOIN imported_bundles b ON b.id = c.bundle_id
         WHERE b.superseded_by IS NULL AND b.universe IS NOT NULL
         GROUP BY c.table_id, c.k1, c.k2, c.k3`,
      )
      .raw()
      .all() as [TableId, string, string, string, number, number, number, number, number][];
    for (const [id, k1, k2, k3, people, ps, presentations, prs, organisations] of rows) {
      cells.get(id)?.push({
        key: [k1, k2, k3],
        people: { sum: people, suppressed: ps, organisations },
        presentations: { sum: presentations, suppressed: prs, organisations },
      });
    }
  }
  const tables = TABLE_IDS.map((id) => ({
    id,
    universe: universes.get(id)!.map((set) => [...set].sort()),
    period: TABLE_SPECS[id].period,
    cells: cells.get(id)!,
    organisations: new Map([...coverage.get(id)!].map(([p, orgs]) => [p, orgs.size])),
  }));
  return { tables, retired };
}

export interface OpenDataResult {
  files: string[];
  threshold: number;
  tables: { id: TableId; file: string; rows: number; published: number; suppressed: number }[];
  /** Active bundles of the retired format needmap-bundle/1, left out of the open data (their tables are not complete). */
  leftOut: { organisationId: string; organisationName: string; sequence: number; fromMonth: string; toMonth: string }[];
}

export interface OpenDataOptions {
  taxonomy: Taxonomy;
  threshold?: number;
  now?: Date;
  publisher?: string;
}

/** Writes the open-data files into `outDir` (created if needed). */
export function exportOpenData(area: AreaDatabase, outDir: string, options: OpenDataOptions): OpenDataResult {
  const { contents, ...result } = openDataFiles(area, options);
  fs.mkdirSync(outDir, { recursive: true });
  for (const { name, text } of contents) fs.writeFileSync(path.join(outDir, name), text);
  return result;
}

/** The open-data files' names and contents, without writing anything. */
export function openDataFiles(area: AreaDatabase, options: OpenDataOptions): OpenDataResult & { contents: { name: string; text: string }[] } {
  const threshold = options.threshold ?? DEFAULT_OPEN_DATA_THRESHOLD;
  const contents: { name: string; text: string }[] = [];
  const created = isoSeconds(options.now ?? new Date());
  const tables: OpenDataResult['tables'] = [];
  const csvwTables: unknown[] = [];
  const files: string[] = [];
  const { tables: cube, retired } = readCubeTables(area);
  const categoryOfIssue = new Map(options.taxonomy.issues.map((i) => [i.code, i.category]));
  const protectedTables = protectOpenData(cube, { threshold, categoryOfIssue });
  for (const id of TABLE_IDS) {
    const cells: OpenCell[] = protectedTables.get(id) ?? [];
    const dims = DIMENSIONS[id];
    const header = [...dims.map((d) => d.name), ...MEASURES.map((m) => m.name)];
    const csv = toCsv(
      header,
      cells.map((c) => [...csvKey(id, c.key), c.people.value, c.people.status, c.presentations.value, c.presentations.status, c.organisations]),
    );
    const file = `${id}.csv`;
    contents.push({ name: file, text: csv });
    files.push(file);
    const published = cells.filter((c) => c.presentations.status === 'published').length;
    tables.push({ id, file, rows: cells.length, published, suppressed: cells.length - published });
    csvwTables.push({
      url: file,
      'dc:title': `NeedMap area picture: ${id}`,
      'dc:description': `Combined counts over organisations, every combination of the table's values listed; rows whose last dimension is "${TOTAL_KEY}" are totals over it.`,
      tableSchema: {
        columns: [
          ...dims.map((d) => ({ name: d.name, titles: d.title, datatype: d.datatype, 'dc:description': d.description, required: d.required ?? true })),
          ...MEASURES.map((m) => ({
            name: m.name,
            titles: m.title,
            datatype: m.datatype,
            'dc:description': m.description,
            required: !m.name.endsWith('people') && !m.name.endsWith('presentations'),
          })),
        ],
        primaryKey: dims.map((d) => d.name),
      },
    });
  }
  const leftOut = retired.map((b) => ({
    organisationId: b.organisation_id,
    organisationName: b.organisation_name,
    sequence: b.sequence,
    fromMonth: b.from_month,
    toMonth: b.to_month,
  }));
  const leftOutNote = leftOut.length
    ? ` Left out: ${leftOut.length} bundle(s) in the retired format needmap-bundle/1 (${leftOut.map((b) => `${b.organisationId} #${b.sequence}, ${b.fromMonth} to ${b.toMonth}`).join('; ')}), whose tables are not complete.`
    : '';
  const metadata = {
    '@context': ['http://www.w3.org/ns/csvw', { '@language': 'en' }],
    'dc:title': 'NeedMap area picture: combined need counts from voluntary organisations',
    'dc:created': created,
    'dc:publisher': options.publisher ?? 'NeedMap area picture',
    'dc:license': { '@id': OGL_V3 },
    'dc:rights': 'Contains public sector information licensed under the Open Government Licence v3.0.',
    'dc:description': describeRule(threshold) + leftOutNote,
    'http://purl.org/dc/terms/conformsTo': `NeedMap common issue taxonomy version ${options.taxonomy.version}`,
    'https://needmap.org/terms#taxonomyVersion': options.taxonomy.version,
    'https://needmap.org/terms#disclosureRule': { threshold, rule: describeRule(threshold) },
    tables: csvwTables,
  };
  contents.push({ name: METADATA_FILE, text: `${JSON.stringify(metadata, null, 2)}\n` });
  files.push(METADATA_FILE);
  return { files, threshold, tables, leftOut, contents };
}
