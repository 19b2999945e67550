/**
 * A user's copy of the reference data written by an earlier NeedMap (format 1) held only the
 * postcodes shipped then and those the user imported — every one from an official lookup. On
 * first use it is upgraded: the new shipped data (every postcode in England and Wales), with the
 * old copy's rows laid over it as official rows, so nothing the user imported is lost. The old
 * file is kept beside it as `<file>.format1`.
 */
import fs from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { NO_LSOA, OFFICIAL_FLAG } from '../../core/postcode-index.ts';
import { loadReferenceContent, openReferenceFile, ReferenceError, type SourceInfo } from './reference-file.ts';
import { ReferenceImport, saveReferenceFile } from './reference-import.ts';

function formatOf(file: string): string | null {
  const sqlite = openReferenceFile(file);
  try {
    return (sqlite.prepare("SELECT value FROM meta WHERE key = 'format'").pluck().get() as string | undefined) ?? null;
  } catch {
    return null;
  } finally {
    sqlite.close();
  }
}

/** The format-1 parts: deflated little-endian arrays, one row per postcode. */
function readFormat1(file: string) {
  const sqlite = openReferenceFile(file);
  try {
    const parts = new Map(sqlite.prepare('SELECT name, data FROM part').raw().all() as [string, Buffer][]);
    const bytes = (name: string) => {
      const blob = parts.get(name);
      if (!blob) throw new ReferenceError(`${file} is damaged: it has no "${name}" part.`);
      const raw = inflateRawSync(blob);
      const copy = new Uint8Array(raw.byteLength);
      copy.set(raw);
      return copy.buffer;
    };
    const codesText = Buffer.from(bytes('lsoa.codes')).toString('utf8');
    const sources = sqlite
      .prepare('SELECT id, title, publisher, released, licence, attribution, files, rows, imported_at AS importedAt FROM source')
      .all() as SourceInfo[];
    return {
      sources,
      lsoaCodes: codesText === '' ? [] : codesText.split('\n'),
      keys: new Float64Array(bytes('postcodes.keys')),
      lsoa11: new Uint32Array(bytes('postcodes.lsoa11')),
      lsoa21: new Uint32Array(bytes('postcodes.lsoa21')),
      flags: new Uint8Array(bytes('postcodes.flags')),
      terminated: new Uint16Array(bytes('postcodes.terminated')),
    };
  } finally {
    sqlite.close();
  }
}

/** Upgrades `userFile` if an earlier NeedMap wrote it; true when it did. */
export function upgradeUserReference(userFile: string, shippedFile: string, now = new Date()): boolean {
  if (!fs.existsSync(userFile) || formatOf(userFile) !== '1') return false;
  const old = readFormat1(userFile);
  const shipped = loadReferenceContent(shippedFile);
  const run = new ReferenceImport(shipped, undefined, now);
  const code = (id: number) => (id === NO_LSOA ? null : (old.lsoaCodes[id] ?? null));
  for (let i = 0; i < old.keys.length; i++) {
    run.addIndexedRow(old.keys[i]!, code(old.lsoa11[i]!), code(old.lsoa21[i]!), old.flags[i]! | OFFICIAL_FLAG, old.terminated[i]!);
  }
  // The sources the user added (the shipped ones are listed already).
  const shippedSources = new Set(shipped.sources.map((s) => s.id));
  for (const source of old.sources.filter((s) => s.id.startsWith('postcodes:') && !shippedSources.has(s.id))) {
    const { importedAt: _when, ...rest } = source;
    run.addSource(rest);
  }
  const content = run.finish({ upgraded_from: 'format 1 (earlier NeedMap): its postcodes kept as official rows' });
  fs.copyFileSync(userFile, `${userFile}.format1`);
  saveReferenceFile(userFile, content);
  return true;
}
