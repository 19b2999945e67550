/**
 * Open data from the area database: one CSV per combined table (area-level disclosure control
 * applied again, see core/area/open-data.ts) and a CSV on the Web (CSVW, W3C 2015) metadata file
 * describing every column, the taxonomy version, the disclosure rule and the licence (Open
 * Government Licence v3.0). Only the combined cube is read: match keys never reach an export.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TABLE_IDS, type TableId } from '../../core/bundle/schema.ts';
import { describeRule, protectTable, DEFAULT_OPEN_DATA_THRESHOLD, TOTAL_KEY, type CubeCell, type OpenCell } from '../../core/area/open-data.ts';
import { toCsv } from '../../core/csv.ts';
import type { AreaDatabase } from './open.ts';
import { isoNow } from './trust.ts';

export const OGL_V3 = 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/';
export const METADATA_FILE = 'area-open-data.csv-metadata.json';

/** The dimensions of each bundle table (docs/bundle-format.md), as CSV columns. */
const DIMENSIONS: Record<TableId, { name: string; title: string; datatype: string | { base: string; format: string }; description: string }[]> = {
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
    description: 'published, suppressed-small, suppressed-incomplete or suppressed-secondary.',
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
    description: 'published, suppressed-small, suppressed-incomplete or suppressed-secondary.',
  },
  {
    name: 'organisations',
    title: 'Contributing organisations',
    datatype: 'nonNegativeInteger',
    description: 'Contributions from organisations’ bundles to this cell.',
  },
];

export function readCube(area: AreaDatabase, tableId: TableId): CubeCell[] {
  const rows = area.sqlite
    .prepare(
      `SELECT k1, k2, k3, people, people_suppressed, presentations, presentations_suppressed, organisations
       FROM combined_cells WHERE table_id = ? ORDER BY k1, k2, k3`,
    )
    .raw()
    .all(tableId) as [string, string, string, number, number, number, number, number][];
  return rows.map(([k1, k2, k3, people, ps, presentations, prs, organisations]) => ({
    key: [k1, k2, k3],
    people: { sum: people, suppressed: ps, organisations },
    presentations: { sum: presentations, suppressed: prs, organisations },
  }));
}

export interface OpenDataResult {
  files: string[];
  threshold: number;
  tables: { id: TableId; file: string; rows: number; published: number; suppressed: number }[];
}

export interface OpenDataOptions {
  taxonomyVersion: string;
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
  const created = isoNow(options.now ?? new Date());
  const tables: OpenDataResult['tables'] = [];
  const csvwTables: unknown[] = [];
  const files: string[] = [];
  for (const id of TABLE_IDS) {
    const cells: OpenCell[] = protectTable(readCube(area, id), threshold);
    const dims = DIMENSIONS[id];
    const header = [...dims.map((d) => d.name), ...MEASURES.map((m) => m.name)];
    const csv = toCsv(
      header,
      cells.map((c) => [...c.key, c.people.value, c.people.status, c.presentations.value, c.presentations.status, c.organisations]),
    );
    const file = `${id}.csv`;
    contents.push({ name: file, text: csv });
    files.push(file);
    const published = cells.filter((c) => c.presentations.status === 'published').length;
    tables.push({ id, file, rows: cells.length, published, suppressed: cells.length - published });
    csvwTables.push({
      url: file,
      'dc:title': `NeedMap area picture: ${id}`,
      'dc:description': `Combined counts over organisations; rows whose last dimension is "${TOTAL_KEY}" are totals over it.`,
      tableSchema: {
        columns: [
          ...dims.map((d) => ({ name: d.name, titles: d.title, datatype: d.datatype, 'dc:description': d.description, required: true })),
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
  const metadata = {
    '@context': ['http://www.w3.org/ns/csvw', { '@language': 'en' }],
    'dc:title': 'NeedMap area picture: combined need counts from voluntary organisations',
    'dc:created': created,
    'dc:publisher': options.publisher ?? 'NeedMap area picture',
    'dc:license': { '@id': OGL_V3 },
    'dc:rights': 'Contains public sector information licensed under the Open Government Licence v3.0.',
    'dc:description': describeRule(threshold),
    'http://purl.org/dc/terms/conformsTo': `NeedMap common issue taxonomy version ${options.taxonomyVersion}`,
    'https://needmap.org/terms#taxonomyVersion': options.taxonomyVersion,
    'https://needmap.org/terms#disclosureRule': { threshold, rule: describeRule(threshold) },
    tables: csvwTables,
  };
  contents.push({ name: METADATA_FILE, text: `${JSON.stringify(metadata, null, 2)}\n` });
  files.push(METADATA_FILE);
  return { files, threshold, tables, contents };
}
