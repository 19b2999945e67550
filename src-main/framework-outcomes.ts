/** Reads the shipped outcome framework list (resources/frameworks/outcomes.csv) once per installation. */
import fs from 'node:fs';
import path from 'node:path';
import { parseOutcomesCsv, type OutcomeEntry } from './core/frameworks.ts';
import type { AppPaths } from './paths.ts';

const cache = new Map<string, OutcomeEntry[]>();

export function loadOutcomes(paths: AppPaths): OutcomeEntry[] {
  const file = path.join(paths.resourcesDir, 'frameworks', 'outcomes.csv');
  return cache.get(file) ?? cache.set(file, parseOutcomesCsv(fs.readFileSync(file, 'utf8'))).get(file)!;
}
