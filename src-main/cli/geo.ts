/**
 * `needmap geo import` — add ONS postcode directory (NSPL/ONSPD) or Indices of Deprivation files
 * to the reference data — and `needmap lookup` — postcodes to sector, neighbourhood and decile,
 * one JSON line each, for scripts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultReferenceFile, loadNeighbourhoods, shippedReferenceFile } from '../app-context.ts';
import { DEFAULT_IOD_EDITION, isAreaOfDeprivation, isIodEdition } from '../core/deprivation.ts';
import { parsePostcode } from '../core/postcode.ts';
import { importReferenceFiles } from '../db/geo/import.ts';
import { ReferenceImportError } from '../db/geo/reference-import.ts';
import { ReferenceData } from '../db/geo/reference.ts';
import { defaultAppPaths } from '../paths.ts';
import { UsageError, type Command } from './command.ts';

const importUsage = 'needmap geo import [--ref FILE] NSPL_FILE…';

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0);
}

export const geoImportCommand: Command = {
  name: 'geo import',
  summary: 'Import ONS postcode directory files (NSPL/ONSPD CSV or ZIP) or Indices of Deprivation CSVs into the reference data.',
  usage: `${importUsage}

  --ref FILE   reference database to update (default: the app's own copy, ${defaultReferenceFile()};
               created from the shipped data if absent)
  NSPL_FILE    one national CSV, per-area CSVs, or the ZIP ONS distributes; IoD2019/IoD2025 CSVs too.
               All files are imported or none: a refused file leaves the reference data unchanged.`,
  options: { ref: { type: 'string' } },
  allowPositionals: true,
  async run(values, files) {
    if (files.length === 0) throw new UsageError(`Name at least one file to import.\nUsage: ${importUsage}`);
    const refFile = (values.ref as string | undefined) ?? defaultReferenceFile();
    const shipped = shippedReferenceFile(defaultAppPaths());
    const tty = process.stderr.isTTY;
    let lastFile = '';
    const started = Date.now();
    try {
      const summary = await importReferenceFiles(refFile, files, {
        shippedFile: shipped,
        onProgress: (p) => {
          const percent = p.totalBytes ? Math.min(100, Math.round((100 * p.bytesRead) / p.totalBytes)) : 0;
          const line = `${p.file}: ${percent}% of ${megabytes(p.totalBytes)} MB, ${p.rowsRead} rows read`;
          if (tty) process.stderr.write(`\r${line.padEnd(100).slice(0, 100)}`);
          else if (p.file !== lastFile && percent === 100) process.stderr.write(`${line}\n`);
          lastFile = percent === 100 ? p.file : '';
        },
      });
      if (tty) process.stderr.write('\n');
      const out = process.stdout;
      out.write(`Imported into ${summary.referenceFile} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
      out.write(`Rows read: ${summary.rowsRead}\n`);
      out.write(`Postcodes added: ${summary.postcodesAdded} (updated: ${summary.postcodesUpdated}; now ${summary.postcodesTotal} in all)\n`);
      if (summary.deprivationRows.IoD2019 || summary.deprivationRows.IoD2025) {
        out.write(`Deprivation rows: IoD2019 ${summary.deprivationRows.IoD2019}, IoD2025 ${summary.deprivationRows.IoD2025}\n`);
      }
      out.write(`Rows refused: ${summary.rowsRefused}\n`);
      for (const [reason, count] of Object.entries(summary.refusedByReason)) out.write(`  ${count} × ${reason}\n`);
      for (const r of summary.refusedExamples) out.write(`  ${r.file} line ${r.line}: ${r.reason}\n`);
      for (const skipped of summary.filesSkipped) out.write(`Skipped (not postcode or deprivation data): ${skipped}\n`);
      return 0;
    } catch (error) {
      if (tty) process.stderr.write('\n');
      if (error instanceof ReferenceImportError) throw new Error(`${error.message}\nNothing was imported; ${refFile} is unchanged.`, { cause: error });
      throw error;
    }
  },
};

const lookupUsage = 'needmap lookup [--ref FILE] [--edition IoD2025|IoD2019] POSTCODE…';

export const lookupCommand: Command = {
  name: 'lookup',
  summary: 'Print the sector, neighbourhood and deprivation decile of postcodes, one JSON line each.',
  usage: `${lookupUsage}

  --ref FILE       reference database (default: the app's own copy if present, else the shipped data)
  --edition E      Indices of Deprivation edition: IoD2025 (default; used wherever the 2021 LSOA is
                   known) or IoD2019 (the 2011 LSOA); the other where the chosen one cannot be had
  Prints {"postcode","sector","district","lsoa","imdDecile","imdRank","edition","deprived","domains",
  "lsoa21","localAuthority":{"code","name"},"source":"official"|"derived"} per postcode in order
  ("imdDecile": null with a "reason" where unknown; "source": null when not in the data), or
  {"input","error"} for an invalid one. "lsoa" is the neighbourhood the decile is for. Exit code 0
  only if every postcode was found with a decile.`,
  options: { ref: { type: 'string' }, edition: { type: 'string' } },
  allowPositionals: true,
  run(values, postcodes) {
    if (postcodes.length === 0) throw new UsageError(`Name at least one postcode.\nUsage: ${lookupUsage}`);
    const refFile = values.ref as string | undefined;
    const edition = (values.edition as string | undefined) ?? DEFAULT_IOD_EDITION;
    if (!isIodEdition(edition)) throw new UsageError(`--edition must be IoD2025 or IoD2019 (got "${edition}").\nUsage: ${lookupUsage}`);
    let reference: ReferenceData | null;
    if (refFile) {
      if (!fs.existsSync(refFile)) throw new Error(`There is no reference file ${path.resolve(refFile)}.`);
      reference = ReferenceData.load(refFile);
    } else {
      reference = loadNeighbourhoods(defaultAppPaths());
      if (!reference) throw new Error('No postcode reference data is installed.');
    }
    let allFound = true;
    const lines: string[] = [];
    for (const input of postcodes) {
      const parsed = parsePostcode(input);
      if (!parsed.ok) {
        allFound = false;
        lines.push(JSON.stringify({ input, error: parsed.error }));
        continue;
      }
      const found = reference.lookup(parsed.postcode, edition);
      if (found.imdDecile === null) allFound = false;
      lines.push(
        JSON.stringify({
          postcode: parsed.postcode,
          sector: parsed.sector,
          district: parsed.district,
          lsoa: found.lsoa,
          imdDecile: found.imdDecile,
          imdRank: found.imdRank,
          edition: found.imdEdition,
          deprived: isAreaOfDeprivation(found.imdDecile),
          domains: found.domains,
          ...(found.reason ? { reason: found.reason } : {}),
          lsoa21: found.lsoa21,
          localAuthority: found.localAuthority,
          source: found.source,
        }),
      );
    }
    process.stdout.write(lines.join('\n') + '\n');
    return allFound ? 0 : 1;
  },
};
