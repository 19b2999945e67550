/** `needmap area trust | revoke | import | export`: the area picture's database from the command line. */
import fs from 'node:fs';
import { loadTaxonomy } from '../app-context.ts';
import { groupedFingerprint } from '../core/bundle/package.ts';
import { displayText } from '../core/display-text.ts';
import { importBundleFiles, taxonomiesOf } from '../db/area/import.ts';
import { openAreaDatabase, type AreaDatabase } from '../db/area/open.ts';
import { exportOpenData } from '../db/area/open-data.ts';
import { revokeKey, trustKey } from '../db/area/trust.ts';
import { RecordError } from '../core/errors.ts';
import { defaultAppPaths } from '../paths.ts';
import { UsageError, positiveInt, requireString, type Command } from './command.ts';

function withArea<T>(file: string, fn: (area: AreaDatabase) => T): T {
  const area = openAreaDatabase(file, { migrationsDir: defaultAppPaths().migrationsDir });
  try {
    return fn(area);
  } catch (error) {
    if (error instanceof RecordError) throw new UsageError(error.message);
    throw error;
  } finally {
    area.close();
  }
}

const trustUsage = 'needmap area trust --db AREA --key FILE --name NAME [--org-id ID] [--fingerprint HEX]';

export const areaTrustCommand: Command = {
  name: 'area trust',
  summary: "Trust an organisation's bundle signing key for that organisation (prints its fingerprint to check with them).",
  usage: `${trustUsage}

  --db FILE          area database (created if missing)
  --key FILE         the organisation's public key (signer.pub.pem)
  --name NAME        the organisation's name, as you know it
  --org-id ID        the organisation id its bundles carry (e.g. its charity number): the key then
                     speaks for that organisation only. Without it the key is bound to the
                     organisation of its first accepted bundle. A new key for the same
                     organisation (rotation): trust it with the same --org-id.
  --fingerprint HEX  the fingerprint the organisation read out: refused unless it matches the key`,
  options: { db: { type: 'string' }, key: { type: 'string' }, name: { type: 'string' }, 'org-id': { type: 'string' }, fingerprint: { type: 'string' } },
  run(values) {
    const db = requireString(values, 'db', trustUsage);
    const keyFile = requireString(values, 'key', trustUsage);
    const name = requireString(values, 'name', trustUsage);
    let pem: string;
    try {
      pem = fs.readFileSync(keyFile, 'utf8');
    } catch {
      throw new UsageError(`No key file at ${keyFile}.`);
    }
    return withArea(db, (area) => {
      const { key, alreadyTrusted } = trustKey(area.db, {
        publicKeyPem: pem,
        name,
        fingerprint: values.fingerprint as string | undefined,
        organisationId: values['org-id'] as string | undefined,
      });
      process.stdout.write(
        `${alreadyTrusted ? 'Already trusted' : 'Trusted'}: ${displayText(key.name)}\nFingerprint: ${key.groupedFingerprint}\n` +
          `Organisation id: ${key.organisationId === null ? 'bound at its first accepted bundle' : displayText(key.organisationId)}\n`,
      );
      return 0;
    });
  },
};

const revokeUsage = 'needmap area revoke --db AREA.db --fingerprint HEX [--reason TEXT]';

export const areaRevokeCommand: Command = {
  name: 'area revoke',
  summary: 'Revoke a trusted key: its bundles are refused from now on (those already imported stay).',
  usage: `${revokeUsage}

  --db FILE          area database
  --fingerprint HEX  the key's fingerprint (spaces and colons allowed)
  --reason TEXT      why (kept in the register)`,
  options: { db: { type: 'string' }, fingerprint: { type: 'string' }, reason: { type: 'string' } },
  run(values) {
    const db = requireString(values, 'db', revokeUsage);
    const fingerprint = requireString(values, 'fingerprint', revokeUsage);
    if (!fs.existsSync(db)) throw new UsageError(`No database at ${db}.`);
    return withArea(db, (area) => {
      const key = revokeKey(area.db, fingerprint, (values.reason as string | undefined) ?? null);
      process.stdout.write(`Revoked: ${displayText(key.name)} (${groupedFingerprint(key.fingerprint)}) on ${key.revokedAt}\n`);
      return 0;
    });
  },
};

const importUsage = 'needmap area import --db AREA.db FILES…';

export const areaImportCommand: Command = {
  name: 'area import',
  summary: 'Verify and import organisations’ bundles (files or folders); exit 1 if any is refused.',
  usage: `${importUsage}

  --db FILE  area database (created if missing)
  FILES      .needmap-bundle files, or folders holding them

  Prints one line per file: "accepted" or "refused (reason)" with the exact reason. A refused
  file never stops the others, and nothing already imported is lost.`,
  options: { db: { type: 'string' } },
  allowPositionals: true,
  async run(values, positionals) {
    const db = requireString(values, 'db', importUsage);
    if (positionals.length === 0) throw new UsageError(`Give at least one bundle file or folder.\nUsage: ${importUsage}`);
    const taxonomy = loadTaxonomy(defaultAppPaths());
    const area = openAreaDatabase(db, { migrationsDir: defaultAppPaths().migrationsDir });
    try {
      const results = await importBundleFiles(area, positionals, { taxonomies: taxonomiesOf(taxonomy) });
      for (const r of results) (r.outcome === 'accepted' ? process.stdout : process.stderr).write(`${r.message}\n`);
      const refused = results.filter((r) => r.outcome === 'refused').length;
      process.stdout.write(`${results.length - refused} accepted, ${refused} refused.\n`);
      return refused > 0 ? 1 : 0;
    } finally {
      area.close();
    }
  },
};

const exportUsage = 'needmap area export --db AREA.db --out DIR [--threshold N]';

export const areaExportCommand: Command = {
  name: 'area export',
  summary: 'Write open data: CSV of the combined cube with CSVW metadata (area-level disclosure control applied).',
  usage: `${exportUsage}

  --db FILE      area database
  --out DIR      folder for the CSV files and area-open-data.csv-metadata.json
  --threshold N  smallest count published (default 10)`,
  options: { db: { type: 'string' }, out: { type: 'string' }, threshold: { type: 'string' } },
  run(values) {
    const db = requireString(values, 'db', exportUsage);
    const out = requireString(values, 'out', exportUsage);
    if (!fs.existsSync(db)) throw new UsageError(`No database at ${db}.`);
    const threshold = values.threshold === undefined ? undefined : positiveInt(values.threshold as string, 'threshold');
    const taxonomy = loadTaxonomy(defaultAppPaths());
    return withArea(db, (area) => {
      const result = exportOpenData(area, out, { taxonomy, ...(threshold ? { threshold } : {}) });
      for (const t of result.tables) process.stdout.write(`${t.file}: ${t.rows} rows, ${t.published} published, ${t.suppressed} suppressed\n`);
      for (const b of result.leftOut) {
        process.stdout.write(
          `Left out: ${displayText(b.organisationName)} (${b.organisationId}) bundle #${b.sequence}, ${b.fromMonth} to ${b.toMonth}: retired format needmap-bundle/1; import a newer bundle for the same months.\n`,
        );
      }
      process.stdout.write(`Wrote ${result.files.length} files to ${out} (threshold ${result.threshold}, Open Government Licence v3.0).\n`);
      return 0;
    });
  },
};
