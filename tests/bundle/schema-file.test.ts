/** docs/bundle.schema.json is generated from the zod schema; UPDATE_BUNDLE_SCHEMA=1 rewrites it. */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { bundleJsonSchema } from '../../src-main/core/bundle/schema.ts';
import { sourceRoot } from '../../src-main/paths.ts';

it('docs/bundle.schema.json is up to date with the zod schema', () => {
  const file = path.join(sourceRoot(), 'docs', 'bundle.schema.json');
  const expected = JSON.stringify(bundleJsonSchema(), null, 2) + '\n';
  if (process.env.UPDATE_BUNDLE_SCHEMA === '1') fs.writeFileSync(file, expected);
  expect(fs.existsSync(file), 'run with UPDATE_BUNDLE_SCHEMA=1 to create it').toBe(true);
  expect(fs.readFileSync(file, 'utf8'), 'run with UPDATE_BUNDLE_SCHEMA=1 to regenerate it').toBe(expected);
});
