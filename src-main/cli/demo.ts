import fs from 'node:fs';
import { generateDemoClients, lastWholeMonth } from '../core/demo.ts';
import { geographyFor } from '../core/geography.ts';
import { readIodEdition } from '../db/geo/settings.ts';
import { markClientsComputedWith } from '../db/geo/clients.ts';
import { demoPostcodes, loadNeighbourhoods, loadTaxonomy } from '../app-context.ts';
import { openCaseDatabase } from '../db/open.ts';
import { acquireDatabaseLock } from '../db/database-lock.ts';
import { auditJournalDir } from '../db/protect/audit-journal.ts';
import { erasureRegisterFile } from '../db/protect/erasure-register.ts';
import { writeDemoClients } from '../db/demo.ts';
import { defaultAppPaths } from '../paths.ts';
import { UsageError, positiveInt, requireString, type Command } from './command.ts';
import { encryptionNote, newCaseDbKey } from './db-key.ts';

const usage = 'needmap demo --db FILE --clients N [--seed S] [--end YYYY-MM] [--issues-per-client N] [--replace]';

/** The demo organisation is an advice centre: these categories are within its remit. */
const DEMO_REMIT = ['money-debt', 'benefits', 'housing', 'employment-skills', 'digital-practical'];

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Fill a new database with realistic synthetic clients, contacts and issues over 24 months.',
  usage: `${usage}

  --db FILE      database file to create
  --clients N    number of clients
  --seed S       random seed (default 1): the same seed gives the same records
  --end YYYY-MM  last month covered (default: last whole month)
  --issues-per-client N
                 average issue records per client, 1 to 20 (default: a realistic caseload, about 1.8);
                 e.g. 10 with --clients 100000 gives about a million issue records
  --replace      overwrite FILE if it exists`,
  options: {
    db: { type: 'string' },
    clients: { type: 'string' },
    seed: { type: 'string', default: '1' },
    end: { type: 'string' },
    'issues-per-client': { type: 'string' },
    replace: { type: 'boolean', default: false },
  },
  run(values) {
    const file = requireString(values, 'db', usage);
    const count = positiveInt(requireString(values, 'clients', usage), 'clients');
    const seed = Number(values.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number (got "${String(values.seed)}").`);
    const endMonth = (values.end as string | undefined) ?? lastWholeMonth();
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(endMonth)) throw new UsageError(`--end must be YYYY-MM (got "${endMonth}").`);
    const issuesPerClient = values['issues-per-client'] === undefined ? undefined : Number(values['issues-per-client']);
    if (issuesPerClient !== undefined && !(issuesPerClient >= 1 && issuesPerClient <= 20)) {
      throw new UsageError(`--issues-per-client must be a number from 1 to 20 (got "${String(values['issues-per-client'])}").`);
    }
    if (fs.existsSync(file) && !values.replace) throw new UsageError(`${file} already exists; choose a new file or add --replace.`);
    // Never replaces a database another NeedMap has open.
    const lock = acquireDatabaseLock(file, 'needmap demo');
    try {
      return writeDemo(file, count, seed, endMonth, issuesPerClient, values);
    } finally {
      lock.release();
    }
  },
};

function writeDemo(
  file: string,
  count: number,
  seed: number,
  endMonth: string,
  issuesPerClient: number | undefined,
  values: Record<string, string | boolean | string[] | undefined>,
): number {
  // Everything that belonged to the replaced database goes with it (its register and journal name its clients).
  for (const suffix of ['', '-wal', '-shm', '.keys.json']) fs.rmSync(file + suffix, { force: true });
  fs.rmSync(erasureRegisterFile(file), { force: true });
  fs.rmSync(auditJournalDir(file), { recursive: true, force: true });

  const paths = defaultAppPaths();
  const taxonomy = loadTaxonomy(paths);
  const neighbourhoods = loadNeighbourhoods(paths);
  const key = newCaseDbKey(values, file); // issue 7: encrypted when NEEDMAP_DB_KEY is set
  const caseDb = openCaseDatabase(file, { migrationsDir: paths.migrationsDir, ...(key ? { key } : {}) });
  const started = Date.now();
  const edition = readIodEdition(caseDb.db);
  try {
    const totals = writeDemoClients(
      caseDb,
      generateDemoClients({
        seed,
        clients: count,
        endMonth,
        issues: taxonomy.issues,
        postcodes: demoPostcodes(paths, neighbourhoods),
        remitCategories: DEMO_REMIT,
        ...(issuesPerClient === undefined ? {} : { issuesPerClient }),
      }),
      (postcode) => geographyFor(postcode, neighbourhoods, edition),
      (written) => {
        if (process.stderr.isTTY) process.stderr.write(`\r${written} / ${count} clients`);
      },
    );
    if (process.stderr.isTTY) process.stderr.write('\n');
    // Computed with the data loaded now: the app need not recompute them when it opens the database.
    if (neighbourhoods) markClientsComputedWith(caseDb.db, neighbourhoods.stamp);
    process.stdout.write(
      `Created ${file}: ${totals.clients} clients, ${totals.contacts} contacts, ${totals.issues} issues, ` +
        `${totals.events} status changes, 24 months to ${endMonth} (seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s).\n` +
        encryptionNote(key),
    );
  } finally {
    caseDb.close();
  }
  return 0;
}
